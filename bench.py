# -*- coding: utf-8 -*-
"""bench.py: how fast the port trains, against this machine's limit.

Prints one table and writes it as JSON (--json), headed by the CPU, its vector instructions (AVX2,
AVX-512, AVX512_BF16, AMX) and whether TensorFlow's oneDNN kernels are on (and TensorFlow's own
default here). Measures, in this process:
  - training steps/s of the article's step (batch 50, cnn.train_step) in a bare loop, and the same
    steps as train() runs them (next_batch, the accuracy line every 100 steps, 3.py's snapshots),
    in interleaved windows of --steps steps; medians;
  - the GFLOP/s that gives, against a large float32 matmul's GFLOP/s in the same process;
  - what --logdir's TensorBoard log costs: opening it (the graph), one snapshot's summaries, one
    step line's scalars; and from them, how much longer a full 20,000-step run takes with it;
  - what the progress bar costs: one update of an enabled tqdm bar, against one step;
  - where the CPU has bfloat16 instructions, the bare step with --bf16's rewrite against float32's,
    in interleaved windows on the same batches, and where the bfloat16 step's time goes: the ops
    of --profile-steps traced steps (TensorFlow's step stats), by op type;
  - the bare step with TensorFlow's oneDNN kernels against its Eigen kernels (TF_ENABLE_ONEDNN_OPTS=0),
    each in a process of its own, in windows that take turns on the same batches; and whole
    `python 0.py --steps --whole-steps` runs both ways, in --rounds interleaved rounds;
  - whole `python 0.py --steps N` runs (each of --overhead-steps) against a bare loop of the same
    graph, in --rounds rounds in turns, in wall-clock and CPU time, and what the difference is made
    of (the snapshots' test accuracies, the checkpoints, the live page), from one more run of 0.py
    with those parts clocked;
and, running `python 3.py --steps N` as a user does (in a copy of the repository):
  - the time from its start to the first image written, and the whole run;
  - the whole run split into import, data, graph, training, evaluation and images (from a second
    run, under cProfile once TensorFlow is imported), and the rest;
then, with the model/ that run saved (or a copy of --model), `python 4.py` (whole, and split into
import, restore, top patches, patterns, class models, images, under cProfile), `python 5.py` on its
10 test digits, and `python 6.py` and its page: its size, in headless Chromium (where there is one)
the time until one can draw and one update of all layers, and under node the forward pass's time
per digit and its answers against TensorFlow's on --page-digits test digits at the last step.
"""

import time

START = time.perf_counter()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--steps", type=int, default=40, metavar="N",
                    help="training steps in each timed window (default: %(default)s)")
parser.add_argument("--windows", type=int, default=3, metavar="N",
                    help="timed windows of each kind, interleaved (default: %(default)s)")
parser.add_argument("--run-steps", type=int, default=20, metavar="N",
                    help="--steps of the timed `python 3.py` runs (default: %(default)s; 20000 for a full run)")
parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                    help="--ascent-steps of the timed `python 4.py` (default: %(default)s, 4.py's own)")
parser.add_argument("--profile-steps", type=int, default=10, metavar="N",
                    help="traced steps for the bfloat16 step's profile (default: %(default)s)")
parser.add_argument("--model", metavar="DIR",
                    help="time 4.py, 5.py and 6.py on a copy of this saved model/ (a full run's, say) "
                         "instead of the one the timed 3.py run saves")
parser.add_argument("--page-digits", type=int, default=1000, metavar="N",
                    help="test digits that 6.py's page computes under node, against TensorFlow (default: %(default)s)")
parser.add_argument("--whole-steps", type=int, default=300, metavar="N",
                    help="--steps of the whole `python 0.py` runs timed with oneDNN's kernels and without, in "
                         "turns (default: %(default)s)")
parser.add_argument("--overhead-steps", default="500,2000", metavar="N,N",
                    help="--steps of the whole `python 0.py` runs timed against a bare loop of the article's, "
                         "in turns (default: %(default)s)")
parser.add_argument("--rounds", type=int, default=3, metavar="N",
                    help="rounds of those whole runs, each kind once a round (default: %(default)s)")
parser.add_argument("--json", default="bench.json", metavar="FILE", help="where to write the table (default: %(default)s)")
parser.add_argument("--worker", metavar="BATCHES", help=argparse.SUPPRESS)  # one kernel family's side: the batches
args = parser.parse_args()
try:
    args.overhead_steps = [int(n) for n in args.overhead_steps.split(",")]
except ValueError:
    parser.error("--overhead-steps: numbers with commas between them, not %r" % args.overhead_steps)
if args.steps < 1 or args.windows < 1 or args.run_steps < 0 or args.whole_steps < 0 or args.rounds < 1:
    parser.error("--steps, --windows and --rounds must be 1 or more, --run-steps and --whole-steps 0 or more")

