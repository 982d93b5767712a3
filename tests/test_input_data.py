"""input_data.py: the MNIST reader, on small IDX files the tests write."""

import functools
import gzip
import hashlib
import http.server
import os
import socket
import struct
import threading
import tracemalloc

import numpy as np
import pytest

import input_data
from conftest import ROOT
from input_data import DataError

TRAIN, TEST = 30, 8  # examples in the small files


def idx_bytes(array, magic):
    return struct.pack(">I", magic) + struct.pack(">%dI" % array.ndim, *array.shape) + array.tobytes()


def write_gz(path, data):
    with gzip.open(path, "wb") as f:
        f.write(data)


@pytest.fixture
def data_dir(tmp_path):
    """Four small MNIST-format files: image k has every pixel equal to k, labelled k % 10."""
    data_dir = tmp_path / "MNIST_data"
    data_dir.mkdir()
    for prefix, n in [("train", TRAIN), ("t10k", TEST)]:
        images = np.repeat(np.arange(n, dtype=np.uint8), 28 * 28).reshape(n, 28, 28)
        write_gz(data_dir / ("%s-images-idx3-ubyte.gz" % prefix), idx_bytes(images, 2051))
        labels = np.arange(n, dtype=np.uint8) % 10
        write_gz(data_dir / ("%s-labels-idx1-ubyte.gz" % prefix), idx_bytes(labels, 2049))
    return data_dir


def ids(images):
    """Which example each row is (pixel value k / 255 for example k)."""
    return np.rint(images[:, 0] * 255).astype(int).tolist()


def test_reads_images_and_labels(data_dir):
    mnist = input_data.read_data_sets(str(data_dir), validation_size=5)
    assert mnist.train.images.shape == (TRAIN - 5, 784) and mnist.train.images.dtype == np.float32
    assert mnist.validation.num_examples == 5 and mnist.test.num_examples == TEST
    assert ids(mnist.validation.images) == [0, 1, 2, 3, 4]  # the first examples, unshuffled
    assert ids(mnist.test.images) == list(range(TEST))
    assert mnist.test.labels.tolist() == [k % 10 for k in range(TEST)]
    assert 0.0 <= mnist.train.images.min() and mnist.train.images.max() <= 1.0


def test_pixels_are_tf1s_floats_in_each_batch_and_the_whole_set_is_made_only_when_asked_for():
    """Every byte 0..255 becomes TF 1.x's float32(byte) * (1 / 255), in a batch and in `images`; serving
    batches scales only theirs, not the whole set (63 MB here as floats, 172 MB for MNIST's training set)."""
    rows = 20000
    pixels = ((np.arange(rows)[:, None] + np.arange(784)) % 256).astype(np.uint8)
    tf1 = np.multiply(pixels.astype(np.float32), 1.0 / 255.0)  # TF 1.x's extract_images, then its DataSet
    assert len(np.unique(tf1)) == 256, "every byte is among the pixels"
    data = input_data.DataSet(pixels, np.arange(rows))
    np.random.seed(0)
    tracemalloc.start()
    batches = [data.next_batch(50) for _ in range(20)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 50 * 784 * 4 + 1e6, "the batches' floats alone, not the set's"
    for images, which in batches:
        assert images.dtype == np.float32 and np.array_equal(images, tf1[which])
    assert data.images.dtype == np.float32 and np.array_equal(data.images, tf1)


def test_one_hot(data_dir):
    mnist = input_data.read_data_sets(str(data_dir), one_hot=True, validation_size=5)
    labels = mnist.test.labels
    assert labels.shape == (TEST, 10) and labels.dtype == np.float32
    assert labels.argmax(axis=1).tolist() == [k % 10 for k in range(TEST)]
    assert (labels.sum(axis=1) == 1).all()


def test_next_batch_visits_each_example_once_per_epoch_and_stitches(data_dir):
    np.random.seed(0)
    train = input_data.read_data_sets(str(data_dir), validation_size=5).train  # 25 examples
    batches = [train.next_batch(7) for _ in range(3)]          # 21 of the first epoch
    first_epoch = sum((ids(images) for images, _ in batches), [])
    stitched, stitched_labels = train.next_batch(7)            # 4 old + 3 new
    assert train.epochs_completed == 1
    first_epoch += ids(stitched)[:4]
    assert sorted(first_epoch) == list(range(5, 30)), "an epoch is every example once"
    assert first_epoch != list(range(5, 30)), "the first epoch is shuffled"
    second_epoch = ids(stitched)[4:] + sum((ids(train.next_batch(11)[0]) for _ in range(2)), [])
    assert sorted(second_epoch) == list(range(5, 30))
    assert stitched_labels.tolist() == [k % 10 for k in ids(stitched)], "labels follow their images"


def test_next_batch_repeats_with_numpy_seed(data_dir):
    draws = []
    for _ in range(2):
        np.random.seed(42)
        train = input_data.read_data_sets(str(data_dir), validation_size=5).train
        draws.append([ids(train.next_batch(9)[0]) for _ in range(5)])
    assert draws[0] == draws[1]


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[:100]), "truncated"),
    (lambda p: p.write_bytes(b"not gzip at all"), "not a valid gzip file"),
    (lambda p: write_gz(p, idx_bytes(np.zeros((2, 28, 28), np.uint8), 2049)), "invalid magic number 2049, expected 2051"),
    (lambda p: write_gz(p, idx_bytes(np.zeros((2, 28, 28), np.uint8), 2051)[:-5]), "header says 2 x 28 x 28 values, file holds 1563"),
    (lambda p: write_gz(p, b"\x00\x00"), "too short for an IDX header"),
])
def test_bad_image_file(data_dir, damage, message):
    path = data_dir / "train-images-idx3-ubyte.gz"
    damage(path)
    with pytest.raises(DataError) as e:
        input_data.read_data_sets(str(data_dir))
    assert str(e.value).startswith(str(path) + ": ") and message in str(e.value)
    assert "\n" not in str(e.value)


