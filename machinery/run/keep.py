"""What a training run keeps besides the article's loop: the callbacks train() has when it is given
none. Given the network (cnn.NET) rather than importing it: imports run one way."""

from machinery.run.checkpoints import Checkpoints
from machinery.run.progress_bar import ProgressBar
from machinery.run.run_page import RunPage
from machinery.run.tensorboard_log import TensorBoardLog
from tools import IMAGES_DIR


def default_callbacks(net):
    """train()'s callbacks where none are given, in the folders net.config names: the model folder's
    checkpoints, with --logdir the TensorBoard log, the page that follows the run in images/, the
    progress bar. A script that wants one more: train(steps, callbacks=default_callbacks(NET) + [it])."""
    return [Checkpoints(net.saver, net.config.model)] + (
        [TensorBoardLog(net.config.logdir, net)] if net.config.logdir else []) + [
        RunPage(IMAGES_DIR, net),  # 学習を見る (watch it learn): the page of this run, while it trains
        ProgressBar()]
