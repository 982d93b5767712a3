# -*- coding: utf-8 -*-
"""6.py: ブラウザで見る (see it in your browser): draw a digit, watch every layer answer, at every
step of training.

Reads model/ (saved by 0.py, 3.py, 4.py or 5.py; without it, trains first as 0.py does) and writes
into images/ a page that opens from the file system, with no server and no network:
  6.html               the page: a pad to draw on, the digit as the network sees it, every layer's
                       tile and the ten probabilities, for two snapshot steps side by side
  6_network.js         the network's forward pass and the preprocessing, in plain JavaScript
  6_explorer.js, 6_explorer.css, pages.css  the page's code and style (copied from web/)
  6_run.js             the run: its snapshot steps and their test accuracies, 10 test digits, and
                       4.py's patterns and top patches where 4.py has run for this model
  6_weights_STEP.js    the weights at each snapshot step (W_fc1 as int8 with a scale per column)
"""

import base64
import json
import os

import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np
import tensorflow as tf

import flags
from pages import write_explorer
from tools import IMAGES_DIR

args = flags.parse_args(__doc__, steps=True)
from cnn import *  # noqa: E402,F403  the graph and mnist; after the flags, so that --seed applies


def b64(array, dtype):
    """An array as base64 of its little-endian bytes, as network.js decodes it."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def int8_columns(W):
    """W (inputs, outputs) as int8 with a float32 scale per column (per fc1 unit): W ~ q * scale."""
    scale = np.abs(W).max(axis=0) / 127
    scale[scale == 0] = 1.0
    return np.rint(W / scale).astype(np.int8), scale.astype(np.float32)


# まず学習 (no saved model yet: train first, as 0.py does, which saves it)
train_first(args.steps, args.logdir, args.bf16)

with tf.compat.v1.Session() as sess:
    run = restore_model("after")
    print(describe_run(run))

    # 各ステップの重み (the weights at each snapshot step), one file each, loaded when first wanted
    data, steps = {}, []
    for snapshot in run["snapshots"]:
        restore_model(snapshot["checkpoint"])
        values = sess.run(VARIABLES)
        # W_fc1 is 3.2 million numbers: as int8 (a fourth of float32), with a scale per column. Its
        # rounding errors would add up in fc1 to 0.015 in a probability; most of that is their sum
        # over the average input, which b_fc1 takes back (the bias correction of Nagel et al. 2019,
        # "Data-Free Quantization"), from the mean h_pool2_flat of 2,000 training digits.
        q, scale = int8_columns(values["W_fc1"])
        mean = h_pool2_flat.eval(feed_dict={x: mnist.train.images[:2000]}).mean(axis=0)
        values["b_fc1"] = values["b_fc1"] + mean @ (values["W_fc1"] - q * scale)
        file_name = "6_weights_%d.js" % snapshot["step"]
        weights = {name: b64(value, np.float32) for name, value in values.items() if name != "W_fc1"}
        weights["W_fc1"] = {"int8": b64(q, np.int8), "scale": b64(scale, np.float32)}
        data[file_name] = "explorerWeights(%d, %s);\n" % (snapshot["step"], json.dumps(weights))
        steps.append({"step": snapshot["step"], "test_accuracy": snapshot["test_accuracy"], "file": file_name,
                      # on how many test digits (the first N; a run saved before they were counted used all)
                      "test_digits": snapshot.get("test_digits", mnist.test.num_examples)})

# 4.py のパターン (4.py's patterns and top patches, where it has run for this model)
channels = None
saved = os.path.join(IMAGES_DIR, "4_channels.npz")
if os.path.exists(saved):
    with np.load(saved) as found:
        if str(found["run"]) == describe_run(run):
            channels = {name: {"size": int(found[name + "_patterns"].shape[-1]), "count": int(found[name + "_top"].shape[1]),
                               "patterns": b64(found[name + "_patterns"], np.uint8),
                               "top": b64(found[name + "_top"], np.uint8)}
                        for name in ("h_conv1", "h_conv2")}

digits = [{"label": int(mnist.test.labels[i].argmax()), "pixels": b64(np.rint(mnist.test.images[i] * 255), np.uint8)}
          for i in range(10)]
data["6_run.js"] = "explorerRun(%s);\n" % json.dumps(
    {"summary": describe_run(run), "steps": steps, "digits": digits, "channels": channels})
write_explorer(data)

size = sum(os.path.getsize(os.path.join(IMAGES_DIR, name)) for name in os.listdir(IMAGES_DIR) if name.startswith("6"))
print("images/6.html: %d snapshot steps (%s), %s, %.1f MB with its files; open it in a browser"
      % (len(steps), ", ".join(str(s["step"]) for s in steps),
         "with 4.py's patterns" if channels else "4.py has not run for this model: weights in place of patterns",
         size / 1e6))
