"""The article's loop and nothing else, on cnn.py's graph with train()'s session settings (its last
test accuracy counted as train() counts it): what a run would cost without the snapshots' accuracies,
checkpoints, model/ and the progress bar.

    python machinery/bench/bare_loop.py STEPS
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the root

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import tensorflow as tf  # noqa: E402

from cnn import *  # noqa: E402,F403

with tf.compat.v1.Session(config=training_config()) as sess:  # noqa: F405
    sess.run(tf.compat.v1.global_variables_initializer())
    for i in range(int(sys.argv[1])):
        batch = mnist.train.next_batch(50)  # noqa: F405
        if i % 100 == 0:
            train_accuracy = accuracy.eval(feed_dict={x: batch[0], y_: batch[1], keep_prob: 1.0})  # noqa: F405
            print("step %d, training accuracy %g" % (i, train_accuracy))
        train_step.run(feed_dict={x: batch[0], y_: batch[1], keep_prob: 0.5})  # noqa: F405
    print("test accuracy %g" % snapshot_accuracy(1, 1)[0])  # noqa: F405  (all the test digits, as train() counts them)
