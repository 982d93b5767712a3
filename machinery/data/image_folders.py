# -*- coding: utf-8 -*-
"""A data set of one folder of images per class (the convention of torchvision's ImageFolder and Keras'
image_dataset_from_directory): DIR/CLASS/*.png, or DIR/train/CLASS/ and DIR/test/CLASS/.

Each image is made 28x28 gray as a person sees it (upright, transparent parts white, the whole picture
fitted into the square keeping its shape); the result is cached beside the images in an .npz, with a
hash of the files' names, sizes and times, so that the next run starts as fast as with MNIST.
"""

import hashlib
import os
import tempfile

import numpy as np
from PIL import Image, ImageOps

from input_data import DataError
from machinery.analyses.mnist_preprocessing import ImageError, open_image

EXTENSIONS = (".png", ".jpg", ".jpeg")
MAX_IMAGES = 1_000_000  # 3 GB as the network's float32 inputs: about what a 24 GiB machine can train on beside TensorFlow
TEST_SHARE = 7  # without train/ and test/: one image in 7 of each class is the test set (MNIST's 10,000 of 70,000)
CACHE = ".tf-cnn-image-cache.npz"
VERSION = "1"  # of picture(): a change to it makes the caches stale


def read(path):
    """(train, test, class names, hash): train and test are (images (n, 784) float32 in [0, 1], labels)."""
    split_given = all(os.path.isdir(os.path.join(path, part)) for part in ("train", "test"))
    parts = ("train", "test") if split_given else ("",)
    classes = class_folders(os.path.join(path, parts[0]) if split_given else path)
    listing = []  # (file, class index, part)
    for part in parts:
        if part and class_folders(os.path.join(path, part)) != classes:
            raise DataError("%s: its class folders are not those of %s" % (os.path.join(path, part), os.path.join(path, "train")))
        for label, name in enumerate(classes):
            folder = os.path.join(path, part, name)
            files = sorted(f for f in os.listdir(folder) if f.lower().endswith(EXTENSIONS) and not f.startswith("."))
            if not files:
                raise DataError("%s: no PNG or JPEG images in this class's folder" % folder)
            listing += [(os.path.join(folder, f), label, part or "train") for f in files]
    if len(listing) > MAX_IMAGES:
        raise DataError("%s: %d images, over the %d this machine can hold (3 GB as the network's inputs)"
                        % (path, len(listing), MAX_IMAGES))
    key = source_hash(path, listing)

    images, labels, is_test = cached(path, key)
    if images is None:
        images = np.stack([picture(file) for file, _, _ in listing])
        labels = np.array([label for _, label, _ in listing], np.int64)
        is_test = np.array([part == "test" for _, _, part in listing]) if split_given else held_out(labels)
        keep(path, key, images, labels, is_test)
    if not is_test.any():
        raise DataError("%s: too few images to hold one in %d of a class out as the test set "
                        "(or give it train/ and test/ folders)" % (path, TEST_SHARE))
    # In a fixed mixed order (the files are listed class by class), so that the first test images show every class
    order = np.random.default_rng(0).permutation(len(images))
    images, labels, is_test = images[order], labels[order], is_test[order]
    flat = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    return (flat[~is_test], labels[~is_test]), (flat[is_test], labels[is_test]), classes, key


def class_folders(path):
    """The class names: the sub-folders of path, sorted (as ImageFolder does); at least two."""
    classes = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)) and not d.startswith("."))
    if len(classes) < 2:
        raise DataError("%s: %s; a data set of image folders needs one folder per class, two or more"
                        % (path, "one class folder" if classes else "no class folders"))
    return classes


def picture(file):
    """An image file as the network's 28x28 gray input (uint8): upright, transparent parts white, fitted
    into the square keeping its shape, the rest filled with the colour of its border."""
    try:
        return fitted(open_image(file))
    except ImageError as e:
        raise DataError(str(e)) from None


def fitted(image):
    """A PIL image (upright) as picture() makes it: 28x28 gray uint8, its shape kept."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    gray = Image.alpha_composite(white, rgba).convert("L")
    edge = np.concatenate([np.asarray(gray)[[0, -1], :].ravel(), np.asarray(gray)[:, [0, -1]].ravel()])
    fitted = ImageOps.pad(gray, (28, 28), Image.Resampling.LANCZOS, color=int(np.median(edge)))
    return np.asarray(fitted, np.uint8)


def held_out(labels):
    """Which images are the test set: one in TEST_SHARE of each class, chosen by a fixed seed."""
    rng = np.random.default_rng(0)
    is_test = np.zeros(len(labels), bool)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        is_test[members[:len(members) // TEST_SHARE]] = True
    return is_test


def source_hash(path, listing):
    """A hash of what the images are made from: each file's name under path, size and modification time."""
    digest = hashlib.sha256(VERSION.encode())
    for file, label, part in listing:
        stat = os.stat(file)
        digest.update(("%s\t%d\t%s\t%d\t%d\n" % (os.path.relpath(file, path), label, part, stat.st_size, stat.st_mtime_ns)).encode())
    return digest.hexdigest()


def cached(path, key):
    """(images, labels, is_test) from the cache beside the images if it was made from them, else Nones."""
    try:
        with np.load(os.path.join(path, CACHE)) as cache:
            if str(cache["key"]) == key:
                return cache["images"], cache["labels"], cache["is_test"]
    except (OSError, KeyError, ValueError):
        pass  # none yet, stale or damaged: made again
    return None, None, None


def keep(path, key, images, labels, is_test):
    """The cache, written under a temporary name and renamed; a folder we may not write to keeps none."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=CACHE + ".", suffix=".part", dir=path)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, key=key, images=images, labels=labels, is_test=is_test)
        os.replace(tmp, os.path.join(path, CACHE))
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
