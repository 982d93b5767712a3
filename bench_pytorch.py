# -*- coding: utf-8 -*-
"""bench_pytorch.py: this port's training step against the same step in PyTorch, tuned.

The question it answers: is the article's graph, run through tf.compat.v1, as fast as the best a
reader could write today? PyTorch is not a dependency of the port: give the Python of a virtual
environment that has it, made for instance with

    python -m venv ../torchvenv && ../torchvenv/bin/pip install torch numpy
    python bench_pytorch.py --python ../torchvenv/bin/python

PyTorch runs in that Python (this same file, with --worker), TensorFlow in this one. The PyTorch
step is the article's network (conv 5x5x32, pool, conv 5x5x64, pool, fc 1024, dropout 0.5, fc 10),
loss (summed softmax cross entropy) and optimizer (Adam, 1e-4), tuned as PyTorch's CPU performance
guide says: channels_last, Adam's fused kernel, intra-op threads = cores, and in bfloat16,
autocast (float32 weights and Adam, as --bf16's rewrite keeps them). Both train on the same
batches, in windows of --steps steps that take turns (TensorFlow float32, --bf16, PyTorch float32,
bfloat16), so that the machine's drift cancels out; the table gives medians. bfloat16 is measured
only where the CPU has it (avx512_bf16 or amx_bf16) and TensorFlow's oneDNN kernels are on (as in
every script, unless TF_ENABLE_ONEDNN_OPTS=0).
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--python", metavar="PYTHON", help="a Python with PyTorch installed")
parser.add_argument("--steps", type=int, default=200, metavar="N", help="steps in a window (default: %(default)s)")
parser.add_argument("--windows", type=int, default=5, metavar="N", help="windows of each kind (default: %(default)s)")
parser.add_argument("--json", default="bench_pytorch.json", metavar="FILE", help="where to write the table")
parser.add_argument("--worker", metavar="BATCHES", help=argparse.SUPPRESS)  # PyTorch's side: the .npz of the batches
parser.add_argument("--bf16", action="store_true", help=argparse.SUPPRESS)
args = parser.parse_args()
WARM_UP = 20

if args.worker:
    # PyTorch の側 (PyTorch's side): reads "go" lines, answers each with a window's seconds
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    batches = np.load(args.worker)
    images, labels = batches["images"], batches["labels"].argmax(axis=-1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
            self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
            self.fc1 = nn.Linear(7 * 7 * 64, 1024)
            self.fc2 = nn.Linear(1024, 10)
            for layer in (self.conv1, self.conv2, self.fc1, self.fc2):  # the article's initial values
                nn.init.trunc_normal_(layer.weight, std=0.1, a=-0.2, b=0.2)
                nn.init.constant_(layer.bias, 0.1)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = F.dropout(F.relu(self.fc1(x.flatten(1))), 0.5, self.training)
            return self.fc2(x)

    net = Net().to(memory_format=torch.channels_last).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4, fused=True)

    def step(image, label):
        x = torch.from_numpy(image).reshape(-1, 1, 28, 28).contiguous(memory_format=torch.channels_last)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            loss = F.cross_entropy(net(x), torch.from_numpy(label), reduction="sum")
        loss.backward()
        optimizer.step()

    for i in range(WARM_UP):
        step(images[i], labels[i])
    print("ready", torch.__version__, flush=True)
    for line in sys.stdin:
        start = time.perf_counter()
        for image, label in zip(images, labels):
            step(image, label)
        print(time.perf_counter() - start, flush=True)
    sys.exit(0)

if not args.python:
    parser.error("--python: the Python of a virtual environment with PyTorch (see above)")
# PyTorch's Python first: a wrong one is named before TensorFlow takes its seconds to import
try:
    probe = subprocess.run([args.python, "-c", "import torch"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
except OSError as e:
    sys.exit("error: %s: cannot run it (%s)" % (args.python, e.strerror))
if probe.returncode:
    sys.exit("error: %s: no PyTorch there (%s)" % (args.python, (probe.stderr.strip().splitlines() or ["?"])[-1].split(": ", 1)[-1]))

import contextlib  # noqa: E402
import io  # noqa: E402

from machinery.run import onednn  # noqa: E402  before TensorFlow, as every script
import tensorflow as tf  # noqa: E402

import cnn  # noqa: E402
from machinery.run import cpu_settings  # noqa: E402
from tools import save_atomically  # noqa: E402

# 同じバッチ (the same batches for both)
batches = [cnn.mnist.train.next_batch(50) for _ in range(args.steps)]
feeds = [{cnn.x: b[0], cnn.y_: b[1], cnn.keep_prob: 0.5} for b in batches]
precisions = [False, True] if cpu_settings.bf16_here() else [False]
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "batches.npz")
    np.savez(path, images=np.array([b[0] for b in batches]), labels=np.array([b[1] for b in batches]))
    workers, sessions = {}, {}
    for bf16 in precisions:
        worker = subprocess.Popen([args.python, os.path.abspath(__file__), "--worker", path] + ["--bf16"] * bf16,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = worker.stdout.readline().split()
        if ready[:1] != ["ready"]:
            sys.exit("error: %s: PyTorch's side did not start (see above)" % args.python)
        torch_version = ready[1]
        workers[bf16] = worker
        with contextlib.redirect_stderr(io.StringIO()):  # training_config's note about the flag
            sessions[bf16] = tf.compat.v1.Session(config=cnn.training_config(bf16))
        sessions[bf16].run(tf.compat.v1.global_variables_initializer())
        for feed in feeds[:WARM_UP]:
            sessions[bf16].run(cnn.train_step, feed)

    seconds = {(framework, bf16): [] for framework in ("tensorflow", "pytorch") for bf16 in precisions}
    for _ in range(args.windows):
        for bf16 in precisions:
            start = time.perf_counter()
            for feed in feeds:
                sessions[bf16].run(cnn.train_step, feed)
            seconds["tensorflow", bf16].append(time.perf_counter() - start)
            workers[bf16].stdin.write("go\n")
            workers[bf16].stdin.flush()
            seconds["pytorch", bf16].append(float(workers[bf16].stdout.readline()))
    for bf16 in precisions:
        workers[bf16].stdin.close()
        workers[bf16].wait()
        sessions[bf16].close()

NAME = {False: "float32", True: "bf16"}
rates = {key: args.steps / statistics.median(s) for key, s in seconds.items()}
cpu, flags = cpu_settings.cpu_info()
table = {"date": time.strftime("%Y-%m-%d"), "cpu": cpu, "cores": os.cpu_count(),
         "amx_bf16": "amx_bf16" in flags, "avx512_bf16": "avx512_bf16" in flags, "onednn": onednn.enabled(),
         "tensorflow": tf.__version__, "pytorch": torch_version, "window_steps": args.steps, "windows": args.windows,
         **{"%s_%s_steps_per_s" % (framework, NAME[bf16]): rate for (framework, bf16), rate in rates.items()},
         **{"tensorflow_over_pytorch_%s" % NAME[bf16]: statistics.median(
             p / t for t, p in zip(seconds["tensorflow", bf16], seconds["pytorch", bf16])) for bf16 in precisions}}
print("bench_pytorch.py, %s, %s (%d cores%s), TensorFlow %s (oneDNN's kernels %s), PyTorch %s" % (
    table["date"], cpu, table["cores"], ", AMX" if table["amx_bf16"] else ", AVX512_BF16" if table["avx512_bf16"] else "",
    tf.__version__, "on" if table["onednn"] else "off", torch_version))
for bf16 in precisions:
    print("%-7s this port %5.1f steps/s, PyTorch tuned %5.1f steps/s: this port / PyTorch %.3f" % (
        NAME[bf16], rates["tensorflow", bf16], rates["pytorch", bf16], table["tensorflow_over_pytorch_" + NAME[bf16]]))
json_path = os.path.abspath(args.json)
save_atomically(os.path.basename(json_path), lambda path: pathlib.Path(path).write_text(json.dumps(table, indent=2)),
                folder=os.path.dirname(json_path))
print("written:", args.json)
