"""0.py itself, as a reader runs it, with each part a run does beside the article's loop clocked: the
snapshots' test accuracies, the checkpoints, the live page. Prints {part: seconds} as JSON after 0.py's
lines, its last line.

    python machinery/bench/clocked_run.py STEPS
"""

import json
import os
import runpy
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.argv = [os.path.join(ROOT, "0.py"), "--steps", sys.argv[1]]

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script

import cnn  # noqa: E402
from machinery.run import checkpoints, run_page  # noqa: E402

clock = {"snapshot accuracies": 0.0, "checkpoints": 0.0, "live page": 0.0}


def clocked(owner, name, part, when=lambda *args, **kwargs: True):
    """owner.name, its seconds added to clock[part] at each call for which when(its arguments)."""
    work = getattr(owner, name)

    def timed_work(*args, **kwargs):
        start = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            if when(*args, **kwargs):
                clock[part] += time.perf_counter() - start
    setattr(owner, name, timed_work)


clocked(cnn, "snapshot_accuracy", "snapshot accuracies",  # before the last step: the last is the article's
        lambda step, steps: step != steps)
for name in ("start", "snapshot", "end"):
    clocked(checkpoints.Checkpoints, name, "checkpoints")
for name in ("start", "snapshot", "tick", "end"):
    clocked(run_page.RunPage, name, "live page")
runpy.run_path(sys.argv[0], run_name="__main__")
print(json.dumps(clock))
