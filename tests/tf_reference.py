"""A model folder's network built anew by the tests, in a graph of its own, from its run.json (the
channels, the kernels' side, the pooling) and a checkpoint's weights: TensorFlow's answers for any
network the scripts can train, written with tf.nn's ops here, not taken from cnn.py's graph."""

import json
import os

import numpy as np
import tensorflow as tf


class Reference:
    """The network of model_dir at checkpoint tag: layers(inputs), why(inputs, classes), relu_masks(inputs),
    conv2_preactivation(h_pool1)."""

    def __init__(self, model_dir, tag):
        with open(os.path.join(model_dir, "run.json"), encoding="utf-8") as f:
            self.network = json.load(f)["network"]
        weights = tf.train.load_checkpoint(os.path.join(model_dir, tag))
        w = {name: weights.get_tensor(name) for name in weights.get_variable_to_shape_map()}
        pool = {"max": tf.nn.max_pool2d, "avg": tf.nn.avg_pool2d}[self.network["pool"]]
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.compat.v1.placeholder(tf.float32, [None, 784])
            self.cls = tf.compat.v1.placeholder(tf.int32, [None])
            conv = lambda a, name: tf.nn.relu(tf.nn.conv2d(a, w["W_" + name], 1, "SAME") + w["b_" + name])
            h_conv1 = conv(tf.reshape(self.x, [-1, 28, 28, 1]), "conv1")
            h_pool1 = pool(h_conv1, 2, 2, "SAME")
            h_conv2 = conv(h_pool1, "conv2")
            h_pool2 = pool(h_conv2, 2, 2, "SAME")
            h_fc1 = tf.nn.relu(tf.matmul(tf.reshape(h_pool2, [-1, w["W_fc1"].shape[0]]), w["W_fc1"]) + w["b_fc1"])
            logits = tf.matmul(h_fc1, w["W_fc2"]) + w["b_fc2"]
            self.outputs = [h_conv1, h_pool1, h_conv2, h_pool2, tf.nn.softmax(logits)]
            # h_conv2 before its ReLU, of an h_pool1 fed in (circuits: what zeroing an input changes)
            self.pooled = tf.compat.v1.placeholder(tf.float32, [None, 14, 14, w["W_conv2"].shape[2]])
            self.z = tf.nn.conv2d(self.pooled, w["W_conv2"], 1, "SAME") + w["b_conv2"]
            self.fc1 = h_fc1
            logit = tf.reduce_sum(logits * tf.one_hot(self.cls, w["b_fc2"].shape[0]))
            g_x, g_pool1, g_conv2 = tf.gradients(logit, [self.x, h_pool1, h_conv2])
            n = tf.shape(self.x)[0]
            self.why_ops = {"input": g_x, "saliency": tf.abs(g_x),
                            "h_pool1": tf.nn.relu(tf.reshape(tf.reduce_sum(g_pool1 * h_pool1, -1), [n, 196])),
                            "h_conv2": tf.nn.relu(tf.reshape(tf.reduce_sum(g_conv2 * h_conv2, -1), [n, 196])),
                            "channels": tf.reduce_sum(g_conv2 * h_conv2, [1, 2])}
        self.session = tf.compat.v1.Session(graph=self.graph)

    def layers(self, inputs):
        """[h_conv1, h_pool1, h_conv2, h_pool2 (NHWC), probabilities] for inputs (N, 784)."""
        return self.session.run(self.outputs, {self.x: np.asarray(inputs, np.float32)})

    def relu_masks(self, inputs):
        """Which units of h_conv1, h_conv2 and h_fc1 are on (> 0): the ReLUs' branches, flat per input."""
        h_conv1, _, h_conv2, _, _ = self.outputs
        on = self.session.run([h_conv1, h_conv2, self.fc1], {self.x: np.asarray(inputs, np.float32)})
        return np.concatenate([(a > 0).reshape(len(a), -1) for a in on], axis=1)

    def why(self, inputs, classes):
        """The page's why() as TensorFlow gives it: |d logit / d x|, HiResCAM on h_pool1 and h_conv2
        (positive part, 196 each), h_conv2's channels' contributions; and input, d logit / d x itself."""
        return self.session.run(self.why_ops, {self.x: np.asarray(inputs, np.float32), self.cls: classes})

    def conv2_preactivation(self, h_pool1):
        """h_conv2 before its ReLU for h_pool1 (N, 14, 14, c1) as given."""
        return self.session.run(self.z, {self.pooled: h_pool1})

    def close(self):
        self.session.close()
