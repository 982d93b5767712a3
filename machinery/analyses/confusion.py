# -*- coding: utf-8 -*-
"""Where the network goes wrong: the confusion matrix of TensorFlow's answers to the test set (cnn.test_answers;
6.html shows one at each snapshot step), and the pair of classes it confuses most."""

import numpy as np


def confusion_matrix(labels, answers, classes):
    """counts[true][answer]: how many of the test images of class true (labels, as class numbers) it answers as
    answer (answers), for classes classes."""
    pairs = np.asarray(labels, np.int64) * classes + np.asarray(answers, np.int64)
    return np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)


def most_confused(counts):
    """(true, answer, count): the largest count off the diagonal, the first in row-major order of equals."""
    off = np.array(counts)
    np.fill_diagonal(off, -1)
    true, answer = np.unravel_index(off.argmax(), off.shape)
    return int(true), int(answer), int(counts[true, answer])


def wrong_line(steps, counts, classes):
    """6.py's line: how many test images each snapshot step gets wrong, and the pair it confuses most at the last."""
    wrong = ", ".join("%s at %s%s" % (format(int(c.sum() - np.trace(c)), ","), "step " if k == 0 else "", format(s, ","))
                      for k, (s, c) in enumerate(zip(steps, counts)))
    true, answer, count = most_confused(counts[-1])
    return ("confusion matrix: wrong on all %s test images: %s; at the end most often %s read as %s (%d)"
            % (format(int(counts[-1].sum()), ","), wrong, classes[true], classes[answer], count))
