"""Shared fixtures: a throw-away copy of the repository to run the scripts in, as a user runs them."""

import html.parser
import os
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image, ImageDraw

from machinery.run import onednn  # noqa: F401  before TensorFlow, as every script: the kernels the scripts run
from machinery.bench.repository import copy_of_repository

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Repo:
    """A copy of the repository's scripts (with machinery/ and the pages' files, web/) in a temporary
    folder, with MNIST_data/ linked in."""

    def __init__(self, path):
        self.path = copy_of_repository(path)

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
                if state["other"] or attrs.get("lang") not in (None, lang):
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
    return ["6.html", "6_explorer.css", "6_live.js", "6_network.js", "6_run.js", "lang.js", "pages.css"] + [
        "6_explorer_%s.js" % part for part in ("api", "base", "channel", "run", "tiles", "why")] + [
        "6_weights_%d.js" % step for step in snapshot_steps]


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "tf-cnn-image"
    path.mkdir()
    return Repo(str(path))


@pytest.fixture(scope="session")
def trained_repo(tmp_path_factory):
    """One `python 3.py --steps 300 --seed 1 --logdir logs` in a copy, and what it printed: its images,
    model/ and logs/ serve the tests of 3.py, 4.py and TensorBoard's log."""
    path = tmp_path_factory.mktemp("trained") / "tf-cnn-image"
    path.mkdir()
    repo = Repo(str(path))
    return repo, repo.run("3.py", "--steps", "300", "--seed", "1", "--logdir", os.path.join(repo.path, "logs")).stdout


@pytest.fixture(scope="session")
def trained_session(trained_repo):
    """A session of this process's graph (cnn) with the short training's weights, from its model/."""
    import tensorflow as tf

    import cnn
    repo, _ = trained_repo
    with tf.compat.v1.Session() as sess:
        cnn.restore_model("after", os.path.join(repo.path, "model"))
        yield sess, cnn


@pytest.fixture(scope="session")
def looked(trained_repo):
    """`python 4.py` in the copy where 3.py trained and saved model/."""
    repo, _ = trained_repo
    return repo, repo.run("4.py", "--ascent-steps", "100").stdout  # half of 4.py's 200: enough on 300 steps


def png_header(width, height):
    """The start of a PNG that claims width x height pixels: enough for Pillow to open it."""
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def drawn(trained_repo, tmp_path_factory):
    """`python 5.py` on a drawing of a 7 (dark on off-white, JPEG) and on five bad files."""
    repo, _ = trained_repo
    folder = tmp_path_factory.mktemp("my images")
    canvas = Image.new("RGB", (400, 400), (236, 232, 220))
    ImageDraw.Draw(canvas).line([(100, 90), (300, 95), (190, 330)], fill=(30, 30, 50), width=28, joint="curve")
    canvas.save(folder / "my 7.jpg", quality=90)
    Image.new("L", (300, 200), 250).save(folder / "blank.png")
    (folder / "notes.txt").write_text("a seven")
    whole = (folder / "my 7.jpg").read_bytes()
    Image.open(folder / "my 7.jpg").save(folder / "cut.png")
    (folder / "cut.png").write_bytes((folder / "cut.png").read_bytes()[:3000])
    (folder / "huge.png").write_bytes(png_header(30000, 30000))
    assert whole
    paths = [str(folder / name) for name in ("my 7.jpg", "missing.png", "notes.txt", "cut.png", "blank.png", "huge.png")]
    return repo, repo.run("5.py", *paths, check=False), paths
