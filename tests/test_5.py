"""5.py and what it rests on: saliency, HiResCAM on two layers (and Grad-CAM, which it replaces), and the sanity
check of training against none.
Run as a user runs it, on a short training's model/, with good and bad images."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import cnn
from machinery.analyses.saliency import cams, peak_on_ink, rank_correlation, saliency_map

DIGITS = cnn.mnist.test.images[:200]
ANSWER = r"(\d) \((\d+\.\d)%\), then (\d) \((\d+\.\d)%\), (\d) \((\d+\.\d)%\)"


@pytest.fixture(scope="module")
def maps(trained_session, trained_repo):
    """Of the first 200 test digits, for their labels, after and before training: the saliency map,
    HiResCAM on h_pool1, and HiResCAM and Grad-CAM on h_conv2."""
    sess, _ = trained_session
    repo, _ = trained_repo
    labels = cnn.mnist.test.labels[:200].argmax(axis=1)
    look = lambda sess: (saliency_map(sess, cnn.x, cnn.y_logits, DIGITS, labels, {cnn.keep_prob: 1.0}),
                         cams(sess, cnn.x, cnn.h_pool1, cnn.y_logits, DIGITS, labels, {cnn.keep_prob: 1.0})[0],
                         *cams(sess, cnn.x, cnn.h_conv2, cnn.y_logits, DIGITS, labels, {cnn.keep_prob: 1.0}))
    after = look(sess)
    with tf.compat.v1.Session() as untrained:
        cnn.restore_model("before", os.path.join(repo.path, "model"))
        before = look(untrained)
    return after, before


def test_maps_have_the_inputs_shape_and_range(maps):
    for saliency, *cams in maps:
        assert saliency.shape == (200, 28, 28)
        assert saliency.min() >= 0 and saliency.max() > 0
        for cam in cams:
            assert cam.shape == (200, 28, 28)
            assert cam.min() >= 0 and cam.max() <= 1
            peaks = cam.max(axis=(1, 2))
            assert np.isin(peaks, [0, 1]).all(), "scaled to its maximum, where it is not all 0"
            assert (peaks == 1).mean() > 0.8


def test_hires_cam_on_h_pool1_lies_on_the_digit(maps):
    images = DIGITS.reshape(-1, 28, 28)
    (_, after, _, _), (_, before, _, _) = maps
    on_ink, before_training = peak_on_ink(after, images).mean(), peak_on_ink(before, images).mean()
    # After 300 steps: 99.0% against 93.5% before training (a full run: 99.9% and 95.1% of all
    # 10,000 test digits; see the README).
    assert on_ink >= 0.95 and on_ink > before_training, (on_ink, before_training)


def test_hires_cam_points_at_the_digit_more_often_than_grad_cam(maps):
    images = DIGITS.reshape(-1, 28, 28)
    (_, _, hires_cam, grad_cam), _ = maps
    hires, grad = peak_on_ink(hires_cam, images).mean(), peak_on_ink(grad_cam, images).mean()
    # After 300 steps: 71.5% against 65% (a full run: 87% against 62%; see the README). The margin
    # at 300 steps moves with the run (74% against 60% before the snapshots' accuracies took 1,000
    # test digits: evaluating draws dropout's random numbers too); Grad-CAM in HiResCAM's place: 0.
    assert hires >= 0.65 and hires >= grad + 0.04, (hires, grad)


def test_peak_on_ink_measures_the_distance_to_the_strokes():
    images = np.zeros((3, 28, 28), np.float32)
    images[:, 10, 5:20] = 1.0  # a horizontal stroke on row 10
    maps = np.zeros((3, 28, 28), np.float32)
    maps[0, 12, 8] = 1  # 2 pixels below the stroke: on it
    maps[1, 13, 8] = 1  # 3 below: off
    maps[2, 11, 20] = 1  # sqrt(2) from its end: on
    assert peak_on_ink(maps, images).tolist() == [True, False, True]
    images[0, 10, 5:20] = 0.3  # faint, below the ink threshold
    assert not peak_on_ink(maps, images)[0]


def test_saliency_changes_when_the_weights_are_random(maps):
    (after, *cams_after), (before, *cams_before) = maps
    correlations = [rank_correlation(a, b) for a, b in zip(after, before)]
    assert np.median(correlations) < 0.5, "the trained network's map is not the input's"
    for layer, cam_after, cam_before in zip(("h_pool1", "h_conv2"), cams_after, cams_before):
        cam_correlations = [rank_correlation(a, b) for a, b in zip(cam_after, cam_before)]
        assert np.median(cam_correlations) < 0.5, "nor is HiResCAM's on " + layer
    assert rank_correlation(after[0], after[0]) == pytest.approx(1.0)
    assert rank_correlation(after[0], -after[0]) == pytest.approx(-1.0)


def test_5_answers_for_a_drawing_and_names_each_bad_file(drawn):
    repo, result, paths = drawn
    assert result.returncode == 1, "some images failed"
    lines = result.stdout.splitlines()
    assert lines[0].startswith("model/: 300 training steps, seed 1, test accuracy ")
    answer = re.fullmatch(r"my 7\.jpg: " + ANSWER, lines[1])
    assert answer and answer.group(1) == "7", lines[1]
    assert len(lines) == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: %s: no such file" % paths[1],
        "error: %s: not an image Pillow can read" % paths[2],
        errors[2], "error: %s: no ink: the image is blank or uniform" % paths[4], errors[4]]
    assert errors[2].startswith("error: %s: damaged or truncated image (" % paths[3])
    assert errors[4].startswith("error: %s: too large to decode safely (Image size (900000000 pixels) exceeds limit" % paths[5])
    assert "Traceback" not in result.stderr


def test_5_writes_a_sheet_and_the_input_for_the_good_image(drawn):
    repo, _, _ = drawn
    names = [n for n in os.listdir(os.path.join(repo.path, "images")) if n.startswith("5")]
    assert sorted(names) == ["5.html", "5_my_7.png", "5_my_7_input.png"], "nothing for the bad files, no temporary"
    seen = np.asarray(Image.open(repo.image("5_my_7_input.png")).convert("L"))
    assert seen.shape == (224, 224)
    digit = seen[::8, ::8] / 255
    rows, cols = np.flatnonzero(digit.max(axis=1) > 0), np.flatnonzero(digit.max(axis=0) > 0)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 20, "white on black, in a 20x20 box"
    assert digit.max() == 1 and digit[0].max() == 0 and digit[:, 0].max() == 0
    sheet = Image.open(repo.image("5_my_7.png"))
    assert sheet.mode == "RGB" and sheet.width > 800 and sheet.height > 900


def test_5_without_images_shows_ten_test_digits(trained_repo):
    repo, _ = trained_repo
    result = repo.run("5.py")
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    labels = cnn.mnist.test.labels[:10].argmax(axis=1)
    answers = [re.fullmatch(r"test_%04d \(a %d\): " % (i, d) + ANSWER, line) for i, (d, line) in enumerate(zip(labels, lines[1:]))]
    assert all(answers), lines
    assert sum(int(a.group(1)) == d for a, d in zip(answers, labels)) >= 8, "a short training gets most right"
    for a in answers:
        assert float(a.group(2)) >= float(a.group(4)) >= float(a.group(6))
    images, links, _ = repo.page("5.html")
    assert list(images) == ["5_test_%04d_a_%d.png" % (i, d) for i, d in enumerate(labels)]
    assert all(os.path.exists(repo.image(s)) for s in images)
    assert all(re.search(r"rank correlation of the saliency maps -?\d\.\d\d, of HiResCAM on h_pool1 -?\d\.\d\d, "
                         r"on h_conv2 -?\d\.\d\d", caption)
               for caption in images.values())
    assert "index.html" in links
    assert set(links) == {page for page in ("index.html", "4.html", "6.html") if os.path.exists(repo.image(page))}
