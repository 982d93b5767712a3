"""What the tests of 6.html share: the page's passes run under node (tests/forward.js), TensorFlow's
answers to compare them with and the bounds they are held to, and the browser's helpers (a page opened,
a drawing with the mouse, a wait for what the page shows next)."""

import json
import math
import os
import re
import shutil
import subprocess

import numpy as np
import tensorflow as tf
from PIL import Image

import branches
import cnn
from conftest import missing
from machinery.analyses.saliency import to_input_size
from machinery.run.checkpoints import ARTICLE_NETWORK

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = [name for name, _ in cnn.LAYERS]
STROKES = [  # a 7 with a crossbar, as a reader draws it on the 252-pixel pad: (x, y) per stroke
    [(60, 55), (190, 50), (150, 130), (115, 215)],
    [(105, 135), (185, 128)],
]

# The page against TensorFlow on the suite's 300-step model, measured on 200 test digits at steps 0,
# 100 and 300 (AMD EPYC, oneDNN's AVX-512 and AVX2 code; docs/testing.md): every layer within 1.5e-6
# of its largest value, every probability within 1.7e-6, the backward pass along the page's branches
# within 1.6e-6 of each map's largest value, the maps as drawn within 1.2e-6, the preprocessing within
# 6e-8 of to_mnist's. The bounds are 10 to 20 times that, for every value.
LAYER_BOUND = 2e-5  # of the layer's largest value
PROBABILITY_BOUND = 2e-5
MAP_BOUND = 2e-5  # of the map's largest value (the drawn maps' largest is 1)
PIXEL_BOUND = 1e-6  # the page's input against Python's preprocessing, every pixel


