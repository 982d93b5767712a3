# -*- coding: utf-8 -*-
"""MNIST reader with the API of TensorFlow 1.x's tutorial `input_data.py`.

The article imports `input_data` from a clone of the TensorFlow repository; that module is gone from
TensorFlow 2.x, so this project carries its own:

    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
    batch = mnist.train.next_batch(50)          # (images, labels)
    mnist.test.images, mnist.test.labels

The four MNIST files ship in MNIST_data/. A missing file is downloaded from a public mirror, checked
against the SHA-256 of the real MNIST file, and only then renamed into place. Anything wrong with a
file raises DataError with a one-line message that names the file.
"""

import gzip
import hashlib
import math
import os
import tempfile
import urllib.request
import zlib
from collections import namedtuple

import numpy as np

FILES = {
    # file name: SHA-256 of its decompressed content (the published MNIST bytes)
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# Tried in order for a missing file: the mirror TensorFlow's later reader used, then PyTorch's.
SOURCE_URLS = [
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
]
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049

Datasets = namedtuple("Datasets", ["train", "validation", "test"])


class DataError(Exception):
    """A data file is missing, damaged or not MNIST; the message names the file."""


def read_data_sets(train_dir, one_hot=False, validation_size=5000):
    """Read (downloading if missing) the four MNIST files in train_dir, as TF 1.x did."""
    paths = {name: maybe_download(name, train_dir) for name in FILES}
    train_images = read_pixels(paths["train-images-idx3-ubyte.gz"])
    train_labels = read_labels(paths["train-labels-idx1-ubyte.gz"], len(train_images), one_hot)
    test_images = read_pixels(paths["t10k-images-idx3-ubyte.gz"])
    test_labels = read_labels(paths["t10k-labels-idx1-ubyte.gz"], len(test_images), one_hot)

    if not 0 <= validation_size <= len(train_images):
        raise ValueError("validation_size should be between 0 and %d, not %d"
                         % (len(train_images), validation_size))
    # The first validation_size training examples are held out, unshuffled, as in TF 1.x.
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:]),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size]),
        test=DataSet(test_images, test_labels))


class DataSet:
    """Images (n, 784) float32 in [0, 1] and their labels, served in shuffled mini-batches.

    `images` and `labels` stay in file order: the shuffling permutes an index, and a batch gathers
    its rows, which spares copying the whole set at every epoch as TF 1.x did. The batches are TF
    1.x's, draw for draw. Images given as uint8 pixels stay so, each batch scaled as it is served
    (to_float), and the whole set only if `images` is asked for.
    """

    def __init__(self, images, labels):
        self._pixels, self._images = (images, None) if images.dtype == np.uint8 else (None, images)
        self._labels = labels
        self._num_examples = len(images)
        self._order = np.arange(self._num_examples)  # the current epoch's order of the examples
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        if self._images is None:
            self._images = to_float(self._pixels)
        return self._images

    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def _shuffle(self):
        perm = np.arange(self._num_examples)
        np.random.shuffle(perm)  # numpy's global generator, as TF 1.x: np.random.seed() repeats it
        self._order = self._order[perm]

    def next_batch(self, batch_size):
        """The next batch_size examples: TF 1.x's semantics, shuffling at the start of each epoch.

        A batch that runs past the end of an epoch is the old epoch's rest followed by the start of
        the newly shuffled one.
        """
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            batch = self._order[start:self._index_in_epoch]
        else:
            # Finished epoch: keep its rest, reshuffle, and fill the batch from the new epoch.
            self._epochs_completed += 1
            rest = self._order[start:]
            self._shuffle()
            self._index_in_epoch = batch_size - len(rest)
            batch = np.concatenate((rest, self._order[:self._index_in_epoch]))
        images = self._images[batch] if self._images is not None else to_float(self._pixels[batch])
        return images, self._labels[batch]


def maybe_download(name, work_directory):
    """Path of work_directory/name, downloading it first if it is not there."""
    path = os.path.join(work_directory, name)
    if os.path.exists(path):
        return path
    os.makedirs(work_directory, exist_ok=True)
    failures = []
    for url in SOURCE_URLS:
        # A temporary name of this process's own, so that two scripts downloading at once don't collide.
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".part", dir=work_directory)
        try:
            with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url + name, timeout=30) as response:
                f.write(response.read())
            check_sha256(tmp, FILES[name])
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a data file is an ordinary file
            os.replace(tmp, path)
            return path
        except (OSError, DataError) as e:
            failures.append("%s: %s" % (url + name, e))
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise DataError("%s: missing, and the download failed (%s); copy the four MNIST .gz files into %s"
                    % (path, "; ".join(failures), os.path.abspath(work_directory)))


def check_sha256(path, expected):
    digest = hashlib.sha256(_gunzip(path)).hexdigest()
    if digest != expected:
        raise DataError("%s: not the MNIST file (SHA-256 of its content is %s, expected %s)"
                        % (path, digest, expected))


def _gunzip(path):
    try:
        with open(path, "rb") as f:
            return gzip.decompress(f.read())  # in one call, faster than a gzip.open stream (docs/performance.md)
    except EOFError:
        raise DataError("%s: truncated (the gzip stream ends early)" % path) from None
    except (OSError, zlib.error) as e:
        raise DataError("%s: not a valid gzip file (%s)" % (path, e)) from None


def _read_idx(path, magic, ndim):
    """The unsigned bytes of an IDX file, shaped by its header; DataError if the header is off."""
    return parse_idx(_gunzip(path), path, magic, ndim)


def parse_idx(data, path, magic, ndim):
    """An IDX file's bytes (path: for the messages) shaped by its header; DataError if the header is off."""
    header_size = 4 * (1 + ndim)
    if len(data) < header_size:
        raise DataError("%s: too short for an IDX header (%d bytes)" % (path, len(data)))
    header = np.frombuffer(data, ">u4", 1 + ndim)
    if header[0] != magic:
        raise DataError("%s: invalid magic number %d, expected %d (an IDX file of %s)"
                        % (path, header[0], magic, "images" if magic == IMAGE_MAGIC else "labels"))
    shape = tuple(int(n) for n in header[1:])
    body = np.frombuffer(data, np.uint8, offset=header_size)
    if body.size != math.prod(shape):
        raise DataError("%s: header says %s values, file holds %d"
                        % (path, " x ".join(map(str, shape)), body.size))
    return body.reshape(shape)


def read_pixels(path):
    """Images as (n, rows * cols) uint8 pixels, as the file holds them."""
    images = _read_idx(path, IMAGE_MAGIC, 3)
    return images.reshape(len(images), -1)


def to_float(pixels):
    """uint8 pixels as the network's inputs in [0, 1]: TF 1.x's float32(pixel) * (1 / 255), in one pass."""
    return np.multiply(pixels, np.float32(1.0 / 255.0), dtype=np.float32)


def read_labels(path, count, one_hot):
    """Labels as uint8 digits, or (n, 10) float32 one-hot rows; DataError unless there are count."""
    labels = _read_idx(path, LABEL_MAGIC, 1)
    if len(labels) != count:
        raise DataError("%s: %d labels for %d images" % (path, len(labels), count))
    if labels.size and labels.max() > 9:
        raise DataError("%s: label %d is not a digit" % (path, labels.max()))
    if one_hot:
        return np.eye(10, dtype=np.float32)[labels]
    return labels
