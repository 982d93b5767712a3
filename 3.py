# -*- coding: utf-8 -*-
"""3.py: 畳み込み層とプーリング層の画像を作成 (images of the convolution and pooling layers).

Writes into images/, for 10 inputs, before and after training:
  3_{before,after}_{h_conv1,h_pool1,h_conv2,h_pool2}_{00..09}.png  every channel of a layer (the article's)
  3_compare_{00..09}.png     per input, each layer before and after, side by side (比較してみる)
  3_{before,after}_W_conv1.png  the 32 first-layer filters (gray 0, white positive, black negative)
  3_timeline_{00..09}.gif    per input, the layers at steps 0, 100, 200, 500, ... of training
  index.html                 a page with all of them
and the weights before and after training into model/, for 4.py and 5.py.
"""

import datetime

from machinery.run import onednn  # noqa: F401  first of all: TensorFlow's oneDNN kernels on every x86-64 CPU
import tensorflow as tf

from machinery.run import flags
from machinery.pictures.drawing import class_label, compare_sheet, filters_to_images, save_sheet, save_timeline
from machinery.pictures.pages import write_page
from tools import save_image

args = flags.parse_args(__doc__, steps=True)
from cnn import *  # noqa: E402,F403  the graph and mnist, built from the flags (flags.config)

NAMES = [name for name, _ in LAYERS]


def create_images(tag, outputs):
    for name, layer_images in zip(NAMES, outputs):
        for i, images in enumerate(layer_images):
            save_image("3_%s_%s_%02d.png" % (tag, name, i), images)
    save_image("3_%s_W_conv1.png" % tag, filters_to_images(W_conv1.eval()))

    print("Created images. tag =", tag)
    if DATA["format"] == "MNIST":
        print("Number: ", labels)
    else:  # another data set's classes, by name
        print("Class: ", [CLASSES[label] for label in labels])


with tf.compat.v1.Session(config=training_config(args.bf16)) as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    # The same 10 inputs before and after, so that the images compare like with like.
    batch = mnist.train.next_batch(10)
    labels = batch[1].argmax(axis=1).tolist()
    # 画像作成 (images before training)
    timeline = {0: layer_outputs(batch[0])}
    create_images("before", timeline[0])
    # トレーニング (training), looking at the layers now and then for the timeline
    def snapshot(step):
        timeline[step] = layer_outputs(batch[0])
        return timeline[step]  # train() logs it too, with --logdir
    test_accuracy = train(args.steps, snapshot)["test_accuracy"]
    # 画像作成 (images after training)
    create_images("after", timeline[args.steps])

# 比較してみる (compare): per input, before beside after, and the timeline of all snapshots
for i, label in enumerate(labels):
    digit = batch[0][i].reshape(28, 28) * 255
    save_sheet("3_compare_%02d.png" % i, compare_sheet(digit, class_label(CLASSES, label), NAMES, [
        ("before (step 0)", [layer[i] for layer in timeline[0]]),
        ("after (step %d)" % args.steps, [layer[i] for layer in timeline[args.steps]])]))
    save_timeline("3_timeline_%02d.gif" % i, [
        compare_sheet(digit, class_label(CLASSES, label), NAMES, [("step %d" % step, [layer[i] for layer in outputs])])
        for step, outputs in sorted(timeline.items())])

now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
write_page(
    "index.html",
    ("%s training steps, test accuracy %.4f, run on %s" % (format(args.steps, ","), test_accuracy, now),
     "学習 %s ステップ、テスト精度 %.4f、実行日時 %s" % (format(args.steps, ","), test_accuracy, now)),
    [(("Input %02d: the digit %d" % (i, label), "入力画像 %02d：数字 %d" % (i, label)) if DATA["format"] == "MNIST"
      else ("Input %02d: %s" % (i, CLASSES[label]), "入力画像 %02d：%s" % (i, CLASSES[label])),
      ["3_compare_%02d.png" % i, "3_timeline_%02d.gif" % i]
      + ["3_%s_%s_%02d.png" % (tag, name, i) for name in NAMES for tag in ("before", "after")])
     for i, label in enumerate(labels)]
    + [(("First-layer filters W_conv1", "第 1 層のフィルタ W_conv1"), ["3_before_W_conv1.png", "3_after_W_conv1.png"])])
