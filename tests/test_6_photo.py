"""6.html's photo: an image file chosen with #photo or dropped on the pad becomes the input 5.py's
preprocessing makes of it (EXIF orientation, alpha, paper lighter or darker than the ink, specks),
with TensorFlow's answer; a file that can't be one gets one line on the page and changes nothing."""

import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import png_header
from machinery.analyses.mnist_preprocessing import open_image, to_mnist
from pagetools import PIXEL_BOUND, tf_layers

SEVEN = [[(0.25, 0.2), (0.75, 0.18), (0.55, 0.5), (0.42, 0.85)], [(0.38, 0.52), (0.7, 0.5)]]  # a 7, in parts of the frame


def seven(width, height, paper, ink, shift=(0, 0), noise=0, specks=0, seed=0):
    """A photo-like 7: strokes of ink on paper, moved off centre, with noise and specks, as RGB."""
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    side = min(width, height)
    for stroke in SEVEN:
        draw.line([(shift[0] + x * side + (width - side) / 2, shift[1] + y * side + (height - side) / 2) for x, y in stroke],
                  fill=ink, width=max(2, side // 14), joint="curve")
    rng = np.random.default_rng(seed)
    for _ in range(specks):  # dust: a few pixels of ink far from the digit
        x, y = rng.integers(0, width - 3), rng.integers(0, height // 8)
        draw.rectangle([x, y, x + 1, y + 1], fill=ink)
    pixels = np.asarray(image, np.float64) + noise * rng.standard_normal((height, width))
    return Image.fromarray(np.uint8(np.clip(pixels, 0, 255))).convert("RGB")


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    files = {}
    files["light.jpg"] = seven(640, 480, 225, 40, shift=(70, -30), noise=6, specks=5)  # a phone's photo of paper
    files["dark.png"] = seven(300, 400, 35, 210, shift=(-20, 25), noise=4)  # chalk on a blackboard
    rgba = Image.new("RGBA", (200, 200), (0, 0, 0, 0))  # a drawing program's PNG: black strokes on transparency
    rgba.putalpha(seven(200, 200, 0, 255).convert("L"))
    files["alpha.png"] = rgba
    for name, image in files.items():
        image.save(folder / name, quality=90) if name.endswith(".jpg") else image.save(folder / name)
    # A phone's JPEG: stored turned a quarter, its EXIF orientation (6: turn 90 degrees clockwise) says how to show it
    exif = Image.Exif()
    exif[0x0112] = 6
    files["light.jpg"].rotate(90, expand=True).save(folder / "turned.jpg", quality=90, exif=exif)
    return folder


def take(page, path):
    """Choose path with the #photo button; wait until the page has put it on the pad, or said why not."""
    name = os.path.basename(path)
    page.set_input_files("#photo", str(path))
    page.wait_for_function("(name) => window.explorer.state().photo === name || "
                           "document.getElementById('photo-error').textContent.startsWith(name)", arg=name)
    return page.evaluate("window.explorer.state()")


def test_a_photo_is_the_input_5py_makes_of_it_with_tensorflows_answer(page, explored, photos):
    repo, _ = explored
    for name in ["light.jpg", "dark.png", "alpha.png", "turned.jpg"]:
        state = take(page, photos / name)
        assert state["photo"] == name and page.locator("#photo-error").is_hidden(), name
        python = to_mnist(open_image(str(photos / name)))
        page_input = np.array(state["input"]).reshape(28, 28)
        assert np.abs(page_input - python).max() <= PIXEL_BOUND, (name, np.abs(page_input - python).max())
        expected = tf_layers(os.path.join(repo.path, "model"), "after", python.reshape(1, 784))[-1][0]
        assert np.argmax(state["probabilities"]) == np.argmax(expected), name
    # Upright as the EXIF orientation says: the turned photo is the same 7 as the one it was turned from
    assert np.abs(to_mnist(open_image(str(photos / "turned.jpg"))) - to_mnist(open_image(str(photos / "light.jpg")))).mean() < 0.02
    # The pad shows it, to draw over: drawing on it goes on from the photo
    assert not state["drawn"] and max(state["input"]) > 0.9


def test_a_photo_dropped_on_the_pad(page, photos):
    data = list((photos / "dark.png").read_bytes())
    page.evaluate("""(data) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], "dark.png", {type: "image/png"}));
        document.getElementById("draw").dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", data)
    page.wait_for_function("window.explorer.state().photo === 'dark.png'")
    state = page.evaluate("window.explorer.state()")
    assert np.abs(np.array(state["input"]).reshape(28, 28) - to_mnist(open_image(str(photos / "dark.png")))).max() <= PIXEL_BOUND
    page.locator("#digits canvas").first.click()  # a test digit instead: the input no longer comes from the photo
    page.wait_for_function("window.explorer.state().photo === null")


def test_a_bad_file_gets_one_line_and_changes_nothing(page, photos, tmp_path):
    (tmp_path / "notes.png").write_text("not an image at all\n")
    (tmp_path / "empty.png").write_bytes(b"")
    whole = (photos / "dark.png").read_bytes()
    (tmp_path / "half.png").write_bytes(whole[:len(whole) // 2])
    (tmp_path / "huge.png").write_bytes(png_header(20000, 20000))
    Image.new("RGB", (300, 300), (200, 200, 200)).save(tmp_path / "blank.jpg")
    before = page.evaluate("window.explorer.state()")
    lines = {}
    for name in ["notes.png", "empty.png", "half.png", "huge.png", "blank.jpg"]:
        state = take(page, tmp_path / name)
        lines[name] = page.locator("#photo-error").text_content()
        assert page.locator("#photo-error").is_visible() and "\n" not in lines[name]
        assert state["input"] == before["input"] and state["photo"] is None, "the pad keeps what it had"
    assert lines == {
        "notes.png": "notes.png: not an image this browser can read",
        "empty.png": "empty.png: an empty file",
        "half.png": "half.png: damaged or truncated image",
        "huge.png": "huge.png: too large to decode safely (400,000,000 pixels, over 89,478,485)",
        "blank.jpg": "blank.jpg: no ink: the image is blank or uniform"}
    page.click("#lang")  # the line in the page's language
    assert page.locator("#photo-error").text_content() == "blank.jpg：インクが見つかりません（何も写っていないか、全体が同じ色の画像です）"
    # 5.py's limit is Pillow's
    assert page.evaluate("preprocessing.MAX_PIXELS") == Image.MAX_IMAGE_PIXELS