from machinery.run import onednn  # noqa: E402  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tqdm import tqdm  # noqa: E402

import cnn  # noqa: E402
from machinery.run import cpu_settings  # noqa: E402
import input_data  # noqa: E402
from machinery.run import run_page  # noqa: E402
from machinery.run import tensorboard_log  # noqa: E402
from machinery.bench.repository import copy_of_repository  # noqa: E402
from tools import ROOT, save_atomically  # noqa: E402

if args.worker:
    # 一方のカーネル (one kernel family's side, TF_ENABLE_ONEDNN_OPTS as the parent set it): the bare step
    # on the parent's batches, a window for each "go" line, its seconds on a line of their own
    batches = np.load(args.worker)
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
    sys.exit(0)

# FLOP of one training step, batch 50: a multiply-add is 2 FLOP. Forward: each conv and dense layer's
# multiply-adds; backward: the weight gradient and the input gradient, each as many again, except the
# input gradient of conv1 (its input is the data, which needs none).
BATCH = 50
FORWARD_MACS = {  # per example: outputs x inputs per output
    "conv1": 28 * 28 * 32 * (5 * 5 * 1),
    "conv2": 14 * 14 * 64 * (5 * 5 * 32),
    "fc1": 3136 * 1024,
    "fc2": 1024 * 10,
}
STEP_FLOP = BATCH * 2 * (3 * sum(FORWARD_MACS.values()) - FORWARD_MACS["conv1"])


def matmul_gflops(sess, n=2048, repeats=7):
    """float32 GFLOP/s of an n x n matmul, the best this machine does with TensorFlow."""
    a = tf.Variable(tf.random.normal([n, n]))
    product = tf.matmul(a, a)
    sess.run(a.initializer)
    sess.run(product.op)
    seconds = []
    for _ in range(repeats):
        t = time.perf_counter()
        sess.run(product.op)
        seconds.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(seconds) / 1e9


def training_rates(sess):
    """Steps/s of the bare step and of train(), and train()'s rate over the bare one.

    Windows of args.steps steps alternate between the two; the ratio is the median of each pair's,
    so that the machine's drift from minute to minute cancels out.
    """
    x, y_, keep_prob = cnn.x, cnn.y_, cnn.keep_prob
    batches = [cnn.mnist.train.next_batch(BATCH) for _ in range(args.steps)]
    inputs = cnn.mnist.train.next_batch(10)
    # train() ends with the test accuracy over 10,000 images: a tiny test set keeps that out of the
    # per-step figure (it is timed once, as evaluation, in the 3.py run).
    cnn.mnist = cnn.mnist._replace(test=input_data.DataSet(*inputs))

    for batch in batches[:20]:  # warm-up
        sess.run(cnn.train_step, {x: batch[0], y_: batch[1], keep_prob: 0.5})
    def snapshot(step):  # what 3.py does at each snapshot step
        return cnn.layer_outputs(inputs[0])

    bare, trained = [], []
    for _ in range(args.windows):
        t = time.perf_counter()
        for batch in batches:
            sess.run(cnn.train_step, {x: batch[0], y_: batch[1], keep_prob: 0.5})
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            cnn.train(args.steps, snapshot, model_dir=None, page_dir=None)  # leaves the user's model/ alone
        trained.append(time.perf_counter() - t)
    ratio = statistics.median(b / t for b, t in zip(bare, trained))
    return args.steps / statistics.median(bare), args.steps / statistics.median(trained), ratio


def log_costs(sess, repeats=5):
    """Seconds that --logdir adds: opening the log (with the graph) and closing it, one snapshot's
    summaries (histograms and 40 tiles, as train() logs them for 3.py), one step line's scalars.
    A full run opens it once, logs 9 snapshots and 200 step lines, whatever the machine's step rate:
    timing these directly says what it costs better than short windows, which a snapshot dominates."""
    batch = cnn.mnist.train.next_batch(BATCH)
    outputs = cnn.layer_outputs(cnn.mnist.train.next_batch(10)[0])
    feed = {cnn.x: batch[0], cnn.y_: batch[1], cnn.keep_prob: 1.0}
    opening, snapshots, scalars = [], [], []
    with tempfile.TemporaryDirectory() as logdir:
        for _ in range(repeats):
            t = time.perf_counter()
            writer = tensorboard_log.open_log(logdir)
            opening.append(time.perf_counter() - t)
            t = time.perf_counter()
            writer.add_summary(cnn.histograms.eval(), 0)
            tensorboard_log.log_layers(writer, 0, [name for name, _ in cnn.LAYERS], outputs)
            writer.flush()
            snapshots.append(time.perf_counter() - t)
            t = time.perf_counter()
            tensorboard_log.log_scalars(writer, 0, **{"cross entropy": cnn.cross_entropy.eval(feed_dict=feed)})
            writer.flush()
            scalars.append(time.perf_counter() - t)
            t = time.perf_counter()
            writer.close()
            opening[-1] += time.perf_counter() - t
    return statistics.median(opening), statistics.median(snapshots), statistics.median(scalars)


