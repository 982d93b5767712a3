# -*- coding: utf-8 -*-
"""Why the network answers as it does: which input pixels, and which places, decided a digit's score.

  - Saliency map (Simonyan et al. 2014): |d logit / d input|, how much each pixel's change would
    change the digit's logit. The plain gradient of a ReLU network jumps from pixel to pixel and
    looks like noise; as SmoothGrad does (Smilkov et al. 2017), it is averaged over SAMPLES copies of
    the input with Gaussian noise of NOISE (15% of the input's range) before its absolute value.
  - HiResCAM (Draelos & Carin 2020) on a conv layer: the gradient of the logit times the activation,
    element by element, summed over the channels, ReLU, upsampled to the input: where the evidence
    is. From h_pool1 or h_conv2 on, the network is max pooling, ReLUs and linear maps, so the map
    before its ReLU, summed over the places, is the logit less what the later biases add: it shares
    the logit out among the places that added to it. Which layer says what:
      h_conv2, the last conv layer (each place sees 14x14 pixels): where the shapes that decided are
      centred; that can be off the ink, in a loop's hole or an open corner.
      h_pool1, conv2's input (each place sees 6x6 pixels): which strokes those shapes were built
      from. Maps of shallower layers localise more finely (LayerCAM, Jiang et al. 2021, whose
      authors also advise a pooling layer's output over the conv layer that feeds it: the max
      pool passes each window's gradient to one element only).
  - Grad-CAM (Selvaraju et al. 2017), the better known map, weights each channel by the mean of
    its gradient over the whole map instead. Where conv layers feed fully connected ones, as here,
    a channel that helps in one place is then credited in every place where it is active, and the
    map's peak often lies off the digit (see peak_on_ink()); it is kept to show that.
  - The sanity check of Adebayo et al. 2018 ("Sanity Checks for Saliency Maps"): a map that stays the
    same when the weights are random explains the input, not the network. rank_correlation() of the
    maps before and after training says how much they share.
"""

import numpy as np
import tensorflow as tf
from PIL import Image

SAMPLES, NOISE = 32, 0.15
_ops = {}  # (logits, tensor) -> (digit placeholder, d logits[digit] / d tensor), built once


def _gradient(logits, tensor):
    """The gradient of each image's logit for its own digit (fed to the placeholder) with respect to tensor."""
    key = (logits.ref(), tensor.ref())
    if key not in _ops:
        digit = tf.compat.v1.placeholder(tf.int32, [None])
        chosen = tf.reduce_sum(logits * tf.one_hot(digit, logits.shape[-1]))  # each image's own logit
        _ops[key] = digit, tf.gradients(chosen, tensor)[0]
    return _ops[key]


def saliency_map(sess, x, logits, images, digits, feed=None, seed=0):
    """SmoothGrad saliency (N, 28, 28) of logits[digits] for images (N, 784): |mean gradient| >= 0,
    in logit per unit of input."""
    digit, gradient = _gradient(logits, x)
    noisy = np.repeat(images, SAMPLES, axis=0)
    noisy = noisy + NOISE * np.random.default_rng(seed).standard_normal(noisy.shape)
    gradient = sess.run(gradient, {x: noisy, digit: np.repeat(digits, SAMPLES), **(feed or {})})
    return np.abs(gradient.reshape(len(images), SAMPLES, 28, 28).mean(axis=1))


def cams(sess, x, layer, logits, images, digits, feed=None):
    """HiResCAM and Grad-CAM (N, 28, 28) of logits[digits] on layer for images (N, 784), each scaled so
    that its maximum is 1 (all 0 where no place speaks for the digit)."""
    digit, gradient = _gradient(logits, layer)
    activations, gradient = sess.run([layer, gradient], {x: images, digit: digits, **(feed or {})})
    hires_cam = (gradient * activations).sum(axis=-1)  # place by place, then over the channels
    grad_cam = np.einsum("nhwc,nc->nhw", activations, gradient.mean(axis=(1, 2)))  # channel by channel
    return to_input_size(hires_cam), to_input_size(grad_cam)


def to_input_size(cam):
    """ReLU, bilinear upsampling of each (h, w) map to 28x28, and its maximum scaled to 1."""
    cam = np.array([np.asarray(Image.fromarray(c.astype(np.float32), "F").resize((28, 28), Image.Resampling.BILINEAR))
                    for c in np.maximum(cam, 0)])  # bilinear: what is >= 0 stays so
    return cam / np.maximum(cam.max(axis=(1, 2), keepdims=True), 1e-12)


def peak_on_ink(maps, images, radius=2, ink=0.3):
    """Per image, whether its map's peak lies within radius pixels of the ink (pixels above ink):
    maps and images (N, 28, 28). A map whose peak is off the digit points at nothing."""
    peaks = maps.reshape(len(maps), -1).argmax(axis=1)
    rows, cols = np.mgrid[:28, :28]
    distance = np.hypot(rows - (peaks // 28)[:, None, None], cols - (peaks % 28)[:, None, None])  # (N, 28, 28)
    return ((distance <= radius) & (images > ink)).any(axis=(1, 2))


def rank_correlation(a, b):
    """Spearman's rank correlation of two maps: the correlation of their pixels' ranks (ties averaged)."""
    return float(np.corrcoef(_ranks(a.ravel()), _ranks(b.ravel()))[0, 1])


def _ranks(values):
    order = np.empty(len(values))
    order[np.argsort(values, kind="stable")] = np.arange(len(values))
    _, tie, count = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(tie, weights=order) / count)[tie]
