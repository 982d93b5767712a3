"""6.html as the page of a run: followed while the run trains, to its end; a run that looked killed
and ends after all; a killed run's page and the temporaries it left (headless Chromium)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import cnn
from machinery.analyses.confusion import confusion_matrix
from machinery.run import run_page
from pagetools import NAMES, assert_same_as_tensorflow, open_page, shows, tf_layers
from tools import remove_leftovers


HERE = os.path.dirname(os.path.abspath(__file__))


def start_watched_run(repo, steps, seed, gates=None):
    """0.py's run of N steps with --seed N, as watched_run.py makes it (the page hears from it often, and
    it waits at each of gates' steps while its file is there); returns the process and the page's
    address, which it gives on stderr before it trains."""
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "watched_run.py"), repo.path, str(steps), str(seed)]
                               + ["%d=%s" % (step, path) for step, path in (gates or {}).items()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.startswith("Watch it learn: "):
            return process, line.split(": ", 1)[1].strip()
    raise AssertionError("no address on stderr: %s" % process.communicate())


def test_the_page_follows_a_run_while_it_runs(browser, repo, tmp_path):
    """The run waits at step 150 until the page has followed it there, and at 205 until the page has
    stayed where the reader put it while new steps came, then followed it again."""
    gates = {step: tmp_path / ("gate-%d" % step) for step in (150, 205)}
    for gate in gates.values():
        gate.touch()
    process, url = start_watched_run(repo, 210, 1, gates)
    assert url == "file://" + repo.image("6.html")
    errors = []
    context, view = open_page(browser, url, errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    view.evaluate("""() => {  // every text the progress line shows, kept
        const line = document.getElementById("training-text");
        window.progressTexts = [line.textContent];
        new MutationObserver(() => window.progressTexts.push(line.textContent)).observe(
            line, {childList: true, characterData: true, subtree: true}); }""")
    # At step 150, waiting: the page has its snapshot steps and the weights as they are now (a live step,
    # not a snapshot step), and the Training step column is on that newest step.
    view.wait_for_function("window.explorer.training().step === 150 && window.explorer.training().steps === 210")
    assert view.evaluate("window.explorer.training()")["running"]
    view.wait_for_function("JSON.stringify(window.explorer.steps()) === '[0,100,150]' && window.explorer.state().step === 150")
    shows(view.locator("#step-label"), "step 150, the weights as they are now, while training$")
    # Where it goes wrong: no matrix for the live weights; a snapshot's on the test digits it was measured on
    shows(view.locator("#mistakes-text"), "No confusion matrix for the weights as they are now")
    assert view.evaluate("window.explorer.confusion()") is None
    assert np.sum(view.evaluate("window.explorer.confusion(100)")["counts"]) == 1000
    view.wait_for_function("window.progressTexts.some((t) => /^Training now: step 150 of 210, [\\d.]+ steps\\/s, .+ left/.test(t))")
    # The reader moves the slider: it stays there while new steps come, until "Follow the run".
    view.evaluate("window.explorer.setStep(0)")
    gates[150].unlink()
    view.wait_for_function("window.explorer.steps().includes(200)")
    assert view.evaluate("window.explorer.state().step") == 0
    assert view.locator("#follow").is_visible() and view.evaluate("window.explorer.training()")["running"]
    view.evaluate("window.explorer.follow()")
    # At step 205, waiting: the column on the newest step again, the live one
    view.wait_for_function("window.explorer.training().step === 205 && window.explorer.steps().includes(205) && "
                           "window.explorer.state().step === 205")
    assert view.locator("#follow").is_hidden()
    gates[205].unlink()
    # The end, without a reload: the finished run, with TensorFlow's numbers for model/'s weights.
    assert process.wait(timeout=600) == 0
    # The page learns of the end at its next poll of 6_live.js, then loads 6_run.js: wait for both.
    view.wait_for_function("!window.explorer.training().running")
    view.wait_for_function("JSON.stringify(window.explorer.steps()) === '[0,100,200,210]'")
    view.wait_for_function("window.explorer.state().step === 210")
    shows(view.locator("#run"), "model/: 210 training steps, seed 1, test accuracy ")
    # The run's end: the last step's matrix over all 10,000 test digits, TensorFlow's answers to them
    with tf.compat.v1.Session():
        cnn.restore_model("after", os.path.join(repo.path, "model"))
        expected = confusion_matrix(cnn.mnist.test.labels.argmax(axis=1), cnn.test_answers(cnn.mnist.test.images), 10)
    assert np.array_equal(view.evaluate("window.explorer.confusion(210)")["counts"], expected)
    # Play: the column goes through the steps, one a second.
    view.locator("#play").click()
    view.wait_for_function("window.explorer.state().step === 100")
    view.locator("#play").click()  # pause
    view.evaluate("window.explorer.follow()")
    view.wait_for_function("window.explorer.state().step === 210")
    digit = cnn.mnist.test.images[7]
    view.evaluate("window.explorer.setInput(%s)" % json.dumps(digit.tolist()))
    state = view.evaluate("window.explorer.state()")
    assert_same_as_tensorflow([[state["layers"][name]] for name in NAMES], [state["probabilities"]],
                              tf_layers(os.path.join(repo.path, "model"), "after", digit[None]))
    context.close()
    assert not errors, errors
    names = os.listdir(os.path.join(repo.path, "images"))
    assert "6_weights_live.js" not in names and not [n for n in names if n.endswith(".tmp")]
    # The page's budget: a weights file per snapshot step of at most 13.5 MB (W_fc1's 3.2 million weights,
    # 3 bytes each, in base64), the test digits in 2.3 MB (MNIST's 7.8 MB, zlib and base64) and under 1 MB for the rest
    weights = [n for n in names if n.startswith("6_weights_")]
    assert len(weights) == 4 and all(os.path.getsize(repo.image(n)) < 13.5e6 for n in weights)
    assert os.path.getsize(repo.image("6_test.js")) < 2.3e6
    assert sum(os.path.getsize(repo.image(n)) for n in names
               if n.startswith(("6", "pages", "lang")) and n not in weights + ["6_test.js"]) < 1e6


def test_a_run_that_looked_killed_still_ends_on_the_page(browser, explored, tmp_path):
    """A run quiet for long (a slow snapshot step on a busy machine) looks killed; when its end comes
    after all, the page still becomes the finished run."""
    repo, _ = explored
    folder = tmp_path / "images"
    shutil.copytree(os.path.join(repo.path, "images"), folder)
    read = lambda name, call: json.loads(re.fullmatch(r"%s\((.*)\);\n" % call, (folder / name).read_text(encoding="utf-8"), re.S).group(1))
    write = lambda name, call, data: (folder / name).write_text("%s(%s);\n" % (call, json.dumps(data)), encoding="utf-8")
    finished, live = read("6_run.js", "explorerRun"), read("6_live.js", "explorerLive")
    write("6_run.js", "explorerRun", dict(finished, running=True, summary=["training now: 300 steps", "学習中: 300 ステップ"]))
    write("6_live.js", "explorerLive", dict(live, running=True, step=250, steps=300, every_s=0.3, updated=time.time() - 60))
    errors = []
    context, view = open_page(browser, "file://" + str(folder / "6.html"), errors)
    shows(view.locator("#training-text"), "The run stopped at step 250 of 300: no word from it since .* \\(killed\\?\\)")
    write("6_live.js", "explorerLive", dict(live, running=False, step=300, steps=300, updated=time.time()))
    write("6_run.js", "explorerRun", finished)
    shows(view.locator("#run"), "model/: 300 training steps, seed 1, test accuracy ")
    shows(view.locator("#training-text"), "Training ended: 300 steps")
    context.close()
    assert not errors, errors


def test_a_killed_runs_page_says_it_stopped(browser, repo):
    process, url = start_watched_run(repo, 2000, 2)
    errors = []
    context, view = open_page(browser, url, errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.wait_for_function("window.explorer.training().step > 10")
    process.kill()
    process.wait()
    view.wait_for_function("!window.explorer.training().running")
    shows(view.locator("#training-text"), "The run stopped at step ")
    assert view.evaluate("window.explorer.steps()")[0] == 0, "it keeps what it has"
    context.close()
    assert not errors, errors


def test_a_run_removes_the_temporaries_a_killed_run_left(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process that no longer runs: a run killed while it wrote
    left = tmp_path / (".6_live.js.%d.x1y2.tmp" % dead.pid)
    writing = tmp_path / (".6_live.js.%d.a1b2.tmp" % os.getpid())  # a run still going on, writing now
    for path in (left, writing, tmp_path / "6_live.js"):
        path.write_text("explorerLive({});")
    remove_leftovers(str(tmp_path), run_page.LEFTOVERS)
    assert sorted(os.listdir(tmp_path)) == sorted([writing.name, "6_live.js"])
