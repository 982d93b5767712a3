"""6.html's "where it goes wrong" in headless Chromium: the confusion matrix at each step is TensorFlow's,
a cell lists its test digits and puts one on the pad; "fool it" moves a digit until the page and
TensorFlow both answer the chosen digit, within 0..1, by the distance it says."""

import base64
import json
import os
import re
import zlib

import numpy as np
import pytest
import tensorflow as tf

import cnn
from machinery.analyses.confusion import confusion_matrix
from pagetools import STROKES, draw, shows

LABELS = cnn.mnist.test.labels.argmax(axis=1)


def tf_answers(model, tag, inputs):
    """TensorFlow's answers (cnn.test_answers) and logits for inputs, with a checkpoint's weights."""
    with tf.compat.v1.Session() as sess:
        cnn.restore_model(tag, model)
        return cnn.test_answers(inputs), sess.run(cnn.y_logits, {cnn.x: inputs, cnn.keep_prob: 1.0})


@pytest.fixture(scope="module")
def answers(explored):
    """TensorFlow's answers to all 10,000 test digits at steps 100 and 300, computed here."""
    repo, _ = explored
    model = os.path.join(repo.path, "model")
    return {step: tf_answers(model, tag, cnn.mnist.test.images)[0] for step, tag in ((100, "step-100"), (300, "after"))}


def test_6_writes_the_test_set_and_says_what_it_gets_wrong(explored, answers):
    repo, stdout = explored
    with open(repo.image("6_test.js"), encoding="utf-8") as f:
        run_id, data = re.fullmatch(r"explorerTest\((\"[^\"]*\"), (.*)\);\n", f.read(), re.S).groups()
    pixels = np.frombuffer(zlib.decompress(base64.b64decode(json.loads(data)["zlib"])), np.uint8)
    assert (pixels.reshape(10000, 784) == np.rint(cnn.mnist.test.images * 255)).all()
    with open(os.path.join(repo.path, "model", "run.json"), encoding="utf-8") as f:
        assert json.loads(run_id) == json.load(f)["run"]
    counts = [confusion_matrix(LABELS, answers[step], 10) for step in (100, 300)]
    line = next(line for line in stdout.splitlines() if line.startswith("confusion matrix: "))
    wrong = [int(c.sum() - np.trace(c)) for c in counts]
    assert re.search(r": [\d,]+ at step 0, %s at 100, [\d,]+ at 200, %s at 300; at the end most often \d read as \d \(\d+\)$"
                     % tuple(format(n, ",") for n in wrong), line), line
    assert wrong[1] < wrong[0], "fewer mistakes with training"


def test_the_confusion_matrix_is_tensorflows_at_two_steps(page, answers):
    # The test digits (2.2 MB) are asked for only once the page is first drawn: it never waits for them.
    assert page.evaluate("window.explorer.testsAskedMs()") >= page.evaluate("window.explorer.readyMs")
    for step in (100, 300):
        expected = confusion_matrix(LABELS, answers[step], 10)
        found = page.evaluate("(step) => window.explorer.confusion(step)", step)
        assert found["step"] == step and np.array_equal(found["counts"], expected), step
        assert np.sum(found["counts"]) == 10000
        # every cell with digits in it, and one without, gives numpy's indices on TensorFlow's answers
        off = expected - np.diag(np.diag(expected))
        cells = [np.unravel_index(off.argmax(), off.shape), (7, 7), tuple(np.argwhere(expected == 0)[0])]
        for truth, answer in cells:
            indices = page.evaluate("([t, a, step]) => window.explorer.cell(t, a, step)", [int(truth), int(answer), step])
            assert indices == np.flatnonzero((LABELS == truth) & (answers[step] == answer)).tolist(), (step, truth, answer)
    # The matrix follows the Training step slider; its line says how many it gets wrong there.
    assert page.evaluate("window.explorer.confusion().step") == 300
    wrong = 10000 - int(np.trace(confusion_matrix(LABELS, answers[300], 10)))
    shows(page.locator("#mistakes-text"), r"Step 300: %s wrong of all 10,000 test digits\." % format(wrong, ","))
    page.evaluate("window.explorer.setStep(100)")
    wrong = 10000 - int(np.trace(confusion_matrix(LABELS, answers[100], 10)))
    shows(page.locator("#mistakes-text"), r"Step 100: %s wrong of all 10,000 test digits\." % format(wrong, ","))
    counts = [[int(td.text_content().replace(",", "") or 0) for td in row.locator("td").all()] for row in page.locator("#confusion tr").all()[1:]]
    assert np.array_equal(counts, confusion_matrix(LABELS, answers[100], 10))


