"""Shared fixtures: a throw-away copy of the repository to run the scripts in, as a user runs them."""

import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import types
import zlib

import pytest
from PIL import Image, ImageDraw

# pytest-xdist's workers share the cores: each TensorFlow process (a worker's own, and every script it
# runs, which inherit this) gets its share of them, not all of them, so that two processes at once do
# not oversubscribe the cores (set before TensorFlow makes its thread pools; a reader's setting stays).
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    share = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", share)  # threads inside an op
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", share)  # ops at once (training runs them one at a time already)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", share)  # numpy's: its idle threads spin a while after each product

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_configure(config):
    """TensorFlow's kernels as every script has them (machinery/run/onednn.py), set before a test file
    imports TensorFlow; not in pytest-xdist's controller, which runs no test and so need not load it."""
    if getattr(config.option, "dist", "no") == "no" or hasattr(config, "workerinput"):
        from machinery.run import onednn  # noqa: F401

# The slowest test files first: pytest-xdist hands the next file to the first worker to be nearly
# done (pytest.ini), and a long file handed out last keeps one worker going while the others wait.
# test_4.py makes the short training and the pages many files share, test_variants.py (on the other
# worker, meanwhile) the changed network; test_7.py needs both; test_bench.py neither.
SLOWEST_FIRST = ["test_4.py", "test_variants.py", "test_bench.py", "test_7.py", "test_6_run.py", "test_bench_pages.py",
                 "test_6.py", "test_6_browser.py", "test_6_layout.py", "test_6_mistakes.py", "test_6_simd.py",
                 "test_scripts.py", "test_6_data.py", "test_data_scripts.py", "test_model.py", "test_5.py", "test_circuits.py",
                 "test_every_script.py", "test_6_lang.py", "test_training.py", "test_tiles.py", "test_6_photo.py"]


def pytest_collection_modifyitems(items):
    """The test files in the order of SLOWEST_FIRST, the rest after them; each file's tests in their own order."""
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


