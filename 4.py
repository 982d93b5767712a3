# -*- coding: utf-8 -*-
"""4.py: 各チャンネルが見ているもの (what each channel looks for), from the model a training run saved.

Reads model/ (saved by 0.py, 3.py or an earlier 4.py); without it, trains first as 0.py does.
Writes into images/:
  4_{before,after}_{h_conv1,h_conv2}_patterns.png  per channel, the patch that excites it most
  4_{h_conv1,h_conv2}_top.png  per channel: its pattern, the 9 test patches where it fires hardest,
                               (h_conv1) its filter
  4_h_conv2_circuits.png       per h_conv2 channel, the h_pool1 channels it is made of (circuits)
  4_digits.png                 per channel, its mean strongest response to each digit 0-9 (or class)
  4_classes.png                per digit (or class), the input that maximises its logit (class models)
  4.html                       a page with all of them
  4_channels.npz               the patterns, top patches and circuits as numbers, for 6.py's page
"""

import datetime

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import numpy as np
import tensorflow as tf

from machinery.run import flags
from machinery.analyses.activation_maximization import class_models, layer_patterns
from machinery.analyses.circuits import contributions, ranked_inputs, shares
from machinery.pictures.drawing import channel_rows, circuit_rows, enlarge, filters_to_images, heat_maps, save_sheet
from machinery.pictures.pages import write_page
from machinery.analyses.receptive_fields import channel_maxima, receptive_field, top_images, top_patches
from tools import save_atomically, save_image

args = flags.parse_args(__doc__, steps=True, ascent=True, model=True)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

CHANNEL_LAYERS = [("h_conv1", h_conv1), ("h_conv2", h_conv2)]
MNIST = DATA["format"] == "MNIST"  # else another data set: its classes' names where the article's digits were

TOP = 9  # patches per channel
images = mnist.test.images

# まず学習 (no saved model yet: train first, as 0.py does, which saves it)
train_first(args.steps, args.bf16)

with tf.compat.v1.Session() as sess:
    run = restore_model("after")
    print(describe_run(run))

    # 各チャンネルが一番強く反応する入力 (the patch each channel answers to most, at the centre of
    # its map, cut to what it sees there: its receptive field), after training
    patterns = {("after", name): layer_patterns(sess, x, name, layer, args.ascent_steps) for name, layer in CHANNEL_LAYERS}
    # テスト画像で一番強く反応した場所 (where each channel fires hardest in the test images)
    strongest = channel_maxima(sess, [layer for _, layer in CHANNEL_LAYERS], x, images)
    maxima = {name: maxima for (name, _), (maxima, _, _) in zip(CHANNEL_LAYERS, strongest)}
    top = {name: top_patches(images.reshape(-1, 28, 28), layer_strongest, receptive_field(layer), TOP)
           for (name, layer), layer_strongest in zip(CHANNEL_LAYERS, strongest)}
    W = W_conv1.eval()
    # 何からできているか (what each h_conv2 channel is made of: each h_pool1 channel's contribution to
    # it before its ReLU, at the place where it fires hardest in each of its top test digits)
    _, at_rows, at_cols = strongest[1]
    which = top_images(maxima["h_conv2"], TOP)  # (64, 9): the digits of its top patches
    used, index = np.unique(which, return_inverse=True)
    W2 = W_conv2.eval()
    c = contributions(h_pool1.eval({x: images[used]}), W2, index.reshape(which.shape),
                      np.take_along_axis(at_rows.T, which, 1), np.take_along_axis(at_cols.T, which, 1))
    inputs, input_contributions = ranked_inputs(c.mean(axis=1))  # largest mean contribution first
    # クラスモデル (class models): the input that each digit's logit likes best
    classes = class_models(sess, x, y_logits, {keep_prob: 1.0}, args.ascent_steps)
    probabilities = y_conv.eval(feed_dict={x: classes.reshape(len(CLASSES), 784), keep_prob: 1.0}).diagonal()

    # 学習前 (the same patterns for the weights before training)
    restore_model("before")
    patterns.update({("before", name): layer_patterns(sess, x, name, layer, args.ascent_steps) for name, layer in CHANNEL_LAYERS})

