"""The branches of the network's gradient: which element of each max-pooling window gets the window's
gradient (its first largest, as MaxPoolGrad) and which ReLUs pass it (output > 0, as ReluGrad).

Where a window's two largest values, or a ReLU's input and zero, lie within float32's rounding of
each other, two right computations of the same layer can take different branches: TensorFlow's
float32 sums and the page's float64 ones do, for a few inputs. So the tests read each one's branches
from its own activations (masks_of), and compute TensorFlow's gradients along the page's branches
too (why_along), with TensorFlow's own kernels, through a copy of cnn's network whose ReLU masks and
pooling choices are fed.
"""

import numpy as np
import tensorflow as tf

import cnn

_GRAPH = {}  # the fed-branch copy of cnn's network, built once in this process's graph

# A float32 sum here lies within 2.4 units in the last place of the sum of its terms' magnitudes
# (measured against float64 on 200 test digits, both kernel families, AVX2 and AVX-512 code): 16 of them.
ROUNDING = 2.0 ** -19


def _windows(a):
    """(n, h, w, c) -> (n, h/2, w/2, c, 4): each 2x2 window's four elements in row-major order."""
    n, h, w, c = a.shape
    return a.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(n, h // 2, w // 2, c, 4)


def _first_largest(h):
    """One-hot (n, h, w, c): each window's first largest element, in the window's row-major order."""
    n, height, width, c = h.shape
    chosen = np.eye(4, dtype=np.float32)[_windows(h).argmax(-1)]  # argmax: the first of equals
    return chosen.reshape(n, height // 2, width // 2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(h.shape)


def masks_of(h_conv1, h_conv2, h_fc1):
    """The branches taken by a forward pass, from its activations (after their ReLUs, NHWC): each
    ReLU's mask (output > 0) and each pooling window's choice, for conv1, conv2 and fc1."""
    h_conv1, h_conv2, h_fc1 = (np.asarray(a, np.float32) for a in (h_conv1, h_conv2, h_fc1))
    return ((h_conv1 > 0).astype(np.float32), _first_largest(h_conv1),
            (h_conv2 > 0).astype(np.float32), _first_largest(h_conv2), (h_fc1 > 0).astype(np.float32))


def _graph():
    if _GRAPH:
        return _GRAPH
    ph = lambda shape: tf.compat.v1.placeholder(tf.float32, shape)
    r1, s1, r2, s2, rf = ph([None, 28, 28, 32]), ph([None, 28, 28, 32]), ph([None, 14, 14, 64]), ph([None, 14, 14, 64]), ph([None, 1024])
    cls = tf.compat.v1.placeholder(tf.int32, [None])
    pool = lambda a: tf.reduce_sum(tf.reshape(a, [-1, a.shape[1] // 2, 2, a.shape[2] // 2, 2, a.shape[3]]), [2, 4])
    p1 = pool((cnn.conv2d(cnn.x_image, cnn.W_conv1) + cnn.b_conv1) * r1 * s1)
    h2 = (cnn.conv2d(p1, cnn.W_conv2) + cnn.b_conv2) * r2
    hf = (tf.matmul(tf.reshape(pool(h2 * s2), [-1, 3136]), cnn.W_fc1) + cnn.b_fc1) * rf
    logit = tf.reduce_sum((tf.matmul(hf, cnn.W_fc2) + cnn.b_fc2) * tf.one_hot(cls, 10))
    g_x, g_p1, g_h2 = tf.gradients(logit, [cnn.x, p1, h2])
    _GRAPH.update(feeds=(r1, s1, r2, s2, rf), cls=cls, why={
        "input": g_x, "saliency": tf.abs(g_x), "h_pool1": tf.nn.relu(tf.reshape(tf.reduce_sum(g_p1 * p1, -1), [-1, 196])),
        "h_conv2": tf.nn.relu(tf.reshape(tf.reduce_sum(g_h2 * h2, -1), [-1, 196])),
        "channels": tf.reduce_sum(g_h2 * h2, [1, 2])})
    return _GRAPH


def tf_masks(sess, inputs):
    """The branches TensorFlow's forward pass takes for inputs (n, 784), with sess's weights."""
    return masks_of(*sess.run([cnn.h_conv1, cnn.h_conv2, cnn.h_fc1], {cnn.x: inputs, cnn.keep_prob: 1.0}))


def why_along(sess, inputs, classes, masks):
    """tf_why's four answers (|d logit / d x|, both HiResCAMs, h_conv2's channels' contributions) for
    each input's class, with the gradient along the branches masks (masks_of's) instead of TensorFlow's;
    and input, d logit / d x itself."""
    graph = _graph()
    feed = dict(zip(graph["feeds"], masks))
    feed.update({cnn.x: np.asarray(inputs, np.float32), graph["cls"]: classes, cnn.keep_prob: 1.0})
    return sess.run(graph["why"], feed)


def differ(masks, others):
    """The inputs (indices) whose branches differ between two masks_of()."""
    return sorted(set().union(*(np.flatnonzero((a != b).reshape(len(a), -1).any(axis=1)).tolist()
                                for a, b in zip(masks, others))))


def answer_ties(sess, inputs):
    """The inputs whose two largest logits lie within float32's rounding of each other (from
    TensorFlow's h_fc1 and logits, and the magnitudes of their sums): either answer is right there."""
    p2, hf, logits, w1, w2 = sess.run([cnn.h_pool2_flat, cnn.h_fc1, cnn.y_logits, cnn.W_fc1, cnn.W_fc2],
                                      {cnn.x: np.asarray(inputs, np.float32), cnn.keep_prob: 1.0})
    # each logit's own sum, and h_fc1's sums carried into it
    tol = ROUNDING * (hf @ np.abs(w2) + (np.abs(p2) @ np.abs(w1)) @ np.abs(w2)) + 2.0 ** -23 * np.abs(logits)
    order = np.argsort(-logits, axis=1)
    n = np.arange(len(logits))
    top, second = order[:, 0], order[:, 1]
    return np.flatnonzero(logits[n, top] - logits[n, second] <= tol[n, top] + tol[n, second]).tolist()
