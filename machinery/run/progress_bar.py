"""A progress bar on stderr for a training run, where a person watches (a terminal): the steps, the
steps per second and the time left. The article's lines still go to stdout, printed above it."""

import sys

from tqdm import tqdm
from tqdm.contrib import DummyTqdmFile

from machinery.run.callbacks import Callback


class ProgressBar(Callback):
    """The bar of a run: drawn from on_train_begin on a terminal, gone at the end before the last line."""

    def __init__(self):
        self.bar, self.stdout = None, None

    def on_train_begin(self, logs):
        self.bar = tqdm(total=logs["steps"], unit="step", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)
        if not self.bar.disable:  # print() goes through tqdm.write: each line above the bar, the bar redrawn below
            self.stdout, sys.stdout = sys.stdout, DummyTqdmFile(sys.stdout)

    def on_step_end(self, step):
        self.bar.update()

    def on_train_end(self, logs):
        self.close()

    def on_train_stopped(self):
        self.close()

    def close(self):
        """The bar gone from the terminal, not drawn again; stdout as it was."""
        if self.bar:
            self.bar.close()
        if self.stdout:
            sys.stdout.flush()
            sys.stdout, self.stdout = self.stdout, None