# 画像作成 (images)
for (tag, name), pattern in patterns.items():  # enlarged to about 28 pixels, as 3.py's compare sheets do
    save_image("4_%s_%s_patterns.png" % (tag, name), enlarge(pattern * 255, 28 // pattern.shape[1]))
for name, _ in CHANNEL_LAYERS:
    rows = [[pattern * 255] + list(patches * 255)
            for pattern, patches in zip(patterns[("after", name)], top[name])]
    if name == "h_conv1":
        rows = [row + [image] for row, image in zip(rows, filters_to_images(W))]
    titles = ["pattern", "the %d test patches where it fires hardest" % TOP] + [""] * (TOP - 1)
    save_sheet("4_%s_top.png" % name, channel_rows(rows, titles + ["filter"] * (name == "h_conv1")))
save_sheet("4_h_conv2_circuits.png", circuit_rows(patterns[("after", "h_conv2")], patterns[("after", "h_conv1")], W2,
                                                  inputs, shares(input_contributions)))


def save_channels(path):  # for 6.py's page: the patterns and top patches, 0..255, and the run they come from
    with open(path, "wb") as f:
        np.savez_compressed(
            f, run=describe_run(run),
            **{name + "_patterns": np.uint8(np.rint(255 * patterns[("after", name)])) for name, _ in CHANNEL_LAYERS},
            **{name + "_top": np.uint8(np.rint(255 * top[name])) for name, _ in CHANNEL_LAYERS},
            h_conv2_inputs=np.uint8(inputs), h_conv2_input_contributions=np.float32(input_contributions))


save_atomically("4_channels.npz", save_channels)

# 数字ごとの反応 (each channel's strongest response, averaged over the test images of each digit)
one_hot = mnist.test.labels
by_digit = {name: (one_hot.T @ maxima[name] / one_hot.sum(axis=0)[:, None]).T for name, _ in CHANNEL_LAYERS}
# A 1 has the least ink, so every channel answers to it least: divide each digit's column by the
# layer's mean for that digit, so that a row says which digits this channel prefers over the others'.
relative = {name: d / d.mean(axis=0, keepdims=True) for name, d in by_digit.items()}
low = {name: r.min(axis=1, keepdims=True) for name, r in relative.items()}
scaled = {name: (r - low[name]) / np.maximum(r.max(axis=1, keepdims=True) - low[name], 1e-12)
          for name, r in relative.items()}  # each row from its minimum (black) to its maximum (white)
save_sheet("4_digits.png", heat_maps(list(scaled.values()), list(scaled), range(len(CLASSES))))  # columns: the labels
for name, r in relative.items():
    # The most selective channels: those whose best digit stands furthest above their mean.
    lift = r.max(axis=1) / np.maximum(r.mean(axis=1), 1e-12) - 1  # (a dead channel: 0 everywhere)
    lines = ["%d: %s (+%.0f%%)" % (c, " ".join(CLASSES[d] for d in np.flatnonzero(scaled[name][c] >= 0.8)), 100 * lift[c])
             for c in np.argsort(-lift, kind="stable")[:5]]
    print("%s, most selective channels: %s within 80%% of the best (best over the mean): %s"
          % (name, "digits" if MNIST else "classes", "; ".join(lines)))

save_image("4_classes.png", classes * 255, cols=min(len(CLASSES), 10))
print("class models, the trained network's probability for their own %s: %s"
      % ("digit" if MNIST else "class", ", ".join("%s %.3f" % (name, p) for name, p in zip(CLASSES, probabilities))))

made = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
field = {name: "{0}x{0}".format(receptive_field(layer)[0]) for name, layer in CHANNEL_LAYERS}  # its side
chances = ", ".join("%.0f%%" % (100 * p) for p in probabilities)
chances_ja = "、".join("%.0f%%" % (100 * p) for p in probabilities)  # (the Japanese captions: 「、」 between items)
# Another data set's classes, by number in the sheets, by name on the page
legend = "" if MNIST else "; ".join("%d %s" % (k, name) for k, name in enumerate(CLASSES))
legend_ja = "" if MNIST else "、".join("%d %s" % (k, name) for k, name in enumerate(CLASSES))
write_page("4.html", ("%s; images made %s" % (describe_run(run), made), "%s、画像作成日時 %s" % (describe_run(run, "ja"), made)), [
    (("Patterns: the input each channel answers to most", "パターン：各チャンネルがいちばん強く反応する入力"), [
        (f, ("%s, %s training: per channel (8 to a row, channel 0 at the top left), the input in [0, 1] that "
             "maximises its unit at the centre of the map (the neuron objective; before its ReLU), shown as what "
             "that unit sees: its %s receptive field, enlarged (black 0, white 1)." % (name, tag, field[name]),
             "%s、学習%s：チャンネルごとに（1 行に 8 つ、左上がチャンネル 0）、マップ中央のユニットの ReLU 前の値を"
             "最大にする [0, 1] の入力。そのユニットが見る範囲（%s の受容野）を拡大して示します（黒 0、白 1）。"
             % (name, {"before": "前", "after": "後"}[tag], field[name])))
        for name, layer in CHANNEL_LAYERS for tag in ("before", "after")
        for f in ["4_%s_%s_patterns.png" % (tag, name)]]),
    (("Top patches: where each channel fires hardest in the test images",
      "トップパッチ：テスト画像の中で各チャンネルがいちばん強く反応した場所"), [
        ("4_%s_top.png" % name, ("%s, per channel: its pattern, then the %d test images where it fires hardest, "
                                 "cropped to what it sees there (its %s receptive field)%s."
                                 % (name, TOP, field[name], ", then its %dx%d filter (gray 0, white +, black -)" % (K, K)
                                    if name == "h_conv1" else ""),
                                 "%s、チャンネルごとに、そのパターンと、続いていちばん強く反応した %d 枚のテスト画像を、"
                                 "そこで見ている範囲（%s の受容野）で切り抜いたもの%s。"
                                 % (name, TOP, field[name], "、最後に %dx%d のフィルタ（灰色 0、白 +、黒 -）" % (K, K)
                                    if name == "h_conv1" else "")))
        for name, layer in CHANNEL_LAYERS]),
    (("Circuits: what each h_conv2 channel is made of", "回路：h_conv2 の各チャンネルが何からできているか"), [
        ("4_h_conv2_circuits.png", (
            "Per h_conv2 channel: its pattern, then the 4 h_pool1 channels that drive it most and the 2 that hold it "
            "back most, each contribution averaged over its %d top test %s, at the place where the channel fires "
            "hardest in each. Each input is shown as its h_conv1 channel's pattern beside its %dx%d kernel in W_conv2 "
            "(red +, blue -, white 0; one scale per row), with #its number and its share of the channel's total positive "
            "input. At each of those places the channel before its ReLU is its bias plus the contributions of all its %d "
            "inputs, of which the sheet shows 6." % (TOP, "digits" if MNIST else "images", K, K, C1),
            "h_conv2 のチャンネルごとに、そのパターンと、いちばん強く押し上げる h_pool1 のチャンネル 4 つ、"
            "いちばん強く抑えるチャンネル 2 つ。寄与は、このチャンネルがいちばん強く反応した %d 枚のテスト画像それぞれで、"
            "反応が最大になった場所での値を平均したものです。入力は、その h_conv1 のチャンネルのパターンと W_conv2 の "
            "%dx%d のカーネル（赤 +、青 -、白 0。目盛りは行ごとに共通）で示し、「#」のあとにチャンネル番号と、チャンネルへの"
            "正の入力の合計に対する割合を添えています。それぞれの場所で、ReLU 前のチャンネルの値はバイアスと %d 個すべての"
            "入力の寄与の和です。この図に示すのは、そのうちの 6 個（4 + 2）だけです。" % (TOP, K, K, C1)))]),
    (("Digits: which digits each channel answers to", "数字：各チャンネルがどの数字に反応するか"), [
        ("4_digits.png", ("Per channel (rows) and digit (columns): its strongest response, averaged over the "
                          "test images of that digit, over the layer's average for that digit; each row from its "
                          "own minimum (black) to its maximum (white).",
                          "チャンネル（行）と数字（列）ごとに、いちばん強い反応（画像ごとの最大値）をその数字のテスト画像で平均し、"
                          "その数字での層全体の平均で割ったもの。各行は、その行の最小を黒、最大を白にしています。"))])
    if MNIST else
    (("Classes: which classes each channel answers to", "クラス：各チャンネルがどのクラスに反応するか"), [
        ("4_digits.png", ("Per channel (rows) and class (columns: %s): its strongest response, averaged over the "
                          "test images of that class, over the layer's average for that class; each row from its "
                          "own minimum (black) to its maximum (white)." % legend,
                          "チャンネル（行）とクラス（列：%s）ごとに、いちばん強い反応（画像ごとの最大値）をそのクラスのテスト画像で"
                          "平均し、そのクラスでの層全体の平均で割ったもの。各行は、その行の最小を黒、最大を白にしています。" % legend_ja))]),
    (("Class models: the input each digit's logit likes best", "クラスモデル：各数字のロジットがいちばん大きくなる入力"), [
        ("4_classes.png", ("Digits 0 to 9: the input in [0, 1] that maximises y_logits[digit]; the trained network "
                           "gives them %s." % chances,
                           "数字 0〜9：y_logits[数字] を最大にする [0, 1] の入力。学習後のネットワークが"
                           "それぞれの数字に与える確率は %s。" % chances_ja))])
    if MNIST else
    (("Class models: the input each class's logit likes best", "クラスモデル：各クラスのロジットがいちばん大きくなる入力"), [
        ("4_classes.png", ("Classes %s, in rows of 10: the input in [0, 1] that maximises y_logits[class]; the trained "
                           "network gives them %s." % (legend, chances),
                           "クラス %s（1 行に 10 個）：y_logits[クラス] を最大にする [0, 1] の入力。学習後のネットワークが"
                           "それぞれのクラスに与える確率は %s。" % (legend_ja, chances_ja)))]),
])
