"""0.py's run, as a reader runs it, with each part a run does beside the article's loop clocked: the
snapshots' test accuracies, the checkpoints, the live page. 0.py's lines, its callbacks (those train()
has by default) each wrapped in a clock; prints {part: seconds} as JSON after 0.py's lines, its last line.

    python machinery/bench/clocked_run.py STEPS
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the root

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import tensorflow as tf  # noqa: E402

from cnn import *  # noqa: E402,F403
from machinery.run.callbacks import Callback  # noqa: E402
from machinery.run.checkpoints import Checkpoints  # noqa: E402
from machinery.run.run_page import RunPage  # noqa: E402

steps = int(sys.argv[1])
clock = {"snapshot accuracies": 0.0, "checkpoints": 0.0, "live page": 0.0}
PARTS = {Checkpoints: "checkpoints", RunPage: "live page"}


class SnapshotClock(Callback):
    """The snapshots' test accuracies but the last (the article's): from on_snapshot_begin to
    on_snapshot_end, first of the callbacks, so that theirs come after."""

    def on_train_begin(self, logs):
        self.steps = logs["steps"]

    def on_snapshot_begin(self, step):
        self.start = time.perf_counter()

    def on_snapshot_end(self, step, logs):
        if step != self.steps:
            clock["snapshot accuracies"] += time.perf_counter() - self.start


class Clocked(Callback):
    """callback, each of its moments' seconds added to clock[part]."""

    def __init__(self, callback, part):
        self.callback, self.part = callback, part

    def clocked(self, moment, *args):
        start = time.perf_counter()
        try:
            return getattr(self.callback, moment)(*args)
        finally:
            clock[self.part] += time.perf_counter() - start

    def on_train_begin(self, logs):
        return self.clocked("on_train_begin", logs)

    def on_snapshot_end(self, step, logs):
        return self.clocked("on_snapshot_end", step, logs)

    def on_step_end(self, step):
        return self.clocked("on_step_end", step)

    def on_train_end(self, logs):
        return self.clocked("on_train_end", logs)

    def on_train_stopped(self):
        return self.clocked("on_train_stopped")


callbacks = [SnapshotClock()] + [Clocked(c, PARTS[type(c)]) if type(c) in PARTS else c for c in default_callbacks(NET)]  # noqa: F405
with tf.compat.v1.Session(config=training_config(False)) as sess:  # noqa: F405  0.py's session
    sess.run(tf.compat.v1.global_variables_initializer())
    train(steps, callbacks=callbacks)  # noqa: F405
print(json.dumps(clock))
