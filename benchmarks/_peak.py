"""Time and peak memory of one step, each measured in a fresh process (shared by the benchmarks).

Peak memory is the process's high-water mark (``VmHWM``, which also sees
Arrow's and NumPy's allocators, unlike ``tracemalloc``), reset just before the
step, minus what the process held before it. Linux only (``/proc``).
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import gc, json, sys, time

setup, step = sys.argv[1], sys.argv[2]
scope = {"argv": sys.argv[3:], "facts": lambda result: {}}
exec(setup, scope)
gc.collect()
with open("/proc/self/status") as f:
    before = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
with open("/proc/self/clear_refs", "w") as f:  # ru_maxrss cannot be reset; VmHWM can
    f.write("5")
start = time.perf_counter()
result = eval(step, scope)
elapsed = time.perf_counter() - start
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "peak_mib": (peak - before) / 1024, **scope["facts"](result)}))
"""


def measure(setup: str, step: str, *args: str) -> dict:
    """Run ``setup`` (code; ``argv`` holds ``args``; it may define ``facts(result) -> dict``), then time
    the expression ``step`` and measure its peak memory, in a new Python process."""
    out = subprocess.run([sys.executable, "-c", CHILD, setup, step, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
