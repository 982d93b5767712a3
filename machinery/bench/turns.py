"""Timing that the machine's drift cancels out of: kinds of work in turns, each once a round, who goes
first alternating, and the median of the rounds' ratios; and a worker process that times windows."""

import statistics
import subprocess
import sys
import time


def timed(work):
    """Seconds that work() takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def in_turns(windows, rounds):
    """{kind: [seconds of each round]}: windows {kind: work() -> its seconds}, each kind once a round,
    the order reversed every other round, so that a machine that speeds up or slows down favours none."""
    seconds = {kind: [] for kind in windows}
    kinds = list(windows)
    for round_ in range(rounds):
        for kind in kinds if round_ % 2 == 0 else kinds[::-1]:
            seconds[kind].append(windows[kind]())
    return seconds


def ratio(seconds, a, b):
    """The median of the rounds' ratios of a's seconds to b's: how many times as fast b is as a."""
    return statistics.median(x / y for x, y in zip(seconds[a], seconds[b]))


class Worker:
    """A program (machinery/bench/*_worker.py) in a process of its own that times a window of steps for
    each "go" line and answers with its seconds, after a first line "ready ..." (ready: its words)."""

    def __init__(self, command, env=None, what="the worker"):
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.ready = self.process.stdout.readline().split()
        if self.ready[:1] != ["ready"]:
            self.process.kill()
            sys.exit("bench.py: %s did not start" % what)

    def __call__(self):
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()
