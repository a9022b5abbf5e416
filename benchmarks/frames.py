"""Items → Library against a bare ``pandas.json_normalize`` of the same items.

Each measurement runs in a fresh subprocess, so peak memory is the process's
peak resident set (``ru_maxrss``, which also sees Arrow's and NumPy's
allocators, unlike ``tracemalloc``) minus what it held before the conversion.

    python benchmarks/frames.py            # 1k, 10k and 50k items
    python benchmarks/frames.py 2000 5000  # other sizes
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import gc, json, resource, sys, time
import pandas as pd
import savedlib

n, how = int(sys.argv[1]), sys.argv[2]
items = json.loads(json.dumps(savedlib.demo_items(n)))  # distinct objects, as decoded JSON
convert = {
    "json_normalize": lambda: pd.json_normalize(items),
    "savedlib.from_items": lambda: savedlib.from_items(items),
}[how]
gc.collect()
with open("/proc/self/status") as f:
    before = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
# ru_maxrss cannot be reset; VmHWM can, through /proc/self/clear_refs.
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
start = time.perf_counter()
result = convert()
elapsed = time.perf_counter() - start
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "peak_mib": (peak - before) / 1024}))
"""


def measure(n: int, how: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), how], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    print(f"{'items':>7}  {'method':<20} {'seconds':>8} {'peak MiB':>9}")
    for n in sizes:
        rows = {how: measure(n, how) for how in ("json_normalize", "savedlib.from_items")}
        for how, r in rows.items():
            print(f"{n:>7,}  {how:<20} {r['seconds']:>8.2f} {r['peak_mib']:>9.1f}")
        base, ours = rows["json_normalize"], rows["savedlib.from_items"]
        print(
            f"{'':>7}  {'ratio (ours/bare)':<20} {ours['seconds'] / base['seconds']:>8.2f}"
            f" {ours['peak_mib'] / max(base['peak_mib'], 0.1):>9.2f}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000])
