"""--data's reader: MNIST's IDX format for other data sets (Fashion-MNIST, Kuzushiji-MNIST, EMNIST's
quirks), class folders of images with their cache, and a one-line error for each kind of bad data."""

import gzip
import os

import numpy as np
import pytest
from PIL import Image

import input_data
import shapes
from conftest import ROOT
from input_data import DataError
from test_input_data import idx_bytes
from machinery.analyses.mnist_preprocessing import measure_convention
from machinery.data import datasets, image_folders


def test_idx_files_gzipped_or_not_with_their_class_names(tmp_path):
    for gz in (True, False):
        folder = shapes.write_idx(str(tmp_path / ("gz" if gz else "plain")), gz=gz)
        mnist, facts = datasets.read(folder)
        assert facts["classes"] == shapes.CLASSES and facts["format"] == "IDX"
        assert (facts["train_images"], facts["test_images"]) == (600, 100)
        assert mnist.train.labels.shape == (600, 10) and mnist.validation.num_examples == 0  # a small set keeps all
        images, labels = shapes.shapes(100, 2)
        assert np.array_equal(np.rint(mnist.test.images * 255).reshape(-1, 28, 28), images)
        assert np.array_equal(mnist.test.labels.argmax(axis=1), labels)
    # Without classes.txt, the classes are the labels' numbers
    os.remove(os.path.join(folder, "classes.txt"))
    assert datasets.read(folder)[1]["classes"] == [str(k) for k in range(10)]
    # ... or Kuzushiji-MNIST's names, from the class map it ships
    kana = "おきすつなはまやれを"
    with open(os.path.join(folder, "kmnist_classmap.csv"), "w", encoding="utf-8") as f:
        f.write("index,codepoint,char\n" + "".join("%d,U+%04X,%s\n" % (k, ord(c), c) for k, c in enumerate(kana)))
    assert datasets.read(folder)[1]["classes"] == list(kana)


def test_mnist_is_read_as_before_and_its_convention_measures_as_lecun_describes():
    mnist, facts = datasets.read(None)
    before = input_data.read_data_sets(os.path.join(ROOT, "MNIST_data"), one_hot=True)
    assert np.array_equal(mnist.test.images, before.test.images) and np.array_equal(mnist.train.labels, before.train.labels)
    assert facts["path"] == "MNIST_data" and facts["classes"] == [str(k) for k in range(10)]
    assert (facts["train_images"], facts["test_images"]) == (60000, 10000)
    # The reader's image is made as MNIST's digits were: what measure_convention finds in them
    assert measure_convention(mnist.train.images[:2000].reshape(-1, 28, 28)) == (20, True)
    assert facts["reader_image"] == {"steps": "ink", "box": 20, "by_mass": True}


def write_emnist(folder, split="letters", labels_from=1):
    """A tiny EMNIST split as EMNIST ships it: images stored transposed, letters labelled from 1."""
    os.makedirs(folder, exist_ok=True)
    images, _ = shapes.shapes(40)
    images[:, :, :3] = 255  # a bar down the left side: transposed, it would lie along the top
    labels = (np.arange(40) % 3 + labels_from).astype(np.uint8)
    for part in ("train", "test"):
        for kind, array, magic in [("images-idx3", images.transpose(0, 2, 1), 2051), ("labels-idx1", labels, 2049)]:
            with gzip.open(os.path.join(folder, "emnist-%s-%s-%s-ubyte.gz" % (split, part, kind)), "wb") as f:
                f.write(idx_bytes(np.ascontiguousarray(array), magic))
    with open(os.path.join(folder, "emnist-%s-mapping.txt" % split), "w") as f:
        f.write("".join("%d %d %d\n" % (labels_from + k, 65 + k, 97 + k) for k in range(3)))
    return images


def test_emnist_upright_and_its_letters_counted_from_zero(tmp_path):
    images = write_emnist(str(tmp_path / "gzip"))
    mnist, facts = datasets.read(str(tmp_path / "gzip"))
    assert facts["format"] == "EMNIST" and facts["classes"] == ["A/a", "B/b", "C/c"]
    upright = np.rint(mnist.test.images * 255).reshape(-1, 28, 28)
    assert np.array_equal(upright, images) and (upright[:, :, 0] == 255).all()
    assert mnist.test.labels.shape == (40, 3) and mnist.test.labels.argmax(axis=1).tolist()[:4] == [0, 1, 2, 0]
    # EMNIST's folder holds every split: one is named by its prefix
    write_emnist(str(tmp_path / "gzip"), "digits", 0)
    with pytest.raises(DataError, match=r"holds 2 EMNIST splits \(digits, letters\): name one, e\.g\. --data .*emnist-digits"):
        datasets.read(str(tmp_path / "gzip"))
    assert datasets.read(str(tmp_path / "gzip" / "emnist-letters"))[1]["classes"] == ["A/a", "B/b", "C/c"]


