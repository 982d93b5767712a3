"""6.html in a real browser (headless Chromium, driven by Playwright with real pointer events): a drawing
goes through every layer and gets its why as TensorFlow computes them, within the bounds of pagetools.py,
while the pen moves; the pad stays in view; the sliders, a new step, a channel's panel, the links."""

import json
import os

import numpy as np
import tensorflow as tf

import branches
import cnn
from machinery.analyses import saliency
from machinery.analyses.mnist_preprocessing import to_mnist
from machinery.analyses.saliency import to_input_size
from machinery.pictures.drawing import heat_overlay
from tools import channels_to_images, tile_images
from pagetools import (LAYER_BOUND, MAP_BOUND, PIXEL_BOUND, NAMES, STROKES, answer_ties, assert_same_as_tensorflow,
                       assert_why_is_tensorflows, canvas_rgb, draw, page_passes, page_why, pad_pixels, shows, tf_layers,
                       tf_why)

def test_a_drawn_digit_goes_through_every_layer_as_in_tensorflow(page, explored):
    repo, _ = explored
    assert page.evaluate("window.explorer.steps()") == [0, 100, 200, 300]
    during = draw(page, STROKES)
    # Recomputed while the stroke is drawn: after the first stroke, before the second.
    assert during[0]["drawn"] and max(during[0]["input"]) > 0.9
    assert during[0]["input"] != during[1]["input"] and during[0]["probabilities"] != during[1]["probabilities"]
    state = page.evaluate("window.explorer.state()")
    assert state["step"] == 300
    python = to_mnist(pad_pixels(page))  # the page's own drawing, made a MNIST digit by Python
    assert np.abs(np.array(state["input"]).reshape(28, 28) - python).max() <= PIXEL_BOUND
    inputs = np.array([state["input"]], np.float32)
    expected = tf_layers(os.path.join(repo.path, "model"), "after", inputs)
    same = assert_same_as_tensorflow([[state["layers"][name]] for name in NAMES], [state["probabilities"]], expected)
    assert same.all() or answer_ties(os.path.join(repo.path, "model"), "after", inputs) == [0]
    assert np.argmax(state["probabilities"]) == 7, "a short training already reads the 7"



def test_the_maps_follow_the_pen_and_are_tensorflows_for_any_digit(page, explored, tmp_path):
    repo, _ = explored
    model = os.path.join(repo.path, "model")
    page.locator("#clear").click()
    # The first stroke of the 7, its maps looked at after each of its segments, the button still down
    seen = []
    draw(page, STROKES[:1], look=lambda: seen.append(
        [canvas_rgb(page, "main-" + m).tobytes() for m in ("saliency", "cam-h_pool1", "cam-h_conv2")]))
    for k, name in enumerate(("saliency", "HiResCAM h_pool1", "HiResCAM h_conv2")):
        assert len({maps[k] for maps in seen}) == len(seen), name + " moves with the pen"
    draw(page, STROKES[1:])
    # The page's why() for its drawing: TensorFlow's, for the answer and for another digit
    state = page.evaluate("window.explorer.state()")
    digit = np.array([state["input"]], np.float32)
    page_masks = branches.masks_of(np.reshape(state["layers"]["h_conv1"], (1, 28, 28, 32)),
                                   np.reshape(state["layers"]["h_conv2"], (1, 14, 14, 64)), [state["h_fc1"]])
    cls, mine = page_why(page)
    assert cls == 7
    assert_why_is_tensorflows(mine, page_masks, model, "after", digit, [7])
    cls, mine = page_why(page, 9)
    assert cls == 9
    assert_why_is_tensorflows(mine, page_masks, model, "after", digit, [9])
    # "Why not 9?": a click on 9's bar; the maps drawn are then 9's, as 5.py would draw them
    page.locator("#main-bars .bar[data-digit='9']").click()
    page.wait_for_function("window.explorer.asked() === 9")
    shows(page.locator("#main-why-title"), ".*Why not 9\\?")
    theirs = tf_why(model, "after", digit, [9])
    for name in ("h_pool1", "h_conv2"):
        expected = heat_overlay(digit[0].reshape(28, 28), to_input_size(theirs[name].reshape(1, 14, 14))[0])
        drawn = canvas_rgb(page, "main-cam-" + name)
        assert np.abs(drawn.astype(int) - expected).max() <= 1, name  # (a colour's rounding)
    page.locator("#main-bars .bar[data-digit='9']").click()  # again: back to the answer
    page.wait_for_function("window.explorer.asked() === null")
    # Once the pen rests, SmoothGrad: TensorFlow's, with the page's own noise (its samples of the input),
    # along the page's branches for each sample
    page.wait_for_function("window.explorer.why().smoothgrad !== null")
    assert_smoothgrad_is_tensorflows(page, repo, model, state["input"], 7, str(tmp_path))
    # The deciding channels: h_conv2's top 8 by contribution, largest first; a click shows the channel
    tops = [int(f.split("\n")[0]) for f in page.locator("#main-deciding figcaption").all_inner_texts()]
    assert tops == [c["channel"] for c in page.evaluate("window.explorer.why()")["channels"][:8]]
    page.locator("#main-deciding canvas").first.click()
    shows(page.locator("#channel-title"), "h_conv2, channel %d, at step 300$" % tops[0])


