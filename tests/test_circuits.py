"""6.html's circuits (web/circuits.js: what an h_conv2 channel is made of for the reader's input), run
by tests/forward.js under node, against TensorFlow: the place, the preactivation there and each input's contribution as zeroing that
h_pool1 channel changes it; wrong versions of it caught; and the panel in Chromium as the pen moves."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

import cnn
from pagetools import STROKES, draw, next_frame, node, shows

HERE = os.path.dirname(os.path.abspath(__file__))
CHANNELS = [0, 5, 13, 22, 31, 40, 51, 63]
DIGITS = cnn.mnist.test.images[:50].astype(np.float32)
Z = cnn.h_conv2.op.inputs[0]  # conv2d(h_pool1, W_conv2) + b_conv2: h_conv2 before its ReLU
# Wrong circuits the test must catch: (what is wrong, the text of circuits.js, what it becomes)
MUTATIONS = {
    "the SAME padding's border dropped": ("if (iy < 0 || iy >= SIDE) continue;", "if (iy < 1 || iy >= SIDE - 1) continue;"),
    "the kernel's axes swapped": ("wBase = (ky * K + kx) * IN * OUT + j", "wBase = (kx * K + ky) * IN * OUT + j"),
    "the value after the ReLU": ("const z = w.b_conv2[j] + c.reduce((a, b) => a + b, 0);",
                                 "const z = Math.max(0, w.b_conv2[j] + c.reduce((a, b) => a + b, 0));"),
}


def page_circuits(repo, tmp_path, step, circuits_js, digits=DIGITS, channels=CHANNELS):
    """The page's circuits for each digit: [[circuit(channel) for channel in channels]]."""
    digits.tofile(tmp_path / "digits")
    node(os.path.join(HERE, "forward.js"), repo.image("6_network.js"), repo.image("6_weights_%d.js" % step),
         str(tmp_path / "digits"), str(tmp_path / "circuits.json"), "circuit", circuits_js, ",".join(map(str, channels)))
    return json.loads((tmp_path / "circuits.json").read_text())


