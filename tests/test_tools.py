"""tools.py: the article's save_image and channels_to_images."""

import numpy as np
import pytest
from PIL import Image

import tools

GRAY = (0x80, 0x80, 0x80)


@pytest.fixture(autouse=True)
def images_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(tools, "IMAGES_DIR", str(tmp_path))
    return tmp_path


def article_channels_to_images(channels):
    """The article's triple loop, verbatim."""
    count = channels.shape[2]
    images = []
    for i in range(count):
        image = []
        for line in channels:
            out_line = [pix[i] for pix in line]
            image.append(out_line)
        images.append(image)
    return np.array(images) * 255


@pytest.mark.parametrize("count, h, w, cols, size", [
    (50, 28, 28, 8, (231, 202)),   # 2.png
    (32, 28, 28, 8, (231, 115)),   # h_conv1
    (32, 14, 14, 8, (119, 59)),    # h_pool1
    (64, 14, 14, 8, (119, 119)),   # h_conv2
    (64, 7, 7, 8, (63, 63)),       # h_pool2
    (1, 5, 3, 8, (31, 5)),         # one image: still a full row of 8 cells, as the article
    (10, 4, 6, 4, (27, 14)),       # last row not full; not square
])
def test_save_image_geometry_and_gaps(images_dir, count, h, w, cols, size):
    images = np.arange(1, count + 1, dtype=np.float32)[:, None, None] * np.ones((h, w))
    tools.save_image("t.png", images % 200 + 20, cols=cols)

    canvas = Image.open(images_dir / "t.png")
    assert canvas.mode == "RGB" and canvas.size == size
    pixels = np.asarray(canvas)
    for i in range(count):
        y, x = (i // cols) * (h + 1), (i % cols) * (w + 1)
        tile = pixels[y:y + h, x:x + w]
        assert (tile == (i + 1) % 200 + 20).all(), "tile %d misplaced" % i
        if x + w < size[0]:
            assert (pixels[y:y + h, x + w] == GRAY).all(), "no gap right of tile %d" % i
        if y + h < size[1]:
            assert (pixels[y + h, x:x + w] == GRAY).all(), "no gap below tile %d" % i
    # Cells after the last image are gap-coloured too.
    rows = (count - 1) // cols + 1
    for i in range(count, rows * cols):
        y, x = (i // cols) * (h + 1), (i % cols) * (w + 1)
        assert (pixels[y:y + h, x:x + w] == GRAY).all()


def test_save_image_clips_instead_of_wrapping(images_dir):
    # ReLU outputs above 1.0 times 255 exceed 255: the article's np.uint8() wrapped 300 to 44.
    images = np.array([[[300.0, 255.9, 128.7, -5.0]]])
    tools.save_image("clip.png", images)
    assert np.asarray(Image.open(images_dir / "clip.png"))[0, :4, 0].tolist() == [255, 255, 128, 0]


def test_save_image_leaves_no_temporary_file(images_dir, monkeypatch):
    def broken_save(self, fp, *args, **kwargs):
        open(fp, "wb").write(b"half")
        raise OSError("disk full")
    tools.save_image("ok.png", np.zeros((2, 3, 3)))
    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError):
        tools.save_image("ok.png", np.ones((2, 3, 3)) * 255)
    assert sorted(p.name for p in images_dir.iterdir()) == ["ok.png"]
    monkeypatch.undo()
    assert np.asarray(Image.open(images_dir / "ok.png"))[:3, :3].max() == 0, "the old image was overwritten"


def test_channels_to_images_is_the_articles_loop():
    channels = np.random.default_rng(0).random((7, 5, 3), dtype=np.float32)
    images = tools.channels_to_images(channels)
    assert images.shape == (3, 7, 5)
    np.testing.assert_array_equal(images, article_channels_to_images(channels))
