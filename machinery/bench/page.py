"""`python bench.py page`: `python 6.py` on a model/ (a short run's, or a copy of --model) and its page:
its size; in headless Chromium the time from opening to ready, and one update of everything (both
columns: forward, backward, maps, deciding channels, redraw) against one of the layers alone, in
turns, with each engine (WebAssembly SIMD's and JavaScript's, in turns too), and with an h_conv2
channel's circuit open (explorer.measure, medians over 5 test digits);
under node the forward and backward passes per digit, and on --page-digits test digits its answers
and probabilities against TensorFlow's."""

import json
import os
import shutil
import statistics
import subprocess
import sys

import numpy as np
import tensorflow as tf

from machinery.bench.table import Row
from machinery.bench.turns import timed
from machinery.run import checkpoints
from tools import ROOT


def in_chromium(page, digits):
    """{engine: (ms of an update with why, ms of the layers alone)} for "wasm" and "js", in turns, and
    (seconds to ready, ms of an update with why and an h_conv2 channel's circuit open, ms and steps of
    "fool it" into the digit after each one's answer), with the page's default engine: medians; or
    Nones without Chromium."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if not chromium:
        return {}, (None, None, None, None)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        view = browser.new_page()
        view.goto("file://" + page)
        view.wait_for_function("window.explorer && window.explorer.ready")
        view.evaluate("window.explorer.ready")
        ready_s = view.evaluate("window.explorer.readyMs") / 1000  # from navigation's start
        view.evaluate("networkSimd.ready")  # the WebAssembly module instantiated (where it can be)
        times, circuit, fools = {"wasm": [], "js": []}, [], []
        for digit in digits.tolist():
            view.evaluate("pixels => window.explorer.setInput(pixels)", digit)
            for engine in ("js", "wasm"):  # (in turns, digit after digit; the page's default, wasm, last)
                times[view.evaluate("(e) => window.explorer.engine(e)", engine)].append(view.evaluate("window.explorer.measure(5)"))
            view.evaluate("window.explorer.open('h_conv2', 0)")  # its panel, redrawn at every update
            circuit.append(view.evaluate("window.explorer.measure(5)")["full_ms"])
            view.evaluate("window.explorer.open(null)")
            fools.append(view.evaluate("""async () => {
                const p = window.explorer.state().probabilities, start = performance.now();
                const r = await window.explorer.fool((p.indexOf(Math.max(...p)) + 1) % p.length);
                return [performance.now() - start, r.steps]; }"""))
        browser.close()
    engines = {e: (statistics.median(t["full_ms"] for t in ts), statistics.median(t["forward_ms"] for t in ts))
               for e, ts in times.items() if ts}
    return engines, (ready_s, statistics.median(circuit), statistics.median(f[0] for f in fools),
                     statistics.median(f[1] for f in fools))


def under_node(net, folder, digits):
    """ms per digit of the page's forward and backward passes under node, the share of digits with
    TensorFlow's answer at the last step and the largest difference in a probability; Nones without node."""
    if not shutil.which("node") or not len(digits):
        return None, None, None, None, None
    with open(os.path.join(folder, "model", "run.json"), encoding="utf-8") as f:
        last = json.load(f)["snapshots"][-1]
    digits.astype(np.float32).tofile(os.path.join(folder, "digits.f32"))
    node = lambda out, *what: json.loads(subprocess.run(
        ["node", os.path.join(ROOT, "tests", "forward.js"), os.path.join(folder, "images", "6_network.js"),
         os.path.join(folder, "images", "6_weights_%d.js" % last["step"]), os.path.join(folder, "digits.f32"),
         os.path.join(folder, out), *what], check=True, capture_output=True, text=True).stdout)
    forward_ms = node("answers.f32")["ms_per_input"]
    backward_ms = node("why.f32", "why")["backward_ms"]
    page_p = np.fromfile(os.path.join(folder, "answers.f32"), np.float32).reshape(-1, 10)
    with tf.compat.v1.Session():
        checkpoints.restore(net.saver, last["checkpoint"], os.path.join(folder, "model"), net.data)
        tf_p = np.concatenate([net.y_conv.eval(feed_dict={net.x: digits[i:i + 2000], net.keep_prob: 1.0})
                               for i in range(0, len(digits), 2000)])
    return forward_ms, backward_ms, float((page_p.argmax(axis=1) == tf_p.argmax(axis=1)).mean()), float(np.abs(page_p - tf_p).max())


def measure(net, args, folder, facts):
    folder = folder()
    if args.model:
        shutil.rmtree(os.path.join(folder, "model"), ignore_errors=True)
        shutil.copytree(args.model, os.path.join(folder, "model"))
    elif not os.path.isdir(os.path.join(folder, "model")):  # a short run's, as a reader's first look
        subprocess.run([sys.executable, os.path.join(folder, "0.py"), "--steps", "20"], check=True, capture_output=True)
    six_s = timed(lambda: subprocess.run([sys.executable, os.path.join(folder, "6.py")], check=True, capture_output=True))
    images = os.path.join(folder, "images")
    page_mb = sum(os.path.getsize(os.path.join(images, n)) for n in os.listdir(images) if n.startswith("6")) / 1e6
    engines, (ready_s, circuit_ms, fool_ms, fool_steps) = in_chromium(os.path.join(images, "6.html"), net.mnist.test.images[:5])
    forward_ms, backward_ms, same, error = under_node(net, folder, net.mnist.test.images[:args.page_digits])
    return [Row("6py_s", "python 6.py (s)", six_s),
            Row("page_mb", "6.py's page and its files (MB)", page_mb),
            Row("page_ready_s", "page: opening to ready to draw (s)", ready_s),
            Row("page_update_ms", "page: one update, 2 steps, with why (ms)", engines.get("wasm", (None,))[0]),
            Row("page_forward_only_ms", "page: the same, the layers alone (ms)", engines.get("wasm", (None, None))[1]),
            Row("page_update_js_ms", "page, JavaScript's passes: one update with why (ms)", engines.get("js", (None,))[0]),
            Row("page_forward_only_js_ms", "page, JavaScript's passes: the layers alone (ms)", engines.get("js", (None, None))[1]),
            Row("page_wasm_over_js", "page: WebAssembly SIMD's update over JavaScript's",
                engines["wasm"][0] / engines["js"][0] if len(engines) == 2 else None),
            Row("page_update_circuit_ms", "page: one update with why, an h_conv2 circuit open (ms)", circuit_ms),
            Row("page_fool_ms", "page: fool it, into the digit after its answer (ms)", fool_ms),
            Row("page_fool_steps", "page: fool it, its steps", fool_steps),
            Row("node_forward_ms", "page's forward pass under node (ms/digit)", forward_ms),
            Row("node_backward_ms", "page's backward pass under node (ms/digit)", backward_ms),
            Row("page_digits", "test digits under node", args.page_digits),
            Row("node_same_answer", "page under node: TF's answer (share)", same),
            Row("node_max_probability_error", "page under node: largest probability error", error)]
