# -*- coding: utf-8 -*-
"""The article's network: TensorFlow's "Deep MNIST for Experts" CNN, as in its 0.py, and its
training loop, train().

Every script does `from cnn import *` and so shares this one graph (TF 1.x graph mode through
tf.compat.v1) and `mnist`, the data read from MNIST_data/ (or --data's: DATA says what it is, and
the readout has one output per class of CLASSES). The graph is built from the script's flags, as
flags.parse_args read them (config). What a run keeps besides the article's loop (model/'s
checkpoints, the TensorBoard log, the page that follows the run, the progress bar) plugs into
train() as its callbacks, as Keras' plug into fit(). NET, at the end, is everything the machinery
may touch.
"""

import collections
import datetime
import gc
import os
import sys

from machinery.run import onednn  # noqa: F401  before TensorFlow: its oneDNN kernels on every x86-64 CPU
import numpy as np
import tensorflow as tf

from input_data import DataError
from machinery.data import datasets
from machinery.run import checkpoints, flags
from machinery.run.callbacks import CallbackList
from machinery.run.cpu_settings import precision_of, training_config
from machinery.run.keep import default_callbacks
from tools import avg_pool_2x2, bias_variable, channels_to_images, conv2d, max_pool_2x2, weight_variable

tf.compat.v1.disable_eager_execution()  # placeholders, Session and eval(), as in TF 1.x

# The script's flags (flags.parse_args, before `from cnn import *`): the data set, the model folder,
# --logdir and --seed. Every flag reaches the graph from here.
config = flags.config()
if config.seed is not None:  # the initial weights, dropout (ops made after this) and the batches' order
    tf.compat.v1.set_random_seed(config.seed)
    np.random.seed(config.seed)

try:
    mnist, DATA = datasets.read(config.data)  # MNIST_data/, or the folder --data names
except DataError as e:
    sys.exit("error: %s" % e)
CLASSES = DATA["classes"]  # MNIST's digits "0".."9", or the data set's class names
# The article's network: 32 and 64 channels, 5x5 kernels, max pooling; or as --channels, --kernel and --pool say
(C1, C2), K = config.network["channels"], config.network["kernel"]
pool_2x2 = {"max": max_pool_2x2, "avg": avg_pool_2x2}[config.network["pool"]]
x = tf.compat.v1.placeholder("float", shape=[None, 784])
y_ = tf.compat.v1.placeholder("float", shape=[None, len(CLASSES)])

"""
第1層 (layer 1: convolution and pooling)
"""

W_conv1 = weight_variable([K, K, 1, C1])
b_conv1 = bias_variable([C1])
x_image = tf.reshape(x, [-1, 28, 28, 1])
h_conv1 = tf.nn.relu(conv2d(x_image, W_conv1) + b_conv1)
h_pool1 = pool_2x2(h_conv1)

"""
第2層 (layer 2: convolution and pooling)
"""

W_conv2 = weight_variable([K, K, C1, C2])
b_conv2 = bias_variable([C2])
h_conv2 = tf.nn.relu(conv2d(h_pool1, W_conv2) + b_conv2)
h_pool2 = pool_2x2(h_conv2)

"""
全結合層への変換 (to the fully connected layer)
"""

W_fc1 = weight_variable([7 * 7 * C2, 1024])
b_fc1 = bias_variable([1024])
h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * C2])
h_fc1 = tf.nn.relu(tf.matmul(h_pool2_flat, W_fc1) + b_fc1)

"""
Dropout
"""

keep_prob = tf.compat.v1.placeholder("float")
h_fc1_drop = tf.nn.dropout(h_fc1, rate=1 - keep_prob)

"""
読み出し層 (readout layer)
"""

W_fc2 = weight_variable([1024, len(CLASSES)])  # the article's 10 digits, or as many as the data has classes
b_fc2 = bias_variable([len(CLASSES)])
y_logits = tf.matmul(h_fc1_drop, W_fc2) + b_fc2
y_conv = tf.nn.softmax(y_logits)

"""
モデルの学習 (training)
"""

# The article's -tf.reduce_sum(y_ * tf.log(y_conv)), computed from the logits so it is never NaN.
cross_entropy = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y_logits))
train_step = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(cross_entropy)

