"""`python bench.py costs`: what a run does beside the article's loop. Whole `python 0.py --steps N`
runs (each of --overhead-steps) against the bare loop of the same steps, in --rounds rounds in turns,
in wall-clock and CPU time, and what the difference is made of (the snapshots' test accuracies, the
checkpoints, the live page, clocked in those runs of 0.py); and, timed event by event (short
windows would put a snapshot step in each), the TensorBoard log's parts (--logdir) and the live page's."""

import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf

from machinery.bench.table import Row
from machinery.bench.turns import in_turns, ratio, timed
from machinery.run import run_page, tensorboard_log


def log_costs(net, sess, repeats=5):
    """Seconds that --logdir adds: opening the log (with the graph) and closing it, one snapshot's
    summaries (histograms and 40 tiles, as train() logs them for 3.py), one step line's scalars."""
    batch = net.mnist.train.next_batch(50)
    outputs = net.layer_outputs(net.mnist.train.next_batch(10)[0])
    feed = {net.x: batch[0], net.y_: batch[1], net.keep_prob: 1.0}
    opening, snapshots, scalars = [], [], []
    with tempfile.TemporaryDirectory() as logdir:
        for _ in range(repeats):
            writer = None

            def open_log():
                nonlocal writer
                writer = tensorboard_log.open_log(logdir)

            def snapshot():
                writer.add_summary(net.histograms.eval(), 0)
                tensorboard_log.log_layers(writer, 0, [name for name, _ in net.layers], outputs)
                writer.flush()

            def step_line():
                tensorboard_log.log_scalars(writer, 0, **{"cross entropy": net.cross_entropy.eval(feed_dict=feed)})
                writer.flush()
            opening.append(timed(open_log))
            snapshots.append(timed(snapshot))
            scalars.append(timed(step_line))
            opening[-1] += timed(writer.close)
    return statistics.median(opening), statistics.median(snapshots), statistics.median(scalars)


def live_page_costs(net, sess, repeats=3):
    """Seconds of the live page's work (run_page.RunPage), medians: its start (6.html and its files), a
    snapshot step's weights, a progress line, live weights."""
    with tempfile.TemporaryDirectory() as folder:
        page = run_page.RunPage(folder, net)
        begin = {"run": "bench", "steps": 20000, "started": "now", "seed": None}
        with contextlib.redirect_stderr(io.StringIO()):  # its line with the page's address
            start = statistics.median(timed(lambda: page.on_train_begin(begin)) for _ in range(repeats))
        snapshot = statistics.median(timed(lambda: page.on_snapshot_end(0, {"test_accuracy": 0.5, "test_digits": 1000,
                                                                           "answers": np.zeros(1000, np.uint8)}))
                                     for _ in range(repeats))
        progress = statistics.median(timed(lambda: page.progress(1)) for _ in range(repeats))

        def live():
            page.last_live = 0  # due
            page.on_step_end(1)
        return start, snapshot, progress, statistics.median(timed(live) for _ in range(repeats))


def overhead_runs(folder, steps, rounds):
    """Whole `python 0.py --steps N` (with its parts clocked: clocked_run.py) against the bare loop in
    folder (a copy of the repository), in turns: ({kind: wall-clock seconds}, {kind: CPU seconds, the
    process and its threads'}, {part: the median of its seconds})."""
    cpu, parts = {"0.py": [], "bare loop": []}, []
    here = os.path.join(folder, "machinery", "bench")

    def run(kind, program):
        def window():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            result = subprocess.run([sys.executable, os.path.join(here, program), str(steps)], check=True,
                                    capture_output=True, text=True)
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[kind].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if kind == "0.py":
                parts.append(json.loads(result.stdout.splitlines()[-1]))
            return seconds
        return window
    seconds = in_turns({"0.py": run("0.py", "clocked_run.py"), "bare loop": run("bare loop", "bare_loop.py")}, rounds)
    return seconds, cpu, {part: statistics.median(p[part] for p in parts) for part in parts[0]}


def measure(net, args, folder, facts):
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        log_open, log_snapshot, log_scalars = log_costs(net, sess)
        start, snapshot, progress, live = live_page_costs(net, sess)
    rows = [Row("logdir_open_s", "--logdir: opening and closing the log (s)", log_open),
            Row("logdir_snapshot_s", "--logdir: one snapshot's summaries (s)", log_snapshot),
            Row("logdir_step_line_s", "--logdir: one step line's scalars (s)", log_scalars),
            Row("live_page_start_s", "live page: its start, 6.html and files (s)", start),
            Row("live_page_snapshot_s", "live page: a snapshot step's weights (s)", snapshot),
            Row("live_page_progress_s", "live page: a progress line (s)", progress),
            Row("live_page_live_s", "live page: live weights (s)", live),
            Row("snapshot_test_digits", "test digits of a snapshot's accuracy", net.snapshot_test_digits)]
    for steps in args.overhead_steps:
        seconds, cpu, parts = overhead_runs(folder(), steps, args.rounds)
        key = "overhead_%d_" % steps
        difference = statistics.median(seconds["0.py"]) - statistics.median(seconds["bare loop"])
        rows += [Row(key + "0py_s", "python 0.py --steps %d (s)" % steps, statistics.median(seconds["0.py"])),
                 Row(key + "bare_s", "  the bare loop (s)", statistics.median(seconds["bare loop"])),
                 Row(key + "speed_ratio", "  0.py's speed / the bare loop's", ratio(seconds, "bare loop", "0.py")),
                 Row(key + "cpu_ratio", "  the same in CPU time", ratio(cpu, "bare loop", "0.py"))]
        rows += [Row(key + "parts_s." + part, "  %s (s)" % part, part_s) for part, part_s in parts.items()]
        rows.append(Row(key + "rest_s", "  the rest of the difference (s)", difference - sum(parts.values())))
    return rows