def live_page_costs(sess, train_rate, repeats=3):
    """Seconds of the live page's work in a run (run_page.RunPage), each timed here (medians): its start
    (6.html and its files), a snapshot step's weights, a progress line, live weights; and from them
    its seconds in a run of 500, 2,000 and 20,000 steps and their share of its training's time at
    train()'s rate, with the run's snapshot steps, a progress line every PROGRESS_S seconds and live
    weights every LIVE_S seconds. Timed event by event, as log_costs does: short windows would put a
    snapshot step in each. (A whole run takes longer than its training: see --overhead-steps.)"""
    with tempfile.TemporaryDirectory() as folder:
        page = run_page.RunPage(folder, "bench", 20000, "bench", run_page.page_digits(mnist.test.images[:10], mnist.test.labels[:10]),
                                lambda: sess.run(cnn.VARIABLES))
        with contextlib.redirect_stderr(io.StringIO()):  # its line with the page's address
            start = statistics.median(timed(page.start) for _ in range(repeats))
        snapshot = statistics.median(timed(lambda: page.snapshot(0, 0.5, 1000)) for _ in range(repeats))
        progress = statistics.median(timed(lambda: page.progress(1)) for _ in range(repeats))

        def live():
            page.last_live = 0  # due
            page.tick(1)
        live_s = statistics.median(timed(live) for _ in range(repeats))
    costs = {"start_s": start, "snapshot_s": snapshot, "progress_s": progress, "live_s": live_s}
    for steps in (500, 2000, 20000):
        seconds = steps / train_rate
        costs["seconds_in_%d_steps" % steps] = (start + len(cnn.snapshot_steps(steps)) * snapshot
                                                + seconds / run_page.PROGRESS_S * progress
                                                + int(seconds / run_page.LIVE_S) * live_s)
        costs["share_of_%d_steps" % steps] = costs["seconds_in_%d_steps" % steps] / seconds
    return costs


def time_3py(folder):
    """Seconds from starting `python 3.py` to its first image in images/, and to its end."""
    images = os.path.join(folder, "images")
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, os.path.join(folder, "3.py"), "--steps", str(args.run_steps)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while process.poll() is None:
        if first is None and os.path.isdir(images) and any(n.endswith(".png") for n in os.listdir(images)):
            first = time.perf_counter() - start
        time.sleep(0.01)
    if process.returncode != 0:
        sys.exit("bench.py: python 3.py failed with exit status %d" % process.returncode)
    return first, time.perf_counter() - start


# Runs a script as `python script args` does, under cProfile once its imports are in: the profiler
# would slow TensorFlow's import, a tree of thousands of modules, several times over.
RUNNER = """
import cProfile, os, runpy, sys, time
start = time.perf_counter()
profile, sys.argv = sys.argv[1], sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
from machinery.run import onednn
import numpy, PIL.Image, tensorflow
imports = time.perf_counter() - start
cProfile.run("runpy.run_path(sys.argv[0], run_name='__main__')", profile)
print(imports)
"""


def profiled(folder, script, *script_args):
    """Run folder/script under RUNNER: its whole time, the import's, and a function's cumulative time."""
    profile = os.path.join(folder, script + ".prof")
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", RUNNER, profile, os.path.join(folder, script), *script_args],
                         check=True, capture_output=True, text=True)
    total = time.perf_counter() - start
    stats = pstats.Stats(profile).stats  # (file, line, function) -> (calls, ..., own time, cumulative time)

    def cumulative(file_name, *functions):
        return sum(v[3] for (f, _, fn), v in stats.items() if os.path.basename(f) == file_name and fn in functions)
    return total, float(run.stdout.split()[-1]), cumulative, stats


def split_3py(folder):
    """Seconds of each part of a `python 3.py` run, the rest (Python's start, the session, ...) as other."""
    total, imports, cumulative, stats = profiled(folder, "3.py", "--steps", str(args.run_steps))

    def called_from(file_name, function, caller_file, caller_function):  # cumulative, of the calls from one caller
        return sum(t[3] for (f, _, fn), v in stats.items() if os.path.basename(f) == file_name and fn == function
                   for (cf, _, cfn), t in v[4].items() if os.path.basename(cf) == caller_file and cfn == caller_function)

    parts = {"import": imports}  # TensorFlow, NumPy, Pillow
    parts["data"] = cumulative("input_data.py", "read_data_sets")
    parts["graph"] = cumulative("cnn.py", "<module>") - parts["data"]
    # train()'s accuracy.eval() calls: the lines every 100 steps and the test accuracies (not 3.py's W_conv1.eval())
    parts["evaluation"] = (called_from("tensor.py", "eval", "cnn.py", "train")
                           + called_from("tensor.py", "eval", "cnn.py", "look"))  # each snapshot's test accuracy
    parts["training"] = cumulative("cnn.py", "train") - parts["evaluation"]
    parts["images"] = (cumulative("3.py", "create_images")
                       + cumulative("drawing.py", "compare_sheet", "save_sheet", "save_timeline")
                       + cumulative("pages.py", "write_page"))
    parts["other"] = total - sum(parts.values())
    return total, parts


