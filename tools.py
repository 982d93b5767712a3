# -*- coding: utf-8 -*-
"""The article's helpers: the layer builders of 0.py, and save_image / channels_to_images.

Importing this module builds no graph and reads no data.
"""

import argparse
import os

import numpy as np
import tensorflow as tf
from PIL import Image

ROOT = os.path.dirname(os.path.abspath(__file__))
IMAGES_DIR = os.path.join(ROOT, "images")  # where every script writes, whatever the current directory
GAP_COLOR = 0x80  # the gray between tiles


def parse_args(description, steps=False, seed=True):
    """The scripts' flags; a --seed seeds the graph's random ops and numpy's batch shuffling.

    Call it before `from cnn import *`: a graph-level seed applies only to ops created after it.
    """
    parser = argparse.ArgumentParser(description=description)
    if steps:
        parser.add_argument("--steps", type=int, default=20000, metavar="N",
                            help="training steps of batch 50 (default: %(default)s, the article's)")
    if seed:
        parser.add_argument("--seed", type=int, metavar="N",
                            help="seed for the initial weights, dropout and batches; two runs with "
                                 "one seed write identical images (default: unseeded, as the article)")
    args = parser.parse_args()
    if steps and args.steps < 0:
        parser.error("--steps must be 0 or more, not %d" % args.steps)
    if seed and args.seed is not None:
        if not 0 <= args.seed < 2**32:
            parser.error("--seed must be between 0 and 2**32 - 1, not %d" % args.seed)
        tf.compat.v1.disable_eager_execution()  # so that the seed goes to the graph, not to eager mode
        tf.compat.v1.set_random_seed(args.seed)
        np.random.seed(args.seed)
    return args


"""
0.py のヘルパー (the layer builders from the article's 0.py)
"""

def weight_variable(shape):
    initial = tf.compat.v1.truncated_normal(shape, stddev=0.1)
    return tf.Variable(initial)


def bias_variable(shape):
    initial = tf.constant(0.1, shape=shape)
    return tf.Variable(initial)


def conv2d(x, W):
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding='SAME')


def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1],
                          strides=[1, 2, 2, 1], padding='SAME')


"""
画像の作り方 (making the images)
"""

def save_image(file_name, image_ndarray, cols=8):
    """Tile images (count, h, w) of values 0..255, cols to a row with 1-pixel gray gaps, as images/file_name."""
    # 画像数, 高さ, 幅 (count, height, width)
    count, h, w = image_ndarray.shape
    # 縦に画像を配置する数 (rows of tiles)
    rows = (count - 1) // cols + 1
    # 復数の画像を大きな画像に配置し直す (place the images on one canvas): give each a gray cell of
    # (h + 1) x (w + 1), lay the cells out rows x cols, and cut the gap after the last row and column.
    cells = np.full((rows * cols, h + 1, w + 1), GAP_COLOR, np.uint8)
    # The article's np.uint8(image) wraps values above 255 around; clip them first.
    cells[:count, :h, :w] = np.clip(image_ndarray, 0, 255)
    canvas = cells.reshape(rows, cols, h + 1, w + 1).swapaxes(1, 2).reshape(rows * (h + 1), cols * (w + 1))
    canvas = Image.fromarray(canvas[:-1, :-1]).convert("RGB")
    save_atomically(canvas, file_name)


def channels_to_images(channels):
    """One layer's output for one input, (h, w, channels), as channels images (channels, h, w) x 255."""
    # The article's loop: images[i][y][x] = channels[y][x][i]
    return np.transpose(channels, (2, 0, 1)) * 255


def save_atomically(image, file_name, **params):
    """Save a Pillow image as images/file_name via a temporary name, so no half-written file is left."""
    os.makedirs(IMAGES_DIR, exist_ok=True)
    path = os.path.join(IMAGES_DIR, file_name)
    tmp = path + ".tmp"
    try:
        image.save(tmp, format=os.path.splitext(file_name)[1][1:].upper(), **params)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
