"""bench.py's training measurements at their smallest settings: its rows in the table and the JSON,
with values that hold for any machine, and no temporary left."""

import json
import os
import subprocess
import sys
import types

import pytest

from bf16_expected import bf16_expected
from conftest import ROOT
from machinery.bench import kernels, turns

MACHINE = {"date", "cpu", "cpu_vector_instructions", "cores", "onednn", "onednn_default", "onednn_max_cpu_isa",
           "tensorflow", "numpy", "python", "measurements", "window_steps", "windows", "rounds", "bench_s"}


def bench(tmp_path, *args):
    """`python bench.py ARGS --json tmp_path/bench.json`: its table (JSON) and what it printed."""
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), *args, "--json", str(out)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert os.listdir(tmp_path) == ["bench.json"], "no temporary left"
    table = json.loads(out.read_text())
    assert MACHINE <= set(table)
    head = result.stdout.splitlines()[0]
    assert head.startswith("bench.py, ") and "(TensorFlow's default: %s)" % ("on" if table["onednn_default"] else "off") in head
    # oneDNN's kernels on, as in every script, unless the reader turned them off
    assert table["onednn"] == (os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0")
    assert "AVX2" in table["cpu_vector_instructions"] or not table["cpu_vector_instructions"]
    return table, result.stdout


@pytest.fixture(scope="module")
def fake_pytorch(tmp_path_factory):
    """A stand-in for PyTorch's Python (pytorch_worker.py's side of the talk): ready, then every window
    takes it 0.5 s; it counts the windows in a file beside it: (its path, that file's)."""
    fake = tmp_path_factory.mktemp("fake")
    python = fake / "python"
    python.write_text("#!/bin/sh\necho ready 0.0+fake\nwhile read line; do echo $line >> %s; echo 0.5; done\n"
                      % (fake / "windows"))
    python.chmod(0o755)
    return python, fake / "windows"


@pytest.fixture(scope="module")
def measured(tmp_path_factory, fake_pytorch):
    """The training's measurements in one `python bench.py` at its smallest settings (one import of
    TensorFlow for all), `pytorch` against a stand-in; test_bench_pages.py has the pages' and the scripts'."""
    return bench(tmp_path_factory.mktemp("bench"), "steps", "kernels", "costs", "pytorch", "--python", str(fake_pytorch[0]),
                 "--steps", "2", "--windows", "1", "--profile-steps", "2", "--rounds", "1", "--overhead-steps", "2")


def rows(table, prefix):
    return {key[len(prefix):]: value for key, value in table.items() if key.startswith(prefix)}


def test_steps_against_the_machines_limit(measured):
    table, stdout = measured
    assert table["measurements"] == ["steps", "kernels", "costs", "pytorch"]
    assert not [key for key in table if key.startswith(("page_", "split_s", "6py"))], "the others not run"
    assert abs(table["step_gflop"] - 4.1025) < 0.0001
    assert table["bare_steps_per_s"] > 0 and table["train_steps_per_s"] > 0 and table["matmul_gflops"] > 0
    assert table["step_fraction_of_matmul"] == pytest.approx(table["step_gflops"] / table["matmul_gflops"])
    assert 0 < table["progress_bar_percent_of_step"] < 1, "the bar costs under 1% of a step"
    assert "training step, bare loop (steps/s)" in stdout
    if bf16_expected()[0]:  # the CPU's flags and the environment, read by the test
        assert table["bf16_steps_per_s"] > 0 and table["bf16_speedup"] > 0
        profile = rows(table, "bf16_step_profile_ms.")
        assert any("the rewrite's" in kind for kind in profile), "its casts are in the profile"
        assert any("Conv2D" in kind for kind in profile)
    else:
        assert "bf16_steps_per_s" not in table


def test_kernels_in_two_processes(measured):
    table, stdout = measured
    assert table["onednn_steps_per_s"] > 0 and table["eigen_steps_per_s"] > 0
    assert table["onednn_speedup"] == pytest.approx(table["onednn_steps_per_s"] / table["eigen_steps_per_s"]), "one window each"
    assert "oneDNN / Eigen" in stdout
    assert "onednn_whole_run_s" not in table, "whole runs only with --whole-steps"


def test_kernels_whole_runs_take_turns_with_each_kind(tmp_path, monkeypatch):
    """--whole-steps N: `python 0.py --steps N` in the copy of the repository, with oneDNN's kernels and
    with Eigen's in turns, and their rows; here against a stand-in 0.py that notes what it was given
    (a real 0.py's whole run is bench.py's costs' above), and windows of the bare step already timed."""
    (tmp_path / "0.py").write_text("import os, sys\nwith open(%r, 'a') as f:\n"
                                   "    f.write(os.environ['TF_ENABLE_ONEDNN_OPTS'] + ' ' + ' '.join(sys.argv[1:]) + '\\n')\n"
                                   % str(tmp_path / "runs"))
    monkeypatch.setattr(kernels, "step_rates", lambda cnn, steps, windows: {"oneDNN": [1.0], "Eigen": [2.0]})
    args = types.SimpleNamespace(steps=4, windows=1, whole_steps=7, rounds=2)
    table = {row.key: row.value for row in kernels.measure(None, args, lambda: str(tmp_path), {})}
    assert (tmp_path / "runs").read_text().splitlines() == ["1 --steps 7", "0 --steps 7", "0 --steps 7", "1 --steps 7"]
    assert table["onednn_steps_per_s"] == 4.0 and table["eigen_steps_per_s"] == 2.0 and table["onednn_speedup"] == 2.0
    assert table["onednn_whole_run_s"] > 0 and table["eigen_whole_run_s"] > 0
    assert table["onednn_whole_run_speedup"] > 0


def test_costs_beside_the_articles_loop(measured):
    table, stdout = measured
    assert 0 < table["logdir_step_line_s"] < table["logdir_snapshot_s"] and table["logdir_open_s"] > 0
    assert 0 < table["live_page_progress_s"] < table["live_page_snapshot_s"]
    assert table["live_page_live_s"] > 0 and table["live_page_start_s"] > 0
    # 0.py against the bare loop: both whole runs timed, and the difference split into its parts
    o = rows(table, "overhead_2_")
    assert o["0py_s"] > 0 and o["bare_s"] > 0 and o["cpu_ratio"] > 0
    assert o["speed_ratio"] == pytest.approx(o["bare_s"] / o["0py_s"]), "one round"
    # from a run of 0.py with them clocked: step 0's accuracy (before training), its checkpoints, its page
    parts = rows(table, "overhead_2_parts_s.")
    assert sorted(parts) == ["checkpoints", "live page", "snapshot accuracies"]
    assert all(0 < part_s < o["0py_s"] for part_s in parts.values()), parts
    assert o["rest_s"] == pytest.approx(o["0py_s"] - o["bare_s"] - sum(parts.values()))
    assert "  snapshot accuracies (s)" in stdout and "  the rest of the difference (s)" in stdout


def test_a_measurement_not_there_is_named(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "steps", "speed"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].endswith("error: no measurement speed: choose from steps, kernels, costs, page, scripts, pytorch")
    help_text = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "--help"], capture_output=True, text=True).stdout
    assert "without any: steps kernels costs page" in help_text


