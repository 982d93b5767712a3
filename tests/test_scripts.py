"""The four scripts, run as a user runs them (`python 3.py ...`) in a copy of the repository."""

import ast
import io
import json
import os
import platform
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, Repo, run_page_files
from machinery.run import flags

ARTICLE_LISTING = """\
W_conv1:  (5, 5, 1, 32)
b_conv1:  (32,)
x_image:  (50, 28, 28, 1)
h_conv1:  (50, 28, 28, 32)
h_pool1:  (50, 14, 14, 32)
W_conv2:  (5, 5, 32, 64)
b_conv2:  (64,)
h_conv2:  (50, 14, 14, 64)
h_pool2:  (50, 7, 7, 64)
W_fc1:  (3136, 1024)
b_fc1:  (1024,)
h_pool2_flat:  (50, 3136)
h_fc1:  (50, 1024)
h_fc1_drop:  (50, 1024)
W_fc2:  (1024, 10)
b_fc2:  (10,)
y_conv:  (50, 10)
"""
# The sizes of the original repository's images: 8 tiles to a row, 1-pixel gaps.
TILE_SIZES = {"h_conv1": (231, 115), "h_pool1": (119, 59), "h_conv2": (119, 119), "h_pool2": (63, 63)}
TILES = ["3_%s_%s_%02d.png" % (tag, layer, i)
         for tag in ("before", "after") for layer in TILE_SIZES for i in range(10)]
COMPARISONS = ["3_compare_%02d.png" % i for i in range(10)]
TIMELINES = ["3_timeline_%02d.gif" % i for i in range(10)]
FILTERS = ["3_before_W_conv1.png", "3_after_W_conv1.png"]
STEPS = 300  # snapshots at 0, 100, 200, 300


def pixels(path):
    return np.asarray(Image.open(path))


def accuracy_of(output):
    return float(re.search(r"^test accuracy (\S+)$", output, re.M).group(1))


@pytest.fixture(scope="module")
def trained(trained_repo):
    """`python 3.py --steps 300 --seed 1`, shared by the tests that read its output."""
    return trained_repo


@pytest.fixture(scope="module")
def untrained(tmp_path_factory):
    """`python 3.py --steps 0 --seed 1`: no training at all; two of them at once, in one folder."""
    path = tmp_path_factory.mktemp("untrained") / "tf-cnn-image"
    path.mkdir()
    repo = Repo(str(path))
    runs = [repo.start("3.py", "--steps", "0", "--seed", "1") for _ in range(2)]
    outputs = [run.communicate() for run in runs]
    for run, (_, stderr) in zip(runs, outputs):
        assert run.returncode == 0, stderr
    assert outputs[0][0] == outputs[1][0]
    return repo, outputs[0][0]