def tf_preactivations(model, tag, digits=DIGITS):
    """TensorFlow's h_conv2 before its ReLU for digits (N, 14, 14, 64), and the same with each h_pool1
    channel zeroed in turn (N, 32, 14, 14, 64)."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        z, pooled = sess.run([Z, cnn.h_pool1], {cnn.x: digits})
        zeroed = np.repeat(pooled[:, None], 32, axis=1)
        zeroed[:, np.arange(32), :, :, np.arange(32)] = 0
        return z, sess.run(Z, {cnn.h_pool1: zeroed.reshape(-1, 14, 14, 32)}).reshape(len(digits), 32, 14, 14, 64)


def assert_circuits_are_tensorflows(found, z, without, channels=CHANNELS):
    """Each circuit's place is TensorFlow's largest preactivation (or within 1e-6 of it), its value
    within 1e-4 of the layer's largest |value|, each contribution within 1e-4 of the largest one's
    |size| of what zeroing that input changes it by, and bias + contributions = its value."""
    for n, circuits in enumerate(found):
        largest = np.abs(z[n]).max()
        for j, circuit in zip(channels, circuits):
            y, x = circuit["place"]
            assert circuit["channel"] == j
            assert z[n, y, x, j] >= z[n, :, :, j].max() - 1e-6 * max(1, abs(z[n, :, :, j].max())), (n, j, "the place")
            assert abs(circuit["preactivation"] - z[n, y, x, j]) <= 1e-4 * largest, (n, j, "the preactivation")
            theirs = z[n, y, x, j] - without[n, :, y, x, j]  # per input channel
            mine = np.zeros(32)
            for entry in circuit["inputs"]:
                mine[entry["channel"]] = entry["contribution"]
            assert sorted(e["channel"] for e in circuit["inputs"]) == list(range(32))
            assert np.abs(mine - theirs).max() <= 1e-4 * max(np.abs(theirs).max(), 1e-6), (n, j, "the contributions")
            values = [e["contribution"] for e in circuit["inputs"]]
            assert values == sorted(values, reverse=True), "largest first"
            assert circuit["bias"] + sum(values) == pytest.approx(circuit["preactivation"], abs=1e-9)


@pytest.mark.parametrize("step, tag", [(300, "after"), (100, "step-100")])
def test_the_pages_circuits_are_tensorflows(explored, tmp_path, step, tag):
    repo, _ = explored
    found = page_circuits(repo, tmp_path, step, repo.image("6_circuits.js"))
    assert len(found) == 50 and all(len(c) == len(CHANNELS) for c in found)
    assert_circuits_are_tensorflows(found, *tf_preactivations(os.path.join(repo.path, "model"), tag))


@pytest.fixture(scope="module")
def below_zero(explored):
    """Test digits and channels where h_conv2's largest preactivation is negative (there its largest
    value after the ReLU, 0, is at every place): 10 digits of the first 2000, and those channels."""
    repo, _ = explored
    with tf.compat.v1.Session() as sess:
        cnn.restore_model("after", os.path.join(repo.path, "model"))
        largest = sess.run(Z, {cnn.x: cnn.mnist.test.images[:2000]}).max(axis=(1, 2))
    digits = np.flatnonzero((largest < 0).any(axis=1))[:10]
    if not len(digits):
        pytest.skip("no test digit of the first 2000 drives a channel of h_conv2 below zero everywhere")
    return digits, sorted(set(np.flatnonzero((largest[digits] < 0).any(axis=0)).tolist()[:4]) | set(CHANNELS[:4]))


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_wrong_circuit_is_caught(explored, below_zero, tmp_path, mutation):
    repo, _ = explored
    right, wrong = MUTATIONS[mutation]
    with open(repo.image("6_circuits.js"), encoding="utf-8") as f:
        text = f.read()
    assert right in text
    (tmp_path / "circuits.js").write_text(text.replace(right, wrong), encoding="utf-8")
    indices, channels = below_zero
    digits = np.concatenate([DIGITS[:10], cnn.mnist.test.images[indices].astype(np.float32)])
    z, without = tf_preactivations(os.path.join(repo.path, "model"), "after", digits)
    assert_circuits_are_tensorflows(page_circuits(repo, tmp_path, 300, repo.image("6_circuits.js"), digits, channels),
                                    z, without, channels)  # the right one passes on these inputs
    found = page_circuits(repo, tmp_path, 300, str(tmp_path / "circuits.js"), digits, channels)
    with pytest.raises(AssertionError):
        assert_circuits_are_tensorflows(found, z, without, channels)


def test_a_channels_circuit_follows_the_pen_and_walks_down_to_h_conv1(page):
    tile = page.locator("#main-h_conv2")
    box = tile.bounding_box()
    zoom = box["width"] / (8 * 15 - 1)
    tile.click(position={"x": (5 * 15 + 5) * zoom, "y": (0 * 15 + 5) * zoom})  # row 0, column 5: channel 5
    shows(page.locator("#channel-title"), "h_conv2, channel 5, at step 300$")
    shown = []

    def look():  # the panel's sum and its inputs, and the API's circuit, after each segment of a stroke
        circuit = page.evaluate("window.explorer.circuit(5)")
        rows = page.evaluate("""Array.from(document.querySelectorAll('#circuit-inputs [data-channel]'),
                                (e) => [Number(e.dataset.channel), Number(e.dataset.contribution)])""")
        assert [r[0] for r in rows] == [i["channel"] for i in circuit["inputs"]]
        assert np.allclose([r[1] for r in rows], [i["contribution"] for i in circuit["inputs"]], rtol=0, atol=1e-12)
        assert page.locator("#circuit-sum").inner_text().startswith("at (%d, %d): %.3f = bias" % (*circuit["place"], circuit["preactivation"]))
        shown.append(rows)

    draw(page, STROKES[:1], look)
    assert len({str(rows) for rows in shown}) > 1, "the circuit changes while the stroke is drawn"
    first = page.locator("#circuit-inputs [data-channel]").first
    channel = first.get_attribute("data-channel")
    first.click()
    shows(page.locator("#channel-title"), "h_conv1, channel %s, at step 300$" % channel)
    next_frame(page)
    assert page.locator("#channel-body canvas.cells").count() == 2, "its filter over the patch it sees"
