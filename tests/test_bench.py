"""bench.py, at its smallest settings: it runs, and its JSON has every field."""

import json
import os
import subprocess
import sys

from conftest import ROOT

FIELDS = {"date", "cpu", "cores", "tensorflow", "numpy", "python", "window_steps", "windows", "step_gflop",
          "bare_steps_per_s", "train_steps_per_s", "train_to_bare_ratio", "step_gflops", "matmul_gflops",
          "step_fraction_of_matmul", "run_steps", "start_to_first_image_s", "run_s", "profiled_run_s",
          "split_s", "bench_s"}
PARTS = {"import", "data", "graph", "training", "evaluation", "images", "other"}


def test_bench_writes_every_field(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench.py"), "--steps", "2", "--windows", "1",
                             "--run-steps", "0", "--json", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = json.loads(out.read_text())
    assert set(table) == FIELDS and set(table["split_s"]) == PARTS
    assert abs(table["step_gflop"] - 4.1025) < 0.0001
    assert table["bare_steps_per_s"] > 0 and table["matmul_gflops"] > 0
    assert 0 < table["start_to_first_image_s"] < table["run_s"]
    assert min(table["split_s"].values()) >= 0, table["split_s"]
    assert "training step, bare loop (steps/s)" in result.stdout
    assert not os.path.exists(out.with_suffix(".json.tmp"))