SCRIPTS = ["0.py", "1.py", "2.py", "3.py", "4.py", "5.py", "6.py", "bench.py"] + [
    "machinery/bench/%s.py" % name for name in ("step_worker", "bare_loop", "clocked_run", "profiled_run")]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_imports_onednn_before_anything_that_loads_tensorflow(script):
    """TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, as it loads: onednn.py must come first."""
    with open(os.path.join(ROOT, script), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    imported = [alias.name if isinstance(node, ast.Import) else "%s.%s" % (node.module, alias.name)
                for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names]
    module_file = lambda name: os.path.join(ROOT, *name.split(".")) + ".py"
    loading = [name for name in imported if name.split(".")[0] == "tensorflow" or os.path.exists(module_file(name))
               or os.path.exists(module_file(name.rpartition(".")[0]))]  # the project's modules import TensorFlow
    assert loading[0] == "machinery.run.onednn", loading


def test_tensorflow_loads_without_keras_and_tf_keras_still_works():
    """The scripts' import of TensorFlow leaves out the Keras it loads eagerly (quiet_start.py), and
    leaves no stand-in behind: a reader's tf.keras gets the whole of Keras."""
    code = ("import sys; from machinery.run import onednn; import tensorflow as tf; print(sorted(n for n in sys.modules if 'keras' in n.split('.')[0])); "
            "from tensorflow.keras import layers; print(layers.Dense.__module__, tf.keras.optimizers.Adam.__module__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "keras.src.layers.core.dense keras.src.optimizers.adam"]


def test_1_prints_the_articles_listing_with_onednn_on_x86_unless_the_reader_says_0(repo):
    """The article's listing, from another folder; without TF_ENABLE_ONEDNN_OPTS, oneDNN's kernels on
    (TensorFlow says so on stderr) on any x86-64 CPU, AVX2-only ones too, where TensorFlow's own default is off."""
    # TensorFlow's own start-up log, which says it: all of it with TF_CPP_MIN_LOG_LEVEL=0 (quiet_start.py)
    env = dict({name: value for name, value in os.environ.items() if name != "TF_ENABLE_ONEDNN_OPTS"},
               TF_CPP_MIN_LOG_LEVEL="0")
    on = platform.machine().lower() in ("x86_64", "amd64")
    for setting, expected in ((None, on), ("0", False)):
        run = subprocess.run([sys.executable, os.path.join(repo.path, "1.py")], capture_output=True, text=True,
                             cwd=os.path.dirname(repo.path), env=env if setting is None else dict(env, TF_ENABLE_ONEDNN_OPTS=setting))
        assert run.stdout == ARTICLE_LISTING
        assert ("oneDNN custom operations are on" in run.stderr) == expected, (setting, run.stderr[-300:])


@pytest.fixture(scope="module")
def second(trained, tmp_path_factory):
    """`python 0.py --steps 1 --logdir LOGS`, unseeded, in a copy of its own, LOGS the folder where the
    short training logged: (the copy, its process)."""
    path = tmp_path_factory.mktemp("second") / "tf-cnn-image"
    path.mkdir()
    repo = Repo(str(path))
    return repo, repo.run("0.py", "--steps", "1", "--logdir", os.path.join(trained[0].path, "logs"))


def test_0_prints_the_articles_lines_and_only_its_own_on_the_terminal(second):
    """stdout has the article's lines; no TensorFlow start-up log: stderr has the run's own lines (a note
    on --bf16, the page's address), whatever the CPU; and its page says "no seed"."""
    repo, result = second
    lines = result.stdout.splitlines()
    assert [re.sub(r"[\d.]+$", "X", line) for line in lines] == ["step 0, training accuracy X", "test accuracy X"]
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(("note: ", "Watch it learn: ")) for line in lines), lines
    assert "step/s" not in result.stderr, "no progress bar where stderr is not a terminal"
    # An unseeded run says so on its page, in both languages, and never "None"
    with open(repo.image("6_run.js"), encoding="utf-8") as f:
        summary = json.loads(re.fullmatch(r"explorerRun\((.*)\);\n", f.read(), re.S).group(1))["summary"]
    assert ", no seed, " in summary[0] and "、シードなし、" in summary[1] and "None" not in "".join(summary), summary


def test_a_tensorflow_that_fails_to_load_still_says_why(repo, tmp_path):
    """What TensorFlow writes while it loads is held back, not lost: a failing import shows all of it."""
    fake = tmp_path / "fake" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('import os\nos.write(2, b"E0000 a real error from C++\\n")\n'
                                      'raise ImportError("libtensorflow_framework.so.2: cannot open shared object file")\n')
    result = subprocess.run([sys.executable, os.path.join(repo.path, "0.py"), "--steps", "1"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(tmp_path / "fake")))
    assert result.returncode != 0
    assert "E0000 a real error from C++" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "ImportError: libtensorflow_framework.so.2: cannot open shared object file")


def test_3_writes_the_80_tiles_at_the_original_sizes(trained):
    repo, _ = trained
    assert sorted(name for name in os.listdir(os.path.join(repo.path, "images")) if name.startswith(("3", "i"))) \
        == sorted(TILES + COMPARISONS + TIMELINES + FILTERS + ["index.html"])
    for name in TILES:
        image = Image.open(repo.image(name))
        assert image.size == TILE_SIZES[name[-14:-7]] and image.mode == "RGB", name


