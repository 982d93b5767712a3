# -*- coding: utf-8 -*-
"""Activation maximisation: the input that excites a channel, or a digit's logit, most.

Gradient ascent on the input (Erhan et al. 2009; Simonyan et al. 2014, "class models"), regularised
as Yosinski et al. 2015 ("Understanding Neural Networks Through Deep Visualization") do, since plain
ascent finds high-frequency noise that excites the network and means nothing to a person:
  - each step's gradient is taken at the image shifted by up to JITTER pixels (random jitter), so
    that no pattern can rely on one exact pixel grid;
  - the step is the gradient scaled to an RMS of STEP (Chollet's normalised gradient), so every
    channel climbs at the same pace, whatever its scale;
  - the image decays towards 0, MNIST's black paper, by DECAY each step (L2 decay), so only the ink
    that helps stays;
  - every BLUR_EVERY steps it is blurred a little (Gaussian, sigma BLUR_SIGMA), which removes the
    pixel-to-pixel checkerboards;
  - it stays a valid input: clipped to [0, 1] after each step.
Every image of a batch climbs its own objective at once: one sess.run per step for a whole layer.
"""

import numpy as np
import tensorflow as tf

from machinery.analyses.receptive_fields import centre_fields

STEPS = 200
STEP = 0.05          # RMS of one step's change, in input units (0..1)
DECAY = 0.01         # L2 decay towards black, per step
BLUR_EVERY = 4
BLUR_SIGMA = 0.5     # pixels
JITTER = 1           # pixels
START_GRAY, START_NOISE = 0.5, 0.05

_gradients = {}  # layer or logits -> the gradient of its objective with respect to x, built once


def channel_patterns(sess, x, layer, steps=STEPS, jitter=JITTER):
    """Per channel of a conv layer, the input that maximises its unit at the centre of the map:
    (channels, 28, 28) in [0, 1]; only the unit's receptive field matters, the rest fades to black.

    This is the neuron objective of Olah et al. 2017 ("Feature Visualization"), not the mean over the
    map: a 5x5 filter whose weights sum positive has its mean maximised by a uniform white field,
    which says nothing. It climbs the unit before its ReLU, as Lucid does with its "pre_relu"
    layers: a unit that is off at the start (ReLU 0) would get no gradient and stay black.
    """
    key = (layer.ref(), "centre")
    if key not in _gradients:
        pre_relu = layer.op.inputs[0] if layer.op.type == "Relu" else layer
        _, h, w, _ = pre_relu.shape
        # Image k of the batch is meant for channel k: channel k's unit at the centre, on image k.
        objective = tf.linalg.diag_part(pre_relu[:, h // 2, w // 2, :])
        _gradients[key] = tf.gradients(tf.reduce_sum(objective), x)[0]
    return maximize(sess, x, _gradients[key], layer.shape[-1], steps=steps, jitter=jitter)


# Jitter (pixels) in a layer's patterns: none for h_conv1, whose small field it would blur; h_conv2's
# field is large enough for it to remove the pixel noise, as it does in the literature.
LAYER_JITTER = {"h_conv1": 0, "h_conv2": 1}


def layer_patterns(sess, x, name, layer, steps=STEPS):
    """4.py's patterns of the layer name (h_conv1 or h_conv2): per channel, the input its unit at the
    centre of the map answers to most, cut to that unit's receptive field: (channels, size, size)."""
    return centre_fields(channel_patterns(sess, x, layer, steps, LAYER_JITTER[name]), layer)


def class_models(sess, x, logits, feed, steps=STEPS):
    """Per class, the input that maximises its logit (Simonyan et al. 2014): (classes, 28, 28) in [0, 1]."""
    if logits.ref() not in _gradients:
        _gradients[logits.ref()] = tf.gradients(tf.reduce_sum(tf.linalg.diag_part(logits)), x)[0]
    return maximize(sess, x, _gradients[logits.ref()], logits.shape[-1], feed, steps)


def blur(images, sigma=BLUR_SIGMA):
    """A small separable Gaussian blur of (N, 28, 28) images, zero outside the image."""
    taps = np.exp(-0.5 * (np.arange(-2, 3) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    rows = sum(t * padded[:, k:k + images.shape[1], :] for k, t in enumerate(taps))
    return sum(t * rows[:, :, k:k + images.shape[2]] for k, t in enumerate(taps))


def maximize(sess, x, gradient, count, feed=None, steps=STEPS, seed=0, jitter=JITTER):
    """count inputs (count, 28, 28) in [0, 1] from a noisy flat gray, each climbing its own objective.

    gradient: d(sum of the objectives)/dx, where objective k depends on image k of the batch only.
    """
    rng = np.random.default_rng(seed)
    images = START_GRAY + START_NOISE * rng.standard_normal((count, 28, 28))
    for step in range(steps):
        dy, dx = rng.integers(-jitter, jitter + 1, size=2)
        shifted = np.roll(images, (dy, dx), axis=(1, 2))
        g = sess.run(gradient, {x: shifted.reshape(count, 784), **(feed or {})}).reshape(count, 28, 28)
        g = np.roll(g, (-dy, -dx), axis=(1, 2))
        rms = np.sqrt((g ** 2).mean(axis=(1, 2), keepdims=True)) + 1e-12
        images = images + STEP * g / rms
        images *= 1 - DECAY
        if (step + 1) % BLUR_EVERY == 0:
            images = blur(images)
        images = np.clip(images, 0.0, 1.0)
    return images.astype(np.float32)
