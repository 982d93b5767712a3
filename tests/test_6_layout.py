"""The pages on a laptop (1280x800), a desktop (1920x1080) and a tablet upright (820x1180), in English and
Japanese (headless Chromium): nothing scrolls sideways, every explanation at least 13 px, 6.html's pad,
its answer and its step slider in the first screen of a laptop, the columns stacked on a tablet, the pad
first; step numbers written one way, as 20,000."""

import json
import os
import re
import shutil

import pytest

from pagetools import open_page

SIZES = [(1280, 800), (1920, 1080), (820, 1180)]

# What a reader sees of the layout: the page's width, the elements that scroll sideways, the texts of
# more than 30 characters set under 13 px, and where the pad, its answer and the step slider are.
LAYOUT = """() => {
    const wide = [...document.querySelectorAll("*")].filter((e) => e.scrollWidth > e.clientWidth + 1 &&
        ["auto", "scroll"].includes(getComputedStyle(e).overflowX)).map((e) => e.id || e.className || e.tagName);
    const small = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim(), parent = walker.currentNode.parentElement;
        if (text.length > 30 && parent.checkVisibility() && parseFloat(getComputedStyle(parent).fontSize) < 13) small.push(text);
    }
    const box = (id) => { const e = document.getElementById(id); if (!e) return null;
        const r = e.getBoundingClientRect(); return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; };
    return {scrollWidth: document.documentElement.scrollWidth, width: innerWidth, wide, small,
            draw: box("draw"), answer: box("main-bars"), step: box("step"), pen: box("pen")};
}"""


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_6_fits_the_screen_and_reads_without_zooming(browser, explored, width, height, locale):
    repo, _ = explored
    errors = []
    context, view = open_page(browser, "file://" + repo.image("6.html"), errors, locale)
    view.set_viewport_size({"width": width, "height": height})
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    view.evaluate("window.explorer.open('h_conv2', 5)")  # the channel's panel too: its circuit's texts
    seen = view.evaluate(LAYOUT)
    assert seen["scrollWidth"] <= width and not seen["wide"], seen
    assert not seen["small"], seen["small"][:3]
    if width >= 1280:  # two columns: the pad and its answer beside the layers, in the first screen
        for part in ("draw", "answer", "step"):
            assert seen[part]["bottom"] <= height and seen[part]["right"] <= width, (part, seen[part])
    else:  # stacked: the pad first, then the step column
        assert seen["pen"]["bottom"] <= seen["step"]["top"] and seen["draw"]["bottom"] <= height
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_other_pages_fit_a_tablet(browser, explored, looked, drawn, locale):
    repo, _ = explored
    errors = []
    context, view = open_page(browser, "file://" + repo.image("index.html"), errors, locale)
    view.set_viewport_size({"width": 820, "height": 1180})
    for name in ("index.html", "4.html", "5.html"):
        view.goto("file://" + repo.image(name))
        seen = view.evaluate(LAYOUT)
        assert seen["scrollWidth"] <= 820 and not seen["wide"], (name, seen)
        assert not seen["small"], (name, seen["small"][:3])
    context.close()
    assert not errors, errors


def long_run(repo, folder):
    """6.html's files of the suite's model as those of a 20,000-step run: its steps 0, 100, 200 and 300
    renamed 0, 1,000, 5,000 and 20,000 (in 6_run.js and in each weights file): the page's folder."""
    shutil.copytree(os.path.join(repo.path, "images"), folder)
    steps = {0: 0, 100: 1000, 200: 5000, 300: 20000}
    run_js = folder / "6_run.js"
    run = json.loads(re.fullmatch(r"explorerRun\((.*)\);\n", run_js.read_text(encoding="utf-8"), re.S).group(1))
    for entry in run["steps"]:
        old, entry["step"] = entry["step"], steps[entry["step"]]
        weights = folder / entry["file"]
        entry["file"] = "6_weights_%d.js" % entry["step"]
        text = weights.read_text(encoding="ascii").replace("explorerWeights(%d, " % old, "explorerWeights(%d, " % entry["step"], 1)
        weights.unlink()
        (folder / entry["file"]).write_text(text, encoding="ascii")
    run_js.write_text("explorerRun(%s);\n" % json.dumps(run), encoding="utf-8")
    live = folder / "6_live.js"
    data = json.loads(re.fullmatch(r"explorerLive\((.*)\);\n", live.read_text(encoding="utf-8"), re.S).group(1))
    live.write_text("explorerLive(%s);\n" % json.dumps(dict(data, step=20000, steps=20000, snapshots=run["steps"])), encoding="utf-8")
    return folder


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_page_writes_step_numbers_one_way(browser, explored, tmp_path, locale):
    """On a long run's page, every number of 1,000 and more that the reader sees, in the steps' labels, the
    columns' titles, the answers' titles, the confusion matrix and a channel's panel, is written with its
    commas (20,000)."""
    repo, _ = explored
    folder = long_run(repo, tmp_path / "images")
    errors = []
    context, view = open_page(browser, "file://" + str(folder / "6.html"), errors, locale)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    view.evaluate("window.explorer.open('h_conv1', 3)")
    view.wait_for_function("document.getElementById('channel-title').textContent.includes('20,000')")
    text = view.evaluate("document.body.innerText")
    text = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", "", text)  # the summary's date and time
    bare = re.findall(r"(?<![\d,.])\d{4,}(?![\d,])", text)
    assert not bare and "20,000" in text and "10,000" in text, bare[:5]  # (and the confusion matrix's 1,134)
    context.close()
    assert not errors, errors
