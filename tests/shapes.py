"""A small data set that is not digits, made here with no download: ten kinds of drawn shapes, white on
black at random sizes and places, written in MNIST's IDX format with a classes.txt, or as class folders."""

import gzip
import os

import numpy as np
from PIL import Image, ImageDraw

from test_input_data import idx_bytes

CLASSES = ["丸", "四角", "三角", "バツ", "十字", "横線", "縦線", "ひし形", "二重丸", "点"]  # circle, square, ...


def shapes(count, seed=0):
    """(images (count, 28, 28) uint8, labels (count,) uint8): shape k % 10 for image k."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    labels = np.arange(count, dtype=np.uint8) % len(CLASSES)
    for k, label in enumerate(labels):
        image = Image.new("L", (28, 28))
        draw = ImageDraw.Draw(image)
        r = rng.uniform(6, 10)
        cx, cy = rng.uniform(4 + r, 24 - r, size=2)
        width = int(rng.integers(2, 4))
        box = [cx - r, cy - r, cx + r, cy + r]
        if label == 0:
            draw.ellipse(box, outline=255, width=width)
        elif label == 1:
            draw.rectangle(box, outline=255, width=width)
        elif label == 2:
            draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], outline=255, width=width)
        elif label == 3:
            draw.line([(cx - r, cy - r), (cx + r, cy + r)], 255, width)
            draw.line([(cx - r, cy + r), (cx + r, cy - r)], 255, width)
        elif label == 4:
            draw.line([(cx - r, cy), (cx + r, cy)], 255, width)
            draw.line([(cx, cy - r), (cx, cy + r)], 255, width)
        elif label == 5:
            draw.line([(cx - r, cy), (cx + r, cy)], 255, width)
        elif label == 6:
            draw.line([(cx, cy - r), (cx, cy + r)], 255, width)
        elif label == 7:
            draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], outline=255, width=width)
        elif label == 8:
            draw.ellipse(box, outline=255, width=2)
            draw.ellipse([cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2], outline=255, width=2)
        else:
            d = r / 3
            draw.ellipse([cx - d, cy - d, cx + d, cy + d], fill=255)
        images[k] = np.asarray(image)
    return images, labels


def write_idx(folder, train=600, test=100, classes=True, gz=True):
    """The shapes as MNIST's four IDX files (gzipped, or not) in folder, with a classes.txt; the folder."""
    os.makedirs(folder, exist_ok=True)
    for prefix, count, seed in [("train", train, 1), ("t10k", test, 2)]:
        images, labels = shapes(count, seed)
        for kind, array, magic in [("images-idx3", images, 2051), ("labels-idx1", labels, 2049)]:
            name = os.path.join(folder, "%s-%s-ubyte" % (prefix, kind))
            data = idx_bytes(array, magic)
            with (gzip.open(name + ".gz", "wb") if gz else open(name, "wb")) as f:
                f.write(data)
    if classes:
        with open(os.path.join(folder, "classes.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(CLASSES) + "\n")
    return folder


def write_folders(folder, count=140, split=False):
    """The shapes as class folders of PNGs, black on white and four times larger (a person's pictures);
    with split, under train/ and test/."""
    images, labels = shapes(count, 3)
    for k, (image, label) in enumerate(zip(images, labels)):
        part = ("test" if k % 7 == 0 else "train") if split else ""
        path = os.path.join(folder, part, CLASSES[label])
        os.makedirs(path, exist_ok=True)
        Image.fromarray(255 - image).resize((112, 112), Image.Resampling.BICUBIC).save(os.path.join(path, "%04d.png" % k))
    return folder

