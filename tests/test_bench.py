"""bench.py, at its smallest settings: it runs, and its JSON has every field."""

import json
import os
import subprocess
import sys

from conftest import ROOT

FIELDS = {"date", "cpu", "cores", "tensorflow", "numpy", "python", "window_steps", "windows", "step_gflop",
          "bare_steps_per_s", "train_steps_per_s", "train_to_bare_ratio", "step_gflops", "matmul_gflops",
          "step_fraction_of_matmul", "run_steps", "start_to_first_image_s", "run_s", "profiled_run_s",
          "split_s", "bench_s", "logdir_open_s", "logdir_snapshot_s", "logdir_step_line_s", "logdir_full_run_cost", "4py_s", "4py_split_s", "5py_s", "6py_s", "page_mb",
          "page_ready_s", "page_update_ms", "node_forward_ms", "node_same_answer", "node_max_probability_error",
          "progress_bar_update_s", "progress_bar_cost", "cpu_has_bf16", "float32_steps_per_s", "bf16_steps_per_s",
          "bf16_speedup", "bf16_step_profile_ms"}
PARTS = {"import", "data", "graph", "training", "evaluation", "images", "other"}
PARTS_4 = {"import", "restore", "top patches", "patterns", "class models", "images", "other"}


def test_bench_writes_every_field(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "--steps", "2", "--windows", "1",
                             "--run-steps", "0", "--ascent-steps", "10", "--page-digits", "50", "--profile-steps", "2", "--json", str(out)], capture_output=True, text=True)
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
    assert table["page_update_ms"] is None or table["page_update_ms"] > 0
    assert 0 < table["logdir_step_line_s"] < table["logdir_snapshot_s"] and table["logdir_full_run_cost"] > 0
    assert 0 < table["progress_bar_cost"] < 0.01, "the bar costs under 1% of a step"
    if table["cpu_has_bf16"]:
        assert table["bf16_steps_per_s"] > 0 and table["bf16_speedup"] > 0
        assert any("the rewrite's" in kind for kind in table["bf16_step_profile_ms"]), "its casts are in the profile"
        assert any("Conv2D" in kind for kind in table["bf16_step_profile_ms"])
    else:
        assert table["bf16_steps_per_s"] is None
    assert "training step, bare loop (steps/s)" in result.stdout
    assert os.listdir(tmp_path) == ["bench.json"], "no temporary left"
