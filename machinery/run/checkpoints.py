# -*- coding: utf-8 -*-
"""model/: a training run's checkpoints (the eight variables before, after and at each snapshot step)
and its run.json, written into a new folder that replaces model/ whole once the run is complete;
read back by restore(). cnn.py's train() keeps them through Checkpoints, restore_model reads them."""

import contextlib
import errno
import itertools
import json
import os
import shutil
import sys
import tempfile

import tensorflow as tf

from machinery.run.callbacks import Callback
from tools import ROOT, remove_leftovers

MODEL_DIR = os.path.join(ROOT, "model")


# A killed run's folders (.model-new-PID-*, .model-old-PID-*), told from a running one's by its process id
LEFTOVERS = r"\.model-(?:new|old)-(\d+)-.*"


def new_folder(model_dir):
    """A new folder for a run's checkpoints beside model_dir, named by this process's id, so that a later
    run can tell a killed run's leftovers (removed) from those of a run still going on (kept)."""
    parent = os.path.dirname(model_dir)
    remove_leftovers(parent, LEFTOVERS)
    folder = tempfile.mkdtemp(prefix=".model-new-%d-" % os.getpid(), dir=parent)
    os.chmod(folder, 0o755)  # mkdtemp makes it private; model/ is an ordinary folder
    return folder


def replace(model_dir, folder):
    """folder in model_dir's place, as a whole. A folder can't be renamed over another: the one there is
    moved aside (another run may have just put it there, or taken it away), then this one put in its place."""
    parent = os.path.dirname(model_dir)
    old = tempfile.mkdtemp(prefix=".model-old-%d-" % os.getpid(), dir=parent)
    for attempt in itertools.count():
        try:
            os.rename(folder, model_dir)
            break
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            with contextlib.suppress(FileNotFoundError):
                os.rename(model_dir, os.path.join(old, str(attempt)))
    shutil.rmtree(old)


class Checkpoints(Callback):
    """model/ of a training run (a callback of cnn.train): the weights before training, at each snapshot
    step and after, with run.json (the run's facts, and each snapshot step's test accuracy), written into
    a new folder that replaces model_dir whole once the run is complete, and is removed if it is not."""

    def __init__(self, saver, model_dir):
        self.saver, self.model_dir = saver, model_dir
        self.folder, self.steps, self.snapshots = None, None, []

    def on_train_begin(self, logs):
        self.steps, self.snapshots = logs["steps"], []
        self.folder = new_folder(self.model_dir)
        save(self.saver, self.folder, "before")

    def on_snapshot_end(self, step, logs):
        self.snapshots.append({"step": step, "test_accuracy": logs["test_accuracy"], "test_digits": logs["test_digits"],
                               "checkpoint": checkpoint_name(step, self.steps)})
        if step not in (0, self.steps):  # before and after are saved anyway
            save(self.saver, self.folder, checkpoint_name(step, self.steps))

    def on_train_end(self, logs):
        save(self.saver, self.folder, "after", dict(logs, snapshots=self.snapshots))
        replace(self.model_dir, self.folder)
        return {"snapshots": self.snapshots}

    def on_train_stopped(self):
        if self.folder and os.path.exists(self.folder):
            shutil.rmtree(self.folder)


def save(saver, folder, tag, facts=None):
    """Checkpoint saver's variables as folder/tag ("before", "step-N" or "after"), with facts as run.json."""
    saver.save(tf.compat.v1.get_default_session(), os.path.join(folder, tag), write_meta_graph=False, write_state=False)
    if facts:
        with open(os.path.join(folder, "run.json"), "w", encoding="utf-8") as f:
            json.dump(facts, f, indent=2)


def checkpoint_name(step, steps):
    """The checkpoint of the weights at a snapshot step: "before" (step 0), "after" (the last), "step-N"."""
    return "before" if step == 0 else "after" if step == steps else "step-%d" % step


