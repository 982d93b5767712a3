"""bench.py's table: one list of rows (key, label, value) that makes both the printed table and the
JSON, headed by the machine (its CPU, vector instructions, oneDNN here and by TensorFlow's default)."""

import collections
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

from machinery.run import cpu_settings, onednn
from tools import save_atomically

Row = collections.namedtuple("Row", "key label value")
HERE = os.path.dirname(os.path.abspath(__file__))

# The vector instructions that decide TensorFlow's kernels and their speed, as /proc/cpuinfo names them
VECTOR_FLAGS = {"avx2": "AVX2", "avx512f": "AVX-512", "avx512_vnni": "AVX512_VNNI", "avx_vnni": "AVX_VNNI",
                "avx512_bf16": "AVX512_BF16", "amx_bf16": "AMX"}


def onednn_default():
    """Whether TensorFlow turns its oneDNN kernels on by itself on this machine: asked of TensorFlow in a
    process without TF_ENABLE_ONEDNN_OPTS."""
    env = {name: value for name, value in os.environ.items() if name != "TF_ENABLE_ONEDNN_OPTS"}
    run = subprocess.run([sys.executable, os.path.join(HERE, "onednn_default.py")], env=env, check=True,
                         capture_output=True, text=True)
    return run.stdout.split()[-1] == "True"


def machine():
    """The facts that head the table: the date, the CPU and its vector instructions, the cores, the versions."""
    import numpy as np
    import tensorflow as tf
    cpu, flags = cpu_settings.cpu_info()
    return {"date": time.strftime("%Y-%m-%d"), "cpu": cpu, "cpu_vector_instructions": [
        name for flag, name in VECTOR_FLAGS.items() if flag in flags], "cores": os.cpu_count(),
        "onednn": onednn.enabled(), "onednn_default": onednn_default(), "onednn_max_cpu_isa": cpu_settings.onednn_isa_cap(),
        "tensorflow": tf.__version__, "numpy": np.__version__, "python": platform.python_version()}


def show(header, rows, json_path):
    """Print the table (its machine line, then a row a line) and write it as JSON to json_path, atomically."""
    print("bench.py, %s, %s (%s; %d cores), TensorFlow %s, its oneDNN kernels %s here (TensorFlow's default: %s)%s" % (
        header["date"], header["cpu"], ", ".join(header["cpu_vector_instructions"]) or "no AVX2", header["cores"],
        header["tensorflow"], "on" if header["onednn"] else "off", "on" if header["onednn_default"] else "off",
        ", ONEDNN_MAX_CPU_ISA=%s" % header["onednn_max_cpu_isa"] if header["onednn_max_cpu_isa"] else ""))
    print("%-48s %10s" % ("", "value"))
    for row in rows:
        print("%-48s %10s" % (row.label, "n/a" if row.value is None else "%.3f" % row.value))
    table = dict(header, **{row.key: row.value for row in rows})
    json_path = os.path.abspath(json_path)
    save_atomically(os.path.basename(json_path), lambda path: pathlib.Path(path).write_text(json.dumps(table, indent=2)),
                    folder=os.path.dirname(json_path))
    return table
