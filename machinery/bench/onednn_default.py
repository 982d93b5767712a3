"""Whether TensorFlow turns its oneDNN kernels on by itself here: its own IsMklEnabled(), asked of its
extension module alone, without an import of TensorFlow (docs/performance.md), in a process without TF_ENABLE_ONEDNN_OPTS
(table.onednn_default). Prints True or False.

    python machinery/bench/onednn_default.py
"""

import importlib.machinery
import importlib.util
import os

util = os.path.join(importlib.util.find_spec("tensorflow").submodule_search_locations[0], "python", "util")
[path] = [p for p in (os.path.join(util, "_pywrap_util_port" + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)
          if os.path.exists(p)]
spec = importlib.util.spec_from_file_location("_pywrap_util_port", path)
port = importlib.util.module_from_spec(spec)
spec.loader.exec_module(port)
print(port.IsMklEnabled())
