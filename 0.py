# -*- coding: utf-8 -*-
"""0.py: train the article's CNN (Deep MNIST for Experts) and print its accuracy.

The network itself is in cnn.py, shared by every script. The weights before and after training are
saved in model/, for 4.py and 5.py.
"""

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import tensorflow as tf

from machinery.run import flags

args = flags.parse_args(__doc__, steps=True)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

with tf.compat.v1.Session(config=training_config(args.bf16)) as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    train(args.steps)
