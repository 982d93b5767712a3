# -*- coding: utf-8 -*-
"""web/network_simd_wasm.js: web/network.c built for WebAssembly SIMD (wasm32, 128-bit SIMD, bulk
memory) by clang, as base64 in a script, the way 6.html loads everything from file://. The built file
is committed; `python -m machinery.pictures.wasm` builds it again (clang and lld: apt-get install clang
lld), and the suite checks that doing so gives the same bytes (tests/test_6_simd.py)."""

import base64
import os
import subprocess
import sys
import tempfile

from machinery.run import onednn  # noqa: F401  (TensorFlow, which tools.py imports, without its start-up log)
from machinery.pictures.pages import WEB_DIR
from tools import save_atomically

SOURCE, BUILT = os.path.join(WEB_DIR, "network.c"), os.path.join(WEB_DIR, "network_simd_wasm.js")
CLANG = ["clang", "--target=wasm32", "-msimd128", "-mbulk-memory", "-O3", "-nostdlib", "-Wl,--no-entry",
         "-Wl,--export=__heap_base"]
HEADER = "// Built from network.c by `python -m machinery.pictures.wasm` (%s, %s): do not edit.\n"


def compiler():
    """The first line of `clang --version` (which compiler builds the module), or None without clang."""
    try:
        return subprocess.run(["clang", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return None


def module(source=SOURCE):
    """The WebAssembly module's bytes, built from source (an error from clang, with its message)."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "network.wasm")
        result = subprocess.run(CLANG + ["-o", out, os.path.basename(source)], cwd=os.path.dirname(source),
                                capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError("clang could not build %s: %s" % (source, result.stderr.strip()))
        with open(out, "rb") as f:
            return f.read()


def script(wasm, version):
    """network_simd_wasm.js's text: the module as base64, for the page (window) and for node (module.exports)."""
    return (HEADER % (version, " ".join(CLANG[1:])) + '"use strict";\n'
            '(typeof module !== "undefined" ? module.exports : window).networkSimdWasm =\n  "%s";\n'
            % base64.b64encode(wasm).decode())


def build(source=SOURCE, built=BUILT):
    """Build source's module into built (written whole); returns its size in bytes."""
    version = compiler()
    if not version:
        sys.exit("error: clang is not installed (apt-get install clang lld): it builds %s" % built)
    wasm = module(source)

    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(script(wasm, version))
    save_atomically(os.path.basename(built), write, os.path.dirname(built))
    return len(wasm)


if __name__ == "__main__":
    print("%s: %d bytes of WebAssembly" % (os.path.relpath(BUILT), build()))