def test_a_cell_lists_its_digits_and_one_goes_on_the_pad(page, answers):
    expected = confusion_matrix(LABELS, answers[300], 10)
    off = expected - np.diag(np.diag(expected))
    truth, answer = np.unravel_index(off.argmax(), off.shape)
    indices = np.flatnonzero((LABELS == truth) & (answers[300] == answer))
    page.locator("#confusion td[data-truth='%d'][data-answer='%d']" % (truth, answer)).click()
    shows(page.locator("#cell-text"), r"%d read as %d: %d test digits\. Click one" % (truth, answer, len(indices)))
    page.wait_for_function("!document.getElementById('cell-digits').hidden")
    shown = min(len(indices), 10)
    assert page.evaluate("document.getElementById('cell-digits').width") == shown * 29 - 1
    # The last thumbnail of the first row, clicked: that test digit on the pad, as the network gets it
    box = page.locator("#cell-digits").bounding_box()
    page.mouse.click(box["x"] + (shown - 1) * 29 + 14, box["y"] + 14)
    page.wait_for_function("(i) => window.explorer.state().test === i", arg=int(indices[shown - 1]))
    state = page.evaluate("window.explorer.state()")
    assert np.abs(np.array(state["input"]) - cnn.mnist.test.images[indices[shown - 1]]).max() <= 1e-7
    assert np.argmax(state["probabilities"]) == answer, "the page answers as TensorFlow did"
    # The diagonal's cells list the first 100 of their digits
    page.locator("#confusion td[data-truth='1'][data-answer='1']").click()
    shows(page.locator("#cell-text"), r"1 read right: 1,\d\d\d test digits, the first 100 shown\.")
    assert page.evaluate("document.getElementById('cell-digits').height") == 10 * 29 - 1
    page.evaluate("window.explorer.showTest(9999)")
    assert np.abs(np.array(page.evaluate("window.explorer.state().input")) - cnn.mnist.test.images[9999]).max() <= 1e-7


def test_fooling_it_makes_the_page_and_tensorflow_answer_the_target(page, explored):
    repo, _ = explored
    model = os.path.join(repo.path, "model")
    fooled, originals = [], []
    for i, target in ((0, 3), (1, 8), (4, 9)):
        page.evaluate("(i) => window.explorer.showTest(i)", i)
        originals.append(cnn.mnist.test.images[i])
        result = page.evaluate("(t) => window.explorer.fool(t)", target)
        state = page.evaluate("window.explorer.state()")
        assert result["reached"] and result["answer"] == target and np.argmax(state["probabilities"]) == target, (i, result)
        assert state["input"] == result["input"] and state["fooled"] == target, "the fooled input on the pad"
        fooled.append(result)
    inputs = np.array([r["input"] for r in fooled], np.float32)
    assert inputs.min() >= 0 and inputs.max() <= 1
    moved = inputs.astype(np.float64) - np.array(originals, np.float32)
    assert np.allclose([r["l2"] for r in fooled], np.sqrt((moved ** 2).sum(axis=1)), rtol=1e-6)
    assert [r["changed"] for r in fooled] == (np.abs(moved) >= 1 / 255).sum(axis=1).tolist()
    assert all(0 < r["l2"] < 5 and 0 < r["steps"] <= 200 for r in fooled), "a small change, within the budget"
    # TensorFlow reads the page's fooled inputs as the targets (or, at a tie, within float32's rounding of them)
    found, logits = tf_answers(model, "after", inputs)
    targets = [r["target"] for r in fooled]
    assert all(a == t or logits[k].max() - logits[k][t] < 1e-4 for k, (a, t) in enumerate(zip(found, targets))), (found, targets)
    # What the panel says, and Clear ends it
    shows(page.locator("#fool-text"), r"Step 300: it now answers 9 \(\d+%\) after \d+ steps, [\d,]+ pixels changed")
    assert page.locator("#fool-channels figure").count() == 8
    page.locator("#clear").click()
    assert page.evaluate("window.explorer.state().fooled") is None
    assert page.locator("#fool-result").is_hidden()


def test_fooling_works_on_a_drawing_and_another_target_starts_from_it(page):
    page.locator("#clear").click()
    draw(page, STROKES)
    drawn = page.evaluate("window.explorer.state().input")
    first = page.evaluate("window.explorer.fool(1)")
    assert first["reached"] and first["answer"] == 1
    second = page.evaluate("window.explorer.fool(2)")  # from the drawing, not from the fooled input
    assert second["reached"] and second["answer"] == 2
    moved = np.array(second["input"], np.float64) - np.array(drawn, np.float32)
    assert abs(second["l2"] - np.sqrt((moved ** 2).sum())) <= 1e-6 * second["l2"]
    page.locator("#fool-back").click()
    page.wait_for_function("window.explorer.state().fooled === null")
    assert np.abs(np.array(page.evaluate("window.explorer.state().input")) - drawn).max() == 0


def test_where_the_budget_ends_first_it_gives_the_closest_input(page):
    page.evaluate("window.explorer.showTest(0)")
    path = page.evaluate("""() => [1, 2, 3].map((budget) => fool.fool(network, Explorer.views.main.w,
                                     Float32Array.from(window.explorer.state().input), 3, 0.1, budget))""")
    for budget, result in zip((1, 2, 3), path):
        assert not result["reached"] and result["answer"] == 7 and result["steps"] <= budget, result
        assert 0 < result["l2"] <= 0.1 * budget + 1e-6
    assert path[0]["probability"] <= path[1]["probability"] <= path[2]["probability"], "the closest so far"
