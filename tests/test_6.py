"""6.py and its page's numbers: the files it writes, and the page's forward pass, backward pass and
preprocessing (web/, run under node by tests/forward.js and tests/preprocess.js) against TensorFlow and
Python on a short training's model/, within the bounds of pagetools.py; wrong versions of each caught.
The page in a real browser: test_6_browser.py."""

import base64
import json
import os
import re
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

import cnn
from machinery.analyses import saliency
from machinery.analyses.mnist_preprocessing import to_mnist
from machinery.run import checkpoints, run_page
from pagetools import (HERE, PIXEL_BOUND, STROKES, answer_ties, assert_same_as_tensorflow, assert_why_is_tensorflows,
                       drawn_outside, layers_outside, node, outside_bounds, page_passes, tf_layers)

def test_a_weights_file_gives_back_w_fc1_within_its_rounding(tmp_path):
    """The file 6.html loads: W_fc1's 24-bit integers (written 64 rows at a time, each four packed by
    shifts) decode, as network.js does, to the weights within a step of their column's scale (half
    a step of rounding, and a column's largest kept below 2**23, which would read as -2**23), for
    shapes whose rows and blocks don't come out even; the other variables exactly."""
    rng = np.random.default_rng(1)
    for shape in [(3, 2), (7, 3), (130, 7)]:
        values = {"W_fc1": rng.standard_normal(shape).astype(np.float32), "b_fc2": rng.standard_normal(10).astype(np.float32)}
        values["W_fc1"][:, 0] = 0  # a column of zeros: scale 1
        run_page.save_weights("w.js", "run", 100, values, str(tmp_path), checkpoints.ARTICLE_NETWORK)
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
    # The fixture ran 4.py for this model first: the page has its patterns.
    assert re.fullmatch(r"images/6\.html: 4 snapshot steps \(0, 100, 200, 300\), with 4\.py's patterns, [\d.]+ MB "
                        r"with its files; open it in a browser", lines[2]), lines[2]
    assert lines[1].startswith("confusion matrix: wrong on all 10,000 test images: "), "test_6_mistakes.py checks it"
    names = sorted(n for n in os.listdir(os.path.join(repo.path, "images")) if n.startswith("6"))
    assert names == ["6.html", "6_circuits.js", "6_explorer.css", "6_explorer_api.js", "6_explorer_base.js",
                     "6_explorer_channel.js", "6_explorer_circuit.js", "6_explorer_fool.js", "6_explorer_mistakes.js",
                     "6_explorer_photo.js", "6_explorer_run.js", "6_explorer_tiles.js", "6_explorer_why.js", "6_fool.js",
                     "6_live.js", "6_network.js", "6_network_simd.js", "6_network_simd_wasm.js", "6_preprocessing.js", "6_run.js", "6_test.js", "6_weights_0.js", "6_weights_100.js", "6_weights_200.js", "6_weights_300.js"], "nothing half-written left"
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
    # Training measured the snapshots on the first 1,000 test digits, the last on all; 6.py measures each
    # on all 10,000 (the confusion matrix's answers): the last step's is the article's line.
    assert [s["test_digits"] for s in saved["snapshots"]] == [1000, 1000, 1000, 10000]
    assert [(s["step"], s["test_digits"]) for s in run["steps"]] == [(s["step"], 10000) for s in saved["snapshots"]]
    assert run["steps"][-1]["test_accuracy"] == saved["test_accuracy"] == saved["snapshots"][-1]["test_accuracy"]
    labels = np.frombuffer(base64.b64decode(run["test_labels"]), np.uint8)
    assert (labels == cnn.mnist.test.labels.argmax(axis=1)).all()
    for s in run["steps"]:
        assert s["test_accuracy"] == np.mean(np.frombuffer(base64.b64decode(s["answers"]), np.uint8) == labels)
    assert abs(run["steps"][1]["test_accuracy"] - saved["snapshots"][1]["test_accuracy"]) < 0.05, "the first 1,000 alike"
    assert [d["label"] for d in run["digits"]] == cnn.mnist.test.labels[:10].argmax(axis=1).tolist()
    # The page's constants come from Python: the layers' shapes and fields (cnn.LAYERS) and SmoothGrad's (saliency.py)
    assert run["layers"] == [["h_conv1", 28, 32, 5], ["h_pool1", 14, 32, 6], ["h_conv2", 14, 64, 14], ["h_pool2", 7, 64, 16]]
    assert run["smoothgrad"] == {"samples": saliency.SAMPLES, "noise": saliency.NOISE}


