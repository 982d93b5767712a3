# -*- coding: utf-8 -*-
"""Circuits: what each h_conv2 channel is made of, input channel by input channel (Olah et al.,
"Zoom In: An Introduction to Circuits", Distill 2020; Cammarata et al., "Curve Circuits", 2021).

Before its ReLU, h_conv2's channel j at place p is exactly b_conv2[j] plus, over the 32 h_pool1
channels i, c_ij(p) = the sum over the 5x5 window d of W_conv2[d, i, j] * h_pool1[p + d, i] (SAME
padding: zeros outside the map). Zeroing input i in h_pool1 changes it by exactly c_ij(p).
"""

import numpy as np


def contributions(h_pool1, W, images, rows, cols):
    """c_ij at given places: h_pool1 (N, H, W, I), W (k, k, I, J); images, rows, cols (J, K): per output
    channel j, K (image, place) pairs. Returns (J, K, I)."""
    k = W.shape[0]
    before = (k - 1) // 2  # SAME: TensorFlow pads the odd pixel after
    padded = np.pad(h_pool1, ((0, 0), (before, k - 1 - before), (before, k - 1 - before), (0, 0)))
    steps = np.arange(k)
    patches = padded[images[..., None, None], (rows[..., None] + steps)[..., :, None],
                     (cols[..., None] + steps)[..., None, :]]  # (J, K, k, k, I)
    return np.einsum("jkyxi,yxij->jki", patches, W)


def ranked_inputs(mean):
    """Per output channel, the input channels from the largest mean contribution down, and those means:
    (order, ranked), both (J, I)."""
    order = np.argsort(-mean, axis=1, kind="stable")
    return order, np.take_along_axis(mean, order, axis=1)


def shares(ranked):
    """Each input's contribution over the channel's total positive input (+0.31 = 31% of it)."""
    return ranked / np.maximum(np.where(ranked > 0, ranked, 0).sum(axis=1, keepdims=True), 1e-12)
