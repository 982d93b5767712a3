"""bench.py, at its smallest settings: it runs, and its JSON has every field."""

import json
import os
import subprocess
import sys

import pytest

from machinery.run import cpu_settings
from conftest import ROOT

FIELDS = {"date", "cpu", "cores", "tensorflow", "numpy", "python", "window_steps", "windows", "step_gflop",
          "bare_steps_per_s", "train_steps_per_s", "train_to_bare_ratio", "step_gflops", "matmul_gflops",
          "step_fraction_of_matmul", "run_steps", "start_to_first_image_s", "run_s", "profiled_run_s",
          "split_s", "bench_s", "logdir_open_s", "logdir_snapshot_s", "logdir_step_line_s", "logdir_full_run_cost", "4py_s", "4py_split_s", "5py_s", "6py_s", "page_mb",
          "page_ready_s", "page_update_ms", "page_forward_only_ms", "node_forward_ms", "node_backward_ms", "node_same_answer",
          "node_max_probability_error",
          "progress_bar_update_s", "progress_bar_cost", "cpu_has_bf16", "float32_steps_per_s", "bf16_steps_per_s",
          "bf16_speedup", "bf16_step_profile_ms", "cpu_vector_instructions", "onednn", "onednn_default",
          "onednn_steps_per_s", "eigen_steps_per_s", "onednn_speedup", "whole_steps", "rounds", "onednn_whole_run_s",
          "eigen_whole_run_s", "onednn_whole_run_speedup", "snapshot_test_digits", "overhead", "live_page"}
PARTS = {"import", "data", "graph", "training", "evaluation", "images", "other"}
PARTS_4 = {"import", "restore", "top patches", "patterns", "class models", "images", "other"}