def split_4py(folder):
    """Seconds of each part of a `python 4.py` run on the saved model/, as split_3py."""
    total, imports, cumulative, _ = profiled(folder, "4.py", "--ascent-steps", str(args.ascent_steps))
    parts = {"import": imports,
             "restore": cumulative("cnn.py", "restore_model"),
             "top patches": cumulative("receptive_fields.py", "channel_maxima", "top_patches"),
             "patterns": cumulative("activation_maximization.py", "channel_patterns"),
             "class models": cumulative("activation_maximization.py", "class_models"),
             "images": cumulative("tools.py", "save_image")
                       + cumulative("drawing.py", "save_sheet", "channel_rows", "heat_maps", "filters_to_images")
                       + cumulative("pages.py", "write_page")}
    parts["other"] = total - sum(parts.values())
    return total, parts


def time_5py(folder):
    """Seconds of a `python 5.py` run on its 10 test digits, and of its imports."""
    start = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(folder, "5.py")], check=True, capture_output=True)
    return time.perf_counter() - start


def bar_cost(updates=20000):
    """Seconds of one update of an enabled progress bar, as train() shows it on a terminal."""
    with tqdm(total=updates, file=io.StringIO(), unit="step") as bar:
        start = time.perf_counter()
        for _ in range(updates):
            bar.update()
        return (time.perf_counter() - start) / updates


def bf16_rates():
    """Steps/s of the bare step in float32 and with --bf16's rewrite, in interleaved windows of the
    same batches, each in a session of its own; and the bfloat16 step's profile: {op type: ms per step}."""
    sessions = {}
    for bf16 in (False, True):
        with contextlib.redirect_stderr(io.StringIO()):  # training_config's note about the flag
            sessions[bf16] = tf.compat.v1.Session(config=cnn.training_config(bf16))
        sessions[bf16].run(tf.compat.v1.global_variables_initializer())
    batches = [cnn.mnist.train.next_batch(BATCH) for _ in range(args.steps)]
    feeds = [{cnn.x: b[0], cnn.y_: b[1], cnn.keep_prob: 0.5} for b in batches]
    for sess in sessions.values():
        for feed in feeds[:20]:  # warm-up, and the rewrite's compilation
            sess.run(cnn.train_step, feed)
    seconds = {False: [], True: []}
    for _ in range(args.windows):
        for bf16, sess in sessions.items():
            start = time.perf_counter()
            for feed in feeds:
                sess.run(cnn.train_step, feed)
            seconds[bf16].append(time.perf_counter() - start)
    ratio = statistics.median(f / b for f, b in zip(seconds[False], seconds[True]))
    # 各演算の時間 (where the time goes): the ops' own times in traced steps, summed by op type
    ops = {}
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    for feed in feeds[:args.profile_steps]:
        metadata = tf.compat.v1.RunMetadata()
        sessions[True].run(cnn.train_step, feed, options=options, run_metadata=metadata)
        for device in metadata.step_stats.dev_stats:
            for node in device.node_stats:
                kind = node.timeline_label.split(" = ")[-1].split("(")[0] or node.node_name
                if node.node_name.endswith("AutoMixedPrecision"):
                    kind += " (the rewrite's)"
                ops[kind] = ops.get(kind, 0) + node.all_end_rel_micros / 1000 / args.profile_steps
    for sess in sessions.values():
        sess.close()
    rates = {bf16: args.steps / statistics.median(s) for bf16, s in seconds.items()}
    return rates[False], rates[True], ratio, dict(sorted(ops.items(), key=lambda kv: -kv[1]))


def kernel_rates():
    """Steps/s of the bare step with TensorFlow's oneDNN kernels and with its other (Eigen) kernels, and
    oneDNN's speed-up: each in a process of its own (TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, as it
    loads), in windows that take turns on the same batches; the speed-up is the median of the turns' ratios."""
    batches = [cnn.mnist.train.next_batch(BATCH) for _ in range(args.steps)]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "batches.npz")
        np.savez(path, images=np.array([b[0] for b in batches]), labels=np.array([b[1] for b in batches]))
        workers = {on: subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", path],
                                        env=dict(os.environ, TF_ENABLE_ONEDNN_OPTS=str(int(on))),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                   for on in (True, False)}
        for on, worker in workers.items():
            if worker.stdout.readline().split() != ["ready", str(on)]:
                sys.exit("bench.py: the worker with TF_ENABLE_ONEDNN_OPTS=%d did not start as asked" % on)
        seconds = {True: [], False: []}
        for _ in range(args.windows):
            for on, worker in workers.items():
                worker.stdin.write("go\n")
                worker.stdin.flush()
                seconds[on].append(float(worker.stdout.readline()))
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()
    speedup = statistics.median(off / on for on, off in zip(seconds[True], seconds[False]))
    return args.steps / statistics.median(seconds[True]), args.steps / statistics.median(seconds[False]), speedup