def test_3_prints_the_articles_lines_for_the_same_inputs(trained):
    _, stdout = trained
    lines = stdout.splitlines()
    assert lines[0] == "Created images. tag = before"
    assert lines[-2] == "Created images. tag = after"
    assert re.fullmatch(r"Number:  \[(\d, ){9}\d\]", lines[1]), "plain digits, not np.int64(...)"
    assert lines[-1] == lines[1], "after shows the same 10 inputs as before"
    steps = [re.fullmatch(r"step (\d+), training accuracy [\d.]+", line) for line in lines[2:-3]]
    assert [int(m.group(1)) for m in steps] == list(range(0, STEPS, 100))
    assert re.fullmatch(r"test accuracy [\d.]+", lines[-3])


def test_3_training_raises_accuracy_well_above_chance(trained, untrained):
    before = accuracy_of(untrained[1])
    after = accuracy_of(trained[1])
    assert before < 0.3, "an untrained network is near chance (0.1)"
    assert after > 0.8 and after > before + 0.5


def test_3_before_and_after_differ(trained):
    repo, _ = trained
    for layer in TILE_SIZES:
        for i in range(10):
            before = pixels(repo.image("3_before_%s_%02d.png" % (layer, i)))
            after = pixels(repo.image("3_after_%s_%02d.png" % (layer, i)))
            assert (before != after).any(), "training changed %s of input %d" % (layer, i)


def test_3_comparison_sheets_and_timelines(trained):
    repo, _ = trained
    top = 32  # below the column titles, which differ between a sheet and a frame
    for i in range(10):
        sheet = pixels(repo.image("3_compare_%02d.png" % i))
        gif = Image.open(repo.image("3_timeline_%02d.gif" % i))
        assert gif.n_frames == 4
        frames = []
        for k in range(4):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("L")))
        assert all(frame.shape == frames[0].shape for frame in frames)
        # A frame is the sheet with one column of activations: step 0 is "before", the last "after".
        width = sheet.shape[1] - frames[0].shape[1]
        column = slice(frames[0].shape[1] - width, frames[0].shape[1])
        assert (frames[0][top:, column] == sheet[top:, column]).all()
        assert (frames[-1][top:, column] == sheet[top:, -width:]).all()
        assert (frames[1][top:, column] != frames[2][top:, column]).any()
    for name in FILTERS:
        assert Image.open(repo.image(name)).size == (207, 103)
    assert (pixels(repo.image(FILTERS[0])) != pixels(repo.image(FILTERS[1]))).any()


def test_3_index_html_shows_every_output(trained):
    repo, _ = trained
    images, _, text = repo.page("index.html")
    assert sorted(images) == sorted(TILES + COMPARISONS + TIMELINES + FILTERS)
    assert all(os.path.exists(repo.image(src)) for src in images)
    assert re.search(r"%d training steps, test accuracy 0\.\d{4}, run on \d{4}-\d\d-\d\d" % STEPS, text)


def test_3_without_training_after_equals_before(untrained):
    repo, _ = untrained
    for name in TILES[:40] + FILTERS[:1]:
        assert (pixels(repo.image(name)) == pixels(repo.image(name.replace("before", "after")))).all()


def test_3_with_a_seed_repeats_exactly(tmp_path):
    """Two short trainings with one seed: the same weights, batches and dropout, so the same bytes."""
    repos = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        repos.append(Repo(str(tmp_path / name)))
    started = [repo.start("3.py", "--steps", "20", "--seed", "1") for repo in repos]  # side by side
    outputs = [process.communicate()[0] for process in started]
    assert [process.returncode for process in started] == [0, 0]
    (first, first_out), (second, second_out) = zip(repos, outputs)
    assert first_out == second_out
    for name in TILES + COMPARISONS + TIMELINES + FILTERS:
        with open(first.image(name), "rb") as a, open(second.image(name), "rb") as b:
            assert a.read() == b.read(), name