def node(*args, env=None):
    """`node ARGS`'s stdout (env: more environment variables); without node, a failure in CI (it
    installs node) and a skip elsewhere."""
    if not shutil.which("node"):
        missing("node is not installed (apt-get install nodejs): the page's numbers are checked under node")
    result = subprocess.run(["node", *args], capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    assert result.returncode == 0, result.stderr
    return result.stdout


def page_passes(repo, step, digits, folder, what, network_js=None, network=ARTICLE_NETWORK, engine="js"):
    """The page's passes (forward.js, with network_js or 6_network.js, engine "js" or "wasm": network.js's
    own heavy parts or network_simd.js's) on digits (N, 784) with the
    weights at step, of network (run.json's): {"layers": [h_conv1, h_pool1, h_conv2, h_pool2] and "probabilities"}, or with
    what "why" the backward pass: {class, saliency, h_pool1, h_conv2, channels (in channel order),
    drawn_h_pool1, drawn_h_conv2 (upsampled as the page draws them), masks (its branches)}, and
    ms_per_input, backward_ms."""
    digits = np.asarray(digits, np.float32)
    digits.tofile(os.path.join(folder, "inputs"))
    timing = json.loads(node(os.path.join(HERE, "forward.js"), network_js or repo.image("6_network.js"),
                             repo.image("6_weights_%d.js" % step), os.path.join(folder, "inputs"),
                             os.path.join(folder, "outputs"), what, env={"FORWARD_ENGINE": engine}))
    (c1, c2), classes = network["channels"], 10
    if what == "layers":
        sizes = [28 * 28 * c1, 14 * 14 * c1, 14 * 14 * c2, 7 * 7 * c2, classes]
        parts = np.split(np.fromfile(os.path.join(folder, "outputs"), np.float32).reshape(len(digits), sum(sizes)),
                         np.cumsum(sizes)[:-1], axis=1)
        return dict(timing, layers=parts[:4], probabilities=parts[4])
    sizes = [1, 784, 196, 196, c2, 784, 784, 28 * 28 * c1, 14 * 14 * c2, 1024]
    outputs = np.fromfile(os.path.join(folder, "outputs"), np.float32).reshape(len(digits), sum(sizes))
    cls, saliency, pool1, conv2, channels, drawn1, drawn2, h_conv1, h_conv2, h_fc1 = np.split(
        outputs, np.cumsum(sizes)[:-1], axis=1)
    return dict(timing, cls=cls[:, 0].astype(np.int32), saliency=saliency, h_pool1=pool1, h_conv2=conv2, channels=channels,
                drawn_h_pool1=drawn1, drawn_h_conv2=drawn2,
                masks=branches.masks_of(h_conv1.reshape(-1, 28, 28, c1), h_conv2.reshape(-1, 14, 14, c2), h_fc1),
                relu_masks=np.concatenate([(a > 0).reshape(len(a), -1) for a in (h_conv1, h_conv2, h_fc1)], axis=1))


def tf_layers(model, tag, inputs):
    """TensorFlow's four layers (NHWC) and probabilities for inputs (N, 784), with the weights of a checkpoint."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        return sess.run([layer for _, layer in cnn.LAYERS] + [cnn.y_conv], {cnn.x: inputs, cnn.keep_prob: 1.0})


def layers_outside(layers, probabilities, expected):
    """The inputs where the page's layers or probabilities are outside the bounds of TensorFlow's
    (expected: tf_layers'): a value of a layer more than LAYER_BOUND of that layer's largest off, a
    probability more than PROBABILITY_BOUND off."""
    *tf_layers_, tf_probabilities = expected
    outside = np.abs(np.asarray(probabilities) - tf_probabilities).max(axis=1) > PROBABILITY_BOUND
    for page, theirs in zip(layers, tf_layers_):
        page, theirs = np.asarray(page).reshape(len(theirs), -1), theirs.reshape(len(theirs), -1)
        outside |= np.abs(page - theirs).max(axis=1) > LAYER_BOUND * np.maximum(np.abs(theirs).max(axis=1), 1e-6)
    return np.flatnonzero(outside).tolist()


def assert_same_as_tensorflow(layers, probabilities, expected):
    """The page's layers and probabilities within the bounds of TensorFlow's for every input; returns
    whether each has TensorFlow's answer."""
    outside = layers_outside(layers, probabilities, expected)
    assert not outside, ("outside the bounds of TensorFlow's layers", outside)
    return np.asarray(probabilities).argmax(axis=1) == expected[-1].argmax(axis=1)


def answer_ties(model, tag, inputs):
    """The inputs whose two largest logits TensorFlow finds within float32's rounding of each other."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        return branches.answer_ties(sess, inputs)


WHY = {}  # the gradient ops of tf_why, built once in this process's graph


def tf_why(model, tag, inputs, classes):
    """TensorFlow's answer to the page's why(), with a checkpoint's weights, for each input's class:
    |d logit / d x| (784), HiResCAM on h_pool1 and on h_conv2 (their positive part, 196 each) and
    h_conv2's channels' contributions (64), from tf.gradients with keep_prob 1, as saliency.py does."""
    if not WHY:
        WHY["class"] = tf.compat.v1.placeholder(tf.int32, [None])
        logit = tf.reduce_sum(cnn.y_logits * tf.one_hot(WHY["class"], 10))
        WHY["ops"] = tf.gradients(logit, [cnn.x, cnn.h_pool1, cnn.h_conv2]) + [cnn.h_pool1, cnn.h_conv2]
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        g_x, g_pool1, g_conv2, pool1, conv2 = sess.run(WHY["ops"], {cnn.x: inputs, WHY["class"]: classes, cnn.keep_prob: 1.0})
    n = len(inputs)
    return {"saliency": np.abs(g_x), "h_pool1": np.maximum((g_pool1 * pool1).sum(-1), 0).reshape(n, 196),
            "h_conv2": np.maximum((g_conv2 * conv2).sum(-1), 0).reshape(n, 196), "channels": (g_conv2 * conv2).sum(axis=(1, 2))}


def outside_bounds(page, theirs):
    """The inputs where a value of the page's why (saliency, HiResCAM on h_pool1 and on h_conv2,
    h_conv2's channels' contributions) is more than MAP_BOUND of TensorFlow's map's largest |value| off
    (within it, the page's deciding channel is TensorFlow's wherever their first two are apart)."""
    outside = set()
    for name in ("saliency", "h_pool1", "h_conv2", "channels"):
        mine, tf_map = np.asarray(page[name]), np.asarray(theirs[name])
        bound = MAP_BOUND * np.abs(tf_map).max(axis=1) + 1e-9  # (1e-9: a map that is 0 everywhere)
        outside.update(np.flatnonzero(np.abs(mine - tf_map).max(axis=1) > bound).tolist())
    return sorted(outside)


def assert_why_is_tensorflows(page, page_masks, model, tag, inputs, classes):
    """The page's why() (page: tf_why's arrays) within the bounds of TensorFlow's tf.gradients for every
    input, but those where the page's forward pass took another branch than TensorFlow's (page_masks,
    branches.masks_of its activations: a near-tie of a pooling window's two largest values, or of a
    ReLU's input and zero, where either is right), at most 2% of them; and for every input within the
    bounds of TensorFlow's gradient along the page's branches. Returns those inputs, and TensorFlow's
    why along the page's branches."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        tf_masks = branches.tf_masks(sess, inputs)
        along_tfs, along_pages = (branches.why_along(sess, inputs, classes, m) for m in (tf_masks, page_masks))
    theirs = tf_why(model, tag, inputs, classes)
    assert not outside_bounds(along_tfs, theirs), "the fed-branch network gives tf.gradients' along TensorFlow's branches"
    at = branches.differ(page_masks, tf_masks)
    print("%s: %d of %d inputs at another branch than TensorFlow's %s" % (tag, len(at), len(inputs), at))
    assert len(at) <= max(1, len(inputs) // 50), ("too many inputs at another branch", at)
    outside = [k for k in outside_bounds(page, theirs) if k not in at]
    assert not outside, ("outside the bounds of TensorFlow's, on TensorFlow's branches", outside)
    outside = outside_bounds(page, along_pages)
    assert not outside, ("outside the bounds of TensorFlow's gradient along the page's branches", outside)
    return at, along_pages


def drawn_outside(page, along_pages):
    """The inputs whose HiResCAMs as the page draws them (upsampled, largest 1) are more than MAP_BOUND
    off saliency.to_input_size's (5.py's) of TensorFlow's, along the page's branches."""
    outside = set()
    for name in ("h_pool1", "h_conv2"):
        expected = to_input_size(np.asarray(along_pages[name]).reshape(-1, 14, 14)).reshape(len(along_pages[name]), 784)
        outside.update(np.flatnonzero(np.abs(page["drawn_" + name] - expected).max(axis=1) > MAP_BOUND).tolist())
    return sorted(outside)


# --- in a real browser ---


WAIT_MS = 120000  # the limit of a wait for what the page shows next (a busy 2-core machine is slow)


def shows(locator, text):
    """Wait until locator's text matches text (a regular expression, from its start): what the page
    shows after its next poll or frame."""
    from playwright.sync_api import expect  # here: without Playwright, the browser fixture skips first
    expect(locator).to_have_text(re.compile("^" + text), timeout=WAIT_MS)


def open_page(browser, url, errors, locale="en-US"):
    """A page in a new browser context that prefers locale's language; a request to the network
    (refused) or any browser error goes to errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    context.set_default_timeout(WAIT_MS)  # every wait for a state, with a generous limit
    context.route(re.compile(r"^(?!file:).*"), lambda route: (errors.append(route.request.url), route.abort()))
    view = context.new_page()
    view.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    view.on("pageerror", lambda error: errors.append(str(error)))
    view.goto(url)
    return context, view


def draw(page, strokes, look=None):
    """Each stroke with the mouse on #draw: down, a move every 10 pixels or less (a mouse at 600 pixels
    a second, 60 events a second), up (pointer events); returns the page's state at the end of each
    stroke, the button still down. look(), if given, is called at the end of each segment, the button down."""
    box = page.locator("#draw").bounding_box()
    during = []
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            moves = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / 10))
            for k in range(1, moves + 1):
                page.mouse.move(box["x"] + x0 + (x1 - x0) * k / moves, box["y"] + y0 + (y1 - y0) * k / moves)
            if look:
                next_frame(page)
                look()
        next_frame(page)
        during.append(page.evaluate("window.explorer.state()"))  # the button still down
        page.mouse.up()
    next_frame(page)
    return during


def next_frame(page):
    """Wait until the page has drawn what it was given: the page redraws at its next animation frame,
    and a frame callback asked for now runs after the one it asked for."""
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve()))")


def pad_pixels(page):
    """The pad's pixels, as a reader drew them: an RGBA image."""
    rgba = page.evaluate("Array.from(document.getElementById('draw').getContext('2d').getImageData(0, 0, 252, 252).data)")
    return Image.frombytes("RGBA", (252, 252), bytes(rgba))



def canvas_rgb(page, canvas_id):
    """A canvas's pixels as an RGB array (height, width, 3)."""
    size, rgba = page.evaluate("""(id) => {  // read from a copy: the page's own canvases are drawn, not read
        const c = document.getElementById(id), copy = document.createElement("canvas");
        [copy.width, copy.height] = [c.width, c.height];
        const context = copy.getContext("2d", {willReadFrequently: true});
        context.drawImage(c, 0, 0);
        return [[c.height, c.width], Array.from(context.getImageData(0, 0, c.width, c.height).data)]; }""", canvas_id)
    return np.array(rgba, np.uint8).reshape(*size, 4)[..., :3]


def page_why(page, cls=None):
    """explorer.why(cls) as arrays, in tf_why's shapes (one input)."""
    why = page.evaluate("(cls) => window.explorer.why(cls === null ? undefined : cls)", cls)
    channels = np.zeros((1, 64), np.float32)
    for c in why["channels"]:
        channels[0, c["channel"]] = c["contribution"]
    contributions = [c["contribution"] for c in why["channels"]]
    assert contributions == sorted(contributions, reverse=True), "largest first"
    return why["cls"], {"saliency": np.array([why["saliency"]]), "h_pool1": np.array([why["hirescam"]["h_pool1"]]),
                        "h_conv2": np.array([why["hirescam"]["h_conv2"]]), "channels": channels}

