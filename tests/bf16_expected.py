"""Whether `--bf16` must train in bfloat16 here, read by the tests themselves (not machinery/run/cpu_settings.py):
the CPU's flags in /proc/cpuinfo, whether TensorFlow's oneDNN kernels are on (TF_ENABLE_ONEDNN_OPTS), and
how far oneDNN may go (ONEDNN_MAX_CPU_ISA, oneDNN's documented names in their documented order)."""

import os
import platform

# oneDNN's dispatcher caps (its "CPU Dispatcher Control" page), lowest first; bfloat16 from AVX512_CORE_BF16 on.
ISAS = ["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI", "AVX512_CORE_BF16",
        "AVX512_CORE_FP16", "AVX10_1_512", "AVX512_CORE_AMX", "AVX10_1_512_AMX", "AVX512_CORE_AMX_FP16",
        "AVX10_1_512_AMX_FP16", "ALL", "DEFAULT"]


def cpu_flags():
    """The "flags" line of /proc/cpuinfo, as a set (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            lines = [line for line in f if line.split(":")[0].strip() == "flags"]
    except OSError:
        return set()
    return set(lines[0].split(":", 1)[1].split()) if lines else set()


def bf16_expected():
    """(whether --bf16 trains in bfloat16 here, else the reason 0.py must give for float32)."""
    if not {"avx512_bf16", "amx_bf16"} & cpu_flags():
        return False, "this CPU has no bfloat16 instructions (avx512_bf16 or amx_bf16)"
    # the scripts turn oneDNN on on x86-64 unless the reader says 0 (TensorFlow reads "0" and "false" as off)
    onednn = platform.machine().lower() in ("x86_64", "amd64") and \
        os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1").strip().lower() not in ("0", "false")
    if not onednn:
        return False, "TensorFlow's oneDNN kernels are off (TF_ENABLE_ONEDNN_OPTS=0), and bfloat16 is theirs"
    cap = (os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or "").strip().upper()
    if cap and cap not in ISAS:
        raise ValueError("ONEDNN_MAX_CPU_ISA=%s is none of oneDNN's documented values" % cap)
    if cap and ISAS.index(cap) < ISAS.index("AVX512_CORE_BF16"):
        return False, "ONEDNN_MAX_CPU_ISA=%s keeps oneDNN from its bfloat16 instructions" % cap
    return True, None
