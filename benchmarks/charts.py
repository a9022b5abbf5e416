"""Every chart's spec size and build time at 2,500 and 50,000 demo tracks.

Build time is the chart function plus ``chart.to_json()`` (what a notebook
does to show it). Target: every spec at most 250 KB, each well under a second.

    python benchmarks/charts.py
"""

from __future__ import annotations

import sys
import time

import savedlib
import savedlib.charts as charts

EXTRA = {"unplayable_in (JP)": lambda lib: charts.unplayable_in(lib, "JP")}


def main(sizes: list[int]) -> None:
    libraries = {n: savedlib.demo(n) for n in sizes}
    functions = {f.__name__: f for f in charts.ALL} | EXTRA
    header = "".join(f"{f'{n:,} tracks':>26}" for n in sizes)
    print(f"{'chart':<28}{header}")
    print(f"{'':<28}" + "".join(f"{'spec KB':>13}{'build ms':>13}" for _ in sizes))
    worst_kb = worst_ms = 0.0
    for name, function in functions.items():
        row = f"{name:<28}"
        for n in sizes:
            function(libraries[n]).to_json()  # warm caches (the world map file, Altair's schema)
            start = time.perf_counter()
            spec = function(libraries[n]).to_json()
            ms = (time.perf_counter() - start) * 1000
            kb = len(spec.encode()) / 1024
            worst_kb, worst_ms = max(worst_kb, kb), max(worst_ms, ms)
            row += f"{kb:>13.1f}{ms:>13.0f}"
        print(row)
    print(f"\nlargest spec {worst_kb:.1f} KB (target <= 250), slowest build {worst_ms:.0f} ms (target well under 1000)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2_500, 50_000])
