"""7.py: two runs side by side (the suite's 300-step model, seed 1, against the changed network of
test_variants.py, seed 3): its numbers against a plain computation from TensorFlow's layers (CKA by the
formula with the centring matrix, correlations by numpy, the matching by scipy), its pictures and page,
and each bad input a line."""

import json
import os
import re
import runpy
import shutil
import sys

import numpy as np
import pytest
from PIL import Image
from scipy.optimize import linear_sum_assignment

import cnn
from conftest import ROOT, Repo, once_for_all_workers
from pagetools import open_page
from tf_reference import Reference
from test_6_lang import assert_speaks, shown

LAYERS = ["h_conv1", "h_pool1", "h_conv2", "h_pool2", "h_fc1"]
DIGITS = 1000


@pytest.fixture(scope="session")
def compared(trained_folder, variant, tmp_path_factory):
    """In a copy of the short training's, `7.py model model-variant`: the article's network (300 steps,
    seed 1) against the changed one of test_variants.py (16 and 32 channels, 3x3 kernels, average
    pooling; 150 steps, seed 3); then `6.py --compare model-variant`: {"path": the copy, "json": its
    7.json, "stdout": what 7.py printed, "6.py": what 6.py printed}."""
    def make(folder):
        shutil.copytree(trained_folder[0] / "tf-cnn-image", folder / "tf-cnn-image", symlinks=True)
        repo = Repo(str(folder / "tf-cnn-image"), copy=False)
        other = os.path.join(variant[0].path, "model-variant")
        said = repo.run("7.py", os.path.join(repo.path, "model"), other, "--ascent-steps", "20").stdout
        page = repo.run("6.py", "--compare", other).stdout
        return {"path": repo.path, "json": json.loads(open(repo.image("7.json"), encoding="utf-8").read()), "stdout": said,
                "6.py": page}

    _, made = once_for_all_workers(tmp_path_factory, "compared", make)
    return made


def layers_of(model, tag):
    """TensorFlow's five compared layers on the first DIGITS test images, of the network model holds (built
    anew from its checkpoint: tests/tf_reference.py)."""
    reference = Reference(model, tag)
    *layers, _ = reference.layers(cnn.mnist.test.images[:DIGITS])
    fc1 = reference.session.run(reference.fc1, {reference.x: cnn.mnist.test.images[:DIGITS]})
    reference.close()
    return layers + [fc1]


def plain_cka(x, y):
    """Linear CKA by its formula: HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)), K = X X' in float64, HSIC(K, L) =
    tr(K H L H) with H = I - 11'/n, which is the sum of HKH * HLH: each Gram matrix's rows and columns
    centred, their elements' products summed."""
    x, y = (np.asarray(v, np.float64).reshape(len(v), -1) for v in (x, y))
    centred = lambda k: k - k.mean(axis=0) - k.mean(axis=1, keepdims=True) + k.mean()
    k, l = centred(x @ x.T), centred(y @ y.T)
    return (k * l).sum() / np.sqrt((k * k).sum() * (l * l).sum())


def test_7_writes_its_numbers_in_their_form(compared):
    made = compared["json"]
    assert sorted(made) == ["accuracy", "cka", "digits", "layers", "matches", "models", "settling"]
    assert made["models"][0] == os.path.join(compared["path"], "model") and made["models"][1].endswith("model-variant")
    assert made["digits"] == DIGITS and made["layers"] == LAYERS
    assert np.shape(made["cka"]) == (5, 5) and sorted(made["matches"]) == ["h_conv1", "h_conv2"]
    assert [s["steps"] for s in made["settling"]] == [[0, 100, 200, 300], [0, 100, 150]]
    assert all(sorted(s["cka"]) == sorted(LAYERS) and all(len(v) == len(s["steps"]) for v in s["cka"].values())
               for s in made["settling"])
    for model, accuracy in zip(made["models"], made["accuracy"]):
        with open(os.path.join(model, "run.json"), encoding="utf-8") as f:
            assert json.load(f)["test_accuracy"] == accuracy
    names = sorted(n for n in os.listdir(os.path.join(compared["path"], "images")) if n.startswith("7"))
    assert names == ["7.html", "7.json", "7_cka.png", "7_matches_h_conv1.png", "7_matches_h_conv2.png", "7_settling.png"]
    lines = compared["stdout"].splitlines()
    assert lines[0] == "CKA, each layer of A against the same layer of B: " + ", ".join(
        "%s %.2f" % (name, made["cka"][k][k]) for k, name in enumerate(LAYERS))


