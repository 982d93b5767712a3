"""4.py and what it rests on: patterns that excite their own channel, top patches, receptive fields,
class models that look like their digits. Run as a user runs it, on a short training's model/."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import cnn
from conftest import run_page_files
from machinery.analyses.receptive_fields import channel_maxima, crop_fields, receptive_field, top_images

LAYERS = {"h_conv1": cnn.h_conv1, "h_conv2": cnn.h_conv2}
# 32 and 64 channels, 8 to a row: 5x5 fields enlarged 5 times, 14x14 fields twice
PATTERNS = {"h_conv1": (207, 103), "h_conv2": (231, 231)}
OUTPUTS = (["4_%s_%s_patterns.png" % (tag, name) for tag in ("before", "after") for name in PATTERNS]
           + ["4_h_conv1_top.png", "4_h_conv2_top.png", "4_h_conv2_circuits.png", "4_digits.png", "4_classes.png"])
TEST = cnn.mnist.test.images[:2000]  # enough test images to compare with, quickly


def tiles(path, size=28):
    """The 28x28 tiles of a save_image PNG, as inputs in [0, 1]."""
    canvas = np.asarray(Image.open(path).convert("L")).astype(np.float32) / 255
    rows, cols = (canvas.shape[0] + 1) // (size + 1), (canvas.shape[1] + 1) // (size + 1)
    return np.array([canvas[r * (size + 1):r * (size + 1) + size, c * (size + 1):c * (size + 1) + size]
                     for r in range(rows) for c in range(cols)])


def patterns(path, layer):
    """The patterns of a 4_*_patterns.png as inputs in [0, 1], each put back where the receptive field
    of the layer's unit at the centre of its map is, on black: (channels, 28, 28)."""
    size, stride, offset = receptive_field(layer)
    zoom = 28 // size
    crops = tiles(path, size * zoom)[:, ::zoom, ::zoom]
    start = offset + stride * (layer.shape[1] // 2)
    inputs = np.zeros((len(crops), 28, 28), np.float32)
    inputs[:, start:start + size, start:start + size] = crops
    return inputs


@pytest.fixture(scope="module")
def sess(trained_session):
    """A session with the short training's weights, restored from its model/."""
    return trained_session[0]


def test_4_reads_the_saved_model_and_writes_every_picture(looked):
    repo, stdout = looked
    lines = stdout.splitlines()
    assert re.fullmatch(r"model/: 300 training steps, seed 1, test accuracy 0\.\d{4}, trained \d{4}-\d\d-\d\dT[\d:]+",
                        lines[0])
    assert not any(line.startswith("step ") for line in lines), "it did not train again"
    for name in ("h_conv1", "h_conv2"):
        assert re.search(r"^%s, most selective channels: .*(\d+: [\d ]+ \(\+\d+%%\); ){4}" % name, stdout, re.M)
    for name, size in PATTERNS.items():
        for tag in ("before", "after"):
            assert Image.open(repo.image("4_%s_%s_patterns.png" % (tag, name))).size == size
    assert Image.open(repo.image("4_classes.png")).size == (289, 28)
    p = np.asarray(Image.open(repo.image("4_classes.png")).convert("L"))
    assert (p[:, 28::29] == 0x80).all(), "the article's gray gaps"
    # One row per channel: 32 and 64 rows of the same height, each taller than a 28-pixel picture.
    heights = [Image.open(repo.image("4_%s_top.png" % name)).height for name in PATTERNS]
    assert heights[1] > 1.9 * heights[0] > 1.9 * 32 * 28
    # For 6.py's page: the same patterns and top patches as numbers, with the run they belong to.
    with np.load(repo.image("4_channels.npz")) as saved:
        assert str(saved["run"]) == lines[0]
        assert saved["h_conv1_patterns"].shape == (32, 5, 5) and saved["h_conv2_top"].shape == (64, 9, 14, 14)
        on_page = tiles(repo.image("4_after_h_conv1_patterns.png"), 25)[:, ::5, ::5]
        assert (np.abs(saved["h_conv1_patterns"] / 255 - on_page) <= 1 / 255).all()


def test_4_page_shows_every_picture_with_a_caption(looked):
    repo, _ = looked
    images, links, _ = repo.page("4.html")
    assert "index.html" in links, "3.py's page is there, so 4.html links to it"
    assert "4.html" in repo.page("index.html")[1], "and 3.py's page, written first, links back"
    assert sorted(images) == sorted(OUTPUTS)
    assert all(len(caption.split()) > 8 for caption in images.values()), "a caption says how to read it"
    with open(repo.image("4.html"), encoding="utf-8") as f:
        assert '<link rel="stylesheet" href="pages.css">' in f.read() and os.path.exists(repo.image("pages.css"))


@pytest.mark.parametrize("name", PATTERNS)
def test_4_each_pattern_excites_its_own_channel_most(looked, sess, name):
    repo, _ = looked
    layer = LAYERS[name]
    inputs = patterns(repo.image("4_after_%s_patterns.png" % name), layer)  # as the reader sees them, 8 bits
    centre = layer[:, layer.shape[1] // 2, layer.shape[2] // 2, :]  # the unit each pattern was made for
    on_patterns = sess.run(centre, {cnn.x: inputs.reshape(-1, 784)})  # [pattern, channel]
    images = cnn.mnist.test.images
    anywhere = tf.reduce_max(layer, axis=[1, 2])  # a channel's strongest answer, anywhere in an image
    on_test = np.max([sess.run(anywhere, {cnn.x: images[i:i + 2000]}).max(axis=0) for i in range(0, len(images), 2000)],
                     axis=0)
    own = on_patterns.diagonal()
    others = (on_patterns.sum(axis=0) - own) / (len(own) - 1)
    assert (own > on_test).mean() >= 0.9, "above every place of every one of the 10,000 test images"
    assert (own > others).mean() >= 0.9, "above the other channels' patterns"


@pytest.mark.parametrize("tag", ["before", "after"])
@pytest.mark.parametrize("name", PATTERNS)
def test_4_no_pattern_is_a_uniform_field(looked, name, tag):
    repo, _ = looked
    size, _, _ = receptive_field(LAYERS[name])
    crops = tiles(repo.image("4_%s_%s_patterns.png" % (tag, name)), size * (28 // size))
    spread = crops.std(axis=(1, 2))  # over the pixels of each pattern: 0 for a uniform white or black field
    assert spread.min() > 0.1, spread


def test_4_patterns_change_with_training(looked):
    repo, _ = looked
    before, after = [tiles(repo.image("4_%s_h_conv2_patterns.png" % tag)) for tag in ("before", "after")]
    assert np.abs(before - after).mean() > 0.05


def test_4_first_layer_patterns_are_their_filters_signs(looked, sess):
    """A 5x5 unit's input in [0, 1] that it answers to most is white where its weight is positive and
    black where it is negative: what the pattern of h_conv1 shows is its filter, read plainly."""
    repo, _ = looked
    W = np.transpose(cnn.W_conv1.eval(session=sess)[:, :, 0, :], (2, 0, 1))  # (32, 5, 5)
    crops = tiles(repo.image("4_after_h_conv1_patterns.png"), 25)[:, ::5, ::5]
    clear = np.abs(W) > 0.1 * np.abs(W).max(axis=(1, 2), keepdims=True)  # weights not too near 0
    assert ((crops > 0.5) == (W > 0))[clear].mean() > 0.95


def test_4_class_models_look_like_their_digits(looked, sess):
    repo, stdout = looked
    classes = tiles(repo.image("4_classes.png"))
    probabilities = sess.run(cnn.y_conv, {cnn.x: classes.reshape(10, 784), cnn.keep_prob: 1.0})
    assert (probabilities.argmax(axis=1) == np.arange(10)).all(), "each is classified as its own digit"
    labels = cnn.mnist.test.labels.argmax(axis=1)
    means = np.array([cnn.mnist.test.images[labels == d].mean(axis=0) for d in range(10)])
    resemblance = np.corrcoef(classes.reshape(10, 784), means)[:10, 10:]  # [class model, digit's mean]
    assert (resemblance.argmax(axis=1) == np.arange(10)).all(), "most like the mean test image of its own digit"
    printed = re.search(r"^class models, the trained network's probability for their own digit: (.*)$", stdout, re.M)
    assert [float(p.split()[1]) for p in printed.group(1).split(", ")] == pytest.approx(
        probabilities.diagonal(), abs=0.002)


@pytest.mark.parametrize("name", PATTERNS)
def test_top_patches_are_the_strongest_responses(sess, name):
    layer = LAYERS[name]
    [(maxima, rows, cols)] = channel_maxima(sess, [layer], cnn.x, TEST, batch=700)
    which = top_images(maxima, 9)
    outputs = sess.run(layer, {cnn.x: TEST})
    for c in range(layer.shape[-1]):
        listed = [outputs[i, rows[i, c], cols[i, c], c] for i in which[c]]
        assert listed == sorted(listed, reverse=True), "highest first"
        assert listed == [maxima[i, c] for i in which[c]], "each is the activation at its place"
        assert outputs[:, :, :, c].max(axis=(1, 2))[np.setdiff1d(np.arange(len(TEST)), which[c])].max() <= listed[-1]


def test_4_circuits_are_tensorflows_contributions_by_zeroing_inputs(looked, sess):
    """Per h_conv2 channel, at the place where it fires hardest in each of its 9 top test digits: what
    zeroing each h_pool1 channel takes off its preactivation, through TensorFlow. 4.py's ranking of
    the inputs by their mean is TensorFlow's; bias + contributions is the preactivation."""
    repo, _ = looked
    with np.load(repo.image("4_channels.npz")) as saved:
        inputs, contributions = saved["h_conv2_inputs"], saved["h_conv2_input_contributions"]
    assert inputs.shape == contributions.shape == (64, 32)
    images = cnn.mnist.test.images
    [(maxima, rows, cols)] = channel_maxima(sess, [cnn.h_conv2], cnn.x, images)
    which = top_images(maxima, 9)
    z = cnn.h_conv2.op.inputs[0]  # conv2d(h_pool1, W_conv2) + b_conv2, before the ReLU
    assert z.op.type in ("AddV2", "Add", "BiasAdd")
    bias = cnn.b_conv2.eval()
    for j in range(64):
        pooled = cnn.h_pool1.eval({cnn.x: images[which[j]]})  # (9, 14, 14, 32)
        zeroed = np.repeat(pooled[:, None], 33, axis=1)  # [k, 0] as it is, [k, 1 + i] without channel i
        zeroed[:, np.arange(1, 33), :, :, np.arange(32)] = 0
        out = sess.run(z, {cnn.h_pool1: zeroed.reshape(-1, 14, 14, 32)}).reshape(9, 33, 14, 14, 64)
        at = out[np.arange(9), :, rows[which[j], j], cols[which[j], j], j]  # (9, 33)
        theirs = (at[:, :1] - at[:, 1:]).mean(axis=0)  # (32,): each input's mean contribution
        tolerance = 1e-4 * np.abs(theirs).max()
        assert np.abs(contributions[j] - theirs[inputs[j]]).max() <= tolerance, j
        assert (np.diff(theirs[inputs[j]]) <= tolerance).all(), (j, "largest first")
        assert sorted(inputs[j]) == list(range(32))
        # All of it: bias + the contributions = the preactivation (before the ReLU) at each place
        total = bias[j] + (at[:, :1] - at[:, 1:]).sum(axis=1)
        assert np.abs(total - at[:, 0]).max() <= 1e-4 * np.abs(at[:, 0]).max() + 1e-5, j


def test_4_circuits_sheet_has_a_row_per_channel_in_the_kernels_colours(looked, sess):
    repo, _ = looked
    sheet = np.asarray(Image.open(repo.image("4_h_conv2_circuits.png")).convert("RGB")).astype(int)
    frame = (sheet == 160).all(axis=2)  # the kernels' gray frames: zero is white inside them
    x = np.flatnonzero(frame.sum(axis=0) > 64 * 30)[0]  # the first kernel's left edge, down the sheet
    edge = frame[:, x].astype(int)
    tops = np.flatnonzero(np.diff(edge) == 1) + 1
    assert len(tops) == 64, "a row per channel"
    with np.load(repo.image("4_channels.npz")) as saved:
        inputs = saved["h_conv2_inputs"]
    W = cnn.W_conv2.eval()
    zoom = (np.flatnonzero(np.diff(edge) == -1)[0] + 1 - tops[0] - 2) // 5  # the kernel's cells inside the frame
    for j in (0, 31, 63):  # red where the kernel of the most exciting input is positive, blue where negative
        kernel = W[:, :, inputs[j, 0], j]
        scale = max(np.abs(W[:, :, i, j]).max() for i in list(inputs[j, :4]) + list(inputs[j, -2:]))
        cells = sheet[tops[j] + 1 + zoom // 2::zoom, x + 1 + zoom // 2::zoom][:5, :5]
        strong = np.abs(kernel) > 0.2 * scale
        assert ((cells[..., 0] > cells[..., 2]) == (kernel > 0))[strong].all(), j
        assert (np.abs(cells[..., 0] - cells[..., 2]) < 40)[np.abs(kernel) < 0.02 * scale].all(), "near zero, near white"


def test_receptive_fields_are_derived_from_the_layers():
    assert receptive_field(cnn.h_conv1) == (5, 1, -2)
    assert receptive_field(cnn.h_pool1) == (6, 2, -2)
    assert receptive_field(cnn.h_conv2) == (14, 2, -6)
    assert receptive_field(cnn.h_pool2) == (16, 4, -6)


@pytest.mark.parametrize("pixel", [(0, 0), (13, 14), (27, 5), (20, 27)])
@pytest.mark.parametrize("name", PATTERNS)
def test_a_pixel_changes_exactly_the_outputs_whose_field_holds_it(sess, name, pixel):
    layer = LAYERS[name]
    blank = np.zeros((1, 28, 28), np.float32)
    inked = blank.copy()
    inked[0][pixel] = 1.0
    outputs = sess.run(layer, {cnn.x: np.concatenate([blank, inked]).reshape(2, 784)})
    # How much each place changed (its largest change over the channels), as a share of the layer's
    # largest output. Outside the field the two images' sums are the same numbers, but a kernel may
    # add them in another order for one image than for the other (Eigen does): a last bit, 1e-7.
    change = np.abs(outputs[1] - outputs[0]).max(axis=-1) / np.abs(outputs).max()
    size, stride, offset = receptive_field(layer)
    starts = offset + stride * np.arange(change.shape[0])
    holds = [(s <= pixel[0] < s + size, s <= pixel[1] < s + size) for s in starts]
    field = np.array([[rows and cols for _, cols in holds] for rows, _ in holds])
    assert field.any()
    assert (change[field] > 1e-3).all(), "every output whose field holds the pixel changes"
    assert (change[~field] < 1e-5).all(), "no other output changes, but for rounding"


def test_patches_are_the_fields_cropped_black_off_the_image():
    images = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28) + 1
    which = np.array([[1, 0]])
    patches = crop_fields(images, which, np.array([[0, 13]]), np.array([[0, 10]]), (14, 2, -6))
    assert patches.shape == (1, 2, 14, 14)
    assert (patches[0, 0, :6, :] == 0).all() and (patches[0, 0, :, :6] == 0).all(), "off the image: black"
    assert (patches[0, 0, 6:, 6:] == images[1, :8, :8]).all()
    assert (patches[0, 1, :8] == images[0, 20:28, 14:28]).all() and (patches[0, 1, 8:] == 0).all()


def test_4_trains_first_when_there_is_no_model(repo):
    stdout = repo.run("4.py", "--steps", "20", "--seed", "2", "--ascent-steps", "10").stdout
    lines = stdout.splitlines()
    assert lines[0].startswith("step 0, training accuracy ")
    assert re.fullmatch(r"test accuracy [\d.]+", lines[1])
    assert lines[2].startswith("model/: 20 training steps, seed 2, test accuracy ")
    assert sorted(os.listdir(os.path.join(repo.path, "model")))[-1] == "run.json"
    assert sorted(os.listdir(os.path.join(repo.path, "images"))) == sorted(
        OUTPUTS + ["4.html", "4_channels.npz"] + run_page_files([0, 20])), "and the page of the run it trained"
