# -*- coding: utf-8 -*-
"""The article's helpers: the layer builders of 0.py, and save_image and channels_to_images, which
make a layer's output into the article's tiles of 8 to a row with gray gaps.

The sheets, timelines and heat maps that the scripts compose from them are in drawing.py; the pages
in pages.py. Besides the article's: save_atomically, through which every file is written, and
process_alive and remove_leftovers, with which a run tells a killed run's temporaries from those of a run going on.
Importing this module builds no graph and reads no data.
"""

import os
import re
import shutil
import tempfile

import numpy as np
import tensorflow as tf
from PIL import Image

ROOT = os.path.dirname(os.path.abspath(__file__))
IMAGES_DIR = os.path.join(ROOT, "images")  # where every script writes, whatever the current directory
GAP_COLOR = 0x80  # the gray between tiles


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


def avg_pool_2x2(x):  # max_pool_2x2's average, for --pool avg (past the article)
    return tf.nn.avg_pool(x, ksize=[1, 2, 2, 1],
                          strides=[1, 2, 2, 1], padding='SAME')


"""
画像の作り方 (making the images)
"""

def save_image(file_name, image_ndarray, cols=8):
    """Tile images (count, h, w) of values 0..255, cols to a row with 1-pixel gray gaps, as images/file_name."""
    canvas = Image.fromarray(tile_images(image_ndarray, cols)).convert("RGB")
    save_atomically(file_name, lambda path: canvas.save(path, "PNG"))


def tile_images(image_ndarray, cols=8):
    """The canvas of save_image as a 2-D uint8 array."""
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
    return canvas[:-1, :-1]


def channels_to_images(channels):
    """One layer's output for one input, (h, w, channels), as channels images (channels, h, w) x 255."""
    # The article's loop: images[i][y][x] = channels[y][x][i]
    return np.transpose(channels, (2, 0, 1)) * 255


def save_atomically(file_name, save, folder=None):
    """Write folder/file_name (images/ by default) by save(temporary path), then rename: no
    half-written file is ever left.

    The temporary name is this process's own (.file_name.PID.*.tmp), so that two scripts writing one
    file at once each rename a whole file of their own (the last one stays), and a later run can tell
    a killed one's leftovers by the PID.
    """
    folder = folder or IMAGES_DIR
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name)
    fd, tmp = tempfile.mkstemp(prefix=".%s.%d." % (file_name, os.getpid()), suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an image is an ordinary file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def process_alive(pid):
    """Whether the process pid is running (one of this user's or another's)."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # there, but another user's
    return True


def remove_leftovers(folder, pattern):
    """Remove what runs killed before they could clean up left in folder: the files and folders whose
    names match pattern (its first group a process id) of processes that no longer run; a running one's stay."""
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        match = re.fullmatch(pattern, name)
        if match and not process_alive(int(match.group(1))):
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