def test_class_folders_read_once_then_from_their_cache(tmp_path, monkeypatch):
    folder = shapes.write_folders(str(tmp_path / "shapes"))  # 14 PNGs of 112x112 a class, black on white
    mnist, facts = datasets.read(folder)
    assert facts["classes"] == sorted(shapes.CLASSES) and facts["format"] == "image folders"
    assert (facts["train_images"], facts["test_images"]) == (120, 20)  # 2 of each class's 14 held out
    assert sorted(mnist.test.labels.sum(axis=0)) == [2] * 10
    assert facts["reader_image"] == {"steps": "picture", "paper": 255}, "white paper: the pictures' borders"
    # Made 28x28 as a person sees them: black shapes on white paper
    assert mnist.train.images.shape == (120, 784) and np.median(mnist.train.images) == 1.0
    assert sorted(os.listdir(folder)) == sorted([image_folders.CACHE] + shapes.CLASSES), "the cache, no temporary"

    # The second read takes the cache: no image is opened
    monkeypatch.setattr(image_folders, "picture", lambda file: pytest.fail("decoded %s again" % file))
    again, facts_again = datasets.read(folder)
    assert np.array_equal(again.train.images, mnist.train.images) and facts_again == facts
    # A changed image makes it stale
    monkeypatch.undo()
    some = os.path.join(folder, shapes.CLASSES[0], os.listdir(os.path.join(folder, shapes.CLASSES[0]))[0])
    Image.new("L", (50, 50), 255).save(some)
    os.utime(some, ns=(1, 1))
    assert datasets.read(folder)[1]["sha256"] != facts["sha256"]


def test_class_folders_with_train_and_test(tmp_path):
    mnist, facts = datasets.read(shapes.write_folders(str(tmp_path / "split"), split=True))
    assert (facts["train_images"], facts["test_images"]) == (120, 20)


def idx_with(tmp_path, name, data):
    folder = shapes.write_idx(str(tmp_path / "d"))
    with gzip.open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    return folder


def damaged(folder, name):
    """folder, with its gzipped file name damaged: 64 bytes overwritten near its start, where the gzip
    header (with the file's name) ends and the deflate stream begins."""
    path = os.path.join(folder, name)
    data = bytearray(open(path, "rb").read())
    data[10:74] = b"\xff" * 64
    open(path, "wb").write(bytes(data))
    return folder


@pytest.mark.parametrize("make, message", [
    (lambda t: idx_with(t, "train-images-idx3-ubyte.gz", idx_bytes(np.zeros((3, 28, 28), np.uint8), 2049)),
     r"train-images-idx3-ubyte\.gz: invalid magic number 2049, expected 2051 \(an IDX file of images\)"),
    (lambda t: idx_with(t, "t10k-images-idx3-ubyte.gz", idx_bytes(np.zeros((100, 32, 32), np.uint8), 2051)),
     r"t10k-images-idx3-ubyte\.gz: images of 32 x 32 pixels, not 28 x 28"),
    (lambda t: idx_with(t, "t10k-labels-idx1-ubyte.gz", idx_bytes(np.zeros(99, np.uint8), 2049)),
     r"t10k-labels-idx1-ubyte\.gz: 99 labels for 100 images"),
    (lambda t: idx_with(t, "t10k-labels-idx1-ubyte.gz", idx_bytes(np.full(100, 12, np.uint8), 2049)),
     r"classes\.txt: 10 names for 13 classes"),
    (lambda t: (shapes.write_idx(str(t / "d")), (t / "d" / "classes.txt").write_text("a\nb\n"))[0],
     r"classes\.txt: 2 names for 10 classes"),
    (lambda t: (shapes.write_idx(str(t / "d")), os.remove(t / "d" / "train-labels-idx1-ubyte.gz"))[0],
     r"train-labels-idx1-ubyte\.gz: missing"),
    (lambda t: damaged(shapes.write_idx(str(t / "d")), "train-images-idx3-ubyte.gz"),
     r"train-images-idx3-ubyte\.gz: can't be read \(Error -3 while decompressing data: "),
    (lambda t: (write_emnist(str(t / "e")), (t / "e" / "emnist-letters-mapping.txt").write_text("1 65\n2 66\n"), str(t / "e"))[2],
     r"emnist-letters-train-labels-idx1-ubyte\.gz: label 3 is not in .*mapping\.txt"),
    (lambda t: str(t / "nowhere"), r"nowhere: no such folder"),
    (lambda t: (os.makedirs(t / "f" / "only"), str(t / "f"))[1], r"f: one class folder"),
    (lambda t: (shapes.write_folders(str(t / "f")), os.makedirs(t / "f" / "empty"), str(t / "f"))[2],
     r"f/empty: no PNG or JPEG images"),
    (lambda t: (shapes.write_folders(str(t / "f")), (t / "f" / "丸" / "bad.png").write_bytes(b"not a png"), str(t / "f"))[2],
     r"f/丸/bad\.png: not an image Pillow can read"),
])
def test_bad_data_is_one_line_naming_the_file(tmp_path, make, message):
    folder = make(tmp_path)
    with pytest.raises(DataError, match=message) as error:
        datasets.read(folder)
    assert "\n" not in str(error.value)
    assert not [f for root, _, files in os.walk(tmp_path) for f in files if f.endswith(".part") or f == image_folders.CACHE]


def test_too_many_images_says_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(image_folders, "MAX_IMAGES", 100)
    with pytest.raises(DataError, match=r"140 images, over the 100 this machine can hold"):
        datasets.read(shapes.write_folders(str(tmp_path / "f")))
