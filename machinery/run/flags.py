# -*- coding: utf-8 -*-
"""The scripts' flags: --data, --steps, --seed, --logdir and the rest, with the script's docstring as
--help; and the configuration they give cnn.py's network (Config): the one way a flag reaches the graph."""

import argparse
import collections
import os

from machinery.run import checkpoints
from machinery.run.checkpoints import ARTICLE_NETWORK, MODEL_DIR
from tools import ROOT

# What cnn.py builds the network and its run from: data, the data set's folder (None: MNIST_data/);
# model, the model folder the run saves in or the script reads; logdir, --logdir's folder (None: no
# log); seed, --seed (None: unseeded, as the article); network, the convolutions' channels, their
# kernels' side and the pooling ({"channels": [32, 64], "kernel": 5, "pool": "max"}: the article's).
Config = collections.namedtuple("Config", "data model logdir seed network")
ARTICLE = Config(data=None, model=MODEL_DIR, logdir=None, seed=None, network=ARTICLE_NETWORK)
MAX_CHANNELS = 256
_parsed = ARTICLE  # what parse_args read from this process's command line; the article's until then


def config():
    """The configuration the script's flags gave (parse_args), which cnn.py builds its network from; the
    article's where no flags were parsed (a test, a notebook)."""
    return _parsed


def parse_args(description, steps=False, seed=True, images=False, ascent=False, model=False, compare=False):
    """The script's flags (args), its configuration as args.config; model: a script that reads a model
    folder (and trains one first where there is none): by default the data and the network are the ones
    it was trained with; compare: 6.py's --compare.

    Call it before `from cnn import *`: cnn.py builds the network from config(), what this returns.
    """
    # Raw: --help shows the docstring's lines as written (3.py's list of outputs, one per line).
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", metavar="DIR",
                        help="the data set: MNIST's four IDX files (Fashion-MNIST, Kuzushiji-MNIST, EMNIST) or one "
                             "folder of images per class (default: %s)"
                             % ("the one model/ was trained on, else MNIST_data/" if model else "MNIST_data/"))
    parser.add_argument("--model", metavar="DIR", default=MODEL_DIR,
                        help="the model folder: %s (default: model/)" % ("the one read, or trained first where there is none"
                                                                         if model else "where the training run saves its weights"))
    parser.add_argument("--channels", metavar="C1,C2",
                        help="channels of the two convolutions, each 1 to %d (default: 32,64, the article's%s)"
                             % (MAX_CHANNELS, "; a model folder's own" if model else ""))
    parser.add_argument("--kernel", type=int, metavar="K",
                        help="the convolutions' kernels, K x K, K odd from 1 to 9 (default: 5, the article's%s)"
                             % ("; a model folder's own" if model else ""))
    parser.add_argument("--pool", choices=["max", "avg"],
                        help="max or average pooling (default: max, the article's%s)" % ("; a model folder's own" if model else ""))
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
    if compare:
        parser.add_argument("--compare", metavar="DIR",
                            help="another model folder of the same data: the Compare column shows its run, its channels "
                                 "in the order of their matches to this model's (7.py's; default: this run's steps)")
    if ascent:
        parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                            help="steps of gradient ascent for the patterns and class models (default: %(default)s)")
    if seed:
        parser.add_argument("--seed", type=int, metavar="N",
                            help="seed for the initial weights, dropout and batches; two runs with "
                                 "one seed write identical images (default: unseeded, as the article)")
    args = parser.parse_args()
    if steps and args.steps < 0:
        parser.error("--steps must be 0 or more, not %d" % args.steps)
    if ascent and args.ascent_steps < 1:
        parser.error("--ascent-steps must be 1 or more, not %d" % args.ascent_steps)
    if seed and args.seed is not None and not 0 <= args.seed < 2**32:
        parser.error("--seed must be between 0 and 2**32 - 1, not %d" % args.seed)
    global _parsed
    model_dir = os.path.abspath(args.model)
    network = network_of(parser, args, model and trained_with(model_dir))
    _parsed = args.config = Config(data=args.data or (model and trained_on(model_dir)) or None, model=model_dir,
                                   logdir=args.logdir if steps else None, seed=args.seed if seed else None,
                                   network=network)
    return args


def network_of(parser, args, trained):
    """The network the flags ask for: the article's, changed by --channels, --kernel and --pool (a bad
    value: parser's one-line error); trained: the network of the model folder read (None: none there),
    which a flag may only repeat."""
    network = dict(trained or ARTICLE_NETWORK)
    if args.channels is not None:
        try:
            channels = [int(c) for c in args.channels.split(",")]
        except ValueError:
            channels = []
        if len(channels) != 2 or not all(1 <= c <= MAX_CHANNELS for c in channels):
            parser.error("--channels: two numbers from 1 to %d with a comma between them, as 32,64; not %r"
                         % (MAX_CHANNELS, args.channels))
        network["channels"] = channels
    if args.kernel is not None:
        if not (1 <= args.kernel <= 9 and args.kernel % 2):
            parser.error("--kernel must be an odd number from 1 to 9, not %d" % args.kernel)
        network["kernel"] = args.kernel
    if args.pool is not None:
        network["pool"] = args.pool
    if trained and network != trained:
        flag = next(f for f, key in (("--channels", "channels"), ("--kernel", "kernel"), ("--pool", "pool"))
                    if network[key] != trained[key])
        parser.error("%s: %s was trained with %s; to train another network, name a new folder: --model DIR"
                     % (flag, args.model, checkpoints.network_words(trained).lstrip(", ") or "the article's network"))
    return network


def trained_with(model_dir):
    """The network model_dir was trained with (None: no model there, or one that can't be read)."""
    try:
        return checkpoints.read_run(model_dir)["network"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def trained_on(model_dir):
    """The folder of the data set model_dir was trained on (None: no model there, or one that can't be
    read, which restoring it will say)."""
    try:
        return os.path.join(ROOT, checkpoints.read_run(model_dir)["data"]["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
