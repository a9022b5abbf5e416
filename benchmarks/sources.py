"""Reading a 50,000-row Exportify file, against a bare ``pandas.read_csv`` of the same file, in the same run.

The file is the demo library as exportify.net writes it (and as watsonbox's
exporter does). The two reads take turns, ``runs`` times each, so that a busy
moment of the machine hits both alike; the figures are each one's fastest run,
and the median of the per-turn ratios. Budget: ``savedlib.read_exportify`` takes
at most 3 times the time of ``pandas.read_csv``, and under 0.5 s, on two cores.

    python benchmarks/sources.py           # 50,000 rows
    python benchmarks/sources.py 10000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import savedlib
from savedlib.demodata.exportify import write_exportify


def seconds(read, path: Path) -> float:
    start = time.perf_counter()
    read(path)
    return time.perf_counter() - start


def main(n: int = 50_000, runs: int = 25) -> None:
    lib = savedlib.demo(n)
    folder = Path(tempfile.mkdtemp())
    print(f"{n:,} rows, {runs} turns{'':<10}{'pandas.read_csv':>16}{'read_exportify':>16}{'ratio':>8}{'median':>8}")
    for flavour in ("exportify.net", "watsonbox"):
        path = write_exportify(folder / f"{flavour}.csv", lib, flavour)
        savedlib.read_exportify(path)  # imports and first-call costs out of the way
        turns = np.array([(seconds(pd.read_csv, path), seconds(savedlib.read_exportify, path)) for _ in range(runs)])
        bare, ours = turns.min(axis=0)
        median = np.median(turns[:, 1] / turns[:, 0])
        print(f"  {flavour:<29}{bare:>14.3f} s{ours:>14.3f} s{ours / bare:>7.2f}x{median:>7.2f}x")
    print("budget: read_exportify <= 3x pandas.read_csv and < 0.5 s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
