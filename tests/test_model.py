"""model/: the weights a training run saves before and after, restored as they were."""

import datetime
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import cnn
import input_data
from machinery.run import checkpoints, tensorboard_log
from machinery.run.callbacks import Callback
from machinery.run.checkpoints import Checkpoints
from machinery.run.tensorboard_log import TensorBoardLog


@pytest.fixture
def quick_test_set(monkeypatch):
    """train() ends on the test accuracy over 10,000 images; 100 keep these tests quick."""
    test = cnn.mnist.test
    monkeypatch.setattr(cnn, "mnist", cnn.mnist._replace(test=input_data.DataSet(test.images[:100], test.labels[:100])))


def run(steps, model_dir, snapshot=None):
    """A fresh training run of steps steps saved in model_dir (None: not saved): the variables' values
    before and after, and the test accuracy."""
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        before = sess.run(cnn.VARIABLES)
        facts = cnn.train(steps, snapshot, callbacks=[Checkpoints(cnn.saver, model_dir)] if model_dir else [])
        return before, sess.run(cnn.VARIABLES), facts["test_accuracy"]


def restored(tag, model_dir):
    with tf.compat.v1.Session() as sess:
        facts = cnn.restore_model(tag, model_dir)
        return sess.run(cnn.VARIABLES), facts


def accuracy_within_ties(tag, model_dir):
    """The share of the test digits whose largest logit, with tag's weights, is their label's, as a
    pytest.approx that allows a digit whose two largest logits lie within float32's rounding either way."""
    with tf.compat.v1.Session():
        cnn.restore_model(tag, model_dir)
        logits = cnn.y_logits.eval(feed_dict={cnn.x: cnn.mnist.test.images, cnn.keep_prob: 1.0})
    right = (logits.argmax(axis=1) == cnn.mnist.test.labels.argmax(axis=1)).sum()
    top2 = np.sort(logits, axis=1)[:, -2:]
    # Batches of 100 and of 7 differ by up to 1.2e-6 of the largest logit (measured, before and after 50
    # steps, 1,000 test digits): a tie is within 1e-4 of it.
    ties = (top2[:, 1] - top2[:, 0] <= 1e-4 * np.abs(top2).max(axis=1)).sum()
    return pytest.approx((right - ties / 2) / len(logits), abs=ties / 2 / len(logits) + 1e-9)


def assert_same(values, expected):
    assert sorted(values) == sorted(expected) == sorted(
        ["W_conv1", "b_conv1", "W_conv2", "b_conv2", "W_fc1", "b_fc1", "W_fc2", "b_fc2"])
    for name in expected:
        assert (values[name] == expected[name]).all(), name


def test_a_run_saves_its_weights_before_and_after(tmp_path, quick_test_set, capsys):
    model = str(tmp_path / "model")
    before, after, accuracy = run(12, model)
    assert not all((before[name] == after[name]).all() for name in before), "training changed the weights"
    assert sorted(os.listdir(tmp_path)) == ["model"], "no temporary folder is left beside it"
    assert_same(restored("before", model)[0], before)
    values, facts = restored("after", model)
    assert_same(values, after)
    assert facts["steps"] == 12 and facts["test_accuracy"] == pytest.approx(float(accuracy))
    assert facts["seed"] is None, "the tests' graph has no seed"
    assert facts["date"].startswith(datetime.date.today().isoformat())
    assert facts["tensorflow"] == tf.__version__
    assert sorted(os.listdir(model)) == ["after.data-00000-of-00001", "after.index", "before.data-00000-of-00001",
                                         "before.index", "run.json"], "the variables only: no Adam slots, no graph"
    # each snapshot's accuracy as the test measures it: the saved weights' answers on the 100 test digits
    measured = {tag: accuracy_within_ties(tag, model) for tag in ("before", "after")}
    assert facts["snapshots"] == [{"step": 0, "test_accuracy": measured["before"],
                                   "test_digits": 100, "checkpoint": "before"},  # the first 1,000: all 100 here
                                  {"step": 12, "test_accuracy": measured["after"], "test_digits": 100,
                                   "checkpoint": "after"}]
    assert "test accuracy" in capsys.readouterr().out


