# -*- coding: utf-8 -*-
"""How alike two runs' representations are (7.py), with the methods of the literature:

  - Linear CKA (Kornblith et al. 2019, "Similarity of Neural Network Representations Revisited"): two
    layers' outputs on the same N images, each image one example and the layer's whole output its
    features, compared through their centred Gram matrices: CKA(K, L) = <Kc, Lc> / (|Kc| |Lc|), 1 for
    representations that differ by a rotation and a scale, whatever their widths. It finds the
    corresponding layer of two runs of one network where CCA does not; it is high for any two layers of
    conv nets on the same images, trained or not, since much of a layer's structure is the input's.
  - Matched channels (Li et al. 2016, "Convergent Learning: Do different neural networks learn the same
    representations?"): each channel of one run against each of the other by the Pearson correlation of
    their outputs over the images and places, then paired one to one so that the correlations sum largest
    (the Hungarian method; Li et al. also used a greedy matching, which does not find that largest sum).
  - Settling (Raghu et al. 2017, SVCCA): a layer at each snapshot step against the same layer at the
    run's end; their finding, bottom-up convergence, is that lower layers settle first.
"""

import numpy as np
from scipy.optimize import linear_sum_assignment


def centred_gram(features):
    """The centred Gram matrix (N, N) of N examples' features (N, ...): each feature less its mean over
    the examples, then each pair of examples' dot product (float64 sums of float32 products)."""
    x = np.asarray(features, np.float32).reshape(len(features), -1)
    x = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    return (x @ x.T).astype(np.float64)


def cka(gram_a, gram_b):
    """Linear CKA of two centred Gram matrices of the same examples: 0 for unrelated, 1 for alike (up to
    a rotation and a scale); 0 where one layer gives every example the same output."""
    norm = np.sqrt((gram_a * gram_a).sum() * (gram_b * gram_b).sum())
    return float((gram_a * gram_b).sum() / norm) if norm > 0 else 0.0


def channel_correlations(a, b):
    """Pearson correlations (Ca, Cb) of two layers' channels over the same examples and places: a (M, Ca),
    b (M, Cb), a row a place of an image. A channel that never changes (never fires) correlates 0."""
    za, zb = standardised(a), standardised(b)
    return (za.T @ zb) / len(za)


def standardised(values):
    """Each column less its mean, over its standard deviation (a constant column: 0)."""
    values = np.asarray(values, np.float64)
    centred = values - values.mean(axis=0)
    spread = centred.std(axis=0)
    return np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 0)


def matched_channels(r):
    """One-to-one pairs of channels (a, b) whose correlations r[a, b] sum largest (the Hungarian method);
    with different counts, every channel of the smaller layer has a partner. [[a, b, r]], largest r first."""
    rows, cols = linear_sum_assignment(r, maximize=True)
    pairs = [[int(a), int(b), float(r[a, b])] for a, b in zip(rows, cols)]
    return sorted(pairs, key=lambda pair: (-pair[2], pair[0]))


def partner_order(pairs, count):
    """The other run's count channels in the order of their partners in pairs (matched_channels'):
    its partner of channel 0 first, then of 1, ...; its channels without one (the larger layer's) after,
    in their own order. So that where two tiles show one channel each, the same one stands in each."""
    partner = {b: a for a, b, _ in pairs}
    return sorted(range(count), key=lambda b: (partner.get(b, float("inf")), b))
