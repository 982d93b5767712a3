"""What a training run keeps besides the article's loop, as train()'s callbacks (callbacks.py): model/'s
checkpoints, the TensorBoard log (--logdir), the page that follows the run (images/6.html), the
progress bar. Given the network (cnn.py's module) rather than importing it: imports run one way."""

import tensorflow as tf

from machinery.run.callbacks import Callbacks
from machinery.run.checkpoints import Checkpoints, seed_words
from machinery.run.progress_bar import ProgressBar
from machinery.run.run_page import RunPage, page_data, page_digits, page_layers
from machinery.run.tensorboard_log import TensorBoardLog


def what_a_run_keeps(cnn, steps, run_id, started, model_dir, logdir, page_dir):
    """train()'s callbacks for a run of steps steps: model_dir's checkpoints (None: none saved), with
    logdir the TensorBoard log, with page_dir the page that follows the run, and the progress bar."""
    session = tf.compat.v1.get_default_session
    seed = tf.compat.v1.get_default_graph().seed
    feed = lambda batch: {cnn.x: batch[0], cnn.y_: batch[1], cnn.keep_prob: 1.0}
    return Callbacks([
        Checkpoints(cnn.saver, model_dir, steps),
        logdir and TensorBoardLog(logdir, lambda: cnn.histograms.eval(), lambda batch: cnn.cross_entropy.eval(feed_dict=feed(batch)),
                                  [name for name, _ in cnn.LAYERS]),
        # 学習を見る (watch it learn): the page of this run, in the reader's browser while it trains
        page_dir and RunPage(page_dir, run_id, steps, ("training now: %d steps, %s, started %s" % (steps, seed_words(seed), started),
                                                       "学習中：%d ステップ、%s、開始 %s" % (steps, seed_words(seed, "ja"), started)),
                             page_digits(cnn.mnist.test.images[:10], cnn.mnist.test.labels[:10]),
                             lambda: session().run(cnn.VARIABLES), page_layers(cnn.LAYERS), page_data(cnn.DATA)),
        ProgressBar(steps)])
