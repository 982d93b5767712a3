# -*- coding: utf-8 -*-
"""The scripts' flags: --data, --steps, --seed, --logdir and the rest, with the script's docstring as --help."""

import argparse
import json
import os

import numpy as np
import tensorflow as tf

from machinery.data import datasets
from machinery.run.checkpoints import MODEL_DIR
from tools import ROOT


def parse_args(description, steps=False, seed=True, images=False, ascent=False, model=False):
    """The scripts' flags; --data chooses the data cnn.py reads (model: by default the data model/ was
    trained on), a --seed seeds the graph's random ops and numpy's batch shuffling.

    Call it before `from cnn import *`: cnn.py reads the data, and a graph-level seed applies only to
    ops created after it.
    """
    # Raw: --help shows the docstring's lines as written (3.py's list of outputs, one per line).
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", metavar="DIR",
                        help="the data set: MNIST's four IDX files (Fashion-MNIST, Kuzushiji-MNIST, EMNIST) or one "
                             "folder of images per class (default: %s)"
                             % ("the one model/ was trained on, else MNIST_data/" if model else "MNIST_data/"))
    if images:
        parser.add_argument("image", nargs="*", metavar="IMAGE", help="an image of a digit (default: 10 test digits)")
    if steps:
        parser.add_argument("--steps", type=int, default=20000, metavar="N",
                            help="training steps of batch 50 (default: %(default)s, the article's)")
        parser.add_argument("--logdir", metavar="DIR",
                            help="also log the training for TensorBoard, in a new sub-folder of DIR "
                                 "(default: no log)")
        parser.add_argument("--bf16", action="store_true",
                            help="train in bfloat16 where the CPU has it (AVX512_BF16 or AMX): oneDNN's mixed "
                                 "precision, the variables and Adam in float32; about 1.5 times as fast "
                                 "(default: float32, as the article)")
    if ascent:
        parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                            help="steps of gradient ascent for the patterns and class models (default: %(default)s)")
    if seed:
        parser.add_argument("--seed", type=int, metavar="N",
                            help="seed for the initial weights, dropout and batches; two runs with "
                                 "one seed write identical images (default: unseeded, as the article)")
    args = parser.parse_args()
    datasets.chosen = args.data or (model and trained_on(MODEL_DIR)) or None
    if steps and args.steps < 0:
        parser.error("--steps must be 0 or more, not %d" % args.steps)
    if ascent and args.ascent_steps < 1:
        parser.error("--ascent-steps must be 1 or more, not %d" % args.ascent_steps)
    if seed and args.seed is not None:
        if not 0 <= args.seed < 2**32:
            parser.error("--seed must be between 0 and 2**32 - 1, not %d" % args.seed)
        tf.compat.v1.disable_eager_execution()  # so that the seed goes to the graph, not to eager mode
        tf.compat.v1.set_random_seed(args.seed)
        np.random.seed(args.seed)
    return args


def trained_on(model_dir):
    """The folder of the data set model_dir was trained on, from its run.json (None: MNIST, or no model)."""
    try:
        with open(os.path.join(model_dir, "run.json"), encoding="utf-8") as f:
            path = json.load(f).get("data", {}).get("path")
    except (OSError, ValueError, AttributeError):
        return None
    return path and os.path.join(ROOT, path)
