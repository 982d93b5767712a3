"""A progress bar on stderr for a training run, where a person watches (a terminal): the steps, the
steps per second and the time left. The article's lines still go to stdout, printed above it."""

import sys

from tqdm import tqdm
from tqdm.contrib import DummyTqdmFile

from machinery.run.callbacks import Callback


class ProgressBar(Callback):
    """The bar of a run of steps steps: drawn from start() on a terminal, gone at end() before the last line."""

    def __init__(self, steps):
        self.steps, self.bar, self.stdout = steps, None, None

    def start(self):
        self.bar = tqdm(total=self.steps, unit="step", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)
        if not self.bar.disable:  # print() goes through tqdm.write: each line above the bar, the bar redrawn below
            self.stdout, sys.stdout = sys.stdout, DummyTqdmFile(sys.stdout)

    def tick(self, step):
        self.bar.update()

    def end(self, facts):
        self.close()

    def stopped(self):
        self.close()

    def close(self):
        """The bar gone from the terminal, not drawn again; stdout as it was."""
        self.bar.close()
        if self.stdout:
            sys.stdout.flush()
            sys.stdout, self.stdout = self.stdout, None