def test_7s_cka_is_the_formulas_on_tensorflows_layers(compared):
    """Each CKA of 7.json within 1e-5 of the formula's on TensorFlow's layers of the two models; a layer
    against itself, 1; the settling of A's h_conv1 and h_fc1 at step 100 against step 300 likewise."""
    made = compared["json"]
    a, b = (layers_of(model, "after") for model in made["models"])
    for i, j in [(0, 0), (1, 3), (2, 2), (4, 4), (4, 0)]:
        assert made["cka"][i][j] == pytest.approx(plain_cka(a[i], b[j]), abs=1e-5), (LAYERS[i], LAYERS[j])
    assert plain_cka(a[2], a[2]) == pytest.approx(1, abs=1e-12)
    at_100 = layers_of(made["models"][0], "step-100")
    for k in (0, 4):
        assert made["settling"][0]["cka"][LAYERS[k]][1] == pytest.approx(plain_cka(at_100[k], a[k]), abs=1e-5)
    assert made["settling"][0]["cka"]["h_conv1"][-1] == pytest.approx(1, abs=1e-9)


def correlations(a, b):
    """Pearson r of each channel of a against each of b over images and places, by numpy (0 for a channel
    that does not vary)."""
    a, b = (np.asarray(v, np.float64).reshape(-1, v.shape[-1]) for v in (a, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(a.T, b.T)[:a.shape[1], a.shape[1]:]
    return np.nan_to_num(r)


def greedy(r):
    """Li et al.'s greedy matching: the largest r left, again and again: its sum."""
    r, total = r.copy(), 0.0
    for _ in range(min(r.shape)):
        i, j = np.unravel_index(np.argmax(r), r.shape)
        total += r[i, j]
        r[i, :], r[:, j] = -np.inf, -np.inf
    return total


def test_7s_matches_are_the_hungarian_methods_on_the_correlations(compared):
    """7.json's pairs: scipy's linear_sum_assignment on numpy's correlations of TensorFlow's outputs, every
    channel paired once, largest r first; a greedy matching finds a lower sum."""
    made = compared["json"]
    a, b = (layers_of(model, "after") for model in made["models"])
    lower = []
    for name, k in (("h_conv1", 0), ("h_conv2", 2)):
        r = correlations(a[k], b[k])
        rows, cols = linear_sum_assignment(r, maximize=True)
        pairs = made["matches"][name]
        assert sorted((p[0], p[1]) for p in pairs) == sorted(zip(rows.tolist(), cols.tolist())), name
        assert all(p[2] == pytest.approx(r[p[0], p[1]], abs=1e-5) for p in pairs)
        assert [p[2] for p in pairs] == sorted((p[2] for p in pairs), reverse=True)
        best = r[rows, cols].sum()
        assert greedy(r) <= best + 1e-9
        lower.append(greedy(r) < best - 1e-6)
    assert any(lower), "on these runs the greedy matching misses the largest sum"


def test_7_pairs_every_channel_of_the_smaller_layer(compared):
    """Against the changed network (16 and 32 channels): every one of its channels has one partner among
    the article's 32 and 64."""
    made = compared["json"]
    for name, count, of in (("h_conv1", 16, 32), ("h_conv2", 32, 64)):
        pairs = made["matches"][name]
        assert sorted(p[1] for p in pairs) == list(range(count)), name
        assert len({p[0] for p in pairs}) == count and all(0 <= p[0] < of for p in pairs)


def test_7s_pictures_and_page(compared, browser):
    """The heat maps, a row a matched pair, the settling charts; the page in both languages, with the
    runs' lines and the caption that says CKA is high even before training."""
    images = os.path.join(compared["path"], "images")
    assert Image.open(os.path.join(images, "7_cka.png")).size[0] > 2 * 5 * 50
    rows = Image.open(os.path.join(images, "7_matches_h_conv1.png")).size[1]
    assert rows > 16 * 40, "a row of about 40 pixels a pair (the variant's 16, last run)"
    errors = []
    for locale, lang in (("en-US", "en"), ("ja-JP", "ja")):
        context, view = open_page(browser, "file://" + os.path.join(images, "7.html"), errors, locale)
        seen = shown(view)
        assert_speaks(seen, lang, "7.html")
        if lang == "en":
            assert re.search(r"Run A: model/: 300 training steps, seed 1, .*Run B: model-variant/: 150 training steps, seed 3, "
                             r"16 and 32 channels", seen["visible"])
            assert "Linear CKA is high even there" in seen["visible"]
        context.close()
    assert not errors, errors


def test_7_refuses_what_it_cannot_compare(compared, pictures, tmp_path, monkeypatch, capsys):
    """Not a model folder, or two data sets: one line, exit 1, nothing written; --digits outside 1,000 to
    2,000. (7.py run in this process, which has its imports already: it stops before it starts its workers.)"""
    model = os.path.join(compared["path"], "model")
    _, shapes, _ = pictures  # a model of drawn shapes, another data set
    images = os.path.join(ROOT, "images")
    before = sorted(os.listdir(images)) if os.path.isdir(images) else []
    for args, line, code in (
            ([model, str(tmp_path)], "error: %s: not a model folder saved by a training run (" % tmp_path, 0),
            ([model, os.path.join(shapes.path, "model")],
             "error: %s was trained on MNIST_data, %s on " % (model, os.path.join(shapes.path, "model")), 0),
            ([model, model, "--digits", "999"], "7.py: error: --digits must be from 1000 to 2000, not 999", 2)):
        monkeypatch.setattr(sys, "argv", [os.path.join(ROOT, "7.py")] + args)
        with pytest.raises(SystemExit) as exited:
            runpy.run_path(os.path.join(ROOT, "7.py"), run_name="__main__")
        if code:  # argparse's: the line on stderr, status 2
            assert exited.value.code == code
            told = capsys.readouterr().err.splitlines()[-1]
        else:  # sys.exit's line: status 1
            told = exited.value.code
        assert told.startswith(line), told
    assert (sorted(os.listdir(images)) if os.path.isdir(images) else []) == before, "nothing written"


def test_6_compares_with_another_run_its_channels_beside_their_matches(compared, browser):
    """6.py --compare: the Compare column shows the other run at its own steps, as TensorFlow computes its
    network; its tiles put each of its channels where its partner is (7.json's matches), the pooling
    layers as their convolutions; explorer.state() says which model each column shows."""
    run = json.loads(re.fullmatch(r"explorerRun\((.*)\);\n", open(os.path.join(compared["path"], "images", "6_run.js"),
                                                                encoding="utf-8").read(), re.S).group(1))
    other = compared["json"]["models"][1]
    assert run["model"] == "model/" and run["compare"]["model"] == "model-variant/"
    assert [s["step"] for s in run["compare"]["steps"]] == [0, 100, 150]
    for conv, pool, count in (("h_conv1", "h_pool1", 16), ("h_conv2", "h_pool2", 32)):
        partner = {b: a for a, b, _ in compared["json"]["matches"][conv]}
        assert run["compare"]["order"][conv] == run["compare"]["order"][pool] == sorted(range(count), key=lambda b: partner[b])
    errors = []
    context, view = open_page(browser, "file://" + os.path.join(compared["path"], "images", "6.html"), errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    assert view.evaluate("window.explorer.compareSteps()") == [0, 100, 150]
    digit = cnn.mnist.test.images[2]
    view.evaluate("window.explorer.setInput(%s)" % json.dumps(digit.tolist()))
    view.locator("#compare-step").fill("2")  # the other run's last step
    view.wait_for_function("window.explorer.state().compare.step === 150")
    state = view.evaluate("window.explorer.state()")
    assert state["models"] == {"main": "model/", "compare": "model-variant/"} and state["step"] == 300
    reference = Reference(other, "after")
    theirs = reference.layers(digit[None])
    reference.close()
    for name, layer in zip(["h_conv1", "h_pool1", "h_conv2", "h_pool2"], theirs[:4]):
        assert np.abs(np.array(state["compare"]["layers"][name]) - layer.ravel()).max() <= 2e-5 * np.abs(layer).max(), name
        # the tile: place p shows the other run's channel order[p]
        shown = view.evaluate("""(id) => { const c = document.getElementById(id), copy = document.createElement("canvas");
            [copy.width, copy.height] = [c.width, c.height]; const g = copy.getContext("2d"); g.drawImage(c, 0, 0);
            return Array.from(g.getImageData(0, 0, c.width, c.height).data).filter((v, i) => i % 4 === 0); }""", "compare-" + name)
        side, channels = layer.shape[1], layer.shape[3]
        shown = np.array(shown).reshape(((channels - 1) // 8 + 1) * (side + 1) - 1, 8 * (side + 1) - 1)
        for place, channel in enumerate(run["compare"]["order"][name]):
            top, left = (place // 8) * (side + 1), (place % 8) * (side + 1)
            cell = shown[top:top + side, left:left + side].astype(int)
            expected = np.clip(layer[0, :, :, channel] * 255, 0, 255).astype(int)
            assert np.abs(cell - expected).max() <= 1, (name, place, channel)  # (a value at a whole number's edge)
    assert state["compare"]["probabilities"] == pytest.approx(theirs[4][0].tolist(), abs=2e-5)
    context.close()
    assert not errors, errors
