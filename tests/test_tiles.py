"""The tiles against what they show: 2.py's sheet of 50 training digits, pixel for pixel, and 3.py's 80
tiles against the layers' activations, computed here from model/'s weights on the same 10 inputs."""

import gzip
import io
import os
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import cnn
from conftest import ROOT, Repo

GRAY = 0x80  # the article's gaps between tiles
LAYERS = ["h_conv1", "h_pool1", "h_conv2", "h_pool2"]


def training_digits(seed, count):
    """The first batch of count training digits after `--seed seed`, drawn here as TF 1.x's reader draws
    it: numpy seeded, the 55,000 training digits (those after MNIST's first 5,000, the validation set)
    shuffled once; read from MNIST_data/'s files: (pixels (count, 28, 28) uint8, labels)."""
    def idx(name, header):
        with open(os.path.join(ROOT, "MNIST_data", name), "rb") as f:
            return np.frombuffer(gzip.decompress(f.read()), np.uint8, offset=header)
    np.random.seed(seed)
    order = np.arange(55000)
    np.random.shuffle(order)
    chosen = 5000 + order[:count]
    return (idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)[chosen],
            idx("train-labels-idx1-ubyte.gz", 8)[chosen])


def gray_png(path):
    """A PNG the scripts wrote (RGB; a path or a file), as its one gray channel."""
    pixels = np.asarray(Image.open(path))
    assert pixels.ndim == 3 and (pixels == pixels[..., :1]).all(), "gray: R = G = B"
    return pixels[..., 0]


def untile(canvas, count, h, w, cols=8):
    """The count tiles (count, h, w) of a canvas laid out cols to a row with 1-pixel gaps, and whether
    everything else (the gaps, the empty cells of the last row) is the article's gray."""
    rows = (count - 1) // cols + 1
    assert canvas.shape == (rows * (h + 1) - 1, cols * (w + 1) - 1)
    tiles, rest = [], np.ones(canvas.shape, bool)
    for k in range(count):
        top, left = (k // cols) * (h + 1), (k % cols) * (w + 1)
        tiles.append(canvas[top:top + h, left:left + w])
        rest[top:top + h, left:left + w] = False
    return np.array(tiles), (canvas[rest] == GRAY).all()


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """`python 2.py --seed 5` twice and `--seed 6` once, one after the other in one copy: (the copy,
    [the bytes of each run's images/2.png], what images/ held after each run)."""
    path = tmp_path_factory.mktemp("sheets") / "tf-cnn-image"
    path.mkdir()
    repo = Repo(str(path))
    written, listed = [], []
    for seed in ("5", "5", "6"):
        repo.run("2.py", "--seed", seed)
        listed.append(sorted(os.listdir(os.path.join(repo.path, "images"))))
        with open(repo.image("2.png"), "rb") as f:
            written.append(f.read())
    return repo, written, listed


def test_2_writes_fifty_digits(sheets):
    repo, _, listed = sheets
    assert listed == [["2.png"]] * 3, "2.png and nothing else"
    image = Image.open(repo.image("2.png"))
    assert image.size == (231, 202) and image.mode == "RGB"


@pytest.mark.parametrize("seed, run", [(5, 0), (6, 2)])
def test_2_sheet_shows_the_batch_of_its_seed_pixel_for_pixel(sheets, seed, run):
    """Each of the 50 tiles is a training digit of the seed's first batch, as MNIST's file holds it
    (255 * pixel / 255 loses nothing in float32: no pixel moves), in the batch's order; gray between."""
    tiles, gray = untile(gray_png(io.BytesIO(sheets[1][run])), 50, 28, 28)
    digits, _ = training_digits(seed, 50)
    assert gray, "0x80 in the gaps and in the last row's six empty cells"
    for k in range(50):
        assert (tiles[k] == digits[k]).all(), "tile %d" % k


def test_2_with_a_seed_repeats_exactly_and_another_seed_draws_other_digits(sheets):
    _, written, _ = sheets
    assert written[0] == written[1], "one seed: the same bytes"
    assert written[0] != written[2], "another seed: another sheet"


@pytest.fixture(scope="module")
def layers(trained_repo):
    """3.py's 10 inputs (its `--seed 1` draw, made here) and, for "before" and "after", the four layers'
    activations on them, computed in this process from model/'s checkpoints."""
    repo, stdout = trained_repo
    pixels, labels = training_digits(1, 10)
    inputs = pixels.reshape(10, 784).astype(np.float32) / 255
    outputs = {}
    for tag in ("before", "after"):
        with tf.compat.v1.Session() as sess:
            cnn.restore_model(tag, os.path.join(repo.path, "model"))
            outputs[tag] = dict(zip(LAYERS, sess.run([getattr(cnn, name) for name in LAYERS],
                                                    {cnn.x: inputs, cnn.keep_prob: 1.0})))
    return repo, stdout, labels, outputs


def test_3_drew_the_inputs_its_seed_gives(layers):
    _, stdout, labels, _ = layers
    printed = re.findall(r"^Number:  \[(.*)\]$", stdout, re.M)
    assert printed == [", ".join(map(str, labels))] * 2, "the labels of the 10 digits drawn here"


@pytest.mark.parametrize("tag", ["before", "after"])
@pytest.mark.parametrize("name", LAYERS)
def test_3_tiles_are_the_layers_activations(layers, tag, name):
    """Each tile of 3_TAG_NAME_II.png is its channel's activation x 255, clipped to 0..255 and truncated
    to a byte (the article's np.uint8), 8 channels to a row, gray between. A pixel may be off by one
    only where 255 x activation lies within 0.01 of a whole number: computed in another process, with
    another batch (3.py's), float32 moves it by up to 1.8e-4 (measured: batches of 10 and of 1 here)."""
    repo, _, _, outputs = layers
    for i, activations in enumerate(outputs[tag][name]):  # (h, w, channels) of input i
        h, w, channels = activations.shape
        tiles, gray = untile(gray_png(repo.image("3_%s_%s_%02d.png" % (tag, name, i))), channels, h, w)
        assert gray, "0x80 between the tiles"
        scaled = 255 * np.transpose(activations, (2, 0, 1)).astype(np.float64)  # (channels, h, w)
        expected = np.clip(scaled, 0, 255).astype(np.uint8)
        off = tiles.astype(int) - expected
        at_a_boundary = np.abs(scaled - np.rint(scaled)) <= 0.01
        assert (np.abs(off) <= 1).all() and at_a_boundary[off != 0].all(), (
            "input %d: %d pixels off, at 255 x activation %s" % (i, (off != 0).sum(), scaled[off != 0][:5]))
