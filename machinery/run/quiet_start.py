# -*- coding: utf-8 -*-
"""TensorFlow loaded without its start-up log on the terminal: what its C++ code writes to stderr
while it loads and finds its devices is held back, and all of it but the known harmless lines is
written out again (all of it, if the import fails), so that a real problem still shows.

Those lines come before TensorFlow's logging starts, where TF_CPP_MIN_LOG_LEVEL does not reach them:
that oneDNN's kernels are on, that there is no CUDA driver, and then cuInit's failure (only where
there is none), a line that reads as an error to a newcomer. TF_CPP_MIN_LOG_LEVEL=0 shows it all.

It also leaves out the Keras optimizers TensorFlow's import loads eagerly (KERAS_EAGER), which the
scripts never use (docs/performance.md).
"""

import gc
import os
import re
import sys
import tempfile
import types

HARMLESS = [
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I0000 [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\. .*",
    r"I0000 [\d:.]+ +\d+ cudart_stub\.cc:\d+\] Could not find cuda drivers on your machine, GPU will not be used\.",
]
# TensorFlow's import ends by loading Keras' optimizers, for the SavedModel registry; the scripts use
# neither, so a stand-in module sits in their place meanwhile. tf.keras still loads Keras whole.
KERAS_EAGER = ["keras.src.optimizers", "tf_keras.src.optimizers"]
NO_DRIVER = r"E0000 [\d:.]+ +\d+ cuda_platform\.cc:\d+\] failed call to cuInit: .*"  # harmless without a driver


def shown(captured):
    """The lines of captured that are not TensorFlow's harmless start-up log."""
    lines = captured.splitlines(keepends=True)
    harmless = list(HARMLESS)
    if any(re.fullmatch(HARMLESS[2], line.rstrip("\n")) for line in lines):
        harmless.append(NO_DRIVER)
    return "".join(line for line in lines if not any(re.fullmatch(p, line.rstrip("\n")) for p in harmless))


def import_tensorflow():
    """`import tensorflow` and its devices found, with stderr (file descriptor 2) held back meanwhile,
    and Python's garbage collector off: the import makes hundreds of thousands of objects and frees few, so
    its passes would walk them all for nothing (docs/performance.md); Keras' optimizers left out."""
    enabled = gc.isenabled()
    gc.disable()
    skipped = {name: types.ModuleType(name) for name in KERAS_EAGER if name not in sys.modules}
    sys.modules.update(skipped)
    try:
        held_back_import()
    finally:
        for name, stand_in in skipped.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
        gc.freeze()  # TensorFlow's modules live as long as the process: later passes skip them
        if enabled:
            gc.enable()


def held_back_import():
    """`import tensorflow` and its devices found, its harmless start-up lines left out of stderr."""
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":  # 0: all of TensorFlow's log
        import tensorflow  # noqa: F401
        return
    sys.stderr.flush()
    terminal = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        failed = True
        try:
            import tensorflow as tf
            tf.config.list_physical_devices()  # where it looks for a GPU: cuInit, while stderr is held
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(terminal, 2)
            os.close(terminal)
            held.seek(0)
            captured = held.read().decode("utf-8", "replace")
            sys.stderr.write(captured if failed else shown(captured))
            sys.stderr.flush()
