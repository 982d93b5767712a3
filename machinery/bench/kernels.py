"""`python bench.py kernels`: the bare step with TensorFlow's oneDNN kernels against its Eigen kernels
(TF_ENABLE_ONEDNN_OPTS=0), each in a process of its own (TensorFlow reads the variable once, as it
loads), in windows that take turns on the same batches; with --whole-steps N, whole `python 0.py
--steps N` runs both ways too, in --rounds rounds."""

import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

from machinery.bench.table import Row
from machinery.bench.turns import Worker, in_turns, ratio, timed

HERE = os.path.dirname(os.path.abspath(__file__))


def with_kernels(onednn):
    """This process's environment with TensorFlow's oneDNN kernels on or off."""
    return dict(os.environ, TF_ENABLE_ONEDNN_OPTS=str(int(onednn)))


def step_rates(net, steps, windows):
    """Seconds of windows of the bare step, {"oneDNN": [...], "Eigen": [...]}, from two workers in turns."""
    batches = [net.mnist.train.next_batch(50) for _ in range(steps)]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "batches.npz")
        np.savez(path, images=np.array([b[0] for b in batches]), labels=np.array([b[1] for b in batches]))
        workers = {kind: Worker([sys.executable, os.path.join(HERE, "step_worker.py"), path], env=with_kernels(on),
                                what="the worker with TF_ENABLE_ONEDNN_OPTS=%d" % on)
                   for kind, on in (("oneDNN", True), ("Eigen", False))}
        for kind, worker in workers.items():
            if worker.ready[1:] != [str(kind == "oneDNN")]:
                sys.exit("bench.py: the %s worker did not get the kernels it asked for" % kind)
        try:
            return in_turns(workers, windows)
        finally:
            for worker in workers.values():
                worker.close()


def whole_runs(folder, steps, rounds):
    """Seconds of whole `python 0.py --steps N` runs in folder (a copy of the repository) both ways, in turns."""
    run = lambda on: lambda: timed(lambda: subprocess.run([sys.executable, os.path.join(folder, "0.py"), "--steps", str(steps)],
                                                          env=with_kernels(on), check=True, capture_output=True))
    return in_turns({"oneDNN": run(True), "Eigen": run(False)}, rounds)


def measure(net, args, folder, facts):
    seconds = step_rates(net, args.steps, args.windows)
    rows = [Row("onednn_steps_per_s", "bare step, oneDNN's kernels (steps/s)", args.steps / statistics.median(seconds["oneDNN"])),
            Row("eigen_steps_per_s", "bare step, Eigen's (TF_ENABLE_ONEDNN_OPTS=0)", args.steps / statistics.median(seconds["Eigen"])),
            Row("onednn_speedup", "oneDNN / Eigen", ratio(seconds, "Eigen", "oneDNN"))]
    if args.whole_steps:
        seconds = whole_runs(folder(), args.whole_steps, args.rounds)
        rows += [Row("onednn_whole_run_s", "python 0.py --steps %d, oneDNN (s)" % args.whole_steps, statistics.median(seconds["oneDNN"])),
                 Row("eigen_whole_run_s", "python 0.py --steps %d, Eigen (s)" % args.whole_steps, statistics.median(seconds["Eigen"])),
                 Row("onednn_whole_run_speedup", "  oneDNN / Eigen, whole run (speed)", ratio(seconds, "Eigen", "oneDNN"))]
    return rows
