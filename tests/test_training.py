"""How a training run shows itself and how fast it goes: the progress bar on a terminal, --bf16."""

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest
import tensorflow as tf

import cnn
from bf16_expected import bf16_expected
from machinery.run import cpu_settings


def on_a_terminal(repo, steps, *args, stdout_too=False):
    """Run `0.py --steps STEPS ARGS` with stderr on a terminal (a pty of 100 columns), and stdout a pipe
    or, with stdout_too, the same terminal (as `script` captures a run): what the terminal showed, and stdout."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen([sys.executable, os.path.join(repo.path, "0.py"), "--steps", str(steps), *args],
                               stdout=follower if stdout_too else subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        terminal += chunk
    stdout = process.communicate()[0]
    os.close(leader)
    assert process.returncode == 0
    return terminal.decode(errors="replace"), stdout


def test_bf16_trains_in_bfloat16_where_the_cpu_has_it_and_a_terminal_sees_a_progress_bar(repo):
    """`0.py --bf16`, stderr a terminal and stdout a pipe (one run for both): the bar goes to the terminal
    only, with the time left; bfloat16 where the CPU has it, else float32 and a line that says why.
    (Where stderr is not a terminal there is no bar: test_scripts' test of 0.py's lines.)"""
    shown, stdout = on_a_terminal(repo, 100, "--seed", "3", "--bf16")
    assert [re.sub(r"[\d.]+$", "X", line) for line in stdout.splitlines()] == [
        "step 0, training accuracy X", "test accuracy X"], "exactly the article's"
    assert re.search(r"\d+/100 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+ ?(step/s|s/step)\]", shown), shown[-500:]
    with open(os.path.join(repo.path, "model", "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    here, why = bf16_expected()  # from /proc/cpuinfo and the environment, as a reader would tell
    if here:
        assert run["precision"] == "bfloat16" and "--bf16" not in shown
    else:
        assert run["precision"] == "float32"
        assert "--bf16: %s: training in float32" % why in shown.splitlines(), shown[:500]
    assert run["test_accuracy"] > 0.75, "bfloat16 learns as float32 does (0.85 after 100 steps)"


def test_the_bar_is_gone_before_the_last_line(repo):
    """Both streams on one terminal: the bar is drawn while training, never again after the test accuracy."""
    shown, _ = on_a_terminal(repo, 20, stdout_too=True)
    assert re.search(r"\d+/20 \[", shown), shown[-500:]
    last = shown[shown.index("test accuracy"):]
    assert re.fullmatch(r"test accuracy [\d.]+\r?\n", last), repr(last)


def test_without_bf16_the_run_is_float32_and_a_bf16_cpu_is_told_of_the_flag(monkeypatch, capsys):
    monkeypatch.setattr(cpu_settings.onednn, "enabled", lambda: True)  # as with either kernel family
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)  # oneDNN free to use every instruction
    for has in (True, False):
        monkeypatch.setattr(cpu_settings, "cpu_has_bf16", lambda: has)
        config = cnn.training_config(False)
        told = capsys.readouterr().err
        assert ("--bf16 trains about 1.5 times as fast here" in told) == has
        with tf.compat.v1.Session(config=config) as sess:
            assert cnn.precision_of(sess) == "float32"
    with tf.compat.v1.Session(config=cnn.training_config(True)) as sess:  # has is False now
        assert cnn.precision_of(sess) == "float32"
    assert capsys.readouterr().err.startswith("--bf16: this CPU has no bfloat16 instructions")
    # oneDNN capped below its bfloat16 instructions (as on an AVX2 CPU) refuses the bfloat16 graph: float32
    monkeypatch.setattr(cpu_settings, "cpu_has_bf16", lambda: True)
    for cap, here in (("AVX2", False), ("avx512_core_vnni", False), ("AVX512_CORE_AMX", True), ("", True)):
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
        assert cpu_settings.bf16_here() == here, cap
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    with tf.compat.v1.Session(config=cnn.training_config(True)) as sess:
        assert cnn.precision_of(sess) == "float32"
    assert capsys.readouterr().err == "--bf16: ONEDNN_MAX_CPU_ISA=AVX2 keeps oneDNN from its bfloat16 instructions: training in float32\n"


@pytest.mark.skipif(not bf16_expected()[0], reason="no bfloat16 here (the CPU's instructions and oneDNN's kernels)")
def test_bf16_rewrites_the_graph_to_bfloat16():
    with tf.compat.v1.Session(config=cnn.training_config(True)) as sess:
        assert cnn.precision_of(sess) == "bfloat16"
        sess.run(tf.compat.v1.global_variables_initializer())
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        metadata = tf.compat.v1.RunMetadata()
        batch = cnn.mnist.train.next_batch(50)
        sess.run(cnn.train_step, {cnn.x: batch[0], cnn.y_: batch[1], cnn.keep_prob: 0.5},
                 options=options, run_metadata=metadata)
    ops = [node.node_name for device in metadata.step_stats.dev_stats for node in device.node_stats]
    rewritten = [name for name in ops if name.endswith("AutoMixedPrecision")]  # the casts the rewrite adds
    assert any("Conv2D" in name and "CastToBf16" in name for name in rewritten), ops
