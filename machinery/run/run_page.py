# -*- coding: utf-8 -*-
"""6.html's data for a training run, in images/: the weights at each snapshot step as JavaScript
(6_weights_STEP.js), the run (6_run.js) and the test images (6_test.js); and while the run goes on, its progress (6_live.js) and
the weights as they are now (6_weights_live.js), so that the page follows the run as it happens.

cnn.train() writes them as it trains (RunPage, one of its callbacks); 6.py writes them for the run that
model/ holds.
Every file is written whole (a temporary name, then a rename): the page never reads half of one.
"""

import base64
import json
import os
import pathlib
import re
import sys
import time
import zlib

import numpy as np
import tensorflow as tf

from machinery.analyses.receptive_fields import receptive_field
from machinery.analyses.saliency import NOISE, SAMPLES
from machinery.pictures.pages import save_text, write_explorer
from machinery.run.callbacks import Callback
from machinery.run.checkpoints import describe_run, seed_words
from tools import remove_leftovers, save_atomically

# How often the page hears from a run, in seconds: its progress (the step, the speed, the time left),
# and the weights as they are now.
PROGRESS_S, LIVE_S = 2, 30
LIVE_FILE = "6_weights_live.js"


def b64(array, dtype):
    """An array as base64 of its little-endian bytes, as network.js decodes it."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def int24(q):
    """Integers of at most 24 bits (int32) as 3 little-endian bytes each, flat: each four's low 3 bytes
    shifted into 3 words (numpy's copy of their bytes' [:, :3], in steps of 3, takes three times as long)."""
    u = q.ravel().view("<u4")
    n = len(u)
    u = np.concatenate([u, np.zeros(-n % 4, u.dtype)]).reshape(-1, 4)
    packed = np.empty((len(u), 3), "<u4")
    np.bitwise_or(u[:, 0] & 0xFFFFFF, u[:, 1] << 24, out=packed[:, 0])
    np.bitwise_or((u[:, 1] >> 8) & 0xFFFF, u[:, 2] << 16, out=packed[:, 1])
    np.bitwise_or((u[:, 2] >> 16) & 0xFF, u[:, 3] << 8, out=packed[:, 2])
    return packed.view(np.uint8).ravel()[:3 * n]


def weights_script(run, step, values, network):
    """explorerWeights(step, weights, run): the eight variables (values) at a step of a network (run.json's
    network: its channels, kernels and pooling), as 6.html loads them; in pieces of bytes, written one
    after the other (save_weights).

    W_fc1 is 3.2 million numbers: as 24-bit integers (three fourths of float32), with a scale per
    column (per fc1 unit): W ~ q * scale, within half a step of the scale, so that the page's fc1 is
    TensorFlow's to float32's rounding (why 24 bits and not 16: docs/6.md).
    """
    W = values["W_fc1"]
    scale = np.maximum(W.max(axis=0), -W.min(axis=0)) / (2 ** 23 - 1)
    scale[scale == 0] = 1.0
    weights = {name: b64(value, np.float32) for name, value in values.items() if name != "W_fc1"}
    weights["W_fc1"] = {"int24": "@", "scale": b64(scale, np.float32)}
    weights["network"] = network
    head, tail = ("explorerWeights(%s, %s, %s);\n" % (json.dumps(step), json.dumps(weights), json.dumps(run))
                  ).split('"@"')
    yield (head + '"').encode()
    # 64 rows (a quarter of a MB) at a time, so that the temporaries stay small: base64 of whole
    # 3-byte groups joins up as the whole's would.
    inverse, top = 1 / scale, 2 ** 23 - 1
    for rows in range(0, len(W), 64):
        # (float32's rounding can make a column's largest weight 2**23, which 24 bits would read as -2**23)
        q = np.clip(np.rint(W[rows:rows + 64] * inverse), -top, top)
        yield base64.b64encode(int24(q.astype("<i4")))
    yield ('"' + tail).encode()


def save_weights(file_name, run, step, values, folder, network):
    """folder/file_name: weights_script(run, step, values, network), written whole (a temporary, then a rename)."""
    def write(path):
        with open(path, "wb") as f:
            f.writelines(weights_script(run, step, values, network))
    save_atomically(file_name, write, folder)


def page_digits(images, labels):
    """The page's test digits (the first 10 test digits, 5.py's): [{label, pixels: base64 of 784 bytes}]."""
    return [{"label": int(label.argmax()), "pixels": b64(np.rint(image * 255), np.uint8)}
            for image, label in zip(images, labels)]


def page_labels(labels):
    """The test set's labels (one-hot) as the confusion matrix reads them: base64 of a byte a test image."""
    return b64(np.argmax(labels, axis=1), np.uint8)


