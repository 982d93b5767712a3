"""Shared fixtures: a throw-away copy of the repository to run the scripts in, as a user runs them."""

import html.parser
import os
import shutil
import subprocess
import sys

import pytest

import onednn  # noqa: F401  before TensorFlow, as every script: the kernels the scripts run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Repo:
    """A copy of the repository's scripts (and the pages' files, web/) in a temporary folder, with
    MNIST_data/ linked in."""

    def __init__(self, path):
        self.path = path
        for name in os.listdir(ROOT):
            if name.endswith(".py"):
                shutil.copy(os.path.join(ROOT, name), path)
        shutil.copytree(os.path.join(ROOT, "web"), os.path.join(path, "web"))
        os.symlink(os.path.join(ROOT, "MNIST_data"), os.path.join(path, "MNIST_data"))

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

    def page(self, name):
        """A page in images/: {image: its caption} in the page's order, its links, and all its text."""
        images, links, texts, in_caption = {}, [], [], [False]

        class Parser(html.parser.HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "img":
                    images[attrs["src"]] = ""
                elif tag == "a":
                    links.append(attrs["href"])
                in_caption[0] = tag == "figcaption"

            def handle_endtag(self, tag):
                in_caption[0] = False

            def handle_data(self, data):
                texts.append(data)
                if in_caption[0] and images:  # a caption of a picture (6.html has captions of canvases)
                    images[list(images)[-1]] += data

        with open(self.image(name), encoding="utf-8") as f:
            Parser().feed(f.read())
        return images, links, "".join(texts)


def run_page_files(snapshot_steps):
    """What a training run leaves in images/ beside the scripts' pictures: its page (cnn.train, run_page)."""
    return ["6.html", "6_explorer.css", "6_explorer.js", "6_live.js", "6_network.js", "6_run.js", "pages.css"] + [
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
