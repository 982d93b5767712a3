"""`python bench.py scripts`: `python 3.py --steps --run-steps` as a reader runs it (from its start to
its first image, and whole), and again split into its parts under cProfile; then, on the model/ it
saved (or a copy of --model), `python 4.py` split so, and `python 5.py` on its 10 test digits."""

import os
import pstats
import shutil
import subprocess
import sys
import time

from machinery.bench.table import Row
from machinery.bench.turns import timed

HERE = os.path.dirname(os.path.abspath(__file__))


def time_3py(folder, steps):
    """Seconds from starting `python 3.py` to its first image in images/, and to its end."""
    images = os.path.join(folder, "images")
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, os.path.join(folder, "3.py"), "--steps", str(steps)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while process.poll() is None:
        if first is None and os.path.isdir(images) and any(n.endswith(".png") for n in os.listdir(images)):
            first = time.perf_counter() - start
        time.sleep(0.01)
    if process.returncode != 0:
        sys.exit("bench.py: python 3.py failed with exit status %d" % process.returncode)
    return first, time.perf_counter() - start


def profiled(folder, script, *script_args):
    """folder/script run under profiled_run.py: its whole time, its imports', and the profile's
    (file, line, function) -> (calls, ..., own time, cumulative time, callers)."""
    profile = os.path.join(folder, script + ".prof")
    start = time.perf_counter()
    run = subprocess.run([sys.executable, os.path.join(HERE, "profiled_run.py"), profile, os.path.join(folder, script),
                          *script_args], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, float(run.stdout.split()[-1]), pstats.Stats(profile).stats


def cumulative(stats, file_name, *functions):
    """The cumulative seconds of file_name's functions."""
    return sum(v[3] for (f, _, fn), v in stats.items() if os.path.basename(f) == file_name and fn in functions)


def called_from(stats, file_name, function, caller_file, caller_function):
    """The cumulative seconds of the calls of file_name's function from one caller."""
    return sum(t[3] for (f, _, fn), v in stats.items() if os.path.basename(f) == file_name and fn == function
               for (cf, _, cfn), t in v[4].items() if os.path.basename(cf) == caller_file and cfn == caller_function)


def split_3py(folder, steps):
    """Seconds of each part of a `python 3.py` run, the rest (Python's start, the session, ...) as other."""
    total, imports, stats = profiled(folder, "3.py", "--steps", str(steps))
    parts = {"import": imports}  # TensorFlow, NumPy, Pillow
    parts["data"] = cumulative(stats, "input_data.py", "read_data_sets")
    parts["graph"] = cumulative(stats, "cnn.py", "<module>") - parts["data"]
    # train()'s accuracy.eval() calls: the lines every 100 steps, and each snapshot's test accuracy
    parts["evaluation"] = called_from(stats, "tensor.py", "eval", "cnn.py", "train") + cumulative(stats, "cnn.py", "snapshot_accuracy")
    parts["training"] = cumulative(stats, "cnn.py", "train") - parts["evaluation"]
    parts["images"] = (cumulative(stats, "3.py", "create_images")
                       + cumulative(stats, "drawing.py", "compare_sheet", "save_sheet", "save_timeline")
                       + cumulative(stats, "pages.py", "write_page"))
    parts["other"] = total - sum(parts.values())
    return total, parts


def split_4py(folder, ascent_steps):
    """Seconds of each part of a `python 4.py` run on the saved model/, as split_3py."""
    total, imports, stats = profiled(folder, "4.py", "--ascent-steps", str(ascent_steps))
    parts = {"import": imports,
             "restore": cumulative(stats, "cnn.py", "restore_model"),
             "top patches": cumulative(stats, "receptive_fields.py", "channel_maxima", "top_patches"),
             "patterns": cumulative(stats, "activation_maximization.py", "channel_patterns"),
             "class models": cumulative(stats, "activation_maximization.py", "class_models"),
             "images": cumulative(stats, "tools.py", "save_image")
                       + cumulative(stats, "drawing.py", "save_sheet", "channel_rows", "heat_maps", "filters_to_images")
                       + cumulative(stats, "pages.py", "write_page")}
    parts["other"] = total - sum(parts.values())
    return total, parts


def measure(net, args, folder, facts):
    folder = folder()
    first_image, run_s = time_3py(folder, args.run_steps)
    shutil.rmtree(os.path.join(folder, "images"))
    profiled_s, parts = split_3py(folder, args.run_steps)  # which saves model/ in the copy, for 4.py and 5.py
    if args.model:
        shutil.rmtree(os.path.join(folder, "model"))
        shutil.copytree(args.model, os.path.join(folder, "model"))
    look_s, look_parts = split_4py(folder, args.ascent_steps)
    own_s = timed(lambda: subprocess.run([sys.executable, os.path.join(folder, "5.py")], check=True, capture_output=True))
    return ([Row("run_steps", "--steps of the timed 3.py runs", args.run_steps),
             Row("start_to_first_image_s", "python 3.py --steps %d: first image (s)" % args.run_steps, first_image),
             Row("run_s", "python 3.py --steps %d: whole run (s)" % args.run_steps, run_s),
             Row("profiled_run_s", "the same under cProfile (s), of which:", profiled_s)]
            + [Row("split_s." + name, "  %s (s)" % name, seconds) for name, seconds in parts.items()]
            + [Row("4py_s", "python 4.py, model/ saved, under cProfile (s):", look_s)]
            + [Row("4py_split_s." + name, "  %s (s)" % name, seconds) for name, seconds in look_parts.items()]
            + [Row("5py_s", "python 5.py, 10 test digits (s)", own_s)])