def onednn_default():
    """Whether TensorFlow turns its oneDNN kernels on by itself on this machine: asked of a TensorFlow
    loaded without TF_ENABLE_ONEDNN_OPTS."""
    env = {name: value for name, value in os.environ.items() if name != "TF_ENABLE_ONEDNN_OPTS"}
    run = subprocess.run([sys.executable, "-c", "from tensorflow.python.util import _pywrap_util_port as p; "
                          "print(p.IsMklEnabled())"], env=env, check=True, capture_output=True, text=True)
    return run.stdout.split()[-1] == "True"


def whole_runs(folder):
    """Seconds of whole `python 0.py --steps --whole-steps` runs, as a reader runs them, with oneDNN's
    kernels and without: --rounds rounds, each kind once a round; medians, and the median of the
    rounds' ratios (without / with)."""
    seconds = {True: [], False: []}
    for _ in range(args.rounds):
        for on in (True, False):
            start = time.perf_counter()
            subprocess.run([sys.executable, os.path.join(folder, "0.py"), "--steps", str(args.whole_steps)],
                           env=dict(os.environ, TF_ENABLE_ONEDNN_OPTS=str(int(on))), check=True, capture_output=True)
            seconds[on].append(time.perf_counter() - start)
    speedup = statistics.median(off / on for on, off in zip(seconds[True], seconds[False]))
    return statistics.median(seconds[True]), statistics.median(seconds[False]), speedup


# The article's loop and nothing else, on cnn.py's graph with the session settings of train(): what a
# run would cost without the snapshots' accuracies, checkpoints, model/ and the progress bar.
BARE_LOOP = """
import os, sys
sys.path.insert(0, sys.argv[1])
from machinery.run import onednn
import tensorflow as tf
from cnn import *
with tf.compat.v1.Session(config=training_config()) as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    for i in range(int(sys.argv[2])):
        batch = mnist.train.next_batch(50)
        if i % 100 == 0:
            train_accuracy = accuracy.eval(feed_dict={x: batch[0], y_: batch[1], keep_prob: 1.0})
            print("step %d, training accuracy %g" % (i, train_accuracy))
        train_step.run(feed_dict={x: batch[0], y_: batch[1], keep_prob: 0.5})
    print("test accuracy %g" % accuracy.eval(feed_dict={x: mnist.test.images, y_: mnist.test.labels, keep_prob: 1.0}))
"""


# 0.py itself, each of the parts a run does beside the article's loop clocked: the snapshots' test
# accuracies, the checkpoints, the live page. Prints {part: seconds} as its last line.
CLOCKED_RUN = """
import json, os, runpy, sys, time
folder, steps = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
sys.argv = [os.path.join(folder, "0.py"), "--steps", steps]
from machinery.run import onednn
import cnn
from machinery.run import run_page
clock = {"snapshot accuracies": 0.0, "checkpoints": 0.0, "live page": 0.0}

def clocked(owner, name, part, when=lambda *args, **kwargs: True):
    work = getattr(owner, name)
    def timed_work(*args, **kwargs):
        start = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            if when(*args, **kwargs):
                clock[part] += time.perf_counter() - start
    setattr(owner, name, timed_work)

clocked(type(cnn.accuracy), "eval", "snapshot accuracies",  # those of SNAPSHOT_TEST_DIGITS, not the article's
        lambda tensor, feed_dict=None, **_: feed_dict is not None and len(feed_dict[cnn.x]) == cnn.SNAPSHOT_TEST_DIGITS)
clocked(cnn, "save_model", "checkpoints")
for name in ("start", "snapshot", "tick", "end"):
    clocked(run_page.RunPage, name, "live page")
with open(os.devnull, "w") as sys.stdout:
    runpy.run_path(sys.argv[0], run_name="__main__")
sys.stdout = sys.__stdout__
print(json.dumps(clock))
"""


