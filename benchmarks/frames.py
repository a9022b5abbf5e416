"""Items → Library against a bare ``pandas.json_normalize`` of the same items.

Each measurement runs in a fresh process (``_peak.py``): peak memory is the
process's high-water mark during the conversion, minus what it held before.

    python benchmarks/frames.py            # 1k, 10k and 50k items
    python benchmarks/frames.py 2000 5000  # other sizes
"""

from __future__ import annotations

import sys

import _peak as peak

SETUP = """
import json
import pandas as pd
import savedlib
items = json.loads(json.dumps(savedlib.demo_items(int(argv[0]))))  # distinct objects, as decoded JSON
"""
STEPS = {"json_normalize": "pd.json_normalize(items)", "savedlib.from_items": "savedlib.from_items(items)"}


def measure(n: int, how: str) -> dict:
    return peak.measure(SETUP, STEPS[how], str(n))


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
