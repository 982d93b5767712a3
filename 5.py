# -*- coding: utf-8 -*-
"""5.py: 自分の数字を入れてみる (your own digit): the network's answer for it, and why.

Each IMAGE is any file Pillow opens (a photo of a digit on paper, a scan, a drawing; dark on light or
light on dark); without IMAGE, the first 10 test digits. Each is made into a MNIST digit (white on
black, 20x20 box, centred by its centre of mass) and goes through the model in model/ (saved by 0.py,
3.py or 4.py; without it, 5.py trains first). Prints one line per image:
  my7.jpg: 7 (99.1%), then 1 (0.6%), 2 (0.1%)
Writes into images/, per image (its file name made safe, as NAME):
  5_NAME_input.png   the 28x28 input as the network sees it, enlarged 8 times
  5_NAME.png         the sheet: the image, the input, the probabilities, the saliency map and
                     HiResCAM on h_pool1 and h_conv2 after and before training, and the four
                     layers before and after
  5.html             a page with every sheet
"""

import os
import re
import sys

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np
import tensorflow as tf
from PIL import Image

from machinery.run import flags
from machinery.data.datasets import reader_input
from machinery.pictures.drawing import class_label, compare_sheet, digit_sheet, enlarge, save_sheet
from machinery.analyses.mnist_preprocessing import ImageError, open_image
from machinery.pictures.pages import write_page
from machinery.analyses.receptive_fields import receptive_field
from machinery.analyses.saliency import cams, rank_correlation, saliency_map
from tools import save_image

args = flags.parse_args(__doc__, steps=True, images=True, model=True)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

NAMES = [name for name, _ in LAYERS]
MAPS = ("saliency", "h_pool1", "h_conv2")  # the saliency map, and HiResCAM on two layers
# Each place of h_pool1 and h_conv2 sees a square of the input: its receptive field (6x6 and 14x14 pixels)
FIELDS = tuple("{0}x{0}".format(receptive_field(layer)[0]) for layer in (h_pool1, h_conv2))
HOW_TO_READ = ("HiResCAM (gradient x activation, place by place): where the answer's logit came from, red to yellow "
               "the most.\nOn h_pool1 (each place sees %s pixels): which strokes. On h_conv2 (%s pixels): where "
               "the shapes that decided are centred, which can be a loop's hole.\n(Grad-CAM averages each channel's "
               "gradient over the map first, and on this network often puts its peak off the digit.)") % FIELDS
SANITY = ("After vs before training, rank correlation of the saliency maps %.2f, of HiResCAM on h_pool1 %.2f, "
          "on h_conv2 %.2f (near 1: a map shows the input, not what the network learned).")
# The same, in Japanese, for 5.html (the sheets keep the English)
HOW_TO_READ_JA = ("HiResCAM（場所ごとの勾配 × 活性化）は、答えのロジットを押し上げた場所を示します。赤より黄色の"
                  "ほうが強く寄与しています。h_pool1（各場所が %s ピクセルを見ます）では、どの線が効いたかがわかります。"
                  "h_conv2（各場所が %s ピクセルを見ます）では、決め手になった形の中心がわかり、それがループの穴に"
                  "なることもあります。（Grad-CAM は各チャンネルの勾配を先にマップ全体で平均するので、このネットワーク"
                  "ではピークが数字の外に出ることがよくあります。）") % FIELDS
SANITY_JA = ("学習後と学習前のマップの順位相関：サリエンシーマップ（変えると答えのロジットがいちばん大きく変わるピクセルの図）%.2f、"
             "h_pool1 の HiResCAM %.2f、h_conv2 の HiResCAM %.2f"
             "（1 に近いほど、そのマップが示しているのはネットワークが学んだことではなく、入力そのものです）。")

# 入力 (the inputs): the reader's images, made into MNIST digits; or the first 10 test digits
inputs, failed = [], False  # (name, its Japanese, the image, the input)
for path in args.image:
    try:
        image = open_image(path)
        name = os.path.basename(path)
        inputs.append((name, name, image, reader_input(image, path, DATA)))  # as the data's own images
    except ImageError as e:
        print("error: %s" % e, file=sys.stderr)
        failed = True