@pytest.mark.parametrize("engine", ["js", "wasm"])
@pytest.mark.parametrize("step, tag", [(300, "after"), (0, "before")])
def test_the_pages_forward_pass_is_tensorflows(explored, tmp_path, step, tag, engine):
    repo, _ = explored
    digits = cnn.mnist.test.images[:200]
    page = page_passes(repo, step, digits, tmp_path, "layers", engine=engine)
    model = os.path.join(repo.path, "model")
    same = assert_same_as_tensorflow(page["layers"], page["probabilities"], tf_layers(model, tag, digits))
    assert not [k for k in np.flatnonzero(~same) if k not in answer_ties(model, tag, digits)], "the same answer"


@pytest.mark.parametrize("engine", ["js", "wasm"])
@pytest.mark.parametrize("step, tag", [(300, "after"), (100, "step-100")])
def test_the_pages_why_is_tensorflows_gradients(explored, tmp_path, step, tag, engine):
    """The page's backward pass (saliency, both HiResCAMs, the channels' contributions) on 200 test
    digits at two steps, under node, against TensorFlow's tf.gradients on cnn.py's graph; the HiResCAMs
    drawn (upsampled) as 5.py draws them (saliency.to_input_size: Pillow's bilinear, largest 1)."""
    repo, _ = explored
    digits = cnn.mnist.test.images[:200]
    page = page_passes(repo, step, digits, tmp_path, "why", engine=engine)
    _, along_pages = assert_why_is_tensorflows(page, page["masks"], os.path.join(repo.path, "model"), tag, digits, page["cls"])
    assert not drawn_outside(page, along_pages), "drawn as 5.py draws them"


# Wrong versions of the page's network (web/network.js) that the tests must catch on every digit:
# (what is wrong, its text in network.js, what it becomes)
BACKWARD_MUTATIONS = {
    "no ReLU mask at h_fc1": ("if (!(layers.h_fc1[j] > 0)) continue;", "if (false) continue;"),
    "no ReLU mask at the convolutions": ("if (out[base + co] > 0 && grad[base + co] !== 0)", "if (grad[base + co] !== 0)"),
    "max pooling's gradient spread over its window": (
        "          out[at] += g;", "          for (const [dy, dx] of WINDOW) out[((2 * y + dy) * size + 2 * x + dx) * C + c] += g / 4;"),
    "W_fc1's scale 1% too large in the backward pass": ("g1[n++] = g * w.W_fc1_scale[j];",
                                                        "g1[n++] = g * w.W_fc1_scale[j] * 1.01;"),
}
FORWARD_MUTATIONS = {
    "the edge repeated, not SAME's zeros": ("const iy = y + ky - half;\n          if (iy < 0 || iy >= size) continue; // SAME: zeros outside",
                                            "const iy = Math.min(Math.max(y + ky - half, 0), size - 1);"),
    "max pooling's window shifted by one": ("const at = (dy, dx) => input[((2 * y + dy) * size + 2 * x + dx) * C + c];",
                                            "const at = (dy, dx) => input[((2 * y + dy) * size + Math.min(2 * x + dx + 1, size - 1)) * C + c];"),
}