def save_test_images(folder, run, images):
    """6_test.js: explorerTest(run, {count, zlib}): the test images (N, 784 in [0, 1]) a byte a pixel,
    row after row, compressed by zlib (MNIST's 7.8 MB in 1.6 MB, base64 2.2 MB), as the confusion matrix's
    cells show them and the pad takes one; the page unpacks them with the browser's DecompressionStream."""
    packed = zlib.compress(np.rint(np.asarray(images) * 255).astype(np.uint8).tobytes(), 6)
    save_text("6_test.js", "explorerTest(%s, %s);\n" % (json.dumps(run), json.dumps(
        {"count": len(images), "zlib": base64.b64encode(packed).decode()})), folder)


def page_data(data):
    """What the page knows of the data set (datasets.py's facts): its class names, whether they are MNIST's
    digits, how many test images it has, and how the pad's drawing is made an input (reader_image)."""
    return {"classes": data["classes"], "mnist": data["format"] == "MNIST", "test_images": data["test_images"],
            "reader_image": data["reader_image"]}


def page_layers(layers):
    """cnn.LAYERS as the page draws them: [[name, side, channels, the side of its receptive field]]."""
    return [[name, int(layer.shape[1]), int(layer.shape[3]), int(receptive_field(layer)[0])] for name, layer in layers]


# What 4.py's 4_channels.npz holds for the page (an older 4.py's, without the circuits: 4.py is to run again)
CHANNELS = {"run", "h_conv1_patterns", "h_conv1_top", "h_conv2_patterns", "h_conv2_top", "h_conv2_inputs",
            "h_conv2_input_contributions"}


def page_channels(path, run):
    """4.py's patterns, top patches and circuits (4_channels.npz at path) as the page reads them, where 4.py
    has run for this model (its describe_run line, run); else None: the page shows the weights instead."""
    if not os.path.exists(path):
        return None
    with np.load(path) as found:
        if set(found.files) != CHANNELS or str(found["run"]) != run:
            return None
        channels = {name: {"size": int(found[name + "_patterns"].shape[-1]), "count": int(found[name + "_top"].shape[1]),
                           "patterns": b64(found[name + "_patterns"], np.uint8), "top": b64(found[name + "_top"], np.uint8)}
                    for name in ("h_conv1", "h_conv2")}
        # what each h_conv2 channel is usually made of (circuits)
        channels["h_conv2"].update(inputs=found["h_conv2_inputs"].ravel().tolist(),
                                   contributions=np.round(found["h_conv2_input_contributions"], 4).ravel().tolist())
    return channels


def write_run(folder, run, live=None):
    """6.html and its files in folder: the run (6_run.js: {run, summary: [English, Japanese], steps:
    [{step, test_accuracy, test_digits, answers (TensorFlow's to the first test_digits test images, base64
    bytes), file}], digits, test_labels (page_labels), channels, running, layers (page_layers), data
    (page_data)}, with
    SmoothGrad's settings, saliency.py's) and 6_live.js (what the page polls: live, or the run as it
    stands). The steps' weights are saved first (save_weights)."""
    last = run["steps"][-1]["step"] if run["steps"] else 0
    live = live or {"run": run["run"], "running": run["running"], "stopped": False, "step": last, "steps": last,
                    "updated": time.time(), "snapshots": run["steps"], "live": None}
    run = dict(run, smoothgrad={"samples": SAMPLES, "noise": NOISE})
    write_explorer({"6_run.js": "explorerRun(%s);\n" % json.dumps(run),
                    "6_live.js": "explorerLive(%s);\n" % json.dumps(live)}, folder, run["data"]["mnist"])
    # Weights of no step of this run (an earlier run's, the last live ones) go: the page's files
    # stay those of one run, and within the budget.
    keep = {s["file"] for s in run["steps"] + (run.get("compare") or {"steps": []})["steps"]}
    for name in os.listdir(folder):
        if re.fullmatch(r"6_(compare_)?weights_.*\.js", name) and name not in keep:
            os.remove(os.path.join(folder, name))


# The temporaries (.NAME.PID.*.tmp) of a run killed while writing, told from a running one's by its process id
LEFTOVERS = r"\..*\.(\d+)\.[^.]*\.tmp"