if not args.image:
    for i in range(10):
        digit = mnist.test.images[i].reshape(28, 28)
        label = CLASSES[mnist.test.labels[i].argmax()]
        inputs.append(("test_%04d (a %s)" % (i, label), "test_%04d（正解 %s）" % (i, label),  # English, Japanese
                       Image.fromarray(np.uint8(np.rint(digit * 255))), digit))

if inputs:
    digits = np.array([digit for _, _, _, digit in inputs]).reshape(-1, 784)
    # まず学習 (no saved model yet: train first, as 0.py does, which saves it)
    train_first(args.steps, args.bf16)
    with tf.compat.v1.Session() as sess:
        # 学習後と学習前 (after training, and before it, as a sanity check of the explanations)
        looks = {}
        for tag in ("after", "before"):
            run = restore_model(tag)
            probabilities = y_conv.eval(feed_dict={x: digits, keep_prob: 1.0})
            if tag == "after":
                answers = probabilities.argmax(axis=1)  # the question, both times: why this digit?
            looks[tag] = {"probabilities": probabilities, "layers": layer_outputs(digits),
                          "saliency": saliency_map(sess, x, y_logits, digits, answers, {keep_prob: 1.0}),
                          "h_pool1": cams(sess, x, h_pool1, y_logits, digits, answers, {keep_prob: 1.0})[0],  # HiResCAM
                          "h_conv2": cams(sess, x, h_conv2, y_logits, digits, answers, {keep_prob: 1.0})[0]}
    print(describe_run(run))

    # 画像作成 (images)
    sheets, used = [], set()
    for i, (name, name_ja, image, digit) in enumerate(inputs):
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.splitext(name)[0]).strip("._") or "image"
        while safe in used:  # two images of one name (a/7.png, b/7.png) get a sheet each
            safe += "_"
        used.add(safe)
        probabilities = looks["after"]["probabilities"][i]
        ranked = np.argsort(-probabilities, kind="stable")[:3]
        top3 = ["%s (%.1f%%)" % (CLASSES[d], 100 * probabilities[d]) for d in ranked]  # (two, of two classes)
        top3_ja = ["%s（%.1f%%）" % (CLASSES[d], 100 * probabilities[d]) for d in ranked]
        answer = "%s: %s, then %s" % (name, top3[0], ", ".join(top3[1:]))
        print(answer)
        # The sanity check (Adebayo et al. 2018): does each map change when the weights are random?
        correlations = tuple(rank_correlation(looks["after"][m][i], looks["before"][m][i]) for m in MAPS)
        save_image("5_%s_input.png" % safe, enlarge(digit * 255, 8)[None], cols=1)
        layers = compare_sheet(digit * 255, class_label(CLASSES, ranked[0]), NAMES, [
            ("before", [layer[i] for layer in looks["before"]["layers"]]),
            ("after", [layer[i] for layer in looks["after"]["layers"]])])
        save_sheet("5_%s.png" % safe, digit_sheet(
            answer, image, digit,
            [("%s\ntraining" % tag, looks[tag]["probabilities"][i], *[looks[tag][m][i] for m in MAPS])
             for tag in ("after", "before")],
            "%s\n%s" % (HOW_TO_READ, SANITY % correlations), layers))
        sheets.append(("5_%s.png" % safe, (
            "%s. %s %s" % (answer, SANITY % correlations, HOW_TO_READ.replace("\n", " ")),
            "%s：答えは %s。次は %s。%s%s" % (name_ja, top3_ja[0], "、".join(top3_ja[1:]), SANITY_JA % correlations, HOW_TO_READ_JA))))

    write_page("5.html", ("%s. Per image: what the network answers and why, after and before training." % describe_run(run),
                          "%s。画像ごとに、ネットワークの答えとその理由を、学習後と学習前について示します。" % describe_run(run, "ja")),
               [(((("Your digits", "自分の数字") if DATA["format"] == "MNIST" else ("Your images", "入力した画像")) if args.image
                 else ("The first 10 test digits" if DATA["format"] == "MNIST" else "The first 10 test images",
                       "テスト画像の最初の 10 枚")), sheets)],
               mnist=DATA["format"] == "MNIST")
sys.exit(1 if failed else 0)
