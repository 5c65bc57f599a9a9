"""Checks the OpenBLAS core that `gantk --version` reports against this
CPU's flags in /proc/cpuinfo: its vectors must be as wide as the CPU's
(AVX-512, AVX2 + FMA, AVX), whatever OpenBLAS chose on its own.
Usage: blas-core.py VERSION_TEXT_FILE"""
import re
import sys

LEVELS = {"skylakex": 3, "cooperlake": 3, "sapphirerapids": 3,
          "haswell": 2, "zen": 2, "excavator": 2, "steamroller": 2,
          "sandybridge": 1, "bulldozer": 1, "piledriver": 1}

flags = set()
with open("/proc/cpuinfo") as cpuinfo:
    for line in cpuinfo:
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
if {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"} <= flags:
    cpu = 3
elif {"avx2", "fma"} <= flags:
    cpu = 2
elif "avx" in flags:
    cpu = 1
else:
    cpu = 0

text = open(sys.argv[1]).read()
match = re.search(r"BLAS: OpenBLAS \S+ .*?(\w+) MAX_THREADS", text)
if not match:
    sys.exit("no OpenBLAS core in:\n" + text)
core = match.group(1)
level = LEVELS.get(core.lower(), 0)
print("cpu level %d, OpenBLAS core %s (level %d)" % (cpu, core, level))
if level < cpu:
    sys.exit("OpenBLAS runs %s's kernels on a CPU with wider vectors" % core)