class RunPage(Callback):
    """6.html of a training run while it runs (a callback of cnn.train): from on_train_begin, once the
    weights before training exist, its progress; each snapshot step's weights; between them the weights
    as they are now; at the end the finished run as 6.py writes it, or if the run stops before, that it
    stopped. net: cnn.NET, whose variables, layers, data and first test digits the page shows;
    progress_s, live_s: how often the page hears of the progress and gets the weights as they are now."""

    def __init__(self, folder, net, progress_s=PROGRESS_S, live_s=LIVE_S):
        self.folder, self.net, self.progress_s, self.live_s = folder, net, progress_s, live_s
        self.run = self.live = None  # the page's 6_run.js; {step, file}: the live weights, newer than any snapshot step
        self.steps = self.step = 0
        self.started = self.last_progress = self.last_live = None

    def weights(self):
        """The eight variables as they are now."""
        return tf.compat.v1.get_default_session().run(self.net.variables)

    def on_train_begin(self, logs):
        net, seed, started = self.net, logs["seed"], logs["started"]
        self.steps, self.step = logs["steps"], 0
        self.run = {"run": logs["run"], "steps": [], "channels": None, "running": True, "compare": None,
                    "model": os.path.basename(os.path.normpath(net.config.model)) + "/",
                    "summary": ("training now: %s steps, %s, started %s" % (format(self.steps, ","), seed_words(seed), started),
                                "学習中：全 %s ステップ、%s、開始 %s" % (format(self.steps, ","), seed_words(seed, "ja"), started.replace("T", " "))),
                    "digits": page_digits(net.mnist.test.images[:10], net.mnist.test.labels[:10]),
                    "test_labels": page_labels(net.mnist.test.labels),
                    "layers": page_layers(net.layers), "data": page_data(net.data)}
        self.started = self.last_progress = self.last_live = time.time()
        remove_leftovers(self.folder, LEFTOVERS)
        save_test_images(self.folder, logs["run"], net.mnist.test.images)
        write_run(self.folder, self.run, live=self.progress(write=False))
        print("Watch it learn: %s" % pathlib.Path(self.folder, "6.html").as_uri(), file=sys.stderr)

    def on_snapshot_end(self, step, logs):
        """The weights at a snapshot step, for good: a new step on the page's slider."""
        file_name = "6_weights_%d.js" % step
        save_weights(file_name, self.run["run"], step, self.weights(), self.folder, self.net.config.network)
        self.run["steps"].append({"step": step, "test_accuracy": logs["test_accuracy"], "test_digits": logs["test_digits"],
                                  "answers": b64(logs["answers"], np.uint8), "file": file_name})
        self.live, self.last_live = None, time.time()  # a snapshot step is newer than the last live one
        self.progress(step)

    def on_step_end(self, step):
        """After a training step (step steps done): the progress every progress_s seconds, and every
        live_s seconds the weights as they are now, in place of the last live ones."""
        now = time.time()
        if now - self.last_live >= self.live_s:
            save_weights(LIVE_FILE, self.run["run"], step, self.weights(), self.folder, self.net.config.network)
            self.live, self.last_live = {"step": step, "file": LIVE_FILE}, now
            self.progress(step)
        elif now - self.last_progress >= self.progress_s:
            self.progress(step)

    def progress(self, step=None, write=True):
        """6_live.js: the run's id, whether it is running, the step and the steps in all, steps/s and
        the seconds left, when this was written, the snapshot steps so far and the live one."""
        now = time.time()
        self.step = self.step if step is None else step
        rate = self.step / (now - self.started) if now > self.started else 0.0
        live = {"run": self.run["run"], "running": self.run["running"], "stopped": False, "step": self.step,
                "steps": self.steps, "rate": rate, "left_s": (self.steps - self.step) / rate if rate else None,
                "updated": now, "every_s": self.progress_s, "snapshots": self.run["steps"], "live": self.live}
        if write:
            save_text("6_live.js", "explorerLive(%s);\n" % json.dumps(live), self.folder)
            self.last_progress = now
        return live

    def on_train_end(self, logs):
        """The run complete: the page as 6.py writes it for this run (the live weights gone)."""
        folder = self.net.config.model
        self.run.update(summary=(describe_run(logs, "en", folder), describe_run(logs, "ja", folder)), running=False)
        self.live = None
        write_run(self.folder, self.run, live=self.progress(self.steps, write=False))
        return {"page": os.path.join(self.folder, "6.html")}

    def on_train_stopped(self):
        """The run stopped before its end (Ctrl-C, an error): the page says so, and keeps what it has."""
        if not self.run:
            return
        self.run["running"] = False
        live = self.progress(write=False)
        live["stopped"] = True
        save_text("6_live.js", "explorerLive(%s);\n" % json.dumps(live), self.folder)
