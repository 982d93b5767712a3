# -*- coding: utf-8 -*-
"""model/: a training run's checkpoints (the eight variables before, after and at each snapshot step)
and its run.json, written into a new folder that replaces model/ whole once the run is complete;
read back by restore(). cnn.py's save_model and restore_model use these with its Saver."""

import contextlib
import datetime
import errno
import itertools
import json
import os
import re
import shutil
import sys
import tempfile

import tensorflow as tf

from tools import ROOT, process_runs

MODEL_DIR = os.path.join(ROOT, "model")


def remove_leftovers(parent):
    """Remove the .model-new-PID-* and .model-old-PID-* folders in parent of runs that no longer run
    (killed before they could clean up); those of a run going on beside this one stay."""
    for name in os.listdir(parent):
        match = re.fullmatch(r"\.model-(?:new|old)-(\d+)-.*", name)
        if match and not process_runs(int(match.group(1))):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


@contextlib.contextmanager
def new_model(model_dir):
    """A new folder for a run's checkpoints, beside model_dir, that replaces model_dir as a whole when
    the run completes, and is removed if it does not. model_dir None: nothing is saved.

    The folders carry this process's id, so that a later run can tell a killed run's leftovers
    (removed) from those of a run still going on (kept)."""
    if model_dir is None:
        yield None
        return
    parent = os.path.dirname(model_dir)
    remove_leftovers(parent)
    folder = tempfile.mkdtemp(prefix=".model-new-%d-" % os.getpid(), dir=parent)
    os.chmod(folder, 0o755)  # mkdtemp makes it private; model/ is an ordinary folder
    try:
        yield folder
        # A folder can't be renamed over another: move the one there aside (another run may have
        # just put it there, or taken it away), then put this run's in its place.
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
    finally:
        if os.path.exists(folder):
            shutil.rmtree(folder)


def save(saver, folder, tag, **facts):
    """Checkpoint saver's variables as folder/tag ("before", "step-N" or "after"); facts go into run.json,
    with the seed, the date and TensorFlow's version, and are returned so (folder None: nothing saved)."""
    if facts:
        facts.update(seed=tf.compat.v1.get_default_graph().seed,
                     date=datetime.datetime.now().isoformat(timespec="seconds"), tensorflow=tf.__version__)
    if folder is None:
        return facts
    saver.save(tf.compat.v1.get_default_session(), os.path.join(folder, tag),
               write_meta_graph=False, write_state=False)
    if facts:
        with open(os.path.join(folder, "run.json"), "w", encoding="utf-8") as f:
            json.dump(facts, f, indent=2)
    return facts


def checkpoint_name(step, steps):
    """The checkpoint of the weights at a snapshot step: "before" (step 0), "after" (the last), "step-N"."""
    return "before" if step == 0 else "after" if step == steps else "step-%d" % step


def restore(saver, tag, model_dir):
    """Load the weights saved before or after training (or at a snapshot step, "step-N") into the
    default session; returns run.json. A damaged model/ is a one-line error."""
    try:
        with open(os.path.join(model_dir, "run.json"), encoding="utf-8") as f:
            facts = json.load(f)
        saver.restore(tf.compat.v1.get_default_session(), os.path.join(model_dir, tag))
    except (OSError, ValueError, KeyError, tf.errors.OpError) as e:
        sys.exit("error: %s: not a whole model saved by a training run (%s)" % (model_dir, str(e).splitlines()[0]))
    return facts


def describe_run(facts, lang="en"):
    """One line saying which training run a saved model comes from (lang "ja": in Japanese, for the pages)."""
    line = ("model/: 学習 %d ステップ、seed %s、テスト精度 %.4f、学習日時 %s" if lang == "ja"
            else "model/: %d training steps, seed %s, test accuracy %.4f, trained %s")
    return line % (facts["steps"], facts["seed"], facts["test_accuracy"], facts["date"])
