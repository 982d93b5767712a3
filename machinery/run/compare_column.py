"""6.html's Compare column showing another run (`6.py --compare DIR`): that model folder's weights at
its snapshot steps, written beside the page by a process that builds its network
(machinery/analyses/representations.py), and its channels put in the order of their matches to the
page's own run (7.py's matching), so that the same edge detector stands in the same tile."""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from machinery.analyses.similarity import channel_correlations, matched_channels, partner_order
from machinery.run.checkpoints import read_run
from tools import ROOT

DIGITS = 1000  # the test images whose outputs the channels are matched on (7.py's default)
WORKER = os.path.join(ROOT, "machinery", "analyses", "representations.py")


def compare_column(folder, model, data, outputs):
    """6_run.js's compare for the run in the model folder model: {run, summary, model, steps (its weights
    files, written into folder), layers, order (per layer, its channels in the order of their partners
    among this run's)}. data: this run's data set; outputs: this run's h_conv1 and h_conv2 on the first
    DIGITS test images, {name: (DIGITS * places, channels)}. A folder that is not a model, or of another
    data set: one line, and exit."""
    try:
        other = read_run(model)["data"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit("error: --compare %s: not a model folder saved by a training run (%s)" % (model, str(e).splitlines()[0]))
    if other["classes"] != data["classes"] or other["path"] != data["path"]:
        sys.exit("error: --compare %s was trained on %s, not on %s: compare two runs of one data set"
                 % (model, other["path"], data["path"]))
    with tempfile.TemporaryDirectory() as temporary:
        out = os.path.join(temporary, "compare.npz")
        worker = subprocess.run([sys.executable, WORKER, out, "--digits", str(DIGITS), "--page", folder, "--model", model],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if worker.returncode:
            sys.exit((worker.stderr.strip().splitlines() or ["error: --compare %s: its worker failed" % model])[-1])
        with np.load(out) as found:
            facts, theirs = json.loads(str(found["facts"])), {name: found[name] for name in outputs}
    order = {name: partner_order(matched_channels(channel_correlations(outputs[name], theirs[name])), theirs[name].shape[1])
             for name in outputs}
    order.update(h_pool1=order["h_conv1"], h_pool2=order["h_conv2"])  # a pooling layer's channels are its convolution's
    return {key: facts[key] for key in ("run", "summary", "model", "steps", "layers")} | {"order": order}
