"""The scripts on a data set that is not MNIST (--data): the article's pictures and 4.py's and 5.py's with
the classes' names, a model that knows its data, and MNIST's outputs untouched (the other tests)."""

import json
import os
import pathlib
import re

import numpy as np
from PIL import Image, ImageDraw

import shapes
from conftest import copy_of


def test_3_learns_a_folder_of_pictures_and_says_the_classes_names(pictures):
    data, repo, result = pictures  # 3.py --data on class folders (IDX data sets: test_data.py, and 1.py and 2.py below)
    lines = result.stdout.splitlines()
    classes = [line for line in lines if line.startswith("Class: ")]
    assert len(classes) == 2 and not [line for line in lines if line.startswith("Number:")]
    names = re.findall(r"'([^']+)'", classes[0])
    assert len(names) == 10 and set(names) <= set(shapes.CLASSES)
    accuracy = [float(line.split()[-1]) for line in lines if line.startswith("test accuracy ")]
    assert accuracy[0] > 0.5, "well above chance (0.1)"
    assert "Watch it learn: file://" in result.stderr, "the page that follows the run"
    assert ".tf-cnn-image-cache.npz" in os.listdir(data)
    # The article's tiles and sheets, the captions with the names (Japanese included)
    assert os.path.exists(repo.image("3_after_h_pool2_09.png")) and os.path.exists(repo.image("3_compare_09.png"))
    _, _, text = repo.page("index.html", "ja")
    assert "入力画像 00：%s" % names[0] in text and not re.search(r"入力画像 \d\d：数字", text)
    with open(os.path.join(repo.path, "model", "run.json"), encoding="utf-8") as f:
        trained_on = json.load(f)["data"]
    assert trained_on["format"] == "image folders" and trained_on["classes"] == sorted(shapes.CLASSES)
    assert trained_on["path"] == data and (trained_on["train_images"], trained_on["test_images"]) == (860, 140)


def test_4_and_5_take_the_models_data_and_say_the_classes_names(pictures, tmp_path_factory, tmp_path):
    data, trained, _ = pictures
    repo = copy_of(pathlib.Path(trained.path).parent, tmp_path_factory, "pictures_copy")
    classes = sorted(shapes.CLASSES)  # a folder's classes: its folders, in order
    # 4.py and 5.py take the model's data without being told, and answer with its names
    result = repo.run("4.py", "--ascent-steps", "2")
    assert "class models, the trained network's probability for their own class: %s " % classes[0] in result.stdout
    ja, _, text = repo.page("4.html", "ja")
    assert "0 %s、1 %s" % tuple(classes[:2]) in ja["4_digits.png"] and not [c for c in ja.values() if "数字" in c], \
        "no caption says digits"
    drawn = tmp_path / "circle.png"
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).ellipse([40, 40, 160, 160], outline=0, width=12)
    image.save(drawn)
    # ... and with other files of the same classes, say so in one line
    other = shapes.write_folders(str(tmp_path / "other"), count=70)  # 7 of each class
    result = repo.run("5.py", "--data", other, str(drawn))
    assert "note: %s was trained on %s; these images are from %s" % (os.path.join(repo.path, "model"), data, other) in result.stderr
    answer = result.stdout.splitlines()[1]  # (after the model's line)
    assert re.fullmatch(r"circle\.png: (\S+) \([\d.]+%\), then \S+ \([\d.]+%\), \S+ \([\d.]+%\)", answer)
    assert answer.split()[1] in shapes.CLASSES
    # Another data set with other classes than the model's: one line, nothing drawn
    os.remove(repo.image("4.html"))
    result = repo.run("4.py", "--data", os.path.join(repo.path, "MNIST_data"), check=False)
    assert result.returncode != 0 and not os.path.exists(repo.image("4.html"))
    assert result.stderr.strip().splitlines()[-1].startswith("error: %s was trained on %s (10 classes: %s "
                                                             % (os.path.join(repo.path, "model"), data, classes[0]))


def test_1_and_2_on_emnist_letters(repo, tmp_path):
    """EMNIST's layout (a split's prefix, its images stored transposed, its letters labelled from 1):
    the readout has one output per letter, and 2.py's tiles are the letters upright."""
    from test_data import write_emnist
    write_emnist(str(tmp_path / "gzip"))  # three letters, A/a, B/b, C/c; every image a bar down its left side
    data = str(tmp_path / "gzip" / "emnist-letters")
    lines = repo.run("1.py", "--data", data).stdout.splitlines()
    assert "W_fc2:  (1024, 3)" in lines and "y_conv:  (50, 3)" in lines
    repo.run("2.py", "--data", data)
    tiles = np.asarray(Image.open(repo.image("2.png")).convert("L"))
    assert tiles.shape == (7 * 29 - 1, 8 * 29 - 1)  # 50 images of the 40 (a batch runs into the next epoch), 8 to a row
    assert (tiles[:28, :3] == 255).all() and (tiles[:3, 3:28] < 255).any(), "upright: the bar down the left side"
