"""The network changed by flags (--channels 16,32 --kernel 3 --pool avg --model DIR): every script on
it, each reading the network from the model folder's run.json, and 6.html's numbers on it against
TensorFlow's (a network built anew from the checkpoint, tests/tf_reference.py); each bad value a line."""

import json
import os
import re
import sys

import numpy as np
import pytest
from PIL import Image

import cnn
from machinery.run import flags
from pagetools import LAYER_BOUND, MAP_BOUND, PROBABILITY_BOUND, node, open_page, page_passes, HERE
from test_tiles import gray_png, training_digits, untile
from tf_reference import Reference

NETWORK = {"channels": [16, 32], "kernel": 3, "pool": "avg"}  # conftest.variant's
SAID = "16 and 32 channels, 3x3 kernels, average pooling"


def model_of(repo):
    return os.path.join(repo.path, "model-variant")


def test_1_prints_the_changed_shapes(variant):
    _, said = variant
    assert said["1.py"].splitlines() == [
        "W_conv1:  (3, 3, 1, 16)", "b_conv1:  (16,)", "x_image:  (50, 28, 28, 1)", "h_conv1:  (50, 28, 28, 16)",
        "h_pool1:  (50, 14, 14, 16)", "W_conv2:  (3, 3, 16, 32)", "b_conv2:  (32,)", "h_conv2:  (50, 14, 14, 32)",
        "h_pool2:  (50, 7, 7, 32)", "W_fc1:  (1568, 1024)", "b_fc1:  (1024,)", "h_pool2_flat:  (50, 1568)",
        "h_fc1:  (50, 1024)", "h_fc1_drop:  (50, 1024)", "W_fc2:  (1024, 10)", "b_fc2:  (10,)", "y_conv:  (50, 10)"]