def overhead_runs(folder):
    """For each of --overhead-steps: whole `python 0.py --steps N` runs against the bare loop of the same
    steps, in --rounds rounds, each once a round, who goes first alternating (so that a machine that
    speeds up or slows down favours neither); the median of the rounds' speed ratios (bare / 0.py),
    in wall-clock time and in CPU time (user and system, of the process and its threads); and what the
    difference of the medians is made of, from one more run of 0.py with those parts clocked
    (CLOCKED_RUN, first calls and all), and the rest."""
    results = {}
    for steps in args.overhead_steps:
        seconds, cpu = {"0.py": [], "bare loop": []}, {"0.py": [], "bare loop": []}
        kinds = [("0.py", [os.path.join(folder, "0.py"), "--steps", str(steps)]),
                 ("bare loop", ["-c", BARE_LOOP, folder, str(steps)])]
        for round_ in range(args.rounds):
            for kind, command in kinds if round_ % 2 == 0 else kinds[::-1]:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds[kind].append(timed(lambda: subprocess.run([sys.executable, *command], check=True,
                                                                  capture_output=True)))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[kind].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        clocked = subprocess.run([sys.executable, "-c", CLOCKED_RUN, folder, str(steps)], check=True,
                                 capture_output=True, text=True)
        parts = json.loads(clocked.stdout.splitlines()[-1])
        difference = statistics.median(seconds["0.py"]) - statistics.median(seconds["bare loop"])
        results[steps] = {"0py_s": statistics.median(seconds["0.py"]), "bare_s": statistics.median(seconds["bare loop"]),
                          "speed_ratio": statistics.median(b / t for t, b in zip(seconds["0.py"], seconds["bare loop"])),
                          "round_ratios": [b / t for t, b in zip(seconds["0.py"], seconds["bare loop"])],
                          "cpu_ratio": statistics.median(b / t for t, b in zip(cpu["0.py"], cpu["bare loop"])),
                          "parts_s": parts, "rest_s": difference - sum(parts.values())}
    return results


def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# The vector instructions that decide TensorFlow's kernels and their speed, as /proc/cpuinfo names them
VECTOR_FLAGS = {"avx2": "AVX2", "avx512f": "AVX-512", "avx512_vnni": "AVX512_VNNI", "avx_vnni": "AVX_VNNI",
                "avx512_bf16": "AVX512_BF16", "amx_bf16": "AMX"}


def page_costs(folder):
    """`python 6.py` (s), its page's size (MB), and where they can be had: in headless Chromium the
    time from opening to ready (s), and one update of everything (ms, both columns: forward,
    backward, maps, deciding channels, redraw) against one of the layers alone (the page before its
    maps), in turns (explorer.measure: medians, over 5 test digits); under node the forward and
    backward passes (ms per digit) and the share of --page-digits test digits on which it gives
    TensorFlow's answer at the last step, and its largest difference in a probability."""
    start = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(folder, "6.py")], check=True, capture_output=True)
    costs = {"6py_s": time.perf_counter() - start, "page_mb": sum(
        os.path.getsize(os.path.join(folder, "images", n)) for n in os.listdir(os.path.join(folder, "images"))
        if n.startswith("6")) / 1e6, "page_ready_s": None, "page_update_ms": None, "page_forward_only_ms": None,
        "node_forward_ms": None, "node_backward_ms": None, "node_same_answer": None, "node_max_probability_error": None}
    page = os.path.join(folder, "images", "6.html")
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            view = browser.new_page()
            view.goto("file://" + page)
            view.wait_for_function("window.explorer && window.explorer.ready")
            view.evaluate("window.explorer.ready")
            costs["page_ready_s"] = view.evaluate("window.explorer.readyMs") / 1000  # from navigation's start
            times = []
            for digit in mnist.test.images[:5].tolist():
                view.evaluate("pixels => window.explorer.setInput(pixels)", digit)
                times.append(view.evaluate("window.explorer.measure(5)"))
            costs["page_update_ms"] = statistics.median(t["full_ms"] for t in times)
            costs["page_forward_only_ms"] = statistics.median(t["forward_ms"] for t in times)
            browser.close()
    if shutil.which("node") and args.page_digits > 0:
        with open(os.path.join(folder, "model", "run.json"), encoding="utf-8") as f:
            last = json.load(f)["snapshots"][-1]
        digits = mnist.test.images[:args.page_digits].astype(np.float32)
        digits.tofile(os.path.join(folder, "digits.f32"))
        run = subprocess.run(["node", os.path.join(ROOT, "tests", "forward.js"), os.path.join(folder, "images", "6_network.js"),
                              os.path.join(folder, "images", "6_weights_%d.js" % last["step"]),
                              os.path.join(folder, "digits.f32"), os.path.join(folder, "answers.f32")],
                             check=True, capture_output=True, text=True)
        costs["node_forward_ms"] = json.loads(run.stdout)["ms_per_input"]
        page_p = np.fromfile(os.path.join(folder, "answers.f32"), np.float32).reshape(-1, 10)
        why = subprocess.run(["node", os.path.join(ROOT, "tests", "forward.js"), os.path.join(folder, "images", "6_network.js"),
                              os.path.join(folder, "images", "6_weights_%d.js" % last["step"]),
                              os.path.join(folder, "digits.f32"), os.path.join(folder, "why.f32"), "why"],
                             check=True, capture_output=True, text=True)
        costs["node_backward_ms"] = json.loads(why.stdout)["backward_ms"]
        with tf.compat.v1.Session():
            cnn.restore_model(last["checkpoint"], os.path.join(folder, "model"))
            tf_p = np.concatenate([cnn.y_conv.eval(feed_dict={cnn.x: digits[i:i + 2000], cnn.keep_prob: 1.0})
                                   for i in range(0, len(digits), 2000)])
        costs["node_same_answer"] = float((page_p.argmax(axis=1) == tf_p.argmax(axis=1)).mean())
        costs["node_max_probability_error"] = float(np.abs(page_p - tf_p).max())
    return costs


