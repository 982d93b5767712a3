# -*- coding: utf-8 -*-
"""3.py: 畳み込み層とプーリング層の画像を作成 (images of the convolution and pooling layers).

Writes images/3_{before,after}_{h_conv1,h_pool1,h_conv2,h_pool2}_{00..09}.png: for each of 10
inputs, every channel of each layer, before and after training.
"""

import tensorflow as tf

import tools
from tools import channels_to_images, save_image

args = tools.parse_args(__doc__, steps=True)
from cnn import *  # noqa: E402,F403  the graph and mnist; after the flags, so that --seed applies

LAYERS = [
    ("h_conv1", h_conv1),  # 畳み込み1層 (convolution 1)
    ("h_pool1", h_pool1),  # プーリング1層 (pooling 1)
    ("h_conv2", h_conv2),  # 畳み込み2層 (convolution 2)
    ("h_pool2", h_pool2),  # プーリング2層 (pooling 2)
]


def create_images(tag, batch):
    feed_dict = {x: batch[0], keep_prob: 1.0}
    results = tf.compat.v1.get_default_session().run([layer for _, layer in LAYERS], feed_dict)
    for (name, _), layer_result in zip(LAYERS, results):
        for i, result in enumerate(layer_result):
            images = channels_to_images(result)
            save_image("3_%s_%s_%02d.png" % (tag, name, i), images)

    print("Created images. tag =", tag)
    print("Number: ", batch[1].argmax(axis=1).tolist())


with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    # The same 10 inputs before and after, so that the images compare like with like.
    batch = mnist.train.next_batch(10)
    # 画像作成 (images before training)
    create_images("before", batch)
    # トレーニング (training)
    train(args.steps)
    # 画像作成 (images after training)
    create_images("after", batch)
