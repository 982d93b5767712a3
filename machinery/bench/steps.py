"""`python bench.py steps`: the article's training step (batch 50) in a bare loop and as train() runs
it, its GFLOP/s against a large float32 matmul's, one update of the progress bar, and where the CPU
computes in bfloat16, --bf16's step against float32's with the bfloat16 step's ops."""

import contextlib
import io
import statistics
import time

import tensorflow as tf
from tqdm import tqdm

from machinery.bench.table import Row
from machinery.bench.turns import in_turns, ratio, timed
from machinery.run import cpu_settings
from machinery.run.callbacks import Callback
from machinery.run.progress_bar import ProgressBar

BATCH = 50
# FLOP of one training step, batch 50: a multiply-add is 2 FLOP. Forward: each conv and dense layer's
# multiply-adds; backward: the weight gradient and the input gradient, each as many again, except the
# input gradient of conv1 (its input is the data, which needs none).
FORWARD_MACS = {"conv1": 28 * 28 * 32 * (5 * 5 * 1), "conv2": 14 * 14 * 64 * (5 * 5 * 32), "fc1": 3136 * 1024, "fc2": 1024 * 10}
STEP_FLOP = BATCH * 2 * (3 * sum(FORWARD_MACS.values()) - FORWARD_MACS["conv1"])


def feeds(net, steps, keep_prob=0.5):
    """steps training batches as feeds of the network's graph (cnn.NET)."""
    return [{net.x: b[0], net.y_: b[1], net.keep_prob: keep_prob} for b in (net.mnist.train.next_batch(BATCH) for _ in range(steps))]


def matmul_gflops(sess, n=2048, repeats=7):
    """float32 GFLOP/s of an n x n matmul, the best this machine does with TensorFlow."""
    a = tf.Variable(tf.random.normal([n, n]))
    product = tf.matmul(a, a)
    sess.run(a.initializer)
    sess.run(product.op)
    return 2 * n ** 3 / statistics.median(timed(lambda: sess.run(product.op)) for _ in range(repeats)) / 1e9


class StepClock(Callback):
    """train()'s steps after the first, clocked (a callback): from the end of step 1 to the end of the last,
    so that the snapshots at step 0 and at the end (their test accuracies) stay out of a step's figure."""

    def __init__(self):
        self.start = self.seconds = None

    def on_step_end(self, step):
        if step == 1:
            self.start = time.perf_counter()
        self.seconds = time.perf_counter() - self.start


def training_rates(net, sess, steps, windows):
    """Seconds per step of windows of the bare step and of train()'s steps (its batches, the article's
    lines, the progress bar), in turns."""
    batch = feeds(net, steps)
    for feed in batch[:20]:  # warm-up
        sess.run(net.train_step, feed)

    def bare():
        for feed in batch:
            sess.run(net.train_step, feed)

    def trained():
        clock = StepClock()
        with contextlib.redirect_stdout(io.StringIO()):
            net.train(steps + 1, callbacks=[ProgressBar(), clock])
        return clock.seconds / steps
    return in_turns({"bare": lambda: timed(bare) / steps, "train": trained}, windows)


def bar_cost(updates=20000):
    """Seconds of one update of an enabled progress bar, as train() shows it on a terminal."""
    with tqdm(total=updates, file=io.StringIO(), unit="step") as bar:
        return timed(lambda: [bar.update() for _ in range(updates)]) / updates


def bf16_rates(net, steps, windows, profile_steps):
    """Seconds of windows of the bare step in float32 and with --bf16's rewrite, in turns on the same
    batches, each in a session of its own; and the bfloat16 step's profile: {op type: ms per step}."""
    sessions = {}
    for bf16 in (False, True):
        with contextlib.redirect_stderr(io.StringIO()):  # training_config's note about the flag
            sessions[bf16] = tf.compat.v1.Session(config=cpu_settings.training_config(bf16))
        sessions[bf16].run(tf.compat.v1.global_variables_initializer())
    batch = feeds(net, steps)
    for sess in sessions.values():
        for feed in batch[:20]:  # warm-up, and the rewrite's compilation
            sess.run(net.train_step, feed)
    window = lambda sess: lambda: timed(lambda: [sess.run(net.train_step, feed) for feed in batch])
    seconds = in_turns({"float32": window(sessions[False]), "bf16": window(sessions[True])}, windows)
    # 各演算の時間 (where the time goes): the ops' own times in traced steps, summed by op type
    ops = {}
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    for feed in batch[:profile_steps]:
        metadata = tf.compat.v1.RunMetadata()
        sessions[True].run(net.train_step, feed, options=options, run_metadata=metadata)
        for device in metadata.step_stats.dev_stats:
            for node in device.node_stats:
                kind = node.timeline_label.split(" = ")[-1].split("(")[0] or node.node_name
                if node.node_name.endswith("AutoMixedPrecision"):
                    kind += " (the rewrite's)"
                ops[kind] = ops.get(kind, 0) + node.all_end_rel_micros / 1000 / profile_steps
    for sess in sessions.values():
        sess.close()
    return seconds, dict(sorted(ops.items(), key=lambda kv: -kv[1]))


def measure(net, args, folder, facts):
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        seconds = training_rates(net, sess, args.steps, args.windows)
        matmul = matmul_gflops(sess)
    bare = 1 / statistics.median(seconds["bare"])
    step_gflops = STEP_FLOP * bare / 1e9
    bar_s = bar_cost()
    rows = [Row("bare_steps_per_s", "training step, bare loop (steps/s)", bare),
            Row("train_steps_per_s", "training step, as train() runs it (steps/s)", 1 / statistics.median(seconds["train"])),
            Row("train_to_bare_ratio", "train() / bare loop", ratio(seconds, "bare", "train")),
            Row("step_gflop", "FLOP per step (GFLOP)", STEP_FLOP / 1e9),
            Row("step_gflops", "step rate (GFLOP/s)", step_gflops),
            Row("matmul_gflops", "float32 matmul 2048 (GFLOP/s)", matmul),
            Row("step_fraction_of_matmul", "step / matmul", step_gflops / matmul),
            Row("progress_bar_update_us", "progress bar: one update (µs)", bar_s * 1e6),
            Row("progress_bar_percent_of_step", "progress bar: one update (% of a step)", 100 * bar_s * bare)]
    if cpu_settings.bf16_here():
        seconds, profile = bf16_rates(net, args.steps, args.windows, args.profile_steps)
        rows += [Row("float32_steps_per_s", "bare step, float32 (steps/s)", args.steps / statistics.median(seconds["float32"])),
                 Row("bf16_steps_per_s", "bare step, --bf16 (steps/s)", args.steps / statistics.median(seconds["bf16"])),
                 Row("bf16_speedup", "--bf16 / float32", ratio(seconds, "float32", "bf16"))]
        rows += [Row("bf16_step_profile_ms." + kind, "  bf16 step: %s (ms)" % kind, ms) for kind, ms in list(profile.items())[:12]]
    return rows