"""
モデルの評価 (evaluation)
"""

correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, "float"))
answers = tf.argmax(y_conv, 1)  # the answer to each input, as correct_prediction takes it: the confusion matrix's


# The network's eight variables (not Adam's slots): what model/ keeps and TensorBoard's histograms show.
VARIABLES = {"W_conv1": W_conv1, "b_conv1": b_conv1, "W_conv2": W_conv2, "b_conv2": b_conv2,
             "W_fc1": W_fc1, "b_fc1": b_fc1, "W_fc2": W_fc2, "b_fc2": b_fc2}  # not Adam's slots
# Their histograms, for TensorBoard (--logdir): built here, run only when logging.
histograms = tf.compat.v1.summary.merge([tf.compat.v1.summary.histogram(name, variable)
                                         for name, variable in VARIABLES.items()])

# The layers that 3.py draws, in the article's order.
LAYERS = [
    ("h_conv1", h_conv1),  # 畳み込み1層 (convolution 1)
    ("h_pool1", h_pool1),  # プーリング1層 (pooling 1)
    ("h_conv2", h_conv2),  # 畳み込み2層 (convolution 2)
    ("h_pool2", h_pool2),  # プーリング2層 (pooling 2)
]


def layer_outputs(images):
    """[layer][input] -> that layer's channels for that input as images (channels, h, w)."""
    results = tf.compat.v1.get_default_session().run([layer for _, layer in LAYERS],
                                                      feed_dict={x: images, keep_prob: 1.0})
    return [[channels_to_images(result) for result in layer_result] for layer_result in results]


def snapshot_steps(steps):
    """Steps at which 3.py's timeline looks at the layers: 0, 100, 200, 500, 1000, ... and the last."""
    marks = [k * 10 ** e for e in range(2, 10) for k in (1, 2, 5)]
    return [0] + [mark for mark in marks if mark < steps] + ([steps] if steps else [])


"""
モデルの保存 (saving the model): the eight variables before and after training, in model/
"""

saver = tf.compat.v1.train.Saver(VARIABLES, max_to_keep=None)


def describe_run(facts, lang="en"):
    """One line saying which training run the model folder's facts (run.json) come from (lang "ja": in Japanese)."""
    return checkpoints.describe_run(facts, lang, config.model)


def restore_model(tag="after", model_dir=None):
    """Load the weights saved before or after training (or at a snapshot step, "step-N") from the model
    folder (config's) into the default session; returns run.json."""
    return checkpoints.restore(saver, tag, model_dir or config.model, DATA)


def train_first(steps, bf16=False):
    """Where there is no model folder yet, train and save one first, as 0.py does, in a session of its
    own (with --bf16 the training alone is in bfloat16; what the script then computes is float32)."""
    if not os.path.exists(config.model):
        with tf.compat.v1.Session(config=training_config(bf16)) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            train(steps)


# While training, each snapshot's test accuracy is measured on the first 1,000 test digits, so that a
# short run costs what the article's loop costs (docs/performance.md).
# The last step's is the article's own line, on all 10,000.
SNAPSHOT_TEST_DIGITS = 1000
# Test digits fed at a time: the article feeds all 10,000 at once (docs/differences.md, item 12).
TEST_BATCH = 100


def test_answers(images):
    """TensorFlow's answer (the class of y_conv's largest output, as correct_prediction takes it) to each of
    images, TEST_BATCH at a time, as uint8: what 6.html's confusion matrix counts."""
    return np.concatenate([answers.eval(feed_dict={x: images[i:i + TEST_BATCH], keep_prob: 1.0})
                           for i in range(0, len(images), TEST_BATCH)]).astype(np.uint8)


def snapshot_accuracy(step, steps):
    """The test accuracy at a snapshot step, on how many test digits, and the answers to them (test_answers):
    the first SNAPSHOT_TEST_DIGITS, and at the last step all of them (the article's)."""
    digits = None if step == steps else SNAPSHOT_TEST_DIGITS  # None: all
    images, labels = mnist.test.images[:digits], mnist.test.labels[:digits]
    found = test_answers(images)
    return float(np.mean(found == labels.argmax(axis=1))), len(images), found


