# -*- coding: utf-8 -*-
"""2.py: 画像の作り方 (make an image of the input): 50 training digits tiled as images/2.png."""

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import tensorflow as tf

from machinery.run import flags
from tools import save_image

args = flags.parse_args(__doc__)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    batch = mnist.train.next_batch(50)
    images = x_image.eval(feed_dict={x: batch[0], y_: batch[1], keep_prob: 1.0})
    # (50, 28, 28, 1) of 0..1.0 -> (50, 28, 28) of 0..255
    images = images.reshape((-1, 28, 28)) * 255
    save_image("2.png", images)
