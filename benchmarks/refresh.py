"""Refreshing a 10,000-track snapshot against reading it in full, over HTTP to the stand-in.

Cases: a full load into an empty snapshot, then refreshes with the library
unchanged, with 30 new saves, and with 10 tracks removed. Prints requests and
time for each. Targets: an unchanged refresh costs 1 page request (2 requests
with the account check) and at most 0.3 s.

    python benchmarks/refresh.py            # 10,000 tracks, 50 ms a page
    python benchmarks/refresh.py 50000
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import savedlib
from savedlib.demodata import demo_items
from savedlib.standin import StandIn


def main(n: int, latency: float = 0.05) -> None:
    folder = Path(tempfile.mkdtemp()) / "snapshot"
    with StandIn(n=n, latency=latency) as api:
        sp = api.client()

        def run(label: str) -> None:
            before = api.stats()
            start = time.perf_counter()
            lib = savedlib.load(sp, snapshot=folder, progress=False)
            seconds = time.perf_counter() - start
            after = api.stats()
            assert lib.equals(savedlib.from_items(api.items)), label
            pages = after["page_requests"] - before["page_requests"]
            requests = after["api_requests"] - before["api_requests"]
            print(f"{label:<34}{pages:>7}{requests:>10}{seconds:>9.2f}{len(lib):>9,}")

        print(f"{n:,} tracks, stand-in latency {latency * 1000:.0f} ms a request")
        print("(all requests: the pages, and GET /v1/me once a load, as the client does not know the account)")
        print(f"{'case':<34}{'pages':>7}{'requests':>10}{'seconds':>9}{'tracks':>9}")
        run("full load (empty snapshot)")
        run("refresh, unchanged")
        with api.state.lock:
            api.state.save_at_top(demo_items(30, seed=99), "2026-11-28T12:00:00Z")
        run("refresh, +30 saved")
        rng = random.Random(7)
        with api.state.lock:
            size = len(api.state.items)
            api.state.remove_at([rng.randrange(size - k) for k in range(10)])
        run("refresh, -10 removed")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
