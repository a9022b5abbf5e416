"""``savedlib.add_genres`` on a 10,000-track library over HTTP to the stand-in (50 ms a request).

Cases: one artist at a time (a Development Mode app) and 50 at a time (an app
with the batch look-up), each with a cold artist cache and then a warm one.
Prints requests and seconds beside the ideal bound: requests = the distinct
uncached artists (single) or that / 50 rounded up (batch), 0 when warm; seconds
= ⌈requests / concurrency⌉ × latency. The stand-in runs in its own process.

    python benchmarks/genres.py            # 10,000 tracks, 50 ms a request, 16 at once
    python benchmarks/genres.py 50000
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

import requests

import savedlib
from savedlib.genres import ArtistCache, add_genres
from savedlib.standin import spawn

CONCURRENCY = 16


def run(label: str, api: spawn, sp, lib: savedlib.Library, cache: ArtistCache, ideal: int, latency: float) -> None:
    before = api.stats()["api_requests"]
    start = time.perf_counter()
    done = add_genres(sp, lib, cache=cache, progress=False, concurrency=CONCURRENCY)
    seconds = time.perf_counter() - start
    spent = api.stats()["api_requests"] - before
    assert done.genres.equals(savedlib.demo(len(lib)).genres), label  # the stand-in's genres are the demo's
    assert spent == done.info["genres"]["requests"], label
    bound = math.ceil(ideal / CONCURRENCY) * latency
    print(f"{label:<22}{spent:>10,}{ideal:>8,}{seconds:>10.2f}{bound:>8.2f}{done.genre_coverage():>42}")


def main(n: int, latency: float = 0.05) -> None:
    folder = Path(tempfile.mkdtemp())
    print(f"{n:,} tracks, stand-in latency {latency * 1000:.0f} ms a request, {CONCURRENCY} requests at once")
    print(f"{'case':<22}{'requests':>10}{'ideal':>8}{'seconds':>10}{'ideal':>8}{'coverage':>42}")
    for mode, dev_mode in [("single", True), ("batch", False)]:
        with spawn(n=n, latency=latency, dev_mode=dev_mode, dev_genres=dev_mode) as api:  # the pre-2026 shape
            sp = api.client()
            lib = savedlib.load(sp, progress=False)  # a Development Mode library says so: no batch is tried
            token = api.token_info()["access_token"]  # the stand-in builds its artist catalogue on first use:
            requests.get(f"{api.url}/v1/artists/{'0' * 22}", headers={"Authorization": f"Bearer {token}"})  # not timed
            artists = lib.artists["artist_id"].dropna().nunique()
            cold = artists if mode == "single" else math.ceil(artists / 50)
            cache = ArtistCache(folder / mode)
            run(f"{mode}, cold cache", api, sp, lib, cache, cold, latency)
            run(f"{mode}, warm cache", api, sp, lib, cache, 0, latency)
    print(f"({artists:,} distinct artists with an id)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
