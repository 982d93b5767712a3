# -*- coding: utf-8 -*-
"""The data a run trains on, from --data DIR: MNIST_data/ (the article's), a data set in MNIST's IDX
format (Fashion-MNIST, Kuzushiji-MNIST, EMNIST), or one folder of images per class (image_folders.py).

read(DIR) gives input_data's Datasets (train, validation, test; one-hot labels) and the data set's
facts for run.json: its name, format, class names, image counts and a hash of its files.
"""

import glob
import gzip
import hashlib
import os
import re
import zlib

import numpy as np

import input_data
from input_data import DataError, Datasets, DataSet
from machinery.analyses.mnist_preprocessing import BOX, measure_convention, to_mnist
from machinery.data import image_folders
from tools import ROOT

MNIST_DIR = os.path.join(ROOT, "MNIST_data")
MAX_CLASSES = 62  # EMNIST's largest split (byclass: 10 digits, 26 capitals, 26 small letters)
CONVENTION_IMAGES = 2000  # the training images whose ink's box and centring say how the reader's image is made
VALIDATION = 5000  # MNIST's validation set: the first 5,000 training images, held out as TF 1.x did
# MNIST's file names, which Fashion-MNIST and Kuzushiji-MNIST keep; EMNIST's are "emnist-SPLIT-train-images-..."
PARTS = {"train images": "train-images-idx3-ubyte", "train labels": "train-labels-idx1-ubyte",
         "test images": "t10k-images-idx3-ubyte", "test labels": "t10k-labels-idx1-ubyte"}
EMNIST = re.compile(r"emnist-([a-z]+)-train-images-idx3-ubyte(?:\.gz)?$")


def read(path=None):
    """(Datasets with one-hot labels, facts) of the data set at path (None: MNIST_data/); DataError
    with a one-line message naming the file for anything wrong."""
    path = os.path.abspath(path or MNIST_DIR)
    if os.path.realpath(path) == os.path.realpath(MNIST_DIR):
        # The article's data: input_data's reader as it is (the real MNIST files, downloaded if missing).
        mnist = input_data.read_data_sets(path, one_hot=True)
        files = [os.path.join(path, name) for name in input_data.FILES]
        return mnist, facts(path, "MNIST", [str(k) for k in range(10)], mnist, file_hash(files),
                            {"steps": "ink", "box": BOX, "by_mass": True})
    if not os.path.exists(path) and not glob.glob(path + "-train-images-idx3-ubyte*"):
        raise DataError("%s: no such folder" % path)
    idx = idx_files(path)
    if idx:
        return read_idx(path, idx)
    train, test, classes, key = image_folders.read(path)
    mnist = split(train, test, classes)
    # The pictures' paper, for 6.html's pad: the median of their borders (0 black .. 255 white)
    edges = train[0][:CONVENTION_IMAGES].reshape(-1, 28, 28)[:, [0, -1], :]
    paper = int(np.rint(255 * np.median(edges)))
    return mnist, facts(path, "image folders", classes, mnist, key, {"steps": "picture", "paper": paper})


def idx_files(path):
    """{part: file} of the four IDX files at path, gzipped or not, under MNIST's names or EMNIST's
    (path a folder holding one EMNIST split, or a split's prefix such as gzip/emnist-letters); {} if none."""
    if os.path.isdir(path):
        splits = sorted({m.group(1) for m in map(EMNIST.match, os.listdir(path)) if m})
        if len(splits) > 1:
            raise DataError("%s: holds %d EMNIST splits (%s): name one, e.g. --data %s"
                            % (path, len(splits), ", ".join(splits), os.path.join(path, "emnist-" + splits[0])))
        prefix = os.path.join(path, "emnist-%s-" % splits[0]) if splits else os.path.join(path, "")
    else:
        prefix = path + "-"
    emnist = os.path.basename(prefix).startswith("emnist-")
    found = {}
    for part, name in PARTS.items():
        name = name.replace("t10k", "test") if emnist else name
        found[part] = next((prefix + name + ext for ext in (".gz", "") if os.path.exists(prefix + name + ext)), None)
    if not any(found.values()):
        return {}
    missing = [prefix + PARTS[part] + ".gz" for part, file in found.items() if file is None]
    if missing:
        raise DataError("%s: missing (the four IDX files go together)" % missing[0])
    return found