def mutated(repo, tmp_path, mutation):
    """6_network.js with the mutation (right, wrong) made, in a folder of the test's with the page's
    preprocessing beside it (as forward.js finds it): its path."""
    right, wrong = mutation
    text = open(repo.image("6_network.js"), encoding="utf-8").read()
    assert text.count(right) == 1, right
    os.makedirs(tmp_path / "mutated", exist_ok=True)
    shutil.copyfile(repo.image("6_preprocessing.js"), tmp_path / "mutated" / "6_preprocessing.js")
    path = tmp_path / "mutated" / "6_network.js"
    path.write_text(text.replace(right, wrong), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def right(explored, tmp_path_factory):
    """The right page's passes on 20 test digits at step 300 and TensorFlow's answers for them, which the
    wrong pages are held to: (the digits, the page's why, TensorFlow's why along the page's branches,
    TensorFlow's layers)."""
    repo, _ = explored
    digits, model = cnn.mnist.test.images[:20], os.path.join(repo.path, "model")
    why = page_passes(repo, 300, digits, tmp_path_factory.mktemp("right"), "why")
    _, along_pages = assert_why_is_tensorflows(why, why["masks"], model, "after", digits, why["cls"])
    expected = tf_layers(model, "after", digits)
    layers = page_passes(repo, 300, digits, tmp_path_factory.mktemp("right"), "layers")
    assert not layers_outside(layers["layers"], layers["probabilities"], expected), "the right page is inside the bounds"
    return digits, why, along_pages, expected


@pytest.mark.parametrize("mutation", BACKWARD_MUTATIONS)
def test_a_wrong_backward_pass_is_caught_on_every_digit(explored, right, tmp_path, mutation):
    """Each wrong backward pass is outside the bounds of TensorFlow's gradients (along the page's own
    branches) on every one of 20 test digits, where the right one is inside them on every one (right)."""
    repo, _ = explored
    digits, why, along_pages, _ = right
    wrong = page_passes(repo, 300, digits, tmp_path, "why", mutated(repo, tmp_path, BACKWARD_MUTATIONS[mutation]))
    assert (wrong["cls"] == why["cls"]).all(), "the forward pass is the right one"
    assert outside_bounds(wrong, along_pages) == list(range(len(digits)))


@pytest.mark.parametrize("mutation", FORWARD_MUTATIONS)
def test_a_wrong_forward_pass_is_caught_on_every_digit(explored, right, tmp_path, mutation):
    repo, _ = explored
    digits, _, _, expected = right
    wrong = page_passes(repo, 300, digits, tmp_path, "layers", mutated(repo, tmp_path, FORWARD_MUTATIONS[mutation]))
    assert layers_outside(wrong["layers"], wrong["probabilities"], expected) == list(range(len(digits)))


DRAWINGS = [STROKES, [[(120, 30), (125, 220)]], [[(40, 100), (210, 110)]],  # a 7, a 1, a dash
            [[(126, 40), (60, 120), (126, 210), (190, 120), (126, 40)]], [[(30, 30), (60, 200)]]]  # a 0, a 1 in a corner


def page_preprocessing(tmp_path, preprocessing_js, pad):
    """The page's input for a drawing (an RGBA image of the pad), through preprocessing_js under node."""
    (tmp_path / "rgba").write_bytes(pad.tobytes())
    node(os.path.join(HERE, "preprocess.js"), preprocessing_js, str(tmp_path / "rgba"), str(pad.width), str(pad.height),
         str(tmp_path / "input"))
    return np.fromfile(tmp_path / "input", np.float32).reshape(28, 28)


def pads():
    """The drawings on the pad, white on black and black on white: RGBA images."""
    for strokes in DRAWINGS:
        for ink, paper in (("white", "black"), ("black", "white")):
            pad = Image.new("RGBA", (252, 252), paper)
            draw = ImageDraw.Draw(pad)
            for stroke in strokes:
                draw.line(stroke, fill=ink, width=18, joint="curve")
            yield pad


def test_the_pages_preprocessing_is_to_mnists(explored, tmp_path):
    """Every pixel of the page's input within PIXEL_BOUND of to_mnist's (5.py's); centred by the ink's
    box instead of its centre of mass, it is caught on every drawing where that gives another input."""
    repo, _ = explored
    text = open(repo.image("6_preprocessing.js"), encoding="utf-8").read()
    boxed = text
    for axis, size in (("0", "outH"), ("1", "outW")):
        right = "how.by_mass ? clip(roundHalfEven(CENTRE[%s] - %s / mass), 0, SIZE - %s) : Math.floor((SIZE - %s) / 2);" % (
            axis, "rows" if axis == "0" else "cols", size, size)
        assert boxed.count(right) == 1, right
        boxed = boxed.replace(right, "Math.floor((SIZE - %s) / 2);" % size)
    (tmp_path / "boxed.js").write_text(boxed, encoding="utf-8")
    caught = 0
    for k, pad in enumerate(pads()):
        python = to_mnist(pad)
        assert np.abs(page_preprocessing(tmp_path, repo.image("6_preprocessing.js"), pad) - python).max() <= PIXEL_BOUND, k
        if np.abs(to_mnist(pad, by_mass=False) - python).max() > PIXEL_BOUND:  # centring by the box moves it
            assert np.abs(page_preprocessing(tmp_path, str(tmp_path / "boxed.js"), pad) - python).max() > PIXEL_BOUND, k
            caught += 1
    assert caught >= 4, "the 7s and the 0s at least"
