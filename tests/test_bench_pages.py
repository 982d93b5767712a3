"""bench.py's measurements of the pages and the scripts on the suite's 300-step model, on their own:
their rows, with values that hold for any machine (a run of their own, so that the suite's workers
share bench.py's time)."""

import os
import shutil

import pytest

from conftest import missing
from pagetools import PROBABILITY_BOUND
from test_bench import bench, rows


@pytest.fixture(scope="module")
def measured(tmp_path_factory, trained_repo):
    """`python bench.py page scripts` at its smallest settings: 6.py, 4.py and 5.py on the model."""
    repo, _ = trained_repo
    return bench(tmp_path_factory.mktemp("bench"), "page", "scripts", "--page-digits", "50", "--run-steps", "0",
                 "--ascent-steps", "10", "--model", os.path.join(repo.path, "model"))


def test_only_the_measurements_asked_for(measured):
    table, _ = measured
    assert table["measurements"] == ["page", "scripts"]
    assert not [key for key in table if key.startswith(("bare_steps", "onednn_steps", "overhead_"))], "the others not run"


def test_the_page_on_a_model(measured):
    table, _ = measured
    assert table["6py_s"] > 0 and table["page_mb"] > 1


def test_the_page_in_chromium(measured):
    table, _ = measured
    if not shutil.which("chromium"):
        missing("no Chromium: apt-get install chromium")
    assert table["page_ready_s"] > 0
    assert table["page_update_ms"] > table["page_forward_only_ms"] > 0, "why costs more"
    assert table["page_update_js_ms"] > table["page_forward_only_js_ms"] > 0
    assert table["page_wasm_over_js"] == table["page_update_ms"] / table["page_update_js_ms"]
    assert table["page_update_circuit_ms"] > 0
    assert table["page_fool_ms"] > 0 and 1 <= table["page_fool_steps"] <= 200, "fooled within the budget"


def test_the_page_under_node(measured):
    """The page's passes under node on the 50 test digits: TensorFlow's answers and probabilities."""
    table, _ = measured
    if not shutil.which("node"):
        missing("node is not installed (apt-get install nodejs)")
    assert table["node_forward_ms"] > 0 and table["node_backward_ms"] > 0 and table["page_digits"] == 50
    assert table["node_same_answer"] == 1.0, "none of the first 50 test digits is at a tie on the suite's model"
    assert table["node_max_probability_error"] <= PROBABILITY_BOUND


def test_the_scripts_split_into_their_parts(measured):
    table, _ = measured
    assert 0 < table["start_to_first_image_s"] < table["run_s"]
    split, split_4 = rows(table, "split_s."), rows(table, "4py_split_s.")
    assert set(split) == {"import", "data", "graph", "training", "evaluation", "images", "other"}
    assert set(split_4) == {"import", "restore", "top patches", "patterns", "class models", "images", "other"}
    assert min(split.values()) >= 0, split
    assert split["evaluation"] > 0, "3.py measures the test accuracy even without training"
    assert min(split_4.values()) > 0, split_4
    assert table["5py_s"] > 0
