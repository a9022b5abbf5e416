"""Reading a 50,000-row Exportify file, against a bare ``pandas.read_csv`` of the same file, in the same run.

The file is the demo library as exportify.net writes it (and as watsonbox's
exporter does). Best of three runs each. Target: ``savedlib.read_exportify``
takes no more than twice the time of ``pandas.read_csv``.

    python benchmarks/sources.py           # 50,000 rows
    python benchmarks/sources.py 10000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import savedlib
from savedlib.demodata.exportify import write_exportify


def best(action, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 50_000) -> None:
    lib = savedlib.demo(n)
    folder = Path(tempfile.mkdtemp())
    print(f"{n:,} rows{'':<22}{'pandas.read_csv':>16}{'read_exportify':>16}{'ratio':>8}")
    for flavour in ("exportify.net", "watsonbox"):
        path = write_exportify(folder / f"{flavour}.csv", lib, flavour)
        bare = best(lambda path=path: pd.read_csv(path))
        ours = best(lambda path=path: savedlib.read_exportify(path))
        print(f"  {flavour:<29}{bare:>14.2f} s{ours:>14.2f} s{ours / bare:>7.2f}x")
    print("target: read_exportify <= 2x pandas.read_csv")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
