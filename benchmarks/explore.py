"""The explorer at 50,000 tracks: how long each filter change takes, and what goes to the browser.

Filters are set from Python, as a person's clicks would set them; each change
recomputes the mask, the numbers, the linked charts and one page of the table.
Target: every change in at most 150 ms, and never the raw rows in the browser.

    python benchmarks/explore.py          # 50,000 tracks
    python benchmarks/explore.py 10000
"""

from __future__ import annotations

import statistics
import sys
import time

import pandas as pd

import savedlib


def main(n: int) -> None:
    lib = savedlib.demo(n)
    start = time.perf_counter()
    ex = savedlib.explore(lib)
    opened = time.perf_counter() - start
    artists = lib.artists["artist_name"].value_counts().index[:3].tolist()
    labels = [label for label, _ in ex.filters["saved"].options]
    steps = [
        ("saved", "index", (labels.index("2019-06"), labels.index("2019-08"))),
        ("saved", "index", (0, len(labels) - 1)),
        ("popularity", "value", (60, 100)),
        ("album_type", "value", "single"),
        ("explicit", "value", "explicit"),
        ("released", "value", (1990, 2015)),
        ("duration", "value", (2.5, 5.0)),
        ("artists", "value", artists[:1]),
        ("artists", "value", artists),
        ("market", "value", "JP"),
        ("playable", "value", "blocked"),
        ("explicit", "value", "any"),
    ]
    print(f"{n:,} tracks; explorer opened in {opened:.2f} s (first time includes bundling the chart JavaScript)")
    print(f"{'change':<34}{'ms':>6}{'matching':>10}{'KB to browser':>15}")
    times = []
    for name, attribute, value in steps:
        setattr(ex.filters[name], attribute, value)
        ms = ex.timings[-1] * 1000
        times.append(ms)
        sent = len(ex.linked.chart.to_json()) + len(ex.table.value) + len(ex.summary.value)
        label = f"{name} = {value if not isinstance(value, list) else f'{len(value)} artists'}"
        print(f"{label[:33]:<34}{ms:>6.0f}{ex.count:>10,}{sent / 1024:>15.1f}")
    start = time.perf_counter()
    ex.timeline._vl_selections = {
        "brush": {
            "value": {"month": [pd.Timestamp("2021-01-01").value // 10**6, pd.Timestamp("2021-12-31").value // 10**6]},
            "store": [],
        }
    }
    brush_ms = (time.perf_counter() - start) * 1000
    print(f"{'brush 2021 on the timeline':<34}{brush_ms:>6.0f}{ex.count:>10,}")
    times.append(brush_ms)
    print(
        f"\nper change: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms (target <= 150 ms); "
        f"table rows sent at most 25; chart data aggregated"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
