"""0.py's run in a copy of the repository, as test_6_run.py watches its page: the page hears of the
progress every 0.3 s and gets the weights as they are now every 2 s, and the run waits at gates, each a
file that the test removes when it has seen what it waits for, so that the page's states come whatever
the machine's load. While it waits, the page still hears from it (and gets that step's live weights).

    python tests/watched_run.py REPOSITORY STEPS SEED [STEP=GATE_FILE ...]
"""

import os
import sys
import time

repository, steps, seed, *gates = sys.argv[1:]
sys.path.insert(0, repository)
sys.argv = [os.path.join(repository, "0.py"), "--steps", steps, "--seed", seed]

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import tensorflow as tf  # noqa: E402

from machinery.run import flags  # noqa: E402

args = flags.parse_args("0.py, watched", steps=True)
from cnn import *  # noqa: E402,F403
from machinery.run.callbacks import Callback  # noqa: E402
from machinery.run.checkpoints import Checkpoints  # noqa: E402
from machinery.run.progress_bar import ProgressBar  # noqa: E402
from machinery.run.run_page import RunPage  # noqa: E402
from tools import IMAGES_DIR  # noqa: E402


class Gates(Callback):
    """After step N, while the gate file of step N is there: the page's moments of that step, again."""

    def __init__(self, page, gates):
        self.page, self.gates = page, gates

    def on_step_end(self, step):
        while step in self.gates and os.path.exists(self.gates[step]):
            time.sleep(0.05)
            self.page.on_step_end(step)


page = RunPage(IMAGES_DIR, NET, progress_s=0.3, live_s=2)  # noqa: F405
gates = {int(step): path for step, path in (gate.split("=", 1) for gate in gates)}
with tf.compat.v1.Session(config=training_config(False)) as sess:  # noqa: F405  0.py's session
    sess.run(tf.compat.v1.global_variables_initializer())
    train(args.steps, callbacks=[Checkpoints(NET.saver, NET.config.model), page, ProgressBar(), Gates(page, gates)])  # noqa: F405
