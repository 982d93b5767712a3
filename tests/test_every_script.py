"""Every script as a reader first meets it: `--help`, and where there is no model/ yet, 5.py and 6.py
training one first (4.py's: test_4.py)."""

import ast
import json
import os
import re
import runpy
import sys

import pytest
from PIL import Image, ImageDraw

from conftest import ROOT, run_page_files

# Each script's flags, as docs/scripts.md lists them, with every script's: --data, the model folder and the network.
EVERY = {"-h", "--data DIR", "--model DIR", "--channels C1,C2", "--kernel K", "--pool {max,avg}"}
TRAINS = EVERY | {"--steps N", "--logdir DIR", "--bf16", "--seed N"}
FLAGS = {"0.py": TRAINS, "1.py": EVERY, "2.py": EVERY | {"--seed N"}, "3.py": TRAINS,
         "4.py": TRAINS | {"--ascent-steps N"}, "5.py": TRAINS | {"IMAGE ..."}, "6.py": TRAINS | {"--compare DIR"}}


@pytest.mark.parametrize("script", sorted(FLAGS))
def test_help_shows_the_docstring_as_written_and_the_scripts_flags(script, monkeypatch, capsys):
    """`python SCRIPT --help` prints its usage with its flags, then its docstring as written from its first
    line, and exits 0 before anything else. Run in this process, which has TensorFlow already: a process
    each would cost its import, 3 s, for nothing the help shows (each script's start: its own runs)."""
    path = os.path.join(ROOT, script)
    with open(path, encoding="utf-8") as f:
        docstring = ast.get_docstring(ast.parse(f.read()))
    monkeypatch.setattr(sys, "argv", [path, "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(path, run_name="__main__")
    shown = capsys.readouterr()
    assert exited.value.code in (0, None) and shown.err == ""
    usage, description = shown.out.split("\n\n")[:2]
    assert usage.startswith("usage: %s " % script)
    assert set(re.findall(r"\[([^\[\]]+)\]", usage)) == FLAGS[script], usage
    assert description.splitlines()[0] == docstring.splitlines()[0]
    assert docstring in shown.out, "the docstring as written (3.py's list of outputs, one per line)"
    for flag in FLAGS[script] - {"-h", "IMAGE ..."}:  # and each is explained
        assert re.search(r"^  %s(\s|$)" % re.escape(flag), shown.out, re.M), flag


def trained_first(repo, script, *args):
    """`python SCRIPT --steps 10 --seed 3 ARGS` in a copy without model/: its stdout's lines after the
    training's two, having checked those and run.json against each other and against the line that
    says which model it used."""
    assert not os.path.exists(os.path.join(repo.path, "model"))
    lines = repo.run(script, "--steps", "10", "--seed", "3", *args).stdout.splitlines()
    with open(os.path.join(repo.path, "model", "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    assert run["steps"] == 10 and run["seed"] == 3, "it trained and saved model/ first"
    assert re.fullmatch(r"step 0, training accuracy [\d.]+", lines[0]), lines
    assert re.fullmatch(r"test accuracy ([\d.]+)", lines[1]) and float(lines[1].split()[2]) == pytest.approx(
        run["test_accuracy"], abs=1e-6), "the training's own lines, as 0.py's"
    assert lines[2].startswith("model/: 10 training steps, seed 3, test accuracy %.4f, trained " % run["test_accuracy"])
    return lines[3:]


def test_5_trains_first_when_there_is_no_model(repo, tmp_path):
    seven = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(seven).line([(25, 20), (95, 22), (55, 105)], fill=0, width=12)
    seven.save(tmp_path / "my7.png")
    answers = trained_first(repo, "5.py", str(tmp_path / "my7.png"))
    assert len(answers) == 1 and re.fullmatch(r"my7\.png: \d \(\d+\.\d%\), then \d \(\d+\.\d%\), \d \(\d+\.\d%\)",
                                              answers[0]), answers
    assert sorted(os.listdir(os.path.join(repo.path, "images"))) == sorted(
        ["5.html", "5_my7.png", "5_my7_input.png"] + run_page_files([0, 10])), "and the page of the run it trained"


def test_6_trains_first_when_there_is_no_model(repo):
    page = trained_first(repo, "6.py")
    assert len(page) == 2 and re.fullmatch(r"images/6\.html: 2 snapshot steps \(0, 10\), 4\.py has not run for this "
                                           r"model: weights in place of patterns, [\d.]+ MB with its files; open it "
                                           r"in a browser", page[1]), page
    assert re.fullmatch(r"confusion matrix: wrong on all 10,000 test images: [\d,]+ at step 0, [\d,]+ at 10; at the end "
                        r"most often \d read as \d \(\d+\)", page[0]), page
    assert sorted(os.listdir(os.path.join(repo.path, "images"))) == sorted(run_page_files([0, 10]))
