"""6.html's passes in WebAssembly SIMD (web/network.c, network_simd.js): the committed module is what its
source builds; in headless Chromium the page runs it by default, with the numbers of network.js's own
passes (and so TensorFlow's: test_6.py holds both engines to it), and falls back to them where
WebAssembly SIMD is missing."""

import base64
import os
import re

import numpy as np

import cnn
from conftest import missing
from machinery.pictures import wasm
from pagetools import LAYER_BOUND, MAP_BOUND, NAMES, PROBABILITY_BOUND, node, open_page


def test_the_module_is_what_its_source_builds():
    with open(wasm.BUILT, encoding="utf-8") as f:
        text = f.read()
    built_by = re.match(r"// Built from network\.c by `python -m machinery\.pictures\.wasm` \((.*?), ", text).group(1)
    committed = base64.b64decode(re.search(r'\n  "([A-Za-z0-9+/=]+)";\n$', text).group(1))
    here = wasm.compiler()
    if not here:
        missing("clang is not installed (apt-get install clang lld): it rebuilds web/network_simd_wasm.js")
    if here != built_by:
        missing("web/network_simd_wasm.js was built by %s, this machine has %s: its bytes may differ" % (built_by, here))
    assert wasm.module() == committed, "web/network.c changed: python -m machinery.pictures.wasm"
    assert text == wasm.script(committed, here)


def test_the_kernels_need_channels_in_fours(explored):
    """network_simd.js runs a network whose channels come in fours; another (--channels 6,10) stays on network.js's."""
    repo, _ = explored
    said = node("-e", """
        const fs = require("fs"), vm = require("vm"), network = require(process.argv[1]), simd = require(process.argv[2]);
        let data; global.explorerWeights = (s, d) => { data = d; };
        vm.runInThisContext(fs.readFileSync(process.argv[3], "utf8"));
        const w = network.decodeWeights(data), odd = network.decodeWeights(Object.assign({}, data, {network: {channels: [6, 10], kernel: 5, pool: "max"}}));
        simd.ready.then((ok) => console.log(JSON.stringify([ok, simd.supported, simd.available(w), simd.available(odd)])));""",
                repo.image("6_network.js"), repo.image("6_network_simd.js"), repo.image("6_weights_300.js"))
    assert said.strip() == "[true,true,true,false]"


def relative(a, b):
    """The largest difference of two arrays, over the largest value of the first."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.abs(a - b).max() / max(np.abs(a).max(), 1e-12)


def test_the_page_runs_webassembly_with_the_numbers_of_its_javascript(page):
    """Both engines on test digits at the last step and at step 0: every layer, probability and map alike
    (test_6.py holds each engine to TensorFlow on 200 test digits at two steps, under node)."""
    assert page.evaluate("window.explorer.engine()") == "wasm", "the default where WebAssembly SIMD runs"
    for step, digits in ((300, cnn.mnist.test.images[20:22]), (0, cnn.mnist.test.images[22:23])):
        page.evaluate("(s) => window.explorer.setStep(s)", step)
        for digit in digits:
            page.evaluate("(pixels) => window.explorer.setInput(pixels)", digit.tolist())
            seen = {}
            for engine in ("js", "wasm"):
                assert page.evaluate("(e) => window.explorer.engine(e)", engine) == engine
                seen[engine] = page.evaluate("() => [window.explorer.state(), window.explorer.why()]")
            (js, js_why), (simd, simd_why) = seen["js"], seen["wasm"]
            for name in NAMES + ["h_fc1"]:
                assert relative(js.get(name) or js["layers"][name], simd.get(name) or simd["layers"][name]) <= LAYER_BOUND, name
            assert np.abs(np.subtract(js["probabilities"], simd["probabilities"])).max() <= PROBABILITY_BOUND
            assert js_why["cls"] == simd_why["cls"]
            for name, a, b in (("saliency", js_why["saliency"], simd_why["saliency"]),
                               ("h_pool1", js_why["hirescam"]["h_pool1"], simd_why["hirescam"]["h_pool1"]),
                               ("h_conv2", js_why["hirescam"]["h_conv2"], simd_why["hirescam"]["h_conv2"])):
                assert relative(a, b) <= MAP_BOUND, name
    times = page.evaluate("window.explorer.measure(3)")
    assert times["full_ms"] > 0 and page.evaluate("window.explorer.engine()") == "wasm"


def test_without_webassembly_simd_the_page_runs_its_javascript(browser, explored):
    """WebAssembly.validate made to refuse the module (as a browser without SIMD does): the page draws
    every layer with network.js's own passes, with no error."""
    repo, _ = explored
    errors = []
    context, view = open_page(browser, "file://" + repo.image("6.html"), errors)
    context.add_init_script("WebAssembly.validate = () => false;")
    view.reload()
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    assert view.evaluate("networkSimd.supported") is False
    assert view.evaluate("window.explorer.engine()") == "js"
    assert view.evaluate("window.explorer.engine('wasm')") == "js", "asked for, it is not there"
    state = view.evaluate("window.explorer.state()")
    assert np.argmax(state["probabilities"]) == 7 and len(state["layers"]["h_conv2"]) == 14 * 14 * 64
    context.close()
    assert not errors, errors