def test_bench_writes_every_field(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "--steps", "2", "--windows", "1",
                             "--run-steps", "0", "--ascent-steps", "10", "--page-digits", "50", "--profile-steps", "2",
                             "--whole-steps", "1", "--rounds", "1", "--overhead-steps", "2", "--json", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = json.loads(out.read_text())
    assert set(table) == FIELDS and set(table["split_s"]) == PARTS and set(table["4py_split_s"]) == PARTS_4
    assert abs(table["step_gflop"] - 4.1025) < 0.0001
    assert table["bare_steps_per_s"] > 0 and table["matmul_gflops"] > 0
    assert 0 < table["start_to_first_image_s"] < table["run_s"]
    assert min(table["split_s"].values()) >= 0, table["split_s"]
    assert min(table["4py_split_s"].values()) > 0, table["4py_split_s"]
    assert table["4py_s"] > sum(table["4py_split_s"].values()) - table["4py_split_s"]["other"]
    assert table["5py_s"] > 0 and table["6py_s"] > 0 and table["page_mb"] > 1
    # The page's figures, where there is a browser and node (CI has both).
    assert table["node_same_answer"] is None or table["node_same_answer"] >= 0.9
    assert table["page_update_ms"] is None or table["page_update_ms"] > table["page_forward_only_ms"] > 0, "why costs more"
    assert table["node_backward_ms"] is None or table["node_backward_ms"] > 0
    assert 0 < table["logdir_step_line_s"] < table["logdir_snapshot_s"] and table["logdir_full_run_cost"] > 0
    assert 0 < table["progress_bar_cost"] < 0.01, "the bar costs under 1% of a step"
    # oneDNN's kernels on, as in every script, unless the reader turned them off
    assert table["onednn"] == (os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0")
    assert table["onednn_steps_per_s"] > 0 and table["eigen_steps_per_s"] > 0 and table["onednn_speedup"] > 0
    assert table["onednn_whole_run_s"] > 0 and table["eigen_whole_run_s"] > 0
    # The live page: each of its parts timed, and its share of a run that trains for longer falls.
    page = table["live_page"]
    assert 0 < page["progress_s"] < page["snapshot_s"] and page["live_s"] > 0 and page["start_s"] > 0
    assert page["share_of_500_steps"] > page["share_of_20000_steps"] > 0
    # 0.py against the bare loop: both whole runs timed, and the difference split into its parts
    assert sorted(table["overhead"]) == ["2"]
    for o in table["overhead"].values():
        assert o["0py_s"] > 0 and o["bare_s"] > 0 and o["speed_ratio"] > 0 and o["cpu_ratio"] > 0
        assert len(o["round_ratios"]) == 1
        # from a run of 0.py with them clocked: step 0's accuracy (before training), its checkpoints, its page
        assert sorted(o["parts_s"]) == ["checkpoints", "live page", "snapshot accuracies"]
        assert all(0 < part_s < o["0py_s"] for part_s in o["parts_s"].values()), o["parts_s"]
    assert "  snapshot accuracies (s)" in result.stdout and "  the rest of the difference (s)" in result.stdout
    assert "AVX2" in table["cpu_vector_instructions"] or not table["cpu_vector_instructions"]
    assert "(TensorFlow's default: %s)" % ("on" if table["onednn_default"] else "off") in result.stdout.splitlines()[0]
    if cpu_settings.bf16_here():
        assert table["bf16_steps_per_s"] > 0 and table["bf16_speedup"] > 0
        assert any("the rewrite's" in kind for kind in table["bf16_step_profile_ms"]), "its casts are in the profile"
        assert any("Conv2D" in kind for kind in table["bf16_step_profile_ms"])
    else:
        assert table["bf16_steps_per_s"] is None
    assert "training step, bare loop (steps/s)" in result.stdout
    assert os.listdir(tmp_path) == ["bench.json"], "no temporary left"


def test_bench_pytorch_times_both_sides_in_turn(tmp_path):
    # A stand-in for PyTorch's Python: ready, then every window takes it 0.5 s; it counts the windows.
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho ready 0.0+fake\nwhile read line; do echo $line >> %s; echo 0.5; done\n"
                    % (tmp_path / "windows"))
    fake.chmod(0o755)
    out = tmp_path / "bench_pytorch.json"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench_pytorch.py"), "--python", str(fake),
                             "--steps", "3", "--windows", "3", "--json", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = json.loads(out.read_text())
    assert table["onednn"] == (os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0"), "on, as in every script"
    has_bf16 = cpu_settings.bf16_here()
    precisions = ["float32", "bf16"] if has_bf16 else ["float32"]
    for precision in precisions:
        assert table["pytorch_%s_steps_per_s" % precision] == 6.0, "3 steps in 0.5 s"
        assert table["tensorflow_%s_steps_per_s" % precision] > 0
        # The median of the windows' ratios, near the ratio of the median rates:
        ratio = table["tensorflow_over_pytorch_%s" % precision]
        assert ratio == pytest.approx(table["tensorflow_%s_steps_per_s" % precision] / 6.0, rel=0.3)
    assert (tmp_path / "windows").read_text() == "go\n" * 3 * len(precisions)
    assert table["pytorch"] == "0.0+fake" and table["window_steps"] == 3 and table["windows"] == 3
    assert "PyTorch 0.0+fake" in result.stdout and "this port / PyTorch" in result.stdout
    assert "(oneDNN's kernels %s)" % ("on" if table["onednn"] else "off") in result.stdout
    assert sorted(os.listdir(tmp_path)) == ["bench_pytorch.json", "python", "windows"], "no temporary left"


def test_bench_pytorch_names_a_python_without_pytorch(tmp_path):
    for python, reason in ((sys.executable, "no PyTorch there (No module named 'torch')"),
                           (str(tmp_path / "nothing"), "cannot run it (No such file or directory)")):
        result = subprocess.run([sys.executable, os.path.join(ROOT, "bench_pytorch.py"), "--python", python,
                                 "--steps", "2", "--windows", "1", "--json", str(tmp_path / "out.json")],
                                capture_output=True, text=True)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == "error: %s: %s" % (python, reason)
        assert os.listdir(tmp_path) == []
