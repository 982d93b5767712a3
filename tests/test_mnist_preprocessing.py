"""A reader's image made into a MNIST digit: what a camera or a drawing program did is undone."""

import io
import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

import input_data
from machinery.analyses import mnist_preprocessing
from conftest import ROOT
from machinery.analyses.mnist_preprocessing import ImageError, open_image, to_mnist

MNIST = input_data.read_data_sets(os.path.join(ROOT, "MNIST_data"))
DIGITS = MNIST.test.images[:200].reshape(-1, 28, 28)


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (cols * image).sum() / image.sum()


def photographed(digit, seed):
    """A MNIST digit as a phone or a drawing program gives it: enlarged 10 times, dark ink on light
    gray paper, off centre in a wide margin, saved as JPEG."""
    rng = np.random.default_rng(seed)
    big = Image.fromarray(np.uint8(np.rint(digit * 255))).resize((280, 280), Image.Resampling.BICUBIC)
    ink = np.asarray(big, np.float64) / 255
    paper, pen = 0.85, 0.1
    canvas = np.full((480, 400), paper)
    top, left = rng.integers(0, 200), rng.integers(0, 120)
    canvas[top:top + 280, left:left + 280] = paper + (pen - paper) * ink
    canvas += rng.normal(0, 0.01, canvas.shape)  # the camera's noise
    jpeg = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(np.rint(canvas * 255), 0, 255))).convert("RGB").save(jpeg, "JPEG", quality=90)
    return Image.open(io.BytesIO(jpeg.getvalue()))


def correlation(a, b):
    return np.corrcoef(a.ravel(), b.ravel())[0, 1]


def test_mnist_centres_its_digits_where_centre_says():
    com = np.array([centre_of_mass(d) for d in MNIST.train.images[:20000].reshape(-1, 28, 28)])
    assert np.abs(com.mean(axis=0) - mnist_preprocessing.CENTRE).max() < 0.05


def test_photographed_digits_come_back_close_to_the_originals():
    back = np.array([to_mnist(photographed(d, seed)) for seed, d in enumerate(DIGITS)])
    assert back.shape == (200, 28, 28) and back.dtype == np.float32
    assert back.min() == 0 and back.max() <= 1
    # The measure: Pearson correlation of the 784 pixels with the original, and the mean absolute
    # difference in units of the input range.
    correlations = np.array([correlation(a, b) for a, b in zip(back, DIGITS)])
    assert np.median(correlations) > 0.9 and (correlations > 0.75).mean() >= 0.95
    assert np.abs(back - DIGITS).mean() < 0.08
    com = np.array([centre_of_mass(d) for d in back])
    assert np.abs(com - mnist_preprocessing.CENTRE).max() <= 0.5 + 1e-9, "centred by the centre of mass"


def test_a_trained_network_answers_the_same_for_them(trained_session):
    sess, cnn = trained_session
    back = np.array([to_mnist(photographed(d, seed)) for seed, d in enumerate(DIGITS[:100])])
    answers = [sess.run(cnn.y_conv, {cnn.x: images.reshape(-1, 784), cnn.keep_prob: 1.0}).argmax(axis=1)
               for images in (DIGITS[:100], back)]
    assert (answers[0] == answers[1]).mean() >= 0.95


def digit_image(mode):
    """Test digit 0 (a 7) drawn 10 times larger in a given mode, and the reference result."""
    digit = DIGITS[0]
    big = np.asarray(Image.fromarray(np.uint8(np.rint(digit * 255))).resize((280, 280), Image.Resampling.BICUBIC),
                     np.float64) / 255
    if mode == "L":  # as MNIST: white on black
        return Image.fromarray(np.uint8(np.rint(big * 255)))
    if mode == "RGB":  # dark blue ink on yellowish paper
        paper, pen = np.array([0.95, 0.9, 0.6]), np.array([0.1, 0.1, 0.5])
        rgb = paper + (pen - paper) * big[..., None]
        return Image.fromarray(np.uint8(np.rint(rgb * 255)))
    if mode == "RGBA":  # a drawing program's PNG: black strokes on a transparent background
        rgba = np.zeros((280, 280, 4), np.uint8)
        rgba[..., 3] = np.uint8(np.rint(big * 255))
        return Image.fromarray(rgba)
    if mode == "I;16":  # a 16-bit gray scan, light ink on dark
        return Image.fromarray(np.uint16(np.rint(big * 60000)))
    if mode == "P":  # a palette image, dark on light
        return Image.fromarray(np.uint8(np.rint(255 - big * 255))).convert("P")
    raise ValueError(mode)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "I;16", "P"])
def test_any_mode_gives_the_same_digit(mode):
    image = digit_image(mode)
    assert image.mode == mode
    reference = to_mnist(digit_image("L"))
    assert np.abs(to_mnist(image) - reference).max() < 0.05, "the same digit as from a gray image"
    assert correlation(to_mnist(image), DIGITS[0]) > 0.75, "close to the original (up to a pixel's shift)"


def test_a_thin_one_keeps_its_aspect_ratio():
    canvas = Image.new("L", (300, 400), 255)
    ImageDraw.Draw(canvas).line([(150, 50), (150, 350)], fill=0, width=12)  # 12 x 300 pixels of ink
    digit = to_mnist(canvas)
    rows, cols = np.flatnonzero(digit.max(axis=1) > 0.1), np.flatnonzero(digit.max(axis=0) > 0.1)
    assert rows[-1] - rows[0] + 1 == 20, "the longer side is 20 pixels"
    assert cols[-1] - cols[0] + 1 <= 3, "not stretched to a square"


def test_specks_do_not_count_for_the_box():
    canvas = Image.new("L", (400, 400), 230)
    draw = ImageDraw.Draw(canvas)
    draw.line([(200, 100), (200, 300)], fill=20, width=20)
    draw.line([(200, 100), (150, 150)], fill=20, width=20)
    clean = to_mnist(canvas)
    draw.point([(10, 390), (11, 390), (390, 15)], fill=0)  # dust
    assert np.abs(to_mnist(canvas) - clean).max() < 1e-6


def test_blank_and_uniform_images_have_no_ink():
    for image in (Image.new("L", (50, 50), 255), Image.new("RGB", (80, 60), (120, 40, 40)),
                  Image.new("RGBA", (30, 30), (0, 0, 0, 0))):
        with pytest.raises(ImageError, match=r"^blank\.png: no ink"):
            to_mnist(image, "blank.png")


def test_open_image_faults_name_the_file(tmp_path):
    missing = tmp_path / "missing.png"
    with pytest.raises(ImageError, match=r"no such file$") as e:
        open_image(str(missing))
    assert str(e.value).startswith(str(missing))
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(ImageError, match=r"notes\.png: not an image"):
        open_image(str(text))
