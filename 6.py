# -*- coding: utf-8 -*-
"""6.py: ブラウザで見る (see it in your browser): draw a digit, watch every layer answer, at every
step of training.

Reads model/ (saved by 0.py, 3.py, 4.py or 5.py; without it, trains first as 0.py does) and writes
into images/ a page that opens from the file system, with no server and no network:
  6.html               the page: a pad to draw on, the digit as the network sees it, every layer's
                       tile and the ten probabilities, for two snapshot steps side by side
  6_network.js         the network's forward and backward passes (why it answers) and the
                       preprocessing, in plain JavaScript; 6_network_simd*.js their heavy parts in
                       WebAssembly SIMD (built from web/network.c), which the page runs where it can
  6_explorer_*.js, 6_explorer.css, pages.css, lang.js  the page's code, its style and its language
                       (English or Japanese, as the browser prefers; copied from web/)
  6_run.js             the run: its snapshot steps, their test accuracies and TensorFlow's answers to
                       every test image (the confusion matrix), 10 test digits, and 4.py's patterns
                       and top patches where 4.py has run for this model
  6_test.js            the test images, for the confusion matrix's cells (zlib, a byte a pixel)
  6_weights_STEP.js    the weights at each snapshot step (W_fc1 as 24-bit integers, a scale per column)
  6_compare_weights_STEP.js  with --compare DIR, the other run's: the Compare column shows it, its
                       channels in the order of their matches to this run's (as 7.py matches them)
  6_live.js            what the page reads again and again: here, that the run has ended
A training run writes the same page as it goes (run_page.py), which this one replaces with the
finished run's.
"""

import os

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np
import tensorflow as tf

from machinery.analyses.confusion import confusion_matrix, wrong_line
from machinery.run import flags
from machinery.run.compare_column import DIGITS, compare_column
from machinery.run.run_page import (b64, page_channels, page_data, page_digits, page_labels, page_layers, save_test_images,
                                    save_weights, write_run)
from tools import IMAGES_DIR

args = flags.parse_args(__doc__, steps=True, model=True, compare=True)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

# まず学習 (no saved model yet: train first, as 0.py does, which saves it)
train_first(args.steps, args.bf16)

with tf.compat.v1.Session() as sess:
    run = restore_model("after")
    print(describe_run(run))

    # 各ステップの重み (the weights at each snapshot step), one file each, loaded when first wanted, and
    # どこで間違えるか (where it goes wrong): TensorFlow's answer to every test image, for the confusion matrix
    steps, counts, labels = [], [], mnist.test.labels.argmax(axis=1)
    for snapshot in run["snapshots"]:
        restore_model(snapshot["checkpoint"])
        file_name = "6_weights_%d.js" % snapshot["step"]
        save_weights(file_name, run["run"], snapshot["step"], sess.run(VARIABLES), IMAGES_DIR, run["network"])
        answers = test_answers(mnist.test.images)
        counts.append(confusion_matrix(labels, answers, len(CLASSES)))
        steps.append({"step": snapshot["step"], "test_accuracy": float(np.mean(answers == labels)), "file": file_name,
                      "test_digits": len(answers), "answers": b64(answers, np.uint8)})  # every test image, each step
    # 比較 (--compare: another run in the Compare column, its channels matched to this run's at its end)
    if args.compare:
        restore_model("after")
        found = sess.run([h_conv1, h_conv2], {x: mnist.test.images[:DIGITS], keep_prob: 1.0})
        compare = compare_column(IMAGES_DIR, args.compare, DATA, {name: values.reshape(-1, values.shape[-1])
                                                                  for name, values in zip(("h_conv1", "h_conv2"), found)})

# 4.py のパターン (4.py's patterns, top patches and circuits, where it has run for this model)
channels = page_channels(os.path.join(IMAGES_DIR, "4_channels.npz"), describe_run(run))

save_test_images(IMAGES_DIR, run["run"], mnist.test.images)
write_run(IMAGES_DIR, {"run": run["run"], "summary": [describe_run(run), describe_run(run, "ja")], "steps": steps,
                       "digits": page_digits(mnist.test.images[:10], mnist.test.labels[:10]), "channels": channels,
                       "test_labels": page_labels(mnist.test.labels),
                       "running": False, "layers": page_layers(LAYERS), "data": page_data(DATA),
                       "model": os.path.basename(os.path.normpath(config.model)) + "/", "compare": args.compare and compare})

print(wrong_line([s["step"] for s in steps], counts, CLASSES))
size = sum(os.path.getsize(os.path.join(IMAGES_DIR, name)) for name in os.listdir(IMAGES_DIR) if name.startswith("6"))
print("images/6.html: %d snapshot steps (%s), %s, %.1f MB with its files; open it in a browser"
      % (len(steps), ", ".join(str(s["step"]) for s in steps),
         "with 4.py's patterns" if channels else "4.py has not run for this model: weights in place of patterns",
         size / 1e6))
