"""tools.py: the article's save_image and channels_to_images; drawing.py: the sheets made from them."""

import numpy as np
import pytest
from PIL import Image

from machinery.pictures import drawing
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


@pytest.mark.parametrize("write, name, encoders", [
    (lambda: tools.save_image("a.png", np.full((2, 3, 3), 200.0)), "a.png", Image.SAVE),
    (lambda: drawing.save_timeline("a.gif", [np.full((4, 4), 200, np.uint8)] * 2), "a.gif", Image.SAVE_ALL),
])
def test_an_encoder_failing_half_way_leaves_the_previous_file(images_dir, monkeypatch, write, name, encoders):
    write()
    previous = (images_dir / name).read_bytes()
    format = name[-3:].upper()
    encoder = encoders[format]

    def half_then_fail(image, fp, filename, *args, **kwargs):
        fp.write(b"\x89PNG half an image")
        raise OSError("encoder failed")

    monkeypatch.setitem(encoders, format, half_then_fail)
    with pytest.raises(OSError, match="encoder failed"):
        write()
    monkeypatch.setitem(encoders, format, encoder)
    assert (images_dir / name).read_bytes() == previous
    assert [p.name for p in images_dir.iterdir()] == [name], "no temporary left"


def test_channels_to_images_is_the_articles_loop():
    channels = np.random.default_rng(0).random((7, 5, 3), dtype=np.float32)
    images = tools.channels_to_images(channels)
    assert images.shape == (3, 7, 5)
    np.testing.assert_array_equal(images, article_channels_to_images(channels))


# 比較してみる: comparison sheets, filter tiles, timelines

def layer_images(count, size, value):
    return np.full((count, size, size), value, np.float32)


def test_compare_sheet_layout():
    # Two layers: 32 channels of 28x28 (a 231x115 tile, not enlarged) and 64 of 7x7 (63x63, x4).
    digit = np.zeros((28, 28))
    sheet = drawing.compare_sheet(digit, 9, ["conv", "pool"], [
        ("before", [layer_images(32, 28, 200), layer_images(64, 7, 50)]),
        ("after", [layer_images(32, 28, 210), layer_images(64, 7, 60)])])

    P, top, left = drawing.PAD, drawing.PAD + drawing.TITLE_HEIGHT + drawing.PAD, drawing.PAD + drawing.LABEL_WIDTH + drawing.PAD
    row_heights, column_widths = [115, 63 * 4], [28 * 9, 63 * 4, 63 * 4]  # digit: x4 and x9
    assert sheet.shape == (top + sum(h + P for h in row_heights), left + sum(w + P for w in column_widths))

    before_x, after_x = left + column_widths[0] + P, left + column_widths[0] + P + column_widths[1] + P
    conv_y, pool_y = top, top + row_heights[0] + P
    assert sheet[conv_y, before_x] == 200 and sheet[conv_y + 114, before_x + 230] == 200
    assert sheet[conv_y + 28, before_x] == tools.GAP_COLOR
    assert sheet[conv_y, after_x] == 210
    assert sheet[pool_y, before_x] == 50 and sheet[pool_y + 251, before_x + 251] == 50
    assert (sheet[pool_y + 28:pool_y + 32, before_x] == tools.GAP_COLOR).all(), "a gap, enlarged x4"
    assert sheet[pool_y, after_x] == 60
    assert (sheet[conv_y:conv_y + 112, left:left + 112] == 0).all(), "the digit, x4"
    assert sheet[P:P + drawing.TITLE_HEIGHT].min() < 100, "column titles are drawn"
    assert sheet[conv_y:conv_y + drawing.TITLE_HEIGHT, P:P + drawing.LABEL_WIDTH].min() < 100, "layer names"


def test_filters_are_gray_at_zero_lighter_positive_darker_negative():
    W = np.zeros((5, 5, 1, 32), np.float32)
    W[:, :, 0, 1] = 0.3
    W[:, :, 0, 2] = -0.3
    W[2, 2, 0, 3] = 0.15
    images = drawing.filters_to_images(W)
    assert images.shape == (32, 5 * drawing.FILTER_ZOOM, 5 * drawing.FILTER_ZOOM)
    assert (images[0] == 128).all() and (images[4:] == 128).all(), "zero is mid-gray"
    assert (images[1] == 255).all() and (images[2] == 1).all(), "one scale: +-max|W| is white, black"
    assert images[3].max() == 192, "half the largest weight is half-way to white"
    assert (drawing.filters_to_images(np.zeros((5, 5, 1, 32))) == 128).all()


def test_timeline_has_a_frame_per_sheet_in_order(images_dir):
    # Every gray level in every frame, and frames that share most pixels (which Pillow stores as deltas).
    levels = np.arange(40 * 60).reshape(40, 60) % 256
    frames = [np.where(levels < 200, levels, (levels + shift) % 256).astype(np.uint8) for shift in (0, 1, 2, 3)]
    drawing.save_timeline("t.gif", frames)
    gif = Image.open(images_dir / "t.gif")
    assert gif.n_frames == 4 and gif.info["loop"] == 0
    for k in range(4):
        gif.seek(k)
        assert gif.size == (60, 40)
        assert (np.asarray(gif.convert("L")) == frames[k]).all(), "frame %d" % k
