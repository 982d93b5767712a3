# -*- coding: utf-8 -*-
"""TensorBoard (--logdir): the training as TensorFlow's mnist_with_summaries.py logs it, a callback of
cnn.train(): the step lines' values, the test accuracies, the variables' histograms and the layers'
tiles at the snapshot steps, and the graph."""

import datetime
import io
import itertools
import os

import tensorflow as tf
from PIL import Image

from machinery.run.callbacks import Callback
from tools import tile_images


def open_log(logdir):
    """A FileWriter, with the graph, in a new sub-folder of logdir named by the date and time."""
    name = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    for attempt in itertools.count():
        path = os.path.join(logdir, name + ("_%d" % attempt if attempt else ""))
        try:
            os.makedirs(path)
            break
        except FileExistsError:
            continue
    return tf.compat.v1.summary.FileWriter(path, tf.compat.v1.get_default_graph())


def log_scalars(writer, step, **values):
    writer.add_summary(tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag=tag, simple_value=value)
                                                   for tag, value in values.items()]), step)


def log_layers(writer, step, names, outputs):
    """The layers' tiles of each input, as save_image lays them out ([layer][input] -> channels), as PNGs."""
    values = []
    for name, layer_images in zip(names, outputs):
        for i, images in enumerate(layer_images):
            tile = tile_images(images)
            png = io.BytesIO()
            Image.fromarray(tile).save(png, "PNG")
            values.append(tf.compat.v1.Summary.Value(tag="%s/%02d" % (name, i), image=tf.compat.v1.Summary.Image(
                height=tile.shape[0], width=tile.shape[1], colorspace=1, encoded_image_string=png.getvalue())))
    writer.add_summary(tf.compat.v1.Summary(value=values), step)


class TensorBoardLog(Callback):
    """--logdir's log of a training run (a callback of cnn.train): at each of the article's lines the
    training accuracy and the batch's cross entropy, at each snapshot step the test accuracy, the
    variables' histograms and the layers' tiles (train()'s snapshot outputs, [layer][input]); closed
    whatever happens. net: cnn.NET, whose histograms, cross entropy and layers it logs."""

    def __init__(self, logdir, net):
        self.logdir, self.net = logdir, net
        self.writer = None

    def on_train_begin(self, logs):
        self.writer = open_log(self.logdir)

    def on_train_accuracy(self, step, logs):
        batch = logs["batch"]
        cross_entropy = self.net.cross_entropy.eval(feed_dict={self.net.x: batch[0], self.net.y_: batch[1],
                                                               self.net.keep_prob: 1.0})
        log_scalars(self.writer, step, **{"training accuracy": logs["train_accuracy"], "cross entropy": cross_entropy})

    def on_snapshot_end(self, step, logs):
        log_scalars(self.writer, step, **{"test accuracy": logs["test_accuracy"]})
        self.writer.add_summary(self.net.histograms.eval(), step)
        if logs["outputs"]:
            log_layers(self.writer, step, [name for name, _ in self.net.layers], logs["outputs"])

    def on_train_end(self, logs):
        self.writer.close()
        return {"logdir": self.writer.get_logdir()}

    def on_train_stopped(self):
        if self.writer:
            self.writer.close()
