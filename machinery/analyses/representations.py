"""One model folder's representations of the first N test images, in a process of its own, which builds
that folder's network (cnn.py, from its run.json): for 7.py, which compares two runs, and for
`6.py --compare`, whose Compare column shows another run. Written to OUT (.npz):
  always     h_conv1's and h_conv2's outputs (their channels' correlations), the run's facts
  --grams    every compared layer's centred Gram matrix at the run's end and before training, and each
             layer's CKA at every snapshot step against the same layer at the end (settling)
  --patterns h_conv1's and h_conv2's patterns (4.py's, with N ascent steps) and top patches among the images
  --page     the weights at each snapshot step for 6.html, as 6_compare_weights_STEP.js in FOLDER

    python machinery/analyses/representations.py OUT [--digits N] [--grams] [--patterns N] [--page FOLDER] --model DIR
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the root
own = argparse.ArgumentParser()
own.add_argument("out")
own.add_argument("--digits", type=int, default=1000)
own.add_argument("--grams", action="store_true")
own.add_argument("--patterns", type=int, default=0, metavar="ASCENT_STEPS")
own.add_argument("--page", metavar="FOLDER")
mine, sys.argv[1:] = own.parse_known_args()  # the rest: the model folder's flags, as a script's

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from machinery.run import flags  # noqa: E402

args = flags.parse_args(__doc__, model=True)
from cnn import *  # noqa: E402,F403
from machinery.analyses.activation_maximization import layer_patterns  # noqa: E402
from machinery.analyses.receptive_fields import channel_maxima, receptive_field, top_patches  # noqa: E402
from machinery.analyses.similarity import centred_gram, cka  # noqa: E402
from machinery.run.run_page import page_layers, save_weights  # noqa: E402

COMPARED = LAYERS + [("h_fc1", h_fc1)]  # noqa: F405  the four layers 3.py draws, and fc1
CHANNELS = [("h_conv1", h_conv1), ("h_conv2", h_conv2)]  # noqa: F405
images = mnist.test.images[:mine.digits]  # noqa: F405


def outputs(sess):
    """The compared layers' outputs for the images, 200 at a time: [(N, ...)]."""
    batches = [sess.run([layer for _, layer in COMPARED], {x: images[i:i + 200], keep_prob: 1.0})  # noqa: F405
               for i in range(0, len(images), 200)]
    return [np.concatenate(parts) for parts in zip(*batches)]


found = {}
with tf.compat.v1.Session() as sess:
    run = restore_model("after")  # noqa: F405
    last = outputs(sess)
    for name, _ in CHANNELS:
        values = last[[n for n, _ in COMPARED].index(name)]
        found[name] = values.reshape(-1, values.shape[-1])
    if mine.patterns:
        for (name, layer), strongest in zip(CHANNELS, channel_maxima(sess, [layer for _, layer in CHANNELS], x, images)):  # noqa: F405
            found["patterns_" + name] = layer_patterns(sess, x, name, layer, mine.patterns)  # noqa: F405
            found["top_" + name] = top_patches(images.reshape(-1, 28, 28), strongest, receptive_field(layer), 9)
    steps = []
    if mine.grams:
        gram_after = [centred_gram(layer) for layer in last]
        settling = []
    for snapshot in run["snapshots"]:
        restore_model(snapshot["checkpoint"])  # noqa: F405
        if mine.grams:
            grams = gram_after if snapshot["checkpoint"] == "after" else [centred_gram(layer) for layer in outputs(sess)]
            settling.append([cka(g, last_g) for g, last_g in zip(grams, gram_after)])
            if snapshot["step"] == 0:
                found["gram_before"] = np.float32(grams)
        if mine.page:  # the Compare column's weights, one file a step
            file_name = "6_compare_weights_%d.js" % snapshot["step"]
            save_weights(file_name, run["run"], snapshot["step"], sess.run(VARIABLES), mine.page, run["network"])  # noqa: F405
            steps.append({"step": snapshot["step"], "test_accuracy": snapshot["test_accuracy"],
                          "test_digits": snapshot["test_digits"], "file": file_name})
    if mine.grams:
        found.update(gram_after=np.float32(gram_after), settling=np.array(settling))

facts = {"run": run["run"], "summary": [describe_run(run), describe_run(run, "ja")], "steps": steps,  # noqa: F405
         "snapshot_steps": [s["step"] for s in run["snapshots"]], "accuracy": run["test_accuracy"],
         "layers": page_layers(LAYERS), "model": os.path.basename(os.path.normpath(config.model)) + "/"}  # noqa: F405
with open(mine.out, "wb") as f:
    np.savez(f, facts=json.dumps(facts), **found)
