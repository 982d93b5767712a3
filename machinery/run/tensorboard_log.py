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
    """--logdir's log of a training run (a callback of cnn.train): at each step line the training
    accuracy and the batch's cross entropy, at each snapshot step the test accuracy, the variables'
    histograms and the layers' tiles (train()'s snapshot outputs, [layer][input]); closed whatever happens.
    histograms(): the summary of the variables' histograms; cross_entropy(batch): its value."""

    def __init__(self, logdir, histograms, cross_entropy, layer_names):
        self.logdir, self.histograms, self.cross_entropy, self.layer_names = logdir, histograms, cross_entropy, layer_names
        self.writer = None

    def start(self):
        self.writer = open_log(self.logdir)

    def line(self, step, batch, train_accuracy):
        log_scalars(self.writer, step, **{"training accuracy": train_accuracy, "cross entropy": self.cross_entropy(batch)})

    def snapshot(self, step, test_accuracy, test_digits, outputs):
        log_scalars(self.writer, step, **{"test accuracy": test_accuracy})
        self.writer.add_summary(self.histograms(), step)
        if outputs:
            log_layers(self.writer, step, self.layer_names, outputs)

    def end(self, facts):
        self.writer.close()

    def stopped(self):
        self.writer.close()