mnist = cnn.mnist
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    bare_rate, train_rate, train_ratio = training_rates(sess)
    log_open, log_snapshot, log_scalars = log_costs(sess)
    live_page = live_page_costs(sess, train_rate)
    matmul = matmul_gflops(sess)
    with tempfile.TemporaryDirectory() as folder:
        copy_of_repository(folder)
        overhead = overhead_runs(folder)
progress_bar_s = bar_cost()
float32_rate = bf16_rate = bf16_ratio = bf16_profile = None
if cpu_settings.bf16_here():
    float32_rate, bf16_rate, bf16_ratio, bf16_profile = bf16_rates()
onednn_rate, eigen_rate, onednn_speedup = kernel_rates()

with tempfile.TemporaryDirectory() as folder:
    copy_of_repository(folder)
    onednn_run, eigen_run, onednn_run_speedup = whole_runs(folder)
    first_image, run_seconds = time_3py(folder)
    shutil.rmtree(os.path.join(folder, "images"))
    profiled_seconds, parts = split_3py(folder)  # which saved model/ in the copy, for 4.py and 5.py
    if args.model:
        shutil.rmtree(os.path.join(folder, "model"))
        shutil.copytree(args.model, os.path.join(folder, "model"))
    look_seconds, look_parts = split_4py(folder)
    own_digits_seconds = time_5py(folder)
    page = page_costs(folder)

step_gflops = STEP_FLOP * bare_rate / 1e9
cpu, flags = cpu_settings.cpu_info()
table = {
    "date": time.strftime("%Y-%m-%d"),
    "cpu": cpu,
    "cpu_vector_instructions": [name for flag, name in VECTOR_FLAGS.items() if flag in flags],
    "cores": os.cpu_count(),
    "onednn": onednn.enabled(),  # in this process, which measured everything but the rows "with/without oneDNN"
    "onednn_default": onednn_default(),
    "tensorflow": tf.__version__,
    "numpy": np.__version__,
    "python": platform.python_version(),
    "window_steps": args.steps,
    "windows": args.windows,
    "step_gflop": STEP_FLOP / 1e9,
    "bare_steps_per_s": bare_rate,
    "train_steps_per_s": train_rate,
    "train_to_bare_ratio": train_ratio,
    "logdir_open_s": log_open,
    "logdir_snapshot_s": log_snapshot,
    "logdir_step_line_s": log_scalars,
    # A full run: 20,000 steps at train()'s rate; the log: once opened, 9 snapshots, 200 step lines.
    "logdir_full_run_cost": (log_open + 9 * log_snapshot + 200 * log_scalars) / (20000 / train_rate),
    "step_gflops": step_gflops,
    "matmul_gflops": matmul,
    "step_fraction_of_matmul": step_gflops / matmul,
    "progress_bar_update_s": progress_bar_s,
    "progress_bar_cost": progress_bar_s * train_rate,  # of a step's time
    "cpu_has_bf16": cpu_settings.cpu_has_bf16(),
    "float32_steps_per_s": float32_rate,
    "bf16_steps_per_s": bf16_rate,
    "bf16_speedup": bf16_ratio,
    "bf16_step_profile_ms": bf16_profile,
    "onednn_steps_per_s": onednn_rate,
    "eigen_steps_per_s": eigen_rate,
    "onednn_speedup": onednn_speedup,
    "whole_steps": args.whole_steps,
    "rounds": args.rounds,
    "onednn_whole_run_s": onednn_run,
    "eigen_whole_run_s": eigen_run,
    "onednn_whole_run_speedup": onednn_run_speedup,
    "snapshot_test_digits": cnn.SNAPSHOT_TEST_DIGITS,
    "live_page": live_page,  # its parts' seconds, and its share of a run's time by length
    "overhead": overhead,  # {steps: 0.py against the bare loop}
    "run_steps": args.run_steps,
    "start_to_first_image_s": first_image,
    "run_s": run_seconds,
    "profiled_run_s": profiled_seconds,
    "split_s": parts,
    "4py_s": look_seconds,
    "4py_split_s": look_parts,
    "5py_s": own_digits_seconds,
    **page,
    "bench_s": time.perf_counter() - START,
}

