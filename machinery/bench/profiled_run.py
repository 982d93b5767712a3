"""A script run as `python SCRIPT ARGS` runs it, under cProfile once its imports are in (the profiler
would slow TensorFlow's import, a tree of thousands of modules, several times over). Writes the
profile to PROFILE and prints the imports' seconds, its last line.

    python machinery/bench/profiled_run.py PROFILE SCRIPT [ARGS ...]
"""

import cProfile
import os
import runpy  # noqa: F401  in the profiled statement
import sys
import time

start = time.perf_counter()
profile, sys.argv = sys.argv[1], sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))

from machinery.run import onednn  # noqa: E402,F401  before TensorFlow, as every script
import numpy  # noqa: E402,F401
import PIL.Image  # noqa: E402,F401
import tensorflow  # noqa: E402,F401

imports = time.perf_counter() - start
cProfile.run("runpy.run_path(sys.argv[0], run_name='__main__')", profile)
print(imports)