def read_idx(path, files):
    """A data set of four IDX files: EMNIST's images upright and its labels counted from 0."""
    emnist = os.path.basename(files["train images"]).startswith("emnist-")
    images = {part: idx_array(files[part + " images"], input_data.IMAGE_MAGIC, 3) for part in ("train", "test")}
    labels = {part: idx_array(files[part + " labels"], input_data.LABEL_MAGIC, 1) for part in ("train", "test")}
    for part in ("train", "test"):
        if images[part].shape[1:] != (28, 28):
            raise DataError("%s: images of %s pixels, not 28 x 28" % (files[part + " images"], " x ".join(map(str, images[part].shape[1:]))))
        if len(labels[part]) != len(images[part]):
            raise DataError("%s: %d labels for %d images" % (files[part + " labels"], len(labels[part]), len(images[part])))
        if emnist:
            images[part] = images[part].transpose(0, 2, 1)  # EMNIST stores each image transposed
    folder = os.path.dirname(files["train images"])
    mapping = files["train images"].replace("-train-images-idx3-ubyte", "-mapping.txt").removesuffix(".gz")
    if emnist and os.path.exists(mapping):
        codes, classes = emnist_mapping(mapping)
        for part in ("train", "test"):  # letters' labels run from 1: the mapping says which label is which class
            known = np.isin(labels[part], codes)
            if not known.all():
                raise DataError("%s: label %d is not in %s" % (files[part + " labels"], labels[part][~known][0], mapping))
            labels[part] = np.searchsorted(codes, labels[part])
        class_file = mapping
    else:
        count = max(int(labels[part].max(initial=0)) for part in ("train", "test")) + 1
        classes, class_file = class_names(folder, count)  # (a label past classes.txt's names: its count is wrong)
    check_class_count(len(classes), class_file or files["train labels"])
    # uint8 pixels, scaled as input_data's DataSet serves them
    train, test = [(images[part].reshape(len(images[part]), -1), labels[part]) for part in ("train", "test")]
    mnist = split(train, test, classes)
    extra = [class_file] if class_file else []
    box, by_mass = measure_convention(input_data.to_float(train[0][:CONVENTION_IMAGES]).reshape(-1, 28, 28))
    return mnist, facts(path, "EMNIST" if emnist else "IDX", classes, mnist, file_hash(list(files.values()) + extra),
                        {"steps": "ink", "box": box, "by_mass": by_mass})


def idx_array(path, magic, ndim):
    """The unsigned bytes of an IDX file, gzipped or not, shaped by its header."""
    try:
        with open(path, "rb") as f:
            data = gzip.decompress(f.read()) if path.endswith(".gz") else f.read()
    except EOFError:
        raise DataError("%s: truncated (the gzip stream ends early)" % path) from None
    except (OSError, zlib.error) as e:
        raise DataError("%s: can't be read (%s)" % (path, e)) from None
    return input_data.parse_idx(data, path, magic, ndim)


def class_names(folder, count):
    """(names, the file they came from) for labels 0..count-1: classes.txt (one a line), Kuzushiji-MNIST's
    kmnist_classmap.csv, or the labels' numbers."""
    text = os.path.join(folder, "classes.txt")
    if os.path.exists(text):
        names = read_lines(text)
        if len(names) != count:
            raise DataError("%s: %d names for %d classes (the labels run from 0 to %d)" % (text, len(names), count, count - 1))
        return names, text
    classmap = os.path.join(folder, "kmnist_classmap.csv")
    if os.path.exists(classmap):
        rows = [line.split(",") for line in read_lines(classmap)[1:]]  # index,codepoint,char
        if len(rows) == count and all(len(row) == 3 for row in rows):
            return [row[2] for row in rows], classmap
    return [str(k) for k in range(count)], None


def emnist_mapping(path):
    """(labels, class names) from EMNIST's mapping file: "label code [code ...]" a line (letters: "1 65 97")."""
    try:
        rows = [[int(v) for v in line.split()] for line in read_lines(path)]
        codes = np.array([row[0] for row in rows])
        names = ["/".join(chr(c) for c in row[1:]) for row in rows]
    except (ValueError, IndexError):
        raise DataError("%s: not EMNIST's mapping (each line: a label and its character codes)" % path) from None
    if (np.diff(codes) <= 0).any():
        raise DataError("%s: its labels are not in increasing order" % path)
    return codes, names


def read_lines(path):
    """The file's non-empty lines, stripped; DataError if it is not UTF-8 text."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return [line.strip() for line in f if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        raise DataError("%s: can't be read as UTF-8 text (%s)" % (path, e)) from None


def check_class_count(count, where):
    if not 2 <= count <= MAX_CLASSES:
        raise DataError("%s: %d classes; the network takes 2 to %d" % (where, count, MAX_CLASSES))


def split(train, test, classes):
    """Datasets of (images, labels) pairs, one-hot over the classes; a large training set keeps MNIST's
    5,000 validation images out, a folder's smaller set keeps them all for training."""
    eye = np.eye(len(classes), dtype=np.float32)
    (train_images, train_labels), (test_images, test_labels) = train, test
    held = VALIDATION if len(train_images) >= 2 * VALIDATION else 0
    return Datasets(train=DataSet(train_images[held:], eye[train_labels[held:]]),
                    validation=DataSet(train_images[:held], eye[train_labels[:held]]),
                    test=DataSet(test_images, eye[test_labels]))


def file_hash(files):
    """SHA-256 of the files' bytes, one after the other."""
    digest = hashlib.sha256()
    for file in files:
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def facts(path, kind, classes, mnist, sha256, reader_image):
    """What run.json records of a data set: where it is, its format and classes, its size, a hash of its
    files, and how a reader's image is made into an input like its own (reader_input)."""
    relative = os.path.relpath(path, ROOT)
    return {"name": os.path.basename(path.rstrip(os.sep)), "path": path if relative.startswith("..") else relative,
            "format": kind, "classes": classes,
            "train_images": mnist.train.num_examples + mnist.validation.num_examples,
            "test_images": mnist.test.num_examples, "sha256": sha256, "reader_image": reader_image}


def reader_input(image, name, data):
    """A reader's PIL image as an input (28, 28) float32 in [0, 1] made the way data's images were: a
    picture fitted as a folder's images are, or ink on paper as MNIST's digits (box and centring measured)."""
    how = data["reader_image"]
    if how["steps"] == "picture":
        return image_folders.fitted(image).astype(np.float32) / np.float32(255)
    return to_mnist(image, name, how["box"], how["by_mass"])