class Repo:
    """A copy of the repository's scripts (with machinery/ and the pages' files, web/) in a temporary
    folder, with MNIST_data/ linked in."""

    def __init__(self, path, copy=True):
        from machinery.bench.repository import copy_of_repository  # (it loads TensorFlow: after onednn)
        self.path = copy_of_repository(path) if copy else path

    def run(self, script, *args, check=True):
        """Run `python script args` from another folder, to show the scripts do not need a cwd."""
        result = self.start(script, *args)
        stdout, stderr = result.communicate()
        result.stdout, result.stderr = stdout, stderr
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def start(self, script, *args):
        """`python script args` started, not waited for: a subprocess.Popen."""
        return subprocess.Popen([sys.executable, os.path.join(self.path, script), *args], cwd=os.path.dirname(self.path),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def image(self, name):
        return os.path.join(self.path, "images", name)

    def page(self, name, lang="en"):
        """A page in images/ as a reader of lang (en, ja) sees it: {image: its caption} in the page's
        order, its links, and all its text (a text written in both languages: in lang only)."""
        images, links, texts = {}, [], []
        state = {"caption": False, "other": 0}  # in a caption; how deep in the other language's elements

        class Parser(html.parser.HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if state["other"] or (tag != "html" and attrs.get("lang") not in (None, lang)):  # (html: the default)
                    state["other"] += tag not in ("img", "br", "meta", "link", "input")  # (elements with no end)
                elif tag == "img":
                    images[attrs["src"]] = ""
                elif tag == "a":
                    links.append(attrs["href"])
                elif tag == "figcaption":
                    state["caption"] = True

            def handle_endtag(self, tag):
                if state["other"]:
                    state["other"] -= 1
                elif tag == "figcaption":
                    state["caption"] = False

            def handle_data(self, data):
                if state["other"]:
                    return
                texts.append(data)
                if state["caption"] and images:  # a caption of a picture (6.html has captions of canvases)
                    images[list(images)[-1]] += data

        with open(self.image(name), encoding="utf-8") as f:
            Parser().feed(f.read())
        return images, links, "".join(texts)


def run_page_files(snapshot_steps):
    """What a training run leaves in images/ beside the scripts' pictures: its page (cnn.train, run_page)."""
    return ["6.html", "6_circuits.js", "6_explorer.css", "6_fool.js", "6_live.js", "6_network.js", "6_network_simd.js",
            "6_network_simd_wasm.js", "6_preprocessing.js", "6_run.js",
            "6_test.js", "lang.js", "pages.css"] + [
        "6_explorer_%s.js" % part for part in ("api", "base", "channel", "circuit", "fool", "mistakes", "photo", "run", "tiles", "why")] + [
        "6_weights_%d.js" % step for step in snapshot_steps]


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "tf-cnn-image"
    path.mkdir()
    return Repo(str(path))


def once_for_all_workers(tmp_path_factory, name, make):
    """make(folder) -> a JSON value, made once for all of pytest-xdist's workers (the first makes it while
    the others wait for it) in a folder they share; without xdist (or file locks), once in this one."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if not os.environ.get("PYTEST_XDIST_WORKER") or not fcntl:
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    folder = tmp_path_factory.getbasetemp().parent / name  # the run's folder, above each worker's own
    with open(str(folder) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = folder.with_suffix(".json")
        if not made.exists():  # the first to get here makes it; a failed make leaves it to the next
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            made_here = make(folder)
            made.write_text(json.dumps(made_here))
        return folder, json.loads(made.read_text())


def copy_of(folder, tmp_path_factory, name):
    """A Repo in a copy of folder/tf-cnn-image, for this worker to write into."""
    path = tmp_path_factory.mktemp(name) / "tf-cnn-image"
    shutil.copytree(folder / "tf-cnn-image", path, symlinks=True)
    return Repo(str(path), copy=False)


@pytest.fixture(scope="session")
def trained_folder(tmp_path_factory):
    """One `python 3.py --steps 300 --seed 1 --logdir logs` in a copy of the repository, for all workers:
    (its folder, what it printed)."""
    def train(folder):
        (folder / "tf-cnn-image").mkdir()
        repo = Repo(str(folder / "tf-cnn-image"))
        return repo.run("3.py", "--steps", "300", "--seed", "1", "--logdir", os.path.join(repo.path, "logs")).stdout

    return once_for_all_workers(tmp_path_factory, "trained", train)


@pytest.fixture(scope="session")
def pictures(tmp_path_factory):
    """A folder of drawn shapes (tests/shapes.py: 100 PNGs a class, black on white), a copy of the
    repository where `3.py --data ... --steps 150 --seed 1` learned it, and its 6.html, for all workers:
    (the data's folder, the copy (read only), 3.py's process: its stdout and stderr)."""
    import shapes

    def train(folder):
        data = shapes.write_folders(str(folder / "shapes"), count=1000)
        (folder / "tf-cnn-image").mkdir()
        repo = Repo(str(folder / "tf-cnn-image"))
        result = repo.run("3.py", "--data", data, "--steps", "150", "--seed", "1")
        repo.run("6.py")
        return {"stdout": result.stdout, "stderr": result.stderr}

    folder, made = once_for_all_workers(tmp_path_factory, "pictures", train)
    return str(folder / "shapes"), Repo(str(folder / "tf-cnn-image"), copy=False), types.SimpleNamespace(**made)


@pytest.fixture(scope="session")
def trained_repo(trained_folder, tmp_path_factory):
    """The short training's copy, and what 3.py printed: its images, model/ and logs/ serve the tests
    of 3.py, 4.py and TensorBoard's log. This worker's own copy, as the scripts its tests run write into it."""
    folder, stdout = trained_folder
    return copy_of(folder, tmp_path_factory, "trained_copy"), stdout


@pytest.fixture(scope="session")
def trained_session(trained_repo):
    """A session of this process's graph (cnn) with the short training's weights, from its model/."""
    import tensorflow as tf

    import cnn
    repo, _ = trained_repo
    with tf.compat.v1.Session() as sess:
        cnn.restore_model("after", os.path.join(repo.path, "model"))
        yield sess, cnn


def png_header(width, height):
    """The start of a PNG that claims width x height pixels: enough for Pillow to open it."""
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def drawings(folder):
    """A drawing of a 7 (dark on off-white, JPEG) and five bad files in folder: their paths."""
    folder.mkdir()
    canvas = Image.new("RGB", (400, 400), (236, 232, 220))
    ImageDraw.Draw(canvas).line([(100, 90), (300, 95), (190, 330)], fill=(30, 30, 50), width=28, joint="curve")
    canvas.save(folder / "my 7.jpg", quality=90)
    Image.new("L", (300, 200), 250).save(folder / "blank.png")
    (folder / "notes.txt").write_text("a seven")
    Image.open(folder / "my 7.jpg").save(folder / "cut.png")
    (folder / "cut.png").write_bytes((folder / "cut.png").read_bytes()[:3000])
    (folder / "huge.png").write_bytes(png_header(30000, 30000))
    return [str(folder / name) for name in ("my 7.jpg", "missing.png", "notes.txt", "cut.png", "blank.png", "huge.png")]


@pytest.fixture(scope="session")
def pages(trained_folder, tmp_path_factory):
    """In a copy of the short training's, one after the other as a reader would: `python 4.py`,
    `python 5.py` on drawings(), `python 6.py` (each page links to those there before it, 6.py's shows
    4.py's channels). Made once for all workers; the tests only read it."""
    def make(folder):
        shutil.copytree(trained_folder[0] / "tf-cnn-image", folder / "tf-cnn-image", symlinks=True)
        repo = Repo(str(folder / "tf-cnn-image"), copy=False)
        looked = repo.run("4.py", "--ascent-steps", "100").stdout  # half of 4.py's 200: enough on 300 steps
        paths = drawings(folder / "my images")
        drawn = repo.run("5.py", *paths, check=False)
        explored = repo.run("6.py").stdout
        return {"looked": looked, "drawn": [drawn.returncode, drawn.stdout, drawn.stderr], "paths": paths,
                "explored": explored}

    folder, made = once_for_all_workers(tmp_path_factory, "pages", make)
    return Repo(str(folder / "tf-cnn-image"), copy=False), made


@pytest.fixture(scope="session")
def looked(pages):
    """`python 4.py` where 3.py trained and saved model/: the repository, what it printed."""
    repo, made = pages
    return repo, made["looked"]


@pytest.fixture(scope="session")
def drawn(pages):
    """`python 5.py` on a drawing of a 7 and five bad files, after 4.py: the repository, its process
    (returncode, stdout, stderr), the files' paths."""
    repo, made = pages
    returncode, stdout, stderr = made["drawn"]
    return repo, types.SimpleNamespace(returncode=returncode, stdout=stdout, stderr=stderr), made["paths"]


@pytest.fixture(scope="session")
def explored(pages):
    """`python 6.py` after 4.py and 5.py (steps 0, 100, 200, 300): the repository, what it printed."""
    repo, made = pages
    return repo, made["explored"]


def missing(what):
    """A tool the suite needs is not here: the test fails where CI is set (.ci/run installs every tool
    the README names), and elsewhere skips, saying what is missing and how to get it (pytest -rs lists it)."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), driven by Playwright, one for all of a worker's page tests; skipped with
    a line on how to get it."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    absent = None if executable else "no Chromium: apt-get install chromium (or your system's chromium package)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        absent = absent or "no Playwright: python -m pip install -r requirements.txt"
    if absent:
        missing(absent)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opened(browser, explored):
    """6.html opened from the file system in an English browser, the network blocked, once for a test
    file's tests (an opening costs Chromium 2 to 3 s of CPU): the page, and its errors so far."""
    repo, _ = explored
    errors = []
    from pagetools import open_page
    context, view = open_page(browser, "file://" + repo.image("6.html"), errors)
    view.wait_for_function("window.explorer && window.explorer.ready")
    view.evaluate("window.explorer.ready")
    yield view, errors
    context.close()


@pytest.fixture
def page(opened):
    """The opened 6.html, back as it opened, as a reader gets it back: the window's size, the channel's
    panel closed, the maps of the answers, the first test digit on the pad, both sliders where they
    started (the Training step column following the run); fails the test on any browser error or request."""
    view, errors = opened
    view.set_viewport_size({"width": 1400, "height": 1000})
    view.evaluate("""() => {
        if (!document.getElementById("channel").hidden) document.getElementById("channel-close").click();
        const asked = window.explorer.asked();
        if (asked !== null) document.querySelector("#main-bars .bar[data-digit='" + asked + "']").click();
        document.querySelector("#digits canvas").click();
        const compare = document.getElementById("compare-step");
        compare.value = 0;
        compare.dispatchEvent(new Event("input"));
        window.explorer.follow(); }""")
    view.wait_for_function("window.explorer.asked() === null && window.explorer.state().step === Math.max(...window.explorer.steps())")
    del errors[:]
    yield view
    assert not errors, errors


# The network changed by flags, as test_variants.py and test_7.py run it
VARIANT = ["--channels", "16,32", "--kernel", "3", "--pool", "avg"]


@pytest.fixture(scope="session")
def variant(tmp_path_factory):
    """In a copy of the repository, as a reader would: `1.py` and `3.py --steps 150 --seed 3` on the changed
    network, 3.py saving in model-variant/; then 4.py, 5.py and 6.py with --model model-variant. Made once for
    all workers: (the copy, {script: its stdout})."""
    def make(folder):
        (folder / "tf-cnn-image").mkdir()
        repo = Repo(str(folder / "tf-cnn-image"))
        model = os.path.join(repo.path, "model-variant")
        said = {"1.py": repo.run("1.py", *VARIANT).stdout,
                "3.py": repo.run("3.py", "--steps", "150", "--seed", "3", "--model", model, *VARIANT).stdout}
        for script, args in (("4.py", ["--ascent-steps", "20"]), ("5.py", []), ("6.py", [])):
            said[script] = repo.run(script, "--model", model, *args).stdout
        return said

    folder, said = once_for_all_workers(tmp_path_factory, "variant", make)
    return Repo(str(folder / "tf-cnn-image"), copy=False), said
