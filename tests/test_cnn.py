"""cnn.py: the graph's loss, and when 3.py's timeline looks at the layers."""

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

import cnn


@pytest.fixture(scope="module")
def sess():
    # Grappler's arithmetic optimiser happens to rewrite log(softmax(x)) as log_softmax(x), which
    # hides the article's NaN in this TensorFlow; the graph as written is what is tested here.
    config = tf.compat.v1.ConfigProto()
    config.graph_options.rewrite_options.arithmetic_optimization = rewriter_config_pb2.RewriterConfig.OFF
    with tf.compat.v1.Session(config=config) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        yield sess


def article_cross_entropy(sess, logits, labels):
    """The article's -tf.reduce_sum(y_ * tf.log(y_conv)), fed the same logits."""
    article = -tf.reduce_sum(cnn.y_ * tf.math.log(cnn.y_conv))
    return sess.run(article, {cnn.y_logits: logits, cnn.y_: labels})


def test_cross_entropy_is_the_articles_where_that_is_finite(sess):
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (50, 10)).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 50)]
    ours = sess.run(cnn.cross_entropy, {cnn.y_logits: logits, cnn.y_: labels})
    assert ours == pytest.approx(article_cross_entropy(sess, logits, labels), rel=1e-5)


def test_cross_entropy_stays_finite_where_the_articles_is_nan(sess):
    logits = np.zeros((2, 10), np.float32)
    logits[:, 3] = 200.0  # a confident answer: every other softmax output underflows to 0
    labels = np.eye(10, dtype=np.float32)[[3, 5]]
    assert np.isnan(article_cross_entropy(sess, logits, labels))
    assert sess.run(cnn.cross_entropy, {cnn.y_logits: logits, cnn.y_: labels}) == pytest.approx(200.0)


@pytest.mark.parametrize("steps, marks", [
    (20000, [0, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]),
    (300, [0, 100, 200, 300]),
    (1000, [0, 100, 200, 500, 1000]),
    (50, [0, 50]),
    (0, [0]),
])
def test_snapshot_steps(steps, marks):
    assert cnn.snapshot_steps(steps) == marks