def test_labels_that_disagree_with_images(data_dir):
    path = data_dir / "t10k-labels-idx1-ubyte.gz"
    write_gz(path, idx_bytes(np.zeros(TEST + 1, np.uint8), 2049))
    with pytest.raises(DataError, match="%d labels for %d images" % (TEST + 1, TEST)):
        input_data.read_data_sets(str(data_dir), validation_size=5)
    write_gz(path, idx_bytes(np.full(TEST, 10, np.uint8), 2049))
    with pytest.raises(DataError, match="label 10 is not a digit"):
        input_data.read_data_sets(str(data_dir), validation_size=5)


def test_shipped_files_are_the_real_mnist():
    for name, sha256 in input_data.FILES.items():
        input_data.check_sha256(os.path.join(ROOT, "MNIST_data", name), sha256)


def test_validation_size_out_of_range(data_dir):
    with pytest.raises(ValueError, match="validation_size"):
        input_data.read_data_sets(str(data_dir), validation_size=TRAIN + 1)


# Downloads: a mirror served on this machine's loopback, never the network.

@pytest.fixture
def mirror(tmp_path, data_dir, monkeypatch):
    """An HTTP server on 127.0.0.1 serving a copy of data_dir; the reader trusts those files' hashes."""
    served = tmp_path / "mirror"
    served.mkdir()
    for name in input_data.FILES:
        (served / name).write_bytes((data_dir / name).read_bytes())
    hashes = {name: hashlib.sha256(gzip.decompress((data_dir / name).read_bytes())).hexdigest()
              for name in input_data.FILES}
    monkeypatch.setattr(input_data, "FILES", hashes)
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(input_data, "SOURCE_URLS", [closed_port_url(), "http://127.0.0.1:%d/" % server.server_port])
    yield served
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d/" % s.getsockname()[1]


def test_missing_file_is_downloaded_from_the_next_mirror(data_dir, mirror):
    (data_dir / "train-labels-idx1-ubyte.gz").unlink()
    mnist = input_data.read_data_sets(str(data_dir), validation_size=5)
    assert mnist.train.num_examples == TRAIN - 5
    assert (data_dir / "train-labels-idx1-ubyte.gz").read_bytes() == (mirror / "train-labels-idx1-ubyte.gz").read_bytes()
    assert not [p for p in os.listdir(data_dir) if p.endswith(".part")]
    assert (data_dir / "train-labels-idx1-ubyte.gz").stat().st_mode & 0o777 == 0o644, "readable, as the others"


def test_download_with_the_wrong_content_leaves_nothing(data_dir, mirror):
    (data_dir / "t10k-images-idx3-ubyte.gz").unlink()
    write_gz(mirror / "t10k-images-idx3-ubyte.gz", b"something else")
    with pytest.raises(DataError) as e:
        input_data.read_data_sets(str(data_dir))
    assert "not the MNIST file (SHA-256" in str(e.value)
    assert sorted(os.listdir(data_dir)) == sorted(set(input_data.FILES) - {"t10k-images-idx3-ubyte.gz"})


def test_missing_file_without_network_says_where_to_put_the_files(data_dir, monkeypatch):
    monkeypatch.setattr(input_data, "SOURCE_URLS", [closed_port_url()])
    (data_dir / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError) as e:
        input_data.read_data_sets(str(data_dir))
    message = str(e.value)
    assert message.startswith(str(data_dir / "train-images-idx3-ubyte.gz") + ": missing")
    assert "copy the four MNIST .gz files into %s" % data_dir in message and "\n" not in message
    assert os.listdir(data_dir) and not [p for p in os.listdir(data_dir) if p.endswith(".part")]


class TF1DataSet:
    """TF 1.x's DataSet.next_batch (shuffle=True), which shuffled by copying the whole set."""

    def __init__(self, images, labels):
        self._images, self._labels, self._n = images, labels, len(images)
        self.epochs_completed, self._index_in_epoch = 0, 0

    def next_batch(self, batch_size):
        start = self._index_in_epoch
        if self.epochs_completed == 0 and start == 0:
            perm0 = np.arange(self._n)
            np.random.shuffle(perm0)
            self._images, self._labels = self._images[perm0], self._labels[perm0]
        if start + batch_size > self._n:
            self.epochs_completed += 1
            images_rest, labels_rest = self._images[start:], self._labels[start:]
            perm = np.arange(self._n)
            np.random.shuffle(perm)
            self._images, self._labels = self._images[perm], self._labels[perm]
            self._index_in_epoch = end = batch_size - len(images_rest)
            return (np.concatenate((images_rest, self._images[:end])),
                    np.concatenate((labels_rest, self._labels[:end])))
        self._index_in_epoch += batch_size
        return self._images[start:self._index_in_epoch], self._labels[start:self._index_in_epoch]


@pytest.mark.parametrize("batch_size", [7, 50, 101, 1003])
def test_next_batch_draws_tf1s_batches(batch_size):
    images = np.arange(1003 * 3, dtype=np.float32).reshape(1003, 3)
    labels = np.arange(1003)
    np.random.seed(5)
    tf1 = TF1DataSet(images, labels)
    expected = [tf1.next_batch(batch_size) for _ in range(300)]
    np.random.seed(5)
    ours = input_data.DataSet(images, labels)
    for want, got in zip(expected, (ours.next_batch(batch_size) for _ in range(300))):
        np.testing.assert_array_equal(want[0], got[0])
        np.testing.assert_array_equal(want[1], got[1])
    assert ours.epochs_completed == tf1.epochs_completed > 0
