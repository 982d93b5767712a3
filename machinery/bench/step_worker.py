"""One kernel family's side of `python bench.py kernels` (TF_ENABLE_ONEDNN_OPTS as bench.py set it):
the article's bare step on bench.py's batches (an .npz), a window of them for each "go" line on
stdin, its seconds on a line of their own.

    python machinery/bench/step_worker.py BATCHES.npz
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the root

from machinery.run import onednn  # noqa: E402  before TensorFlow: the kernels bench.py asked for
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import cnn  # noqa: E402

batches = np.load(sys.argv[1])
feeds = [{cnn.x: image, cnn.y_: label, cnn.keep_prob: 0.5} for image, label in zip(batches["images"], batches["labels"])]
with tf.compat.v1.Session(config=cnn.training_config()) as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    for feed in feeds[:20]:  # warm-up
        sess.run(cnn.train_step, feed)
    print("ready", onednn.enabled(), flush=True)
    for line in sys.stdin:
        start = time.perf_counter()
        for feed in feeds:
            sess.run(cnn.train_step, feed)
        print(time.perf_counter() - start, flush=True)