def restore(saver, tag, model_dir, data):
    """Load the weights saved before or after training (or at a snapshot step, "step-N") into the
    default session; returns run.json (read_run's). A damaged model/, or one whose classes are not
    data's (the data set cnn.py read), is a one-line error; other data than the model's, a one-line note."""
    try:
        facts = read_run(model_dir)
        check_data(facts["data"], data, model_dir)
        saver.restore(tf.compat.v1.get_default_session(), os.path.join(model_dir, tag))
    except (OSError, ValueError, KeyError, TypeError, tf.errors.OpError) as e:
        sys.exit("error: %s: not a whole model saved by a training run (%s)" % (model_dir, str(e).splitlines()[0]))
    return facts


# The article's network: its two convolutions' channels, their kernels' side, its pooling (--channels,
# --kernel, --pool change them).
ARTICLE_NETWORK = {"channels": [32, 64], "kernel": 5, "pool": "max"}
# What a run saved before run.json recorded it had: MNIST, the article's network, its date as its id,
# float32, and a snapshot's test accuracy on every test digit.
MNIST = {"name": "MNIST_data", "path": "MNIST_data", "classes": [str(k) for k in range(10)]}
OLDER = {"data": MNIST, "network": ARTICLE_NETWORK, "precision": "float32"}


def read_run(model_dir):
    """model_dir's run.json in its current form: the one place that knows the older forms (OLDER),
    which it completes; everything else reads the current one. OSError or ValueError if it can't be read."""
    with open(os.path.join(model_dir, "run.json"), encoding="utf-8") as f:
        facts = json.load(f)
    if not isinstance(facts, dict):
        raise ValueError("run.json holds no facts")
    facts = dict(OLDER, **facts)
    facts.setdefault("run", facts["date"])
    facts["data"] = dict({"sha256": None}, **facts["data"])  # None: not kept
    all_digits = facts["data"].get("test_images", 10000)  # (MNIST's 10,000, where the data's count is not kept)
    facts["snapshots"] = [dict({"test_digits": all_digits}, **s) for s in facts["snapshots"]]
    return facts


def check_data(trained, data, model_dir):
    """Exit with one line if the model's classes are not those of data; say so if data is another data set."""
    if trained["classes"] != data["classes"]:
        sys.exit("error: %s was trained on %s (%d classes: %s), not on %s (%d classes); train on it first: "
                 "python 0.py --data %s" % (model_dir, trained["path"], len(trained["classes"]), " ".join(trained["classes"][:5]) + " ...",
                                            data["path"], len(data["classes"]), data["path"]))
    if trained["sha256"] not in (None, data["sha256"]) or trained["path"] != data["path"]:
        print("note: %s was trained on %s; these images are from %s" % (model_dir, trained["path"], data["path"]),
              file=sys.stderr)


def describe_run(facts, lang="en", folder=MODEL_DIR):
    """One line saying which training run a saved model comes from, and where it is (folder: its model
    folder); lang "ja": in Japanese, for the pages. Another network than the article's says how it differs."""
    name = os.path.basename(os.path.normpath(folder)) + "/"
    line = ("%s（学習 %s ステップ、%s%s、テスト精度 %.4f、学習日時 %s）" if lang == "ja"
            else "%s: %s training steps, %s%s, test accuracy %.4f, trained %s")
    steps = format(facts["steps"], ",")  # 20,000, as the pages write it
    return line % (name, steps, seed_words(facts["seed"], lang), network_words(facts["network"], lang),
                   facts["test_accuracy"], facts["date"].replace("T", " ") if lang == "ja" else facts["date"])


def network_words(network, lang="en"):
    """", 16 and 32 channels, 3x3 kernels, average pooling" for another network than the article's; "" for it."""
    if network == ARTICLE_NETWORK:
        return ""
    (c1, c2), k, pool = network["channels"], network["kernel"], network["pool"]
    if lang == "ja":
        return "、チャンネル数 %d と %d、%dx%d のカーネル、%s" % (c1, c2, k, k, {"max": "最大値プーリング", "avg": "平均プーリング"}[pool])
    return ", %d and %d channels, %dx%d kernels, %s pooling" % (c1, c2, k, k, {"max": "max", "avg": "average"}[pool])


def seed_words(seed, lang="en"):
    """A run's seed as the pages say it: "seed 1" / 「シード 1」, or "no seed" / 「シードなし」."""
    if lang == "ja":
        return "シードなし" if seed is None else "シード %d" % seed
    return "no seed" if seed is None else "seed %d" % seed
