# -*- coding: utf-8 -*-
"""Why the network answers as it does: which input pixels, and which places, decided a digit's score.

  - Saliency map (Simonyan et al. 2014): |d logit / d input|, how much each pixel's change would
    change the digit's logit. The plain gradient of a ReLU network jumps from pixel to pixel and
    looks like noise; as SmoothGrad does (Smilkov et al. 2017), it is averaged over SAMPLES copies of
    the input with Gaussian noise of NOISE (15% of the input's range) before its absolute value.
  - Grad-CAM (Selvaraju et al. 2017) on a conv layer: each channel weighted by the mean gradient of
    the logit over its map, summed, ReLU, upsampled to the input: where the evidence is.
  - The sanity check of Adebayo et al. 2018 ("Sanity Checks for Saliency Maps"): a map that stays the
    same when the weights are random explains the input, not the network. rank_correlation() of the
    maps before and after training says how much they share.
"""

import numpy as np
import tensorflow as tf
from PIL import Image

SAMPLES, NOISE = 32, 0.15
_ops = {}  # (x, layer, logits) -> (digit placeholder, d logit/dx, d logit/d layer), built once


def explain(sess, x, layer, logits, images, digits, feed=None, seed=0):
    """Saliency maps and Grad-CAM maps (N, 28, 28) of logits[digits] for images (N, 784).

    Saliency is |gradient| (>= 0, in logit per unit of input); Grad-CAM is scaled so that its
    maximum is 1 for each image (all 0 where no place speaks for the digit).
    """
    key = (x.ref(), layer.ref(), logits.ref())
    if key not in _ops:
        digit = tf.compat.v1.placeholder(tf.int32, [None])
        chosen = tf.reduce_sum(logits * tf.one_hot(digit, logits.shape[-1]))  # each image's own logit
        _ops[key] = (digit, *tf.gradients(chosen, [x, layer]))
    digit, to_input, to_layer = _ops[key]
    feed = feed or {}
    noisy = np.repeat(images, SAMPLES, axis=0)
    noisy = noisy + NOISE * np.random.default_rng(seed).standard_normal(noisy.shape)
    gradient = sess.run(to_input, {x: noisy, digit: np.repeat(digits, SAMPLES), **feed})
    saliency = np.abs(gradient.reshape(len(images), SAMPLES, 28, 28).mean(axis=1))
    activations, layer_gradient = sess.run([layer, to_layer], {x: images, digit: digits, **feed})
    weights = layer_gradient.mean(axis=(1, 2))  # (N, channels): each channel's importance
    cam = np.maximum(np.einsum("nhwc,nc->nhw", activations, weights), 0)
    cam = np.array([np.asarray(Image.fromarray(c.astype(np.float32), "F").resize((28, 28), Image.Resampling.BILINEAR))
                    for c in cam])
    cam = np.maximum(cam, 0) / np.maximum(cam.max(axis=(1, 2), keepdims=True), 1e-12)
    return saliency, cam


def rank_correlation(a, b):
    """Spearman's rank correlation of two maps: the correlation of their pixels' ranks (ties averaged)."""
    return float(np.corrcoef(_ranks(a.ravel()), _ranks(b.ravel()))[0, 1])


def _ranks(values):
    order = np.empty(len(values))
    order[np.argsort(values, kind="stable")] = np.arange(len(values))
    _, tie, count = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(tie, weights=order) / count)[tie]