def test_bad_data_gives_a_one_line_error_and_writes_nothing(repo):
    data = os.path.join(repo.path, "MNIST_data")
    shipped = os.readlink(data)
    os.remove(data)
    os.mkdir(data)
    for name in os.listdir(shipped):
        os.symlink(os.path.join(shipped, name), os.path.join(data, name))
    bad = os.path.join(data, "train-images-idx3-ubyte.gz")
    os.remove(bad)
    with open(bad, "wb") as f:
        f.write(b"<html>not found</html>")
    result = repo.run("3.py", "--steps", "1", check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: %s: not a valid gzip file" % bad)
    assert not os.path.exists(os.path.join(repo.path, "images"))


@pytest.mark.parametrize("flag", ["--steps=-1", "--seed=-3", "--steps=many"])
def test_bad_flags_are_refused(monkeypatch, capsys, flag):
    """3.py's flags, as flags.parse_args (each script's first step) reads them: a wrong one ends the
    script with status 2 and a line that says which (in this process: a script's start is tested above)."""
    monkeypatch.setattr(sys, "argv", ["3.py", flag])
    monkeypatch.setattr(flags, "_parsed", flags.config())  # restored after: parse_args keeps what it read
    with pytest.raises(SystemExit) as exited:
        flags.parse_args("3.py", steps=True)
    assert exited.value.code == 2
    assert re.search(r"error: (argument --\w+: invalid int value|--\w+ must be)", capsys.readouterr().err.splitlines()[-1])


def test_two_runs_at_once_leave_only_whole_files(untrained):
    repo, _ = untrained
    names = os.listdir(os.path.join(repo.path, "images"))
    assert sorted(names) == sorted(TILES + COMPARISONS + TIMELINES + FILTERS + ["index.html"] + run_page_files([0])), \
        "no temporary left"
    for name in names:
        if name.endswith((".png", ".gif")):
            with Image.open(repo.image(name)) as image:
                image.load()  # decodes the whole file: a truncated one raises
    assert sorted(os.listdir(repo.path)) == sorted(
        [n for n in os.listdir(repo.path) if n.endswith(".py")] + ["MNIST_data", "images", "machinery", "model", "web"])
    assert sorted(os.listdir(os.path.join(repo.path, "model")))[-1] == "run.json"


def events(folder):
    """The event files under folder, each as a list of (step, tag, kind, value) and the graph's size."""
    import tensorflow as tf
    runs = {}
    for run in sorted(os.listdir(folder)):
        [name] = os.listdir(os.path.join(folder, run))
        records, graph = [], 0
        for event in tf.compat.v1.train.summary_iterator(os.path.join(folder, run, name)):
            graph += len(event.graph_def)
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                records.append((event.step, value.tag, kind, getattr(value, kind)))
        runs[run] = records, graph
    return runs


def test_3_logs_for_tensorboard(trained, second):
    trained_repo, stdout = trained
    logs = os.path.join(trained_repo.path, "logs")
    runs = events(logs)
    # A second run, 0.py's from another copy into the same folder, sits beside the first.
    assert len(runs) == 2
    run, (records, graph) = sorted(runs.items())[0]  # (named by their start: 3.py's is the first)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", run), "a sub-folder named by the date and time"
    assert graph > 10000, "the graph"
    scalars = {(step, tag): value for step, tag, kind, value in records if kind == "simple_value"}
    printed = {int(m.group(1)): float(m.group(2))
               for m in re.finditer(r"^step (\d+), training accuracy (\S+)$", stdout, re.M)}
    assert sorted(printed) == [0, 100, 200]
    for step, accuracy in printed.items():
        assert scalars[(step, "training accuracy")] == pytest.approx(accuracy, abs=1e-6)
        assert scalars[(step, "cross entropy")] > 0
    assert scalars[(0, "cross entropy")] > scalars[(200, "cross entropy")], "the loss falls"
    assert scalars[(STEPS, "test accuracy")] == pytest.approx(accuracy_of(stdout), abs=1e-6)
    images = {(step, tag): value for step, tag, kind, value in records if kind == "image"}
    assert sorted({step for step, _ in images}) == [0, 100, 200, 300], "at 3.py's snapshot steps"
    for (step, tag), image in images.items():
        layer, i = tag.split("/")
        assert (image.width, image.height) == TILE_SIZES[layer] and 0 <= int(i) < 10
        assert Image.open(io.BytesIO(image.encoded_image_string)).size == TILE_SIZES[layer]
    assert len(images) == 4 * 4 * 10
    histograms = {tag for step, tag, kind, _ in records if kind == "histo" and step == STEPS}
    assert histograms == {"W_conv1", "b_conv1", "W_conv2", "b_conv2", "W_fc1", "b_fc1", "W_fc2", "b_fc2"}


def test_without_logdir_no_event_file(untrained):
    repo, _ = untrained
    assert not [name for _, _, names in os.walk(repo.path) for name in names if "tfevents" in name]