def train(steps=20000, snapshot=None, callbacks=None):
    """The article's training loop, in the default session; returns the run's facts (run.json's: the
    steps, the test accuracy, ...) with what the callbacks added.

    At each step i of snapshot_steps(steps) (before step i; the last one after training) it measures
    the test accuracy, with the answers to the test digits it counts (snapshot_accuracy), and with
    snapshot calls snapshot(i), whose outputs go to the callbacks. callbacks (as Keras' fit takes them;
    machinery/run/callbacks.py) see each moment of the run; None: what a run keeps
    (keep.default_callbacks): model/'s checkpoints, with --logdir a TensorBoard log, the page that
    follows the run, on a terminal a progress bar.
    """
    marks = set(snapshot_steps(steps))
    started = datetime.datetime.now().isoformat(timespec="seconds")
    run = {"run": "%s-%d" % (started, os.getpid()),  # which run a page's files belong to
           "steps": steps, "started": started, "seed": tf.compat.v1.get_default_graph().seed}
    with CallbackList(default_callbacks(NET) if callbacks is None else callbacks) as callbacks:
        callbacks.on_train_begin(run)
        for i in range(steps):
            if i in marks:
                callbacks.on_snapshot_begin(i)
                outputs = snapshot(i) if snapshot else None
                test_accuracy, test_digits, found = snapshot_accuracy(i, steps)
                callbacks.on_snapshot_end(i, {"test_accuracy": test_accuracy, "test_digits": test_digits, "answers": found,
                                              "outputs": outputs})
            batch = mnist.train.next_batch(50)
            if i % 100 == 0:
                train_accuracy = accuracy.eval(feed_dict={
                    x: batch[0], y_: batch[1], keep_prob: 1.0})
                print("step %d, training accuracy %g" % (i, train_accuracy))
                callbacks.on_train_accuracy(i, {"train_accuracy": train_accuracy, "batch": batch})
            train_step.run(feed_dict={x: batch[0], y_: batch[1], keep_prob: 0.5})
            callbacks.on_step_end(i + 1)
        callbacks.on_snapshot_begin(steps)  # the last snapshot: the article's test accuracy
        outputs = snapshot(steps) if snapshot else None
        test_accuracy, test_digits, found = snapshot_accuracy(steps, steps)
        callbacks.on_snapshot_end(steps, {"test_accuracy": test_accuracy, "test_digits": test_digits, "answers": found,
                                          "outputs": outputs})
        facts = {"steps": steps, "test_accuracy": test_accuracy, "run": run["run"], "data": DATA,
                 "network": config.network, "precision": precision_of(tf.compat.v1.get_default_session()), "seed": run["seed"],
                 "date": datetime.datetime.now().isoformat(timespec="seconds"), "tensorflow": tf.__version__}
        facts.update(callbacks.on_train_end(facts))
    print("test accuracy %g" % test_accuracy)
    return facts


"""
ネットワーク (the network as one value): everything the machinery may touch, the run's callbacks, the
bench's measures and the page's writer, which take it rather than this module
"""

Network = collections.namedtuple("Network", "config data mnist x y_ keep_prob layers y_logits y_conv variables saver "
                                              "cross_entropy train_step accuracy histograms train layer_outputs snapshot_test_digits")
NET = Network(
    config=config, data=DATA, mnist=mnist,  # the flags it was built from, the data set's facts and its images
    x=x, y_=y_, keep_prob=keep_prob,  # the placeholders
    layers=LAYERS, y_logits=y_logits, y_conv=y_conv,  # the four layers 3.py draws, the logits and the softmax
    variables=VARIABLES, saver=saver,  # the eight variables, and what saves them in model/
    cross_entropy=cross_entropy, train_step=train_step, accuracy=accuracy, histograms=histograms,
    train=train, layer_outputs=layer_outputs, snapshot_test_digits=SNAPSHOT_TEST_DIGITS)

# The graph is built and lives as long as the process: frozen, Python's garbage collector no longer
# walks its objects at each pass (docs/performance.md).
gc.freeze()