def page_noise(samples, count=784, seed=0):
    """The page's SmoothGrad noise (explorer_why.js's gaussian(seed): mulberry32's uniforms, two to a
    standard normal by Box-Muller), samples x count, as float64."""
    mask = 0xFFFFFFFF
    a = (seed + np.arange(1, 2 * samples * count + 1, dtype=np.uint64) * 0x6D2B79F5) & mask
    t = ((a ^ (a >> 15)) * (a | 1)) & mask
    t = ((t + (((t ^ (t >> 7)) * (t | 61)) & mask)) & mask) ^ t
    uniform = ((t ^ (t >> 14)) & mask) / 2.0 ** 32
    return (np.sqrt(-2 * np.log(1 - uniform[0::2])) * np.cos(2 * np.pi * uniform[1::2])).reshape(samples, count)


def assert_smoothgrad_is_tensorflows(page, repo, model, pixels, cls, folder):
    """The page's SmoothGrad (explorer.why().smoothgrad) within MAP_BOUND of TensorFlow's on the same
    noisy copies of the input (the page's noise, made float32 as the page makes them), each along the
    branches the page's forward pass takes for it (under node: a copy's near-tie goes either way)."""
    smooth = np.array(page.evaluate("window.explorer.why().smoothgrad"))
    noisy = (np.asarray(pixels, np.float32)[None] + saliency.NOISE * page_noise(saliency.SAMPLES)).astype(np.float32)
    masks = page_passes(repo, 300, noisy, folder, "why")["masks"]
    with tf.compat.v1.Session() as sess:
        cnn.restore_model("after", model)
        tf_masks = branches.tf_masks(sess, noisy)
        gradients = branches.why_along(sess, noisy, [cls] * len(noisy), masks)["input"]
    print("SmoothGrad: %d of %d noisy copies at another branch than TensorFlow's" % (
        len(branches.differ(masks, tf_masks)), len(noisy)))
    expected = np.abs(gradients.astype(np.float64).mean(axis=0))
    assert np.abs(smooth - expected).max() <= MAP_BOUND * expected.max(), np.abs(smooth - expected).max() / expected.max()


