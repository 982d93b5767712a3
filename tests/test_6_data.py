"""6.html on a model of another data set (--data): the pad's drawing made an input as the data's own
images were, the classes' names on the page, and the page's numbers still TensorFlow's."""

import json
import math
import os
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageDraw

import cnn
import shapes
from machinery.analyses.mnist_preprocessing import to_mnist
from machinery.data import image_folders
from pagetools import HERE, PIXEL_BOUND, PROBABILITY_BOUND, ROOT, draw, node, open_page, pad_pixels

CIRCLE = [[(126 + 75 * math.cos(2 * math.pi * k / 24), 126 + 75 * math.sin(2 * math.pi * k / 24)) for k in range(25)]]


@pytest.mark.parametrize("how", [{"steps": "ink", "box": 17, "by_mass": False},  # a data set of centred boxes
                                 {"steps": "picture", "paper": 255}])  # a folder of black drawings on white
def test_the_pads_drawing_is_made_as_the_data_sets_own_images(tmp_path, how):
    paper, ink = ("white", "black") if how["steps"] == "picture" else ("black", "white")
    for k, strokes in enumerate([CIRCLE, [[(40, 60), (200, 80)]], [[(150, 30), (150, 230)], [(60, 200), (220, 200)]]]):
        pad = Image.new("RGBA", (252, 252), paper)
        for stroke in strokes:
            ImageDraw.Draw(pad).line(stroke, fill=ink, width=18, joint="curve")
        (tmp_path / "rgba").write_bytes(pad.tobytes())
        node(os.path.join(HERE, "preprocess.js"), os.path.join(ROOT, "web", "preprocessing.js"), str(tmp_path / "rgba"),
             "252", "252", str(tmp_path / "input"), json.dumps(how))
        page = np.fromfile(tmp_path / "input", np.float32).reshape(28, 28)
        python = (image_folders.fitted(pad) / 255 if how["steps"] == "picture"
                  else to_mnist(pad, box=how["box"], by_mass=how["by_mass"]))
        assert np.abs(page - python).max() <= PIXEL_BOUND, (k, np.abs(page - python).max())


def test_the_page_names_the_classes_and_its_answer_is_tensorflows(browser, pictures, tmp_path):
    _, repo, _ = pictures  # a model of drawn shapes (black on white, class folders) and its 6.html
    errors = []
    context, page = open_page(browser, "file://" + repo.image("6.html"), errors, locale="ja-JP")
    page.wait_for_function("window.explorer && window.explorer.ready")
    page.evaluate("window.explorer.ready")
    # The pad is the pictures' paper, white, and the pen black: what is drawn is what the network sees
    assert pad_pixels(page).convert("L").getpixel((5, 5)) == 255
    page.click("#clear")
    draw(page, CIRCLE)
    state = page.evaluate("window.explorer.state()")
    python = image_folders.fitted(pad_pixels(page)) / 255
    assert np.abs(np.array(state["input"]).reshape(28, 28) - python).max() <= PIXEL_BOUND
    # The answer is TensorFlow's for that input, with the model's weights (its classes are this graph's ten)
    with tf.compat.v1.Session() as sess:
        cnn.saver.restore(sess, os.path.join(repo.path, "model", "after"))
        expected = cnn.y_conv.eval({cnn.x: np.array([state["input"]], np.float32), cnn.keep_prob: 1.0})[0]
    assert np.abs(np.array(state["probabilities"]) - expected).max() <= PROBABILITY_BOUND
    answer = sorted(shapes.CLASSES)[int(np.argmax(expected))]
    assert answer == "丸", "a short training already knows a circle"
    title = page.locator("#main-why-title").text_content()
    assert "：答えは 丸（" in title, title
    bars = page.locator("#main-bars .bar")
    assert bars.count() == 10 and bars.nth(int(np.argmax(expected))).get_attribute("title").startswith("丸：")
    # Its texts say how the pad becomes the input, and no longer "a MNIST digit"
    assert page.locator("#sees").text_content().startswith("描いたものは、データセットの画像と同じように、パッドを 28x28 の濃淡画像にして")
    page.click("#lang")  # and in English, after the switch
    assert page.locator("#sees").text_content() == ("The drawing is made the network's input as the data set's pictures were made: "
                                                    "the pad made 28x28 gray.")
    assert ": it says 丸 (" in page.locator("#main-why-title").text_content()
    page.screenshot(path=str(tmp_path / "6_pictures.png"))  # to look at
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_another_data_sets_pages_say_class_not_digit(browser, pictures, locale):
    """On a run of drawn shapes, 6.html and index.html, their titles, texts and the channel's panel say
    "class" or the class's name where MNIST's pages say "digit" / 数字, in both languages."""
    _, repo, _ = pictures
    errors = []
    context, page = open_page(browser, "file://" + repo.image("6.html"), errors, locale=locale)
    page.wait_for_function("window.explorer && window.explorer.ready")
    page.evaluate("window.explorer.ready")
    page.evaluate("window.explorer.open('h_conv2', 3)")
    page.evaluate("document.querySelector('details.how').open = true")  # the how-to-read too
    seen = [page.title(), page.evaluate("document.body.innerText"),
            page.evaluate("[document.getElementById('draw').title, document.getElementById('photo').parentElement.title].join(' ')")]
    page.goto("file://" + repo.image("index.html"))
    seen += [page.title(), page.evaluate("document.body.innerText")]
    context.close()
    said = [t for t in seen if re.search(r"digit|数字", t, re.I)]
    assert not said, [re.search(r".{0,40}(digit|数字).{0,40}", t, re.I | re.S).group(0) for t in said]
    assert not errors, errors