def test_a_second_run_replaces_the_first_whole(tmp_path, quick_test_set):
    model = str(tmp_path / "model")
    run(12, model)
    before, after, _ = run(3, model)
    assert_same(restored("before", model)[0], before)
    values, facts = restored("after", model)
    assert_same(values, after)
    assert facts["steps"] == 3
    assert sorted(os.listdir(tmp_path)) == ["model"]


def test_an_interrupted_save_leaves_the_last_complete_model(tmp_path, quick_test_set, monkeypatch):
    model = str(tmp_path / "model")
    _, after, _ = run(12, model)
    save = checkpoints.save

    def save_then_fail(saver, folder, tag, facts=None):  # the disk fills up as the "after" weights are written
        save(saver, folder, tag, facts)
        if tag == "after":
            raise OSError("No space left on device")

    monkeypatch.setattr(checkpoints, "save", save_then_fail)
    with pytest.raises(OSError):
        run(3, model)
    values, facts = restored("after", model)
    assert_same(values, after)
    assert facts["steps"] == 12
    assert sorted(os.listdir(tmp_path)) == ["model"], "the failed run's folder is removed"


def test_no_model_dir_saves_nothing(tmp_path, quick_test_set, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run(2, None)
    assert os.listdir(tmp_path) == []


def test_a_damaged_model_is_a_one_line_error(tmp_path, quick_test_set):
    model = str(tmp_path / "model")
    run(1, model)
    with open(os.path.join(model, "after.data-00000-of-00001"), "r+b") as f:
        f.truncate(1000)
    with pytest.raises(SystemExit) as exit:
        restored("after", model)
    assert str(exit.value).startswith("error: %s: not a whole model saved by a training run (" % model)
    os.remove(os.path.join(model, "run.json"))
    with pytest.raises(SystemExit) as exit:
        restored("before", model)
    assert "run.json" in str(exit.value) and "\n" not in str(exit.value)


def test_a_run_keeps_the_weights_at_each_snapshot_step(tmp_path, quick_test_set, monkeypatch):
    model = str(tmp_path / "model")
    seen = {}
    monkeypatch.setattr(cnn, "SNAPSHOT_TEST_DIGITS", 40)  # of the 100 here, as 1,000 of the 10,000

    def snapshot(step):  # what the weights and the test accuracy are at each snapshot step
        seen[step] = tf.compat.v1.get_default_session().run(cnn.VARIABLES)

    run(210, model, snapshot)
    facts = restored("after", model)[1]
    assert [s["step"] for s in facts["snapshots"]] == [0, 100, 200, 210] == sorted(seen)
    assert [s["checkpoint"] for s in facts["snapshots"]] == ["before", "step-100", "step-200", "after"]
    assert [s["test_digits"] for s in facts["snapshots"]] == [40, 40, 40, 100], "all of them at the last step"
    for s in facts["snapshots"]:
        values, _ = restored(s["checkpoint"], model)
        assert_same(values, seen[s["step"]])
        with tf.compat.v1.Session() as sess:
            cnn.restore_model(s["checkpoint"], model)
            n = s["test_digits"]
            measured = cnn.accuracy.eval(feed_dict={cnn.x: cnn.mnist.test.images[:n], cnn.y_: cnn.mnist.test.labels[:n],
                                                    cnn.keep_prob: 1.0})
        assert s["test_accuracy"] == pytest.approx(float(measured)), "each step's own test accuracy, on the first n"
    accuracies = [s["test_accuracy"] for s in facts["snapshots"]]
    assert accuracies[-1] > accuracies[0] + 0.3, "accuracy rises with training"


def test_a_killed_runs_folders_are_removed_by_the_next_run(tmp_path, quick_test_set):
    model = str(tmp_path / "model")
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()  # a process that no longer runs
    for name in (".model-new-%d-abc" % killed.pid, ".model-old-%d-def" % killed.pid):
        os.makedirs(os.path.join(tmp_path, name, "0"))  # a half-written checkpoint, a moved-aside model
    beside = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # a run going on
    try:
        going_on = ".model-new-%d-ghi" % beside.pid
        os.makedirs(os.path.join(tmp_path, going_on))
        run(1, model)
        assert sorted(os.listdir(tmp_path)) == sorted([going_on, "model"])
    finally:
        beside.kill()
        beside.wait()


def test_the_log_is_closed_when_training_fails(tmp_path, quick_test_set, monkeypatch):
    closed = []
    open_log = tensorboard_log.open_log

    def watched(logdir):
        writer = open_log(logdir)
        close = writer.close
        writer.close = lambda: (closed.append(True), close())
        return writer

    def fail(step):
        raise KeyboardInterrupt  # the reader presses Ctrl-C at step 0

    monkeypatch.setattr(tensorboard_log, "open_log", watched)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.raises(KeyboardInterrupt):
            cnn.train(5, fail, callbacks=[TensorBoardLog(str(tmp_path / "logs"), cnn.NET)])
    assert closed == [True]


class Moments(Callback):
    """A callback of the test's own: every moment train() tells it of, in order, and what it adds at the end."""

    def __init__(self, adds):
        self.adds, self.seen = adds, []

    def on_train_begin(self, logs):
        self.seen.append(("begin", logs["steps"], logs["seed"]))

    def on_snapshot_begin(self, step):
        self.seen.append(("snapshot begins", step))

    def on_snapshot_end(self, step, logs):
        self.seen.append(("snapshot", step, logs["test_digits"], logs["outputs"]))

    def on_train_accuracy(self, step, logs):
        self.seen.append(("line", step, len(logs["batch"][0]), 0 <= logs["train_accuracy"] <= 1))

    def on_step_end(self, step):
        self.seen.append(("step", step))

    def on_train_end(self, logs):
        self.seen.append(("end", sorted(logs)))
        logs["test_accuracy"] = -1  # what one callback does to the facts, train() and the next never see
        return self.adds

    def on_train_stopped(self):
        self.seen.append(("stopped",))


def test_train_takes_callbacks_of_ones_own_and_tells_them_every_moment(quick_test_set):
    """train(steps, callbacks=[...]), as Keras' fit(): each callback sees each moment, in order; what each
    adds at the end is in what train() returns, and each sees the run's facts as train() made them."""
    first, second = Moments({"mine": 1}), Moments({"theirs": 2})
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        facts = cnn.train(101, lambda step: "outputs at %d" % step, callbacks=[first, second])
    snapshot = lambda step, digits: [("snapshot begins", step), ("snapshot", step, digits, "outputs at %d" % step)]
    expected = ([("begin", 101, None)] + snapshot(0, 100) + [("line", 0, 50, True)]
                + [("step", i) for i in range(1, 101)] + snapshot(100, 100) + [("line", 100, 50, True), ("step", 101)]
                + snapshot(101, 100)  # the last, after training: all the test digits (the 100 here)
                + [("end", ["data", "date", "network", "precision", "run", "seed", "steps", "tensorflow", "test_accuracy"])])
    assert first.seen == second.seen == expected
    assert facts["mine"] == 1 and facts["theirs"] == 2 and 0 <= facts["test_accuracy"] <= 1

    def interrupted(step):
        raise KeyboardInterrupt  # Ctrl-C at the first snapshot
    stopped = Moments({})
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.raises(KeyboardInterrupt):
            cnn.train(5, interrupted, callbacks=[stopped])
    assert stopped.seen == [("begin", 5, None), ("snapshot begins", 0), ("stopped",)]
