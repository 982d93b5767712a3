"""A copy of the repository in a folder, to run the scripts in as a reader does (bench.py, the tests)."""

import os
import shutil

from tools import ROOT


def copy_of_repository(folder):
    """The scripts, machinery/ and web/ copied into folder, MNIST_data/ linked in."""
    for name in os.listdir(ROOT):
        if name.endswith(".py"):
            shutil.copy(os.path.join(ROOT, name), folder)
    for name in ("machinery", "web"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(folder, name), ignore=shutil.ignore_patterns("__pycache__"))
    os.symlink(os.path.join(ROOT, "MNIST_data"), os.path.join(folder, "MNIST_data"))
    return folder
