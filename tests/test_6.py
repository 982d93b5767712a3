"""6.py and its page: the numbers the page computes are TensorFlow's, under node and in a real browser
(headless Chromium, driven by Playwright with real pointer events), from a short training's model/."""

import base64
import json
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageDraw

import branches
import cnn
from machinery.run import run_page
from machinery.pictures.drawing import heat_overlay
from machinery.analyses.mnist_preprocessing import to_mnist
from machinery.analyses import saliency
from machinery.analyses.saliency import saliency_map, to_input_size

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = [name for name, _ in cnn.LAYERS]
SIDES = {"h_conv1": (28, 32), "h_pool1": (14, 32), "h_conv2": (14, 64), "h_pool2": (7, 64)}
STROKES = [  # a 7 with a crossbar, as a reader draws it on the 252-pixel pad: (x, y) per stroke
    [(60, 55), (190, 50), (150, 130), (115, 215)],
    [(105, 135), (185, 128)],
]


def tf_layers(model, tag, inputs):
    """TensorFlow's four layers (NHWC) and probabilities for inputs (N, 784), with the weights of a checkpoint."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        return sess.run([layer for _, layer in cnn.LAYERS] + [cnn.y_conv], {cnn.x: inputs, cnn.keep_prob: 1.0})


def assert_same_as_tensorflow(layers, probabilities, expected):
    """The page's layers within 1e-4 of each layer's largest value, probabilities within 1e-3 (W_fc1 as
    24-bit integers: int8's rounding needed 0.01), same answer."""
    *tf_layers_, tf_probabilities = expected
    for name, page, theirs in zip(NAMES, layers, tf_layers_):
        page, theirs = np.asarray(page).reshape(theirs.shape), theirs
        largest = np.abs(theirs).reshape(len(theirs), -1).max(axis=1)
        error = np.abs(page - theirs).reshape(len(theirs), -1).max(axis=1)
        assert (error <= 1e-4 * np.maximum(largest, 1e-6)).all(), (name, (error / largest).max())
    assert np.abs(np.asarray(probabilities) - tf_probabilities).max() <= 1e-3, np.abs(np.asarray(probabilities) - tf_probabilities).max()
    return np.asarray(probabilities).argmax(axis=1) == tf_probabilities.argmax(axis=1)


def test_a_weights_file_gives_back_w_fc1_within_its_rounding(tmp_path):
    """The file 6.html loads: W_fc1's 24-bit integers (written 64 rows at a time, each four packed by
    shifts) decode, as network.js does, to the weights within a step of their column's scale (half
    a step of rounding, and a column's largest kept below 2**23, which would read as -2**23), for
    shapes whose rows and blocks don't come out even; the other variables exactly."""
    rng = np.random.default_rng(1)
    for shape in [(3, 2), (7, 3), (130, 7)]:
        values = {"W_fc1": rng.standard_normal(shape).astype(np.float32), "b_fc2": rng.standard_normal(10).astype(np.float32)}
        values["W_fc1"][:, 0] = 0  # a column of zeros: scale 1
        run_page.save_weights("w.js", "run", 100, values, str(tmp_path))
        text = (tmp_path / "w.js").read_text(encoding="ascii")
        match = re.fullmatch(r"explorerWeights\(100, (.*), \"run\"\);\n", text, re.S)
        data = json.loads(match.group(1))
        q = np.frombuffer(base64.b64decode(data["W_fc1"]["int24"]), np.uint8).reshape(-1, 3).astype(np.int32)
        q = ((q[:, 0] | q[:, 1] << 8 | q[:, 2] << 16) << 8) >> 8  # network.js's decoding: signed 24 bits
        scale = np.frombuffer(base64.b64decode(data["W_fc1"]["scale"]), "<f4")
        assert q.shape == (values["W_fc1"].size,)
        largest = np.abs(q.reshape(shape))[:, 1:].max(axis=0)
        assert ((largest >= 2 ** 23 - 2) & (largest <= 2 ** 23 - 1)).all()  # each column's range, and not beyond
        assert (np.abs(q.reshape(shape) * scale - values["W_fc1"]) <= scale).all()
        assert (np.frombuffer(base64.b64decode(data["b_fc2"]), "<f4") == values["b_fc2"]).all()


def test_6_writes_the_page_and_a_weights_file_per_snapshot(explored):
    repo, stdout = explored
    lines = stdout.splitlines()
    assert lines[0].startswith("model/: 300 training steps, seed 1, test accuracy ")
    patterns = os.path.exists(repo.image("4_channels.npz"))  # where 4.py has run for this model
    assert re.fullmatch(r"images/6\.html: 4 snapshot steps \(0, 100, 200, 300\), %s, [\d.]+ MB with its files; "
                        r"open it in a browser" % ("with 4.py's patterns" if patterns else "4.py has not run .*"),
                        lines[1]), lines[1]
    names = sorted(n for n in os.listdir(os.path.join(repo.path, "images")) if n.startswith("6"))
    assert names == ["6.html", "6_circuits.js", "6_explorer.css", "6_explorer_api.js", "6_explorer_base.js",
                     "6_explorer_channel.js", "6_explorer_circuit.js", "6_explorer_photo.js", "6_explorer_run.js", "6_explorer_tiles.js", "6_explorer_why.js", "6_live.js", "6_network.js", "6_preprocessing.js", "6_run.js",
                     "6_weights_0.js", "6_weights_100.js", "6_weights_200.js", "6_weights_300.js"], "nothing half-written left"
    # Everything the page loads is beside it, in images/: no address of the network anywhere.
    with open(repo.image("6.html"), encoding="utf-8") as f:
        page = f.read()
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert loaded and all(os.path.exists(repo.image(name)) for name in loaded), loaded
    for name in names:
        with open(repo.image(name), encoding="utf-8") as f:
            assert not re.search(r"https?://", f.read()), name


def test_6_run_lists_the_steps_with_their_test_accuracies(explored):
    repo, _ = explored
    with open(repo.image("6_run.js"), encoding="utf-8") as f:
        run = json.loads(re.fullmatch(r"explorerRun\((.*)\);\n", f.read(), re.S).group(1))
    with open(os.path.join(repo.path, "model", "run.json"), encoding="utf-8") as f:
        saved = json.load(f)
    assert [(s["step"], s["test_accuracy"], s["test_digits"]) for s in run["steps"]] == [
        (s["step"], s["test_accuracy"], s["test_digits"]) for s in saved["snapshots"]]
    assert [s["test_digits"] for s in run["steps"]] == [1000, 1000, 1000, 10000], "the article's 10,000 at the last step"
    assert [d["label"] for d in run["digits"]] == cnn.mnist.test.labels[:10].argmax(axis=1).tolist()
    # The page's constants come from Python: the layers' shapes (cnn.LAYERS) and SmoothGrad's (saliency.py)
    assert run["layers"] == [["h_conv1", 28, 32], ["h_pool1", 14, 32], ["h_conv2", 14, 64], ["h_pool2", 7, 64]]
    assert run["smoothgrad"] == {"samples": saliency.SAMPLES, "noise": saliency.NOISE}


def node(*args):
    if not shutil.which("node"):
        pytest.skip("node is not installed (apt-get install nodejs)")
    result = subprocess.run(["node", *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("step, tag", [(300, "after"), (0, "before")])
def test_the_pages_forward_pass_is_tensorflows(explored, tmp_path, step, tag):
    repo, _ = explored
    digits = cnn.mnist.test.images[:200].astype(np.float32)
    digits.tofile(tmp_path / "inputs")
    node(os.path.join(HERE, "forward.js"), repo.image("6_network.js"), repo.image("6_weights_%d.js" % step),
         str(tmp_path / "inputs"), str(tmp_path / "outputs"), "layers")
    sizes = [SIDES[name][0] ** 2 * SIDES[name][1] for name in NAMES] + [10]
    outputs = np.fromfile(tmp_path / "outputs", np.float32).reshape(len(digits), sum(sizes))
    parts = np.split(outputs, np.cumsum(sizes)[:-1], axis=1)
    model = os.path.join(repo.path, "model")
    same = assert_same_as_tensorflow(parts[:4], parts[4], tf_layers(model, tag, digits))
    assert not [k for k in np.flatnonzero(~same) if k not in answer_ties(model, tag, digits)], "the same answer"


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
    """The inputs whose page answer is outside the issue's bounds from TensorFlow's: a map (saliency,
    HiResCAM on h_pool1, on h_conv2) more than 0.02 of TensorFlow's map's largest value off, or
    correlated with it under 0.995; a channel's contribution more than 0.02 of the largest off; or
    another top channel where TensorFlow's top two differ by more than 4%."""
    outside = set()
    for name in ("saliency", "h_pool1", "h_conv2"):
        for k, (mine, tf_map) in enumerate(zip(page[name], theirs[name])):
            largest = tf_map.max()
            if np.abs(mine - tf_map).max() > 0.02 * largest + 1e-6 or (
                    largest > 0 and tf_map.std() > 0 and np.corrcoef(mine, tf_map)[0, 1] < 0.995):
                outside.add(k)
    for k, (mine, tf_channels) in enumerate(zip(page["channels"], theirs["channels"])):
        first, second = np.sort(tf_channels)[::-1][:2]
        if np.abs(mine - tf_channels).max() > 0.02 * np.abs(tf_channels).max() or (
                first - second > 0.04 * abs(first) and mine.argmax() != tf_channels.argmax()):
            outside.add(k)
    return sorted(outside)


def assert_why_is_tensorflows(page, page_masks, model, tag, inputs, classes):
    """The page's why() (page: tf_why's arrays) within the bounds of TensorFlow's tf.gradients for every
    input, but those where the page's forward pass took another branch than TensorFlow's (page_masks,
    branches.masks_of its activations: a near-tie of a pooling window's two largest values, or of a
    ReLU's input and zero, where either is right), at most 2% of them; and for every input within the
    bounds of TensorFlow's gradient along the page's branches. Returns those inputs."""
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
    return at


@pytest.mark.parametrize("step, tag", [(300, "after"), (100, "step-100")])
def test_the_pages_why_is_tensorflows_gradients(explored, tmp_path, step, tag):
    """The page's backward pass (saliency, both HiResCAMs, the channels' contributions) on 200 test
    digits at two steps, under node, against TensorFlow's tf.gradients on cnn.py's graph."""
    repo, _ = explored
    digits = cnn.mnist.test.images[:200].astype(np.float32)
    digits.tofile(tmp_path / "inputs")
    timing = json.loads(node(os.path.join(HERE, "forward.js"), repo.image("6_network.js"), repo.image("6_weights_%d.js" % step),
                             str(tmp_path / "inputs"), str(tmp_path / "outputs"), "why"))
    sizes = [1, 784, 196, 196, 64, 784, 784, 28 * 28 * 32, 14 * 14 * 64, 1024]
    outputs = np.fromfile(tmp_path / "outputs", np.float32).reshape(len(digits), sum(sizes))
    classes, saliency, pool1, conv2, channels, drawn1, drawn2, h_conv1, h_conv2, h_fc1 = np.split(
        outputs, np.cumsum(sizes)[:-1], axis=1)
    page = {"saliency": saliency, "h_pool1": pool1, "h_conv2": conv2, "channels": channels}
    page_masks = branches.masks_of(h_conv1.reshape(-1, 28, 28, 32), h_conv2.reshape(-1, 14, 14, 64), h_fc1)
    model, classes = os.path.join(repo.path, "model"), classes[:, 0].astype(np.int32)
    assert_why_is_tensorflows(page, page_masks, model, tag, digits, classes)
    # Drawn as 5.py draws them: saliency.to_input_size (Pillow's bilinear upsampling, largest 1)
    theirs = tf_why(model, tag, digits, classes)
    for drawn, name in ((drawn1, "h_pool1"), (drawn2, "h_conv2")):
        expected = to_input_size(theirs[name].reshape(-1, 14, 14)).reshape(len(digits), 784)
        close = np.abs(drawn - expected).max(axis=1) <= 0.02
        assert close.mean() >= 0.98, (name, np.flatnonzero(~close))
    assert timing["inputs"] == 200


def test_the_pages_preprocessing_is_to_mnists(explored, tmp_path):
    repo, _ = explored
    drawings = [STROKES, [[(120, 30), (125, 220)]], [[(40, 100), (210, 110)]],  # a 7, a 1, a dash
                [[(126, 40), (60, 120), (126, 210), (190, 120), (126, 40)]]]  # a 0
    for k, strokes in enumerate(drawings):
        pad = Image.new("RGBA", (252, 252), "black")
        draw = ImageDraw.Draw(pad)
        for stroke in strokes:
            draw.line(stroke, fill="white", width=18, joint="curve")
        (tmp_path / "rgba").write_bytes(pad.tobytes())
        node(os.path.join(HERE, "preprocess.js"), repo.image("6_preprocessing.js"), str(tmp_path / "rgba"), "252", "252",
             str(tmp_path / "input"))
        page = np.fromfile(tmp_path / "input", np.float32).reshape(28, 28)
        python = to_mnist(pad)
        assert np.abs(page - python).mean() <= 0.03 and np.abs(page - python).max() < 0.01, k


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


@pytest.fixture(scope="module")
def opened(browser, explored):
    """6.html opened from the file system in an English browser, the network blocked, once for a test
    file's tests (an opening costs Chromium 2 to 3 s of CPU): the page, and its errors so far."""
    repo, _ = explored
    errors = []
    context, view = open_page(browser, "file://" + repo.image("6.html"), errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    yield view, errors
    context.close()


@pytest.fixture
def page(opened):
    """The opened 6.html, back as it opened, as a reader gets it back: the window's size, the channel's
    panel closed, the maps of the answers, the first test digit on the pad, both sliders where they
    started (the Training step column following the run); fails the test on any browser error or request."""
    view, errors = opened
    view.set_viewport_size({"width": 1400, "height": 1000})
    view.evaluate("""() => {
        if (!document.getElementById("channel").hidden) document.getElementById("channel-close").click();
        const asked = window.explorer.asked();
        if (asked !== null) document.querySelector("#main-bars .bar[data-digit='" + asked + "']").click();
        document.querySelector("#digits canvas").click();
        const compare = document.getElementById("compare-step");
        compare.value = 0;
        compare.dispatchEvent(new Event("input"));
        window.explorer.follow(); }""")
    view.wait_for_function("window.explorer.asked() === null && window.explorer.state().step === Math.max(...window.explorer.steps())")
    del errors[:]
    yield view
    assert not errors, errors


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
    rgba = page.evaluate("Array.from(document.getElementById('draw').getContext('2d').getImageData(0, 0, 252, 252).data)")
    return Image.frombytes("RGBA", (252, 252), bytes(rgba))


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
    assert np.abs(np.array(state["input"]).reshape(28, 28) - python).mean() <= 0.03
    inputs = np.array([state["input"]], np.float32)
    expected = tf_layers(os.path.join(repo.path, "model"), "after", inputs)
    same = assert_same_as_tensorflow([[state["layers"][name]] for name in NAMES], [state["probabilities"]], expected)
    assert same.all() or answer_ties(os.path.join(repo.path, "model"), "after", inputs) == [0]
    assert np.argmax(state["probabilities"]) == 7, "a short training already reads the 7"


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


def test_the_maps_follow_the_pen_and_are_tensorflows_for_any_digit(page, explored):
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
        assert np.abs(drawn.astype(int) - expected).max() <= 3, name
    page.locator("#main-bars .bar[data-digit='9']").click()  # again: back to the answer
    page.wait_for_function("window.explorer.asked() === null")
    # Once the pen rests, SmoothGrad: as close to TensorFlow's (saliency.py's, other noise) as two of
    # TensorFlow's with different noise are to each other, and closer than the plain gradient
    page.wait_for_function("window.explorer.why().smoothgrad !== null")
    smooth, plain = (np.array(page.evaluate("window.explorer.why()")[k]) for k in ("smoothgrad", "saliency"))
    with tf.compat.v1.Session() as sess:
        cnn.restore_model("after", model)
        tf_smooth = [saliency_map(sess, cnn.x, cnn.y_logits, digit, [7], {cnn.keep_prob: 1.0}, seed=s).ravel() for s in (0, 1)]
    agreement = np.corrcoef(*tf_smooth)[0, 1]
    assert np.corrcoef(smooth, tf_smooth[0])[0, 1] >= min(0.6, agreement - 0.1), (np.corrcoef(smooth, tf_smooth[0])[0, 1], agreement)
    assert np.corrcoef(smooth, tf_smooth[0])[0, 1] > np.corrcoef(plain, tf_smooth[0])[0, 1] + 0.2
    # The deciding channels: h_conv2's top 8 by contribution, largest first; a click shows the channel
    tops = [int(f.split("\n")[0]) for f in page.locator("#main-deciding figcaption").all_inner_texts()]
    assert tops == [c["channel"] for c in page.evaluate("window.explorer.why()")["channels"][:8]]
    page.locator("#main-deciding canvas").first.click()
    shows(page.locator("#channel-title"), "h_conv2, channel %d, at step 300$" % tops[0])


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
    shows(page.locator("#step-label"), r"step 0, test accuracy 0\.\d{4} on the first 1,000 test digits$")
    state = page.evaluate("window.explorer.state()")
    expected = tf_layers(os.path.join(repo.path, "model"), "before", digit[None])
    assert_same_as_tensorflow([[state["layers"][name]] for name in NAMES], [state["probabilities"]], expected)
    # The compare column stays at step 0 and the main one at 0: both show the untrained network.
    shows(page.locator("#main-title"), r"step 0 \(test accuracy")
    page.locator("#step").fill("3")
    shows(page.locator("#step-label"), r"step 300, test accuracy 0\.\d{4} on all 10,000 test digits$")


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


# --- the pages in the reader's language ---

PAGES = ["index.html", "4.html", "5.html", "6.html"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


def shown(view):
    """What the reader sees of a page: its visible text (the language switch's aside), and the texts
    of its elements marked English and Japanese; 6.html once it has drawn its first column."""
    if view.url.split("?")[0].endswith("6.html"):
        view.wait_for_function("window.explorer && window.explorer.ready")
        view.evaluate("window.explorer.ready")
    return view.evaluate("""() => {
        const text = (s) => s.replace(/\\s+/g, " ").trim();
        const marked = (lang) => Array.from(document.querySelectorAll("body [lang=" + lang + "]"))  // where shown at all
            .filter((e) => e.parentElement.checkVisibility()).map((e) => text(e.textContent));
        return {lang: document.documentElement.lang, title: document.title, button: document.getElementById("lang").textContent,
                visible: text(document.body.innerText.replace(document.getElementById("lang").innerText, "")),
                en: marked("en"), ja: marked("ja")};
    }""")


# In a Japanese text, English only as a name: the layers' and files' names (anything with a digit, _, . or /),
# the methods' and the tools'
NAME_WORDS = re.compile(r"\S*[\d_./]\S*|HiResCAM|SmoothGrad|Grad-CAM|MNIST|TensorFlow|JavaScript|ReLU|Adam|Ctrl-C|softmax|"
                       r"tf-cnn-image|English")
ENGLISH_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ ,;:]+[A-Za-z][A-Za-z'-]*){2,}")  # three English words in a row


def assert_speaks(seen, lang, name):
    """Every text of the page's language visible, none of the other's; Japanese characters on the page
    if and only if it is in Japanese (the article's names, h_conv1 ..., in both); a Japanese page has no
    English sentence and never says None."""
    other = "en" if lang == "ja" else "ja"
    if lang == "ja":
        words = ENGLISH_WORDS.findall(NAME_WORDS.sub(" ", seen["visible"]))
        assert not words and "None" not in seen["visible"], (name, words[:5])
    assert seen["lang"] == lang, (name, seen["lang"])
    assert bool(JAPANESE.search(seen["visible"])) == (lang == "ja"), (name, seen["visible"][:300])
    assert bool(JAPANESE.search(seen["title"])) == (lang == "ja"), (name, seen["title"])
    hidden = [t for t in seen[lang] if t and t not in seen["visible"]]
    assert not hidden, (name, "not shown", hidden[:3])
    leaked = [t for t in seen[other] if len(t) > 3 and t in seen["visible"]]
    assert not leaked, (name, "shown in the other language", leaked[:3])


def test_the_pages_speak_the_browsers_language_and_the_switch_keeps_the_readers(browser, explored, looked, drawn):
    repo, _ = explored
    errors = []
    for locale, lang in (("ja-JP", "ja"), ("en-US", "en")):
        context, view = open_page(browser, "file://" + repo.image(PAGES[0]), errors, locale)
        for name in PAGES:
            view.goto("file://" + repo.image(name))
            seen = shown(view)
            assert_speaks(seen, lang, name)
            assert seen["button"] == ("English" if lang == "ja" else "日本語")
        # 6.html's own texts, written by its script: the step, the layers' columns, a channel
        assert view.locator("#step-label").inner_text().startswith("ステップ 300、" if lang == "ja" else "step 300, ")
        assert view.locator("#main-title").inner_text().startswith("ステップ 300（" if lang == "ja" else "step 300 (")
        context.close()
    # The switch: an English browser, the reader chooses Japanese on one page; the next pages keep it,
    # opened anew or by their links, until the reader chooses English again.
    context, view = open_page(browser, "file://" + repo.image("index.html"), errors, "en-US")
    assert_speaks(shown(view), "en", "index.html")
    view.click("#lang")
    assert_speaks(shown(view), "ja", "index.html, switched")
    view.goto("file://" + repo.image("4.html"))
    assert_speaks(shown(view), "ja", "4.html, opened after the switch")
    view.click("p.nav a[href^='6.html']")
    assert_speaks(shown(view), "ja", "6.html, by its link")
    assert view.locator("#play").inner_text() == "再生"
    view.click("#lang")  # 6.html redraws its script's texts in English, the drawing kept
    assert_speaks(shown(view), "en", "6.html, switched back")
    assert view.locator("#play").inner_text() == "Play" and view.locator("#step-label").inner_text().startswith("step 300, ")
    view.goto("file://" + repo.image("5.html"))
    assert_speaks(shown(view), "en", "5.html, after switching back")
    context.close()
    assert not errors, errors