def test_pytorch_times_both_sides_in_turns(measured, fake_pytorch):
    table, stdout = measured
    precisions = ["float32", "bf16"] if bf16_expected()[0] else ["float32"]
    for precision in precisions:
        assert table["pytorch_%s_steps_per_s" % precision] == 4.0, "2 steps in 0.5 s"
        assert table["tensorflow_%s_steps_per_s" % precision] > 0
        ratio = table["tensorflow_over_pytorch_%s" % precision]
        assert ratio == pytest.approx(table["tensorflow_%s_steps_per_s" % precision] / 4.0), "one window each"
    assert fake_pytorch[1].read_text() == "go\n" * len(precisions), "a window of each precision, in turns"
    assert table["pytorch"] == "0.0+fake" and table["window_steps"] == 2 and table["windows"] == 1
    assert "this port / PyTorch" in stdout


def test_turns_alternate_and_the_ratio_is_the_median_of_the_rounds():
    """How every measurement in turns is timed (turns.py): each kind once a round, who goes first
    alternating; a ratio is the median of the rounds' ratios, not the ratio of the medians."""
    order = []
    seconds = turns.in_turns({"a": lambda: order.append("a") or 1.0, "b": lambda: order.append("b") or 2.0}, 3)
    assert order == ["a", "b", "b", "a", "a", "b"] and seconds == {"a": [1.0] * 3, "b": [2.0] * 3}
    rounds = {"slow": [4.0, 2.0, 9.0], "fast": [2.0, 4.0, 3.0]}  # ratios 2, 0.5, 3; medians' ratio 4 / 3
    assert turns.ratio(rounds, "slow", "fast") == 2.0


def test_pytorch_names_a_python_without_pytorch(tmp_path):
    for python, reason in ((sys.executable, "no PyTorch there (No module named 'torch')"),
                           (str(tmp_path / "nothing"), "cannot run it (No such file or directory)")):
        result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "pytorch", "--python", python,
                                 "--steps", "2", "--windows", "1", "--json", str(tmp_path / "out.json")],
                                capture_output=True, text=True)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == "error: %s: %s" % (python, reason)
        assert os.listdir(tmp_path) == []
