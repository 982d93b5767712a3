# -*- coding: utf-8 -*-
"""What this CPU has, and the session settings for training that follow: one inter-op thread, and
with --bf16 oneDNN's bfloat16 rewrite (automatic mixed precision), where the CPU computes in bfloat16."""

import os
import platform
import sys

import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

from machinery.run import onednn

BF16_FLAGS = {"avx512_bf16", "amx_bf16"}
# oneDNN's instruction sets that compute in bfloat16: a cap below them (ONEDNN_MAX_CPU_ISA=AVX2, say)
# makes oneDNN refuse the bfloat16 graph's convolutions.
BF16_ISAS = {"AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX10_1_512", "AVX512_CORE_AMX", "AVX10_1_512_AMX",
             "AVX512_CORE_AMX_FP16", "AVX10_1_512_AMX_FP16", "ALL", "DEFAULT"}


def cpu_info():
    """This CPU's model name and its set of flags, from /proc/cpuinfo (elsewhere: the platform's name, no flags)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return platform.processor(), set()
    field = lambda name: next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name)), "")
    return field("model name") or platform.processor(), set(field("flags").split())


def cpu_has_bf16():
    """Whether this CPU has bfloat16 instructions (avx512_bf16 or amx_bf16 among /proc/cpuinfo's flags)."""
    return bool(BF16_FLAGS & cpu_info()[1])


def onednn_isa_cap():
    """The instruction set oneDNN is capped at (ONEDNN_MAX_CPU_ISA, or its older name DNNL_MAX_CPU_ISA), or None."""
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
    return cap.strip().upper() if cap and cap.strip() else None


def bf16_here():
    """Whether --bf16 trains in bfloat16 here: the CPU has bfloat16 instructions, TensorFlow runs its
    oneDNN kernels (the rewrite is oneDNN's: with TF_ENABLE_ONEDNN_OPTS=0 it does nothing), and
    ONEDNN_MAX_CPU_ISA, if set, lets oneDNN use them."""
    return cpu_has_bf16() and onednn.enabled() and onednn_isa_cap() in BF16_ISAS | {None}


def training_config(bf16=False):
    """The session settings for training: with bf16, TensorFlow's graph rewrite to oneDNN bfloat16 (the
    convolutions and matrix products in bfloat16; the variables, Adam and the loss stay float32). Says
    in one line on stderr when bf16 was asked for and can't be had here (float32 then), or when it was
    not asked for and the CPU has it.

    One inter-op thread: on 2 cores TensorFlow's two thread pools (one per op, one inside each op)
    oversubscribe them; one pool of ops in turn is as fast or a little faster (docs/performance.md),
    with the same numbers.
    """
    config = tf.compat.v1.ConfigProto(inter_op_parallelism_threads=1)
    if bf16 and not bf16_here():
        print("--bf16: %s: training in float32" % (
            "this CPU has no bfloat16 instructions (avx512_bf16 or amx_bf16)" if not cpu_has_bf16()
            else "TensorFlow's oneDNN kernels are off (TF_ENABLE_ONEDNN_OPTS=0), and bfloat16 is theirs"
            if not onednn.enabled() else "ONEDNN_MAX_CPU_ISA=%s keeps oneDNN from its bfloat16 instructions" % (
                onednn_isa_cap())), file=sys.stderr)
    elif bf16:
        config.graph_options.rewrite_options.auto_mixed_precision_onednn_bfloat16 = rewriter_config_pb2.RewriterConfig.ON
    elif bf16_here():
        print("note: this CPU computes in bfloat16: --bf16 trains about 1.5 times as fast here (see docs/performance.md)",
              file=sys.stderr)
    return config


def precision_of(session):
    """"bfloat16" where the session was made with training_config(bf16=True) where bf16_here(), else "float32"."""
    rewrite = session._config.graph_options.rewrite_options.auto_mixed_precision_onednn_bfloat16 if session._config else 0
    return "bfloat16" if rewrite == rewriter_config_pb2.RewriterConfig.ON else "float32"
