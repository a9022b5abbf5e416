"""Playlists: ``savedlib.add_playlists`` over HTTP to the stand-in, and ``read_playlists`` on privacy files.

1. 200 owned playlists of 250 entries, the stand-in in its own process at 50 ms a request, read at the default
   concurrency (16), cold and then as a refresh of the result (nothing changed). Printed beside the bound
   (⌈requests / concurrency⌉ + 2) × latency, the 2 for ``GET /v1/me`` with the first list page, then the rest.
2. ``PlaylistN.json`` files (the 2026 shape) with those 50,000 entries, read and matched to a 10,000-track library.

    python benchmarks/playlists.py          # Development Mode shapes
    python benchmarks/playlists.py --full   # the full shape (every track with its ~185 markets)
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import savedlib
from savedlib.demodata.playlists import many_playlists, privacy_files

SCOPES = "user-library-read playlist-read-private playlist-read-collaborative"
COUNT, SIZE, LATENCY, CONCURRENCY, TRACKS = 200, 250, 0.05, 16, 10_000
DEV_MODE = "--full" not in sys.argv  # a Development Mode app (the default) gets no markets: smaller entries


def serve(queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """The stand-in with the benchmark's playlists, in this (child) process until ``stop``."""
    from savedlib.standin import StandIn

    items = savedlib.demo_items(TRACKS)
    playlists = many_playlists(items, COUNT, SIZE)
    with StandIn(items, latency=LATENCY, playlists=playlists, dev_mode=DEV_MODE) as api:
        queue.put(api.url)
        stop.wait()


def client(url: str):
    import spotipy

    from savedlib.standin import StandIn

    info = StandIn.token_info(type("Api", (), {"url": url, "_post": StandIn._post})(), SCOPES)
    sp = spotipy.Spotify(auth=info["access_token"])
    sp.prefix = f"{url}/v1/"
    return sp


def over_http(lib: savedlib.Library) -> None:
    queue, stop = multiprocessing.Queue(), multiprocessing.Event()
    child = multiprocessing.Process(target=serve, args=(queue, stop), daemon=True)
    child.start()
    try:
        sp = client(queue.get(timeout=120))
        print(f"{COUNT} owned playlists of {SIZE} entries, stand-in at {LATENCY * 1000:.0f} ms, {CONCURRENCY} at once")
        print(f"{'case':<22}{'requests':>10}{'seconds':>10}{'bound':>8}{'ratio':>8}")
        held = lib
        for case in ("cold", "refresh, unchanged"):
            start = time.perf_counter()
            held = savedlib.add_playlists(sp, held, progress=False, concurrency=CONCURRENCY)
            seconds = time.perf_counter() - start
            requests = held.info["playlists"]["requests"]
            bound = (math.ceil(requests / CONCURRENCY) + 2) * LATENCY
            print(f"{case:<22}{requests:>10,}{seconds:>10.2f}{bound:>8.2f}{seconds / bound:>8.2f}")
        assert len(held.playlist_items) == COUNT * SIZE
    finally:
        stop.set()
        child.join(10)


def files(lib: savedlib.Library) -> None:
    playlists = many_playlists(savedlib.demo_items(TRACKS), COUNT, SIZE)
    with tempfile.TemporaryDirectory() as folder:
        for name, data in privacy_files(playlists, "2026").items():
            (Path(folder) / name).write_bytes(data)
        n_files, best = len(list(Path(folder).glob("Playlist*.json"))), math.inf
        for _ in range(3):
            start = time.perf_counter()
            got = savedlib.read_playlists(folder, lib)
            best = min(best, time.perf_counter() - start)
    print(
        f"read_playlists: {len(got.playlist_items):,} entries in {n_files} files "
        f"read and matched in {best:.2f} s (best of 3; {got.playlist_items['item'].notna().mean():.0%} matched)"
    )


if __name__ == "__main__":
    library = savedlib.demo(TRACKS)
    over_http(library)
    files(library)
