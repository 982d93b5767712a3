# -*- coding: utf-8 -*-
"""TensorFlow's oneDNN kernels on every x86-64 CPU: each script imports this before TensorFlow,
which it then loads without its start-up log (quiet_start.py).

On Linux, TensorFlow turns its oneDNN kernels on by itself only where the CPU has AVX512_VNNI,
AVX_VNNI, AVX512_BF16 or AMX (DefaultOneDnnPolicy in tensorflow/core/util/port.cc); on the AVX2 CPUs
that most readers own it runs its Eigen kernels, which train this network about 1.5 times slower
(docs/performance.md). TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, as it loads: so this sets it to 1
before the first `import tensorflow`. A value the reader set stays as it is: `TF_ENABLE_ONEDNN_OPTS=0
python 3.py` runs TensorFlow's other kernels. Elsewhere (ARM, where TensorFlow chooses by CPU, and
builds without oneDNN) nothing is set.
"""

import os
import platform
import sys
import warnings

if "tensorflow" in sys.modules:  # too late (in a notebook, say): TensorFlow chose when it loaded
    warnings.warn("onednn imported after TensorFlow: its kernels stay as TensorFlow chose", stacklevel=2)
else:
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # TensorFlow's own log: its warnings and errors, not its notes
    from machinery.run import quiet_start
    quiet_start.import_tensorflow()


def enabled():
    """Whether TensorFlow runs its oneDNN kernels in this process (imports TensorFlow)."""
    from tensorflow.python.util import _pywrap_util_port
    return bool(_pywrap_util_port.IsMklEnabled())