print("bench.py, %s, %s (%s; %d cores), TensorFlow %s, its oneDNN kernels %s here (TensorFlow's default: %s)" % (
    table["date"], cpu, ", ".join(table["cpu_vector_instructions"]) or "no AVX2", table["cores"], table["tensorflow"],
    "on" if table["onednn"] else "off", "on" if table["onednn_default"] else "off"))
print("%-44s %10s" % ("", "value"))
rows = [
    ("training step, bare loop (steps/s)", bare_rate),
    ("training step, as train() runs it (steps/s)", train_rate),
    ("train() / bare loop", table["train_to_bare_ratio"]),
    ("--logdir: opening and closing the log (s)", log_open),
    ("--logdir: one snapshot's summaries (s)", log_snapshot),
    ("--logdir: one step line's scalars (s)", log_scalars),
    ("--logdir: added to a full 20,000-step run", table["logdir_full_run_cost"]),
    ("live page: its start, 6.html and files (s)", live_page["start_s"]),
    ("live page: a snapshot step's weights (s)", live_page["snapshot_s"]),
    ("live page: a progress line (s)", live_page["progress_s"]),
    ("live page: live weights (s)", live_page["live_s"]),
] + [row for steps in (500, 2000, 20000) for row in [
    ("live page: in a %d-step run (s)" % steps, live_page["seconds_in_%d_steps" % steps]),
    ("  of its training's time (%)", 100 * live_page["share_of_%d_steps" % steps])]] + [
    ("FLOP per step (GFLOP)", table["step_gflop"]),
    ("step rate (GFLOP/s)", step_gflops),
    ("float32 matmul 2048 (GFLOP/s)", matmul),
    ("step / matmul", table["step_fraction_of_matmul"]),
    ("progress bar: one update (% of a step)", 100 * table["progress_bar_cost"]),
    ("bare step, float32 (steps/s)", float32_rate),
    ("bare step, --bf16 (steps/s)", bf16_rate),
    ("--bf16 / float32", bf16_ratio),
] + [("  bf16 step: %s (ms)" % kind, ms) for kind, ms in list((bf16_profile or {}).items())[:12]] + [
    ("bare step, oneDNN's kernels (steps/s)", onednn_rate),
    ("bare step, Eigen's (TF_ENABLE_ONEDNN_OPTS=0)", eigen_rate),
    ("oneDNN / Eigen", onednn_speedup),
    ("python 0.py --steps %d, oneDNN (s)" % args.whole_steps, onednn_run),
    ("python 0.py --steps %d, Eigen (s)" % args.whole_steps, eigen_run),
    ("  oneDNN / Eigen, whole run (speed)", onednn_run_speedup),
] + [row for steps, o in overhead.items() for row in [
    ("python 0.py --steps %d (s)" % steps, o["0py_s"]),
    ("  the bare loop (s)", o["bare_s"]),
    ("  0.py's speed / the bare loop's", o["speed_ratio"]),
    ("  the same in CPU time", o["cpu_ratio"]),
] + [("  %s (s)" % part, part_s) for part, part_s in o["parts_s"].items()] + [
    ("  the rest of the difference (s)", o["rest_s"]),
]] + [
    ("python 3.py --steps %d: first image (s)" % args.run_steps, first_image),
    ("python 3.py --steps %d: whole run (s)" % args.run_steps, run_seconds),
    ("the same under cProfile (s), of which:", profiled_seconds),
] + [("  %s (s)" % name, seconds) for name, seconds in parts.items()] + [
    ("python 4.py, model/ saved, under cProfile (s):", look_seconds),
] + [("  %s (s)" % name, seconds) for name, seconds in look_parts.items()] + [
    ("python 5.py, 10 test digits (s)", own_digits_seconds),
    ("python 6.py (s)", page["6py_s"]),
    ("6.py's page and its files (MB)", page["page_mb"]),
    ("page: opening to ready to draw (s)", page["page_ready_s"]),
    ("page: one update, 2 steps, with why (ms)", page["page_update_ms"]),
    ("page: the same, the layers alone (ms)", page["page_forward_only_ms"]),
    ("page's forward pass under node (ms/digit)", page["node_forward_ms"]),
    ("page's backward pass under node (ms/digit)", page["node_backward_ms"]),
    ("page under node: TF's answer, %d digits" % args.page_digits, page["node_same_answer"]),
    ("page under node: largest probability error", page["node_max_probability_error"]),
]
for name, value in rows:
    print("%-44s %10s" % (name, "n/a" if value is None else "%.3f" % value))
# Through a temporary name of this process's own, in the same folder, as every output here.
json_path = os.path.abspath(args.json)
save_atomically(os.path.basename(json_path), lambda path: pathlib.Path(path).write_text(json.dumps(table, indent=2)),
                folder=os.path.dirname(json_path))
print("written:", args.json)