def test_the_pad_the_answers_and_the_maps_stay_in_view_while_the_layers_scroll(page):
    """On a laptop's 1366x768: scrolled down to fc1's row, the pad, the input, both columns' bars and
    maps and the deciding channels are still on the screen, and the layers' tiles fit beside them."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#main-h_fc1").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500, "the page scrolled"
    for element in ("#draw", "#input", "#main-bars", "#main-cam-h_conv2", "#compare-bars", "#compare-cam-h_conv2",
                    "#main-deciding canvas >> nth=7"):
        box = page.locator(element).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1366, element
    pen = page.locator("#pen").bounding_box()
    for name in ("h_conv1", "h_conv2"):  # the two columns of tiles, beside the pen's column
        left, right = (page.locator("#%s-%s" % (column, name)).bounding_box() for column in ("compare", "main"))
        assert pen["x"] + pen["width"] <= left["x"] < right["x"] and right["x"] + right["width"] <= 1366, name


def test_the_slider_at_step_0_shows_the_weights_before_training(page, explored):
    repo, _ = explored
    digit = cnn.mnist.test.images[3]
    page.evaluate("window.explorer.setInput(%s)" % json.dumps(digit.tolist()))
    page.locator("#step").fill("0")  # the slider, moved to its first snapshot
    page.wait_for_function("window.explorer.state().step === 0")
    shows(page.locator("#step-label"), r"step 0, test accuracy 0\.\d{4} on all 10,000 test digits$")  # (6.py's: all of them)
    state = page.evaluate("window.explorer.state()")
    expected = tf_layers(os.path.join(repo.path, "model"), "before", digit[None])
    assert_same_as_tensorflow([[state["layers"][name]] for name in NAMES], [state["probabilities"]], expected)
    # The compare column stays at step 0 and the main one at 0: both show the untrained network.
    shows(page.locator("#main-title"), r"step 0 \(test accuracy")
    assert_tiles_are_tensorflows(page, "main", expected)
    assert_tiles_are_tensorflows(page, "compare", expected)
    page.locator("#step").fill("3")
    shows(page.locator("#step-label"), r"step 300, test accuracy 0\.\d{4} on all 10,000 test digits$")
    page.wait_for_function("window.explorer.state().step === 300")
    assert_tiles_are_tensorflows(page, "main", tf_layers(os.path.join(repo.path, "model"), "after", digit[None]))


def assert_tiles_are_tensorflows(page, column, expected):
    """The column's tiles, pixel by pixel, as tools.save_image draws TensorFlow's layers (expected:
    tf_layers' for one input): 8 to a row, gray gaps, each value times 255, clipped, truncated. A pixel
    whose 255 x value TensorFlow puts within the layer's bound of a whole number may be either."""
    for name, layer in zip(NAMES, expected):
        shown = canvas_rgb(page, "%s-%s" % (column, name))
        assert (shown[..., 0] == shown[..., 1]).all() and (shown[..., 0] == shown[..., 2]).all(), "gray"
        tile = tile_images(channels_to_images(layer[0])).astype(int)
        values = np.transpose(layer[0], (2, 0, 1)) * 255.0
        near = np.abs(values - np.rint(values)) <= 255 * LAYER_BOUND * max(np.abs(layer).max(), 1e-6)
        either = tile_images(np.where(near, 255, 0)) == 255  # those pixels, where the tile has them
        assert shown.shape[:2] == tile.shape, name
        off = (shown[..., 0] != tile) & ~(either & (np.abs(shown[..., 0] - tile) == 1))
        assert not off.any(), (name, np.argwhere(off)[:5])


def test_a_new_step_recomputes_only_the_column_that_shows_it(page):
    """Moving the Training step slider (as a followed run's new step does) runs the network and
    SmoothGrad at that step alone: the Compare column, its step and input unchanged, keeps its layers
    and maps. Every pass of the network is counted by the weights it was given."""
    page.wait_for_function("window.explorer.why().smoothgrad !== null")  # both columns done at 300 and 0
    compare = page.locator("#compare-why").inner_html()
    page.evaluate("""() => {
        const S = window.Explorer.state, forward = network.forward;
        window.passes = [];
        window.restoreForward = () => { network.forward = forward; };
        network.forward = (w, x) => {
            window.passes.push(Number(Object.keys(S.weights).find((step) => S.weights[step] === w)));
            return forward(w, x); }; }""")
    try:
        page.evaluate("window.explorer.setStep(100)")
        page.wait_for_function("window.explorer.why().smoothgrad !== null")
        passes = page.evaluate("window.passes")
    finally:
        page.evaluate("window.restoreForward()")
    assert passes == [100] * (1 + saliency.SAMPLES), "the layers once, then SmoothGrad's samples, all at step 100"
    assert page.locator("#compare-why").inner_html() == compare
    shows(page.locator("#compare-why-title"), "Compare with 0: ")


def test_clicking_a_channel_shows_it_enlarged(page):
    tile = page.locator("#main-h_conv2")
    box = tile.bounding_box()
    zoom = box["width"] / (8 * 15 - 1)  # 8 channels of 14 pixels and their gaps
    tile.click(position={"x": (2 * 15 + 5) * zoom, "y": (1 * 15 + 5) * zoom})  # row 1, column 2: channel 10
    shows(page.locator("#channel-title"), "h_conv2, channel 10, at step 300$")
    assert page.locator("#channel-body canvas").count() >= 2, "its map, and its pattern or its weights"


def test_6_links_to_and_from_the_other_pages(explored):
    repo, _ = explored
    _, links, _ = repo.page("6.html")
    others = [page for page in ("index.html", "4.html", "5.html") if os.path.exists(repo.image(page))]
    assert "index.html" in others and set(links) == set(others)
    for page in others:
        assert "6.html" in repo.page(page)[1], page

