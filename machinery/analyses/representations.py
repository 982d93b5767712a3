"""One model folder's representations of the first N test images, for 7.py, which compares two runs,
each in a process of its own (each network built by cnn.py from its folder's run.json): every layer's
centred Gram matrix at the run's end and before training, each layer's CKA at every snapshot step
against the same layer at the end (settling), h_conv1's and h_conv2's outputs for their channels'
correlations, and their patterns (4.py's) and top patches among the N images. Written to OUT (.npz).

    python machinery/analyses/representations.py OUT N ASCENT_STEPS --model DIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the root
out, digits, ascent_steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.argv[1:] = sys.argv[4:]  # the model folder's flags, as a script's

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from machinery.run import flags  # noqa: E402

args = flags.parse_args(__doc__, model=True)
from cnn import *  # noqa: E402,F403
from machinery.analyses.activation_maximization import layer_patterns  # noqa: E402
from machinery.analyses.receptive_fields import channel_maxima, receptive_field, top_patches  # noqa: E402
from machinery.analyses.similarity import centred_gram, cka  # noqa: E402

COMPARED = LAYERS + [("h_fc1", h_fc1)]  # noqa: F405  the four layers 3.py draws, and fc1
CHANNELS = [("h_conv1", h_conv1), ("h_conv2", h_conv2)]  # noqa: F405
images = mnist.test.images[:digits]  # noqa: F405


def outputs(sess):
    """The compared layers' outputs for the images, 200 at a time: [(N, ...)]."""
    batches = [sess.run([layer for _, layer in COMPARED], {x: images[i:i + 200], keep_prob: 1.0})  # noqa: F405
               for i in range(0, len(images), 200)]
    return [np.concatenate(parts) for parts in zip(*batches)]


with tf.compat.v1.Session() as sess:
    run = restore_model("after")  # noqa: F405
    last = outputs(sess)
    gram_after = [centred_gram(layer) for layer in last]
    channels = {name: last[[n for n, _ in COMPARED].index(name)] for name, _ in CHANNELS}
    patterns = {name: layer_patterns(sess, x, name, layer, ascent_steps) for name, layer in CHANNELS}  # noqa: F405
    strongest = channel_maxima(sess, [layer for _, layer in CHANNELS], x, images)  # noqa: F405
    top = {name: top_patches(images.reshape(-1, 28, 28), s, receptive_field(layer), 9) for (name, layer), s in zip(CHANNELS, strongest)}
    settling, gram_before = [], None
    for snapshot in run["snapshots"]:
        restore_model(snapshot["checkpoint"])  # noqa: F405
        grams = gram_after if snapshot["checkpoint"] == "after" else [centred_gram(layer) for layer in outputs(sess)]
        settling.append([cka(g, last_g) for g, last_g in zip(grams, gram_after)])
        if snapshot["step"] == 0:
            gram_before = grams

with open(out, "wb") as f:
    np.savez(f, steps=[s["step"] for s in run["snapshots"]], settling=np.array(settling),
             gram_after=np.float32(gram_after), gram_before=np.float32(gram_before),
             **{name: values.reshape(-1, values.shape[-1]) for name, values in channels.items()},
             **{"patterns_" + name: p for name, p in patterns.items()}, **{"top_" + name: t for name, t in top.items()},
             summary=[describe_run(run), describe_run(run, "ja")], accuracy=run["test_accuracy"])  # noqa: F405
