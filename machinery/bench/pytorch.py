"""`python bench.py pytorch --python PYTHON`: this port's training step against the same step in
PyTorch, tuned (pytorch_worker.py, in PYTHON, a virtual environment that has PyTorch: not a
dependency of the port), on the same batches, in windows that take turns: TensorFlow float32,
PyTorch float32, and where the CPU computes in bfloat16, --bf16 and PyTorch's autocast."""

import contextlib
import io
import os
import statistics
import tempfile

import numpy as np
import tensorflow as tf

from machinery.bench.steps import feeds
from machinery.bench.table import Row
from machinery.bench.turns import Worker, in_turns, ratio, timed
from machinery.run import cpu_settings

HERE = os.path.dirname(os.path.abspath(__file__))
WARM_UP = 20


def measure(net, args, folder, facts):
    batch = feeds(net, args.steps)
    rows, version = [], None
    with tempfile.TemporaryDirectory() as temporary:
        path = os.path.join(temporary, "batches.npz")
        np.savez(path, images=np.array([f[net.x] for f in batch]), labels=np.array([f[net.y_] for f in batch]))
        for precision in ["float32"] + ["bf16"] * cpu_settings.bf16_here():
            worker = Worker([args.python, os.path.join(HERE, "pytorch_worker.py"), path] + ["--bf16"] * (precision == "bf16"),
                            what="PyTorch's side (%s)" % args.python)
            version = worker.ready[1]
            with contextlib.redirect_stderr(io.StringIO()):  # training_config's note about the flag
                sess = tf.compat.v1.Session(config=cpu_settings.training_config(precision == "bf16"))
            sess.run(tf.compat.v1.global_variables_initializer())
            for feed in batch[:WARM_UP]:
                sess.run(net.train_step, feed)
            seconds = in_turns({"tensorflow": lambda: timed(lambda: [sess.run(net.train_step, feed) for feed in batch]),
                                "pytorch": worker}, args.windows)
            worker.close()
            sess.close()
            rows += [Row("tensorflow_%s_steps_per_s" % precision, "%s: this port (steps/s)" % precision,
                         args.steps / statistics.median(seconds["tensorflow"])),
                     Row("pytorch_%s_steps_per_s" % precision, "%s: PyTorch tuned (steps/s)" % precision,
                         args.steps / statistics.median(seconds["pytorch"])),
                     Row("tensorflow_over_pytorch_%s" % precision, "%s: this port / PyTorch" % precision,
                         ratio(seconds, "pytorch", "tensorflow"))]
    facts["pytorch"] = version
    return rows