def test_3_trains_the_changed_network_and_its_tiles_show_its_layers(variant):
    """3.py's tiles of 16 and 32 channels (two and four rows of 8), each as save_image draws the layer of
    the network built anew from model-variant/'s weights; run.json records the network."""
    repo, said = variant
    with open(os.path.join(model_of(repo), "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    assert run["network"] == NETWORK and run["steps"] == 150 and run["seed"] == 3
    pixels, labels = training_digits(3, 10)
    assert "Number:  %s" % labels.tolist() in said["3.py"]
    for tag in ("before", "after"):
        reference = Reference(model_of(repo), tag)
        layers = reference.layers(pixels.reshape(10, 784).astype(np.float32) / np.float32(255))
        reference.close()
        for name, layer in zip(["h_conv1", "h_pool1", "h_conv2", "h_pool2"], layers[:4]):
            for i in (0, 9):
                shown, gaps = untile(gray_png(repo.image("3_%s_%s_%02d.png" % (tag, name, i))), layer.shape[3],
                                     layer.shape[1], layer.shape[2])
                values = np.transpose(layer[i], (2, 0, 1)) * 255
                expected = np.clip(values, 0, 255).astype(np.uint8).astype(int)
                near = np.abs(values - np.rint(values)) <= 255 * LAYER_BOUND * max(np.abs(layer).max(), 1e-6)
                assert gaps and not ((shown != expected) & ~(near & (np.abs(shown - expected) == 1))).any(), (tag, name, i)


def test_4_and_5_read_the_network_from_the_model_folder(variant):
    """4.py and 5.py name the model and its network, 4.py's patterns have the changed fields (3x3 for
    h_conv1, 8x8 for h_conv2: 3K - 1), its circuits 16 inputs a channel; 5.py's answers are TensorFlow's."""
    repo, said = variant
    for script in ("4.py", "5.py", "6.py"):
        assert said[script].splitlines()[0].startswith("model-variant/: 150 training steps, seed 3, %s, test accuracy " % SAID)
        assert "step 0, training accuracy" not in said[script], "it did not train again"
    with np.load(repo.image("4_channels.npz")) as found:
        assert found["h_conv1_patterns"].shape == (16, 3, 3) and found["h_conv2_patterns"].shape == (32, 8, 8)
        assert found["h_conv2_inputs"].shape == (32, 16)
    assert Image.open(repo.image("4_after_h_conv2_patterns.png")).size == (8 * (8 * 3 + 1) - 1, 4 * (8 * 3 + 1) - 1)
    reference = Reference(model_of(repo), "after")
    probabilities = reference.layers(cnn.mnist.test.images[:10])[4]
    reference.close()
    lines = [line for line in said["5.py"].splitlines() if line.startswith("test_")]
    for i, (line, p) in enumerate(zip(lines, probabilities)):
        top = np.argsort(-p, kind="stable")[:3]
        if p[top[0]] - p[top[1]] > 1e-6:  # (a tie: either answer)
            assert line.startswith("test_%04d (a %d): %d (%.1f%%)" % (i, cnn.mnist.test.labels[i].argmax(), top[0], 100 * p[top[0]])), line


def test_the_page_of_a_changed_network_is_tensorflows(variant, tmp_path):
    """Under node, on 100 test digits: the page's layers, probabilities, why and circuits on the changed
    network against TensorFlow's (the network built anew), within the bounds the article's is held to;
    where a ReLU's input sits at zero within rounding (the page's branch is not TensorFlow's), only that digit's why is exempt."""
    repo, _ = variant
    digits = cnn.mnist.test.images[:100]
    reference = Reference(model_of(repo), "after")
    page = page_passes(repo, 150, digits, tmp_path, "layers", network=NETWORK)
    theirs = reference.layers(digits)
    for mine, tf_layer in zip(page["layers"], theirs[:4]):
        tf_layer = tf_layer.reshape(len(digits), -1)
        assert (np.abs(mine - tf_layer).max(axis=1) <= LAYER_BOUND * np.abs(tf_layer).max(axis=1)).all()
    assert np.abs(page["probabilities"] - theirs[4]).max() <= PROBABILITY_BOUND
    why = page_passes(repo, 150, digits, tmp_path, "why", network=NETWORK)
    tf_why = reference.why(digits, why["cls"])
    ties = np.flatnonzero((why["relu_masks"] != reference.relu_masks(digits)).any(axis=1))
    assert len(ties) <= 2, ties
    for name in ("saliency", "h_pool1", "h_conv2", "channels"):
        error = np.abs(why[name] - tf_why[name]).max(axis=1) / np.maximum(np.abs(tf_why[name]).max(axis=1), 1e-30)
        assert not [k for k in np.flatnonzero(error > MAP_BOUND) if k not in ties], name
    # circuits: each h_pool1 channel's contribution is what zeroing it changes h_conv2's preactivation by
    digits[:5].tofile(tmp_path / "digits")
    node(os.path.join(HERE, "forward.js"), repo.image("6_network.js"), repo.image("6_weights_150.js"), str(tmp_path / "digits"),
         str(tmp_path / "circuits.json"), "circuit", repo.image("6_circuits.js"), "0,17,31")
    found = json.loads((tmp_path / "circuits.json").read_text())
    pooled = theirs[1][:5]
    for n, circuits in enumerate(found):
        z = reference.conv2_preactivation(pooled[n:n + 1])[0]
        for circuit in circuits:
            j, (y, x) = circuit["channel"], circuit["place"]
            assert z[y, x, j] >= z[:, :, j].max() - 1e-6 * max(1, abs(z[:, :, j].max()))
            zeroed = np.repeat(pooled[n:n + 1], 16, axis=0)
            zeroed[np.arange(16), :, :, np.arange(16)] = 0
            theirs_c = z[y, x, j] - reference.conv2_preactivation(zeroed)[:, y, x, j]
            mine = np.zeros(16)
            for entry in circuit["inputs"]:
                mine[entry["channel"]] = entry["contribution"]
            assert np.abs(mine - theirs_c).max() <= 1e-4 * max(np.abs(theirs_c).max(), 1e-6), (n, j)
    reference.close()


def test_the_page_of_a_changed_network_in_a_browser(browser, variant):
    repo, _ = variant
    errors = []
    context, view = open_page(browser, "file://" + repo.image("6.html"), errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    assert view.locator("#run").inner_text().startswith("model-variant/: 150 training steps, seed 3, %s" % SAID)
    view.evaluate("window.explorer.setInput(%s)" % json.dumps(cnn.mnist.test.images[4].tolist()))
    state = view.evaluate("window.explorer.state()")
    reference = Reference(model_of(repo), "after")
    theirs = reference.layers(cnn.mnist.test.images[4:5])
    reference.close()
    for name, tf_layer in zip(["h_conv1", "h_pool1", "h_conv2", "h_pool2"], theirs[:4]):
        assert np.abs(np.array(state["layers"][name]) - tf_layer.ravel()).max() <= LAYER_BOUND * np.abs(tf_layer).max(), name
    assert np.abs(np.array(state["probabilities"]) - theirs[4][0]).max() <= PROBABILITY_BOUND
    assert view.locator("#main-h_conv2").bounding_box()["height"] > 0
    view.evaluate("window.explorer.open('h_conv2', 17)")  # its circuit, of 16 inputs, 3x3 kernels
    assert view.locator("#circuit-inputs [data-channel]").count() == 16
    assert "3x3" in view.locator("#circuit-how").inner_text()
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("flag, line", [
    (["--kernel", "4"], "error: --kernel must be an odd number from 1 to 9, not 4"),
    (["--kernel", "11"], "error: --kernel must be an odd number from 1 to 9, not 11"),
    (["--kernel", "-1"], "error: --kernel must be an odd number from 1 to 9, not -1"),
    (["--channels", "0,64"], "error: --channels: two numbers from 1 to 256 with a comma between them, as 32,64; not '0,64'"),
    (["--channels", "32,257"], "error: --channels: two numbers from 1 to 256 with a comma between them, as 32,64; not '32,257'"),
    (["--channels", "32"], "error: --channels: two numbers from 1 to 256 with a comma between them, as 32,64; not '32'"),
    (["--pool", "min"], "error: argument --pool: invalid choice: 'min' (choose from 'max', 'avg')"),
])
def test_a_bad_network_flag_gets_one_line(monkeypatch, capsys, flag, line):
    monkeypatch.setattr(sys, "argv", ["0.py"] + flag)
    monkeypatch.setattr(flags, "_parsed", flags.config())  # restored after: parse_args keeps what it read
    with pytest.raises(SystemExit) as exited:
        flags.parse_args("0.py", steps=True)
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "0.py: " + line


def test_a_bad_value_writes_nothing_and_a_model_keeps_its_network(variant, repo):
    """A script run with a bad value writes nothing; one that reads a model folder may not ask for
    another network than the folder's (one line, naming the flag)."""
    result = repo.run("0.py", "--kernel", "4", check=False)
    assert result.returncode == 2 and result.stderr.splitlines()[-1].endswith("error: --kernel must be an odd number from 1 to 9, not 4")
    assert sorted(os.listdir(repo.path)) == sorted(n for n in os.listdir(repo.path) if n not in ("images", "model"))
    assert not os.path.exists(os.path.join(repo.path, "images")) and not os.path.exists(os.path.join(repo.path, "model"))
    trained, _ = variant
    result = repo.run("4.py", "--model", model_of(trained), "--kernel", "5", check=False)
    assert result.returncode == 2
    assert re.fullmatch(r"4\.py: error: --kernel: \S+model-variant was trained with %s; to train another network, "
                        r"name a new folder: --model DIR" % SAID, result.stderr.splitlines()[-1])
