# -*- coding: utf-8 -*-
"""bench.py: how fast the port trains, against this machine's limit, and what a run, the page and the
scripts cost. Prints one table headed by the machine (its CPU, vector instructions, whether TensorFlow's
oneDNN kernels are on here and by TensorFlow's own default) and writes it as JSON (--json).

    python bench.py [MEASUREMENT ...]

The measurements, each on its own or several in one go (without any: steps kernels costs page, about
4 minutes on 2 cores with AVX2):
  steps    the article's step in a bare loop and as train() runs it, in windows that take turns; its
           GFLOP/s against a large matmul's; the progress bar; --bf16 where the CPU computes in bfloat16
  kernels  the bare step with oneDNN's kernels against Eigen's, in two processes that take turns; with
           --whole-steps N also whole `python 0.py --steps N` runs both ways (N=300: a minute or two more)
  costs    whole `python 0.py` runs against a bare loop of the article's (--overhead-steps, one length
           by default: 500, about 2 minutes on AVX2), and what the difference is made of; the parts of
           the TensorBoard log and of the live page, each timed
  page     `python 6.py` on a short run's model (or --model) and its page: its size, in headless
           Chromium the time to ready and one update, under node the forward and backward passes
           against TensorFlow on --page-digits test digits
  scripts  `python 3.py --steps --run-steps`, whole and split by part under cProfile, then 4.py (split
           so) and 5.py on the model it saved (or --model): about 2 minutes at the defaults, with
           --model of a full run 4 or 5 (not in the default set)
  pytorch  the step against the same step in PyTorch, tuned, in the Python given by --python (a
           virtual environment that has PyTorch: not a dependency; not in the default set)
"""

import time

START = time.perf_counter()

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

MEASUREMENTS = ["steps", "kernels", "costs", "page", "scripts", "pytorch"]
DEFAULT = ["steps", "kernels", "costs", "page"]

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("measurements", nargs="*", metavar="MEASUREMENT",
                    help="any of %s (default: %s)" % (", ".join(MEASUREMENTS), " ".join(DEFAULT)))
parser.add_argument("--steps", type=int, default=40, metavar="N", help="training steps in each timed window (default: %(default)s)")
parser.add_argument("--windows", type=int, default=3, metavar="N", help="timed windows of each kind, in turns (default: %(default)s)")
parser.add_argument("--profile-steps", type=int, default=10, metavar="N",
                    help="steps: traced steps for the bfloat16 step's profile (default: %(default)s)")
parser.add_argument("--whole-steps", type=int, default=0, metavar="N",
                    help="kernels: --steps of whole `python 0.py` runs with oneDNN's kernels and without (default: none)")
parser.add_argument("--overhead-steps", default="500", metavar="N,N",
                    help="costs: --steps of the whole `python 0.py` runs against the bare loop (default: %(default)s)")
parser.add_argument("--rounds", type=int, default=2, metavar="N",
                    help="kernels, costs: rounds of whole runs, each kind once a round (default: %(default)s)")
parser.add_argument("--page-digits", type=int, default=200, metavar="N",
                    help="page: test digits the page computes under node, against TensorFlow (default: %(default)s)")
parser.add_argument("--run-steps", type=int, default=20, metavar="N",
                    help="scripts: --steps of the timed `python 3.py` runs (default: %(default)s; 20000 for a full run)")
parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                    help="scripts: --ascent-steps of the timed `python 4.py` (default: %(default)s, 4.py's own)")
parser.add_argument("--model", metavar="DIR", help="page, scripts: time 6.py, 4.py and 5.py on a copy of this saved "
                                                   "model/ (a full run's, say) instead of a short run's")
parser.add_argument("--python", metavar="PYTHON", help="pytorch: a Python with PyTorch installed")
parser.add_argument("--json", default="bench.json", metavar="FILE", help="where to write the table (default: %(default)s)")
args = parser.parse_args()
args.measurements = list(dict.fromkeys(args.measurements)) or DEFAULT
unknown = [name for name in args.measurements if name not in MEASUREMENTS]
if unknown:
    parser.error("no measurement %s: choose from %s" % (", ".join(unknown), ", ".join(MEASUREMENTS)))
try:
    args.overhead_steps = [int(n) for n in args.overhead_steps.split(",")]
except ValueError:
    parser.error("--overhead-steps: numbers with commas between them, not %r" % args.overhead_steps)
if min(args.steps, args.windows, args.rounds) < 1 or min(args.run_steps, args.whole_steps, args.page_digits) < 0:
    parser.error("--steps, --windows and --rounds must be 1 or more, --run-steps, --whole-steps and --page-digits 0 or more")

if "pytorch" in args.measurements:  # a wrong Python is named before TensorFlow takes its seconds to import
    if not args.python:
        parser.error("pytorch: --python: the Python of a virtual environment with PyTorch, made for instance with\n"
                     "    python -m venv ../torchvenv && ../torchvenv/bin/pip install torch numpy")
    try:
        probe = subprocess.run([args.python, "-c", "import torch"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except OSError as e:
        sys.exit("error: %s: cannot run it (%s)" % (args.python, e.strerror))
    if probe.returncode:
        sys.exit("error: %s: no PyTorch there (%s)" % (
            args.python, (probe.stderr.strip().splitlines() or ["?"])[-1].split(": ", 1)[-1]))

from machinery.run import onednn  # noqa: E402,F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU

import cnn  # noqa: E402  the network, built once: each measurement takes cnn.NET
from machinery.bench import costs, kernels, page, pytorch, scripts, steps, table  # noqa: E402
from machinery.bench.repository import copy_of_repository  # noqa: E402

MODULES = {"steps": steps, "kernels": kernels, "costs": costs, "page": page, "scripts": scripts, "pytorch": pytorch}

with tempfile.TemporaryDirectory() as folder:
    copies = []

    def repository():
        """A copy of the repository, made when a measurement first asks, to run the scripts in as a reader does."""
        if not copies:
            copies.append(copy_of_repository(folder))
        return copies[0]

    facts = dict(table.machine(), measurements=args.measurements, window_steps=args.steps, windows=args.windows,
                 rounds=args.rounds)
    rows = []
    for name in args.measurements:
        start = time.perf_counter()
        rows += MODULES[name].measure(cnn.NET, args, repository, facts)
        rows.append(table.Row(name + "_bench_s", "%s: measured in (s)" % name, time.perf_counter() - start))
    facts["bench_s"] = time.perf_counter() - START
    table.show(facts, rows, args.json)
print("written:", args.json)
