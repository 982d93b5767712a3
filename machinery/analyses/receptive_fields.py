# -*- coding: utf-8 -*-
"""Receptive fields, and the test images where each channel fires hardest (Zeiler & Fergus 2014).

A channel's output at one place sees only a square of the input: its receptive field. It is derived
here from the graph's own convolution and pooling ops (kernel, stride, padding), not typed in.
"""

import numpy as np
import tensorflow as tf


def receptive_field(layer):
    """(size, stride, offset) of a conv/pool layer's outputs on the input image.

    The output at (i, j) sees input rows offset + stride * i .. offset + stride * i + size - 1, and the
    same columns; rows and columns outside the image are the convolutions' zero padding.
    """
    size, stride, offset = 1, 1, 0
    op = layer.op
    while op.type != "Reshape":  # x_image = tf.reshape(x, ...) is where the image comes in
        if op.type in ("Conv2D", "MaxPool", "AvgPool"):
            if op.type == "Conv2D":
                kernel = op.inputs[1].shape[0]
            else:
                kernel = op.get_attr("ksize")[1]
            step = op.get_attr("strides")[1]
            before = 0
            if op.get_attr("padding") == b"SAME":  # TensorFlow pads SAME with the odd pixel after
                before = max((op.outputs[0].shape[1] - 1) * step + kernel - op.inputs[0].shape[1], 0) // 2
            # One output of this op sees kernel of its inputs, starting at step * i - before.
            size, stride, offset = (size - 1) * step + kernel, stride * step, offset * step - before
        # Follow the image through ReLU, bias additions, convolutions and pooling (not the weights).
        op = next(t.op for t in op.inputs if t.shape.rank == 4)
    return size, stride, offset


def channel_maxima(sess, layers, x, images, batch=200):
    """Per layer, each channel's strongest response to each image, and where: [(maxima, rows, cols)],
    each (N, channels). The layers are evaluated together, the test set 200 images at a time, whose
    layers the next batch reuses (docs/performance.md)."""
    strongest = []
    for layer in layers:
        _, h, w, c = layer.shape
        flat = tf.reshape(layer, [-1, h * w, c])  # every place of the map in one axis
        strongest.append((tf.reduce_max(flat, axis=1), tf.argmax(flat, axis=1, output_type=tf.int32)))
    batches = [sess.run(strongest, {x: images[start:start + batch]}) for start in range(0, len(images), batch)]
    results = []
    for k, layer in enumerate(layers):
        maxima = np.concatenate([b[k][0] for b in batches])
        places = np.concatenate([b[k][1] for b in batches])
        results.append((maxima, places // layer.shape[2], places % layer.shape[2]))
    return results


def top_images(maxima, count=9):
    """Per channel, the count images with the highest maxima, highest first: indices (C, count)."""
    return np.argsort(-maxima, axis=0, kind="stable")[:count].T


def top_patches(images, strongest, field, count=9):
    """Per channel, the count images where it fires hardest, each cropped to the channel's field at
    that place: (C, count, size, size). strongest: one layer's (maxima, rows, cols) of channel_maxima."""
    maxima, rows, cols = strongest
    which = top_images(maxima, count)
    return crop_fields(images, which, np.take_along_axis(rows.T, which, 1), np.take_along_axis(cols.T, which, 1),
                       field)


def centre_fields(images, layer):
    """Per channel c, images[c] (channels, 28, 28) cut to the receptive field of the layer's unit at
    the centre of its map: (channels, size, size). For patterns made for those units."""
    _, h, w, channels = layer.shape
    which = np.arange(channels)[:, None]
    return crop_fields(images, which, np.full_like(which, h // 2), np.full_like(which, w // 2), receptive_field(layer))[:, 0]


def crop_fields(images, which, rows, cols, field):
    """The receptive field at (rows, cols) of images[which], all (C, count): patches (C, count, s, s).

    images: (N, 28, 28). Where the field runs off the image the patch is black (0), as the padding is.
    """
    size, stride, offset = field
    padded = np.pad(images[which], ((0, 0), (0, 0), (size, size), (size, size)))  # only the images cropped
    top = offset + stride * rows + size  # in padded coordinates
    left = offset + stride * cols + size
    steps = np.arange(size)
    channels, count = which.shape
    return padded[np.arange(channels)[:, None, None, None], np.arange(count)[:, None, None],
                  (top[..., None] + steps)[..., :, None],
                  (left[..., None] + steps)[..., None, :]]
