# -*- coding: utf-8 -*-
"""7.py: もう一度学習したら同じになるか (would it learn the same again?): two runs side by side.

Reads two model folders trained on the same data (0.py or 3.py with --model DIR: another --seed, or
the network changed by --channels, --kernel or --pool) and compares what they learned, on the first
N test images (--digits):
  CKA       linear CKA (Kornblith et al. 2019) of each of A's layers against each of B's, and
            against B's before training (how much of the likeness the input alone makes)
  matches   h_conv1's and h_conv2's channels paired one to one by their outputs' correlation (the
            Hungarian method; Li et al. 2016), with their patterns and top patches
  settling  each layer at every snapshot step against itself at its run's last (Raghu et al. 2017)
Writes into images/:
  7_cka.png                                    the CKA heat maps
  7_matches_h_conv1.png, 7_matches_h_conv2.png  the matched channels, largest correlation first
  7_settling.png                               each layer's settling, a chart per run
  7.html                                       a page with all of them
  7.json                                       the numbers

    python 7.py MODEL_A MODEL_B
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np

from machinery.analyses.similarity import channel_correlations, cka, matched_channels
from machinery.pictures.comparison import POOR, cka_sheet, pairs_sheet, settling_chart
from machinery.pictures.drawing import save_sheet
from machinery.pictures.pages import save_text, write_page
from machinery.run.checkpoints import read_run
from tools import ROOT

LAYERS = ["h_conv1", "h_pool1", "h_conv2", "h_pool2", "h_fc1"]
CHANNELS = ["h_conv1", "h_conv2"]
WORKER = os.path.join(ROOT, "machinery", "analyses", "representations.py")

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("models", nargs=2, metavar="MODEL", help="two model folders (run A and run B)")
parser.add_argument("--digits", type=int, default=1000, metavar="N",
                    help="the first N test images, 1,000 to 2,000 (default: %(default)s)")
parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                    help="steps of gradient ascent for the channels' patterns, as 4.py's (default: %(default)s)")
args = parser.parse_args()
if not 1000 <= args.digits <= 2000:
    parser.error("--digits must be from 1000 to 2000, not %d" % args.digits)
if args.ascent_steps < 1:
    parser.error("--ascent-steps must be 1 or more, not %d" % args.ascent_steps)

# 二つの学習 (the two runs): each a whole model folder, both of one data set
runs = []
for folder in args.models:
    try:
        runs.append(read_run(folder))
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit("error: %s: not a model folder saved by a training run (%s)" % (folder, str(e).splitlines()[0]))
(a_data, b_data) = (run["data"] for run in runs)
if (a_data["path"], a_data["classes"]) != (b_data["path"], b_data["classes"]) or a_data["sha256"] != b_data["sha256"]:
    sys.exit("error: %s was trained on %s, %s on %s: compare two runs of one data set"
             % (args.models[0], a_data["path"], args.models[1], b_data["path"]))

# 表現 (what each run makes of the images): each in a process of its own, building its own network,
# the two at once, each with its share of the cores
share = str(max(1, (os.cpu_count() or 1) // 2))
env = dict(os.environ, **{name: os.environ.get(name, share) for name in
                          ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OPENBLAS_NUM_THREADS")})
with tempfile.TemporaryDirectory() as folder:
    outs = [os.path.join(folder, "%s.npz" % run) for run in "ab"]
    workers = [subprocess.Popen([sys.executable, WORKER, out, "--digits", str(args.digits), "--grams", "--patterns",
                                 str(args.ascent_steps), "--model", model],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for out, model in zip(outs, args.models)]
    for worker, model in zip(workers, args.models):
        error = worker.communicate()[1]
        if worker.returncode:
            sys.exit((error.strip().splitlines() or ["error: %s: its worker failed" % model])[-1])
    a, b = (dict(np.load(out)) for out in outs)
    for run in (a, b):  # the run's facts: its snapshot steps, its summary, its test accuracy
        run.update(json.loads(str(run.pop("facts"))))

# CKA: each of A's layers against each of B's, after training and against B before
matrix = [[cka(ga, gb) for gb in b["gram_after"]] for ga in a["gram_after"]]
before = [[cka(ga, gb) for gb in b["gram_before"]] for ga in a["gram_after"]]
# 対応するチャンネル (matched channels): one to one, the correlations' sum largest
matches = {name: matched_channels(channel_correlations(a[name], b[name])) for name in CHANNELS}
summary = {"models": args.models, "digits": args.digits, "layers": LAYERS, "cka": matrix, "matches": matches,
           "settling": [{"steps": run["snapshot_steps"], "cka": {name: run["settling"][:, k].tolist() for k, name in enumerate(LAYERS)}}
                        for run in (a, b)],
           "accuracy": [float(a["accuracy"]), float(b["accuracy"])]}
save_text("7.json", json.dumps(summary, indent=1))

# 画像作成 (images)
names = [os.path.basename(os.path.normpath(model)) for model in args.models]
save_sheet("7_cka.png", cka_sheet([matrix, before], ["A (%s) against B (%s)" % tuple(names),
                                                     "A against B before training (step 0)"], LAYERS, LAYERS))
for name in CHANNELS:
    save_sheet("7_matches_%s.png" % name, pairs_sheet(matches[name], (a["patterns_" + name], a["top_" + name]),
                                                      (b["patterns_" + name], b["top_" + name])))
save_sheet("7_settling.png", settling_chart([("A: " + names[0], a["snapshot_steps"], a["settling"]),
                                             ("B: " + names[1], b["snapshot_steps"], b["settling"])], LAYERS))

diagonal = ", ".join("%s %.2f" % (name, matrix[k][k]) for k, name in enumerate(LAYERS))
print("CKA, each layer of A against the same layer of B: %s" % diagonal)
for name in CHANNELS:
    r = [pair[2] for pair in matches[name]]
    print("%s matched: mean r %.2f, %d of %d pairs under %.1f" % (name, np.mean(r), sum(v < POOR for v in r), len(r), POOR))
print("accuracy: A %.4f, B %.4f" % tuple(summary["accuracy"]))

own = {name: sum(pair[2] < POOR for pair in matches[name]) for name in CHANNELS}
digits = format(args.digits, ",")  # 1,000, as the pages write numbers
write_page("7.html", ("Run A: %s. Run B: %s. Compared on the first %s test images." % (a["summary"][0], b["summary"][0], digits),
                      "学習 A：%s。学習 B：%s。テスト画像の最初の %s 枚で比べています。" % (a["summary"][1], b["summary"][1], digits)), [
    (("CKA: how alike the layers' representations are", "CKA：各層の表現がどれだけ似ているか"), [
        ("7_cka.png", ("Linear CKA (Kornblith et al. 2019) of each layer of run A (rows) against each of run B (columns), 0 to 1, "
                       "each image one example and the layer's whole output its features. Right: the same against B before "
                       "training. Linear CKA is high even there, since much of a layer's likeness on the same images is the "
                       "input's own: read the left against the right, not against 0. CKA says how alike two layers' "
                       "representations are on these images, up to a rotation and a scale; not that their channels are alike "
                       "one by one (the matches below say that), nor that the networks compute alike on other images, nor why.",
                       "学習 A の各層（行）と学習 B の各層（列）の線形 CKA（Kornblith ら 2019）。値は 0〜1 で、画像 1 枚を 1 つの例、"
                       "層の出力全体をその特徴として計算します。右は、同じものを学習前の B と比べたものです。線形 CKA はそこでも"
                       "高くなります。同じ画像に対する層どうしの似かたの多くは、入力そのものから来るからです。左の値は 0 とではなく、"
                       "右の値と比べて読んでください。CKA が示すのは、これらの画像に対する 2 つの層の表現が、回転と拡大縮小の違いを"
                       "除いてどれだけ似ているかです。チャンネルが 1 つずつ似ていること（それは下の「対応するチャンネル」が示します）や、"
                       "ほかの画像でも同じように計算すること、なぜ似ているのかは示しません。"))]),
    (("Matched channels: which channels both runs learned", "対応するチャンネル：両方の学習が学んだチャンネル"), [
        ("7_matches_%s.png" % name, (
            "%s: each channel of A paired with one of B (the Hungarian method on the Pearson correlation of their outputs "
            "over the images and places; Li et al. 2016), largest r first: A's pattern and top patches beside its partner's. "
            "Shaded, r under %.1f: %d pairs with no good partner, what each run learned on its own." % (name, POOR, own[name]),
            "%s：A の各チャンネルを、B のチャンネル 1 つと組にしたもの（画像と場所にわたる出力のピアソン相関をもとに、"
            "ハンガリー法で組を決めます。Li ら 2016）。r の大きい順に、A のパターンとトップパッチの横に相手のものを並べています。"
            "色付きの行は r が %.1f 未満の %d 組で、よい相手がなく、それぞれの学習が独自に学んだものです。" % (name, POOR, own[name])))
        for name in CHANNELS]),
    (("Settling: when each layer takes its final form", "落ち着き：各層がいつ最終的な形になるか"), [
        ("7_settling.png", ("Each layer's CKA at every snapshot step against the same layer at its run's last step "
                            "(Raghu et al. 2017 found the lower layers settle first).",
                            "各スナップショットのステップでの各層と、最後のステップでの同じ層との CKA"
                            "（Raghu ら 2017 は、下の層ほど先に落ち着くことを示しました）。"))]),
])
