"""savedlib.load against the idiomatic spotipy loop, over real HTTP to the stand-in.

The stand-in runs in its own process with a fixed latency per answer (Spotify
answers in roughly 100-300 ms; 50 ms here keeps the run short). For each
library size it prints wall time, requests, the ideal bound
ceil(N/50) / concurrency x latency, and where the client's own CPU goes.

    python benchmarks/load.py                 # 10k and 50k tracks at 50 ms
    python benchmarks/load.py 10000 --latency 0.1
"""

from __future__ import annotations

import argparse
import gc
import math
import time

import msgspec

import savedlib
from savedlib.fetch.session import DEFAULT_CONCURRENCY
from savedlib.items.raw import raw_item
from savedlib.standin import spawn


def spotipy_loop(sp) -> list[dict]:
    """What most scripts do: one page after another, following ``next``."""
    items, page = [], sp.current_user_saved_tracks(limit=50)
    while page:
        items.extend(page["items"])
        page = sp.next(page)
    return items


def cpu_per_page(api, pages: int = 100) -> dict[str, tuple[float, float]]:
    """Client CPU of one page, read alone, in ms: (HTTP, JSON), the way savedlib reads (urllib3; msgspec
    splits the page into its items' bytes and decodes only their identities) and the way it read before
    (requests; json decodes everything)."""
    import json

    import requests
    import urllib3

    from savedlib.items.raw import raw_page

    token = api.token_info()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{api.url}/v1/me/tracks"
    session, pool = requests.Session(), urllib3.PoolManager()
    ways = {
        "urllib3 + msgspec split (savedlib)": (lambda k: pool.request("GET", f"{url}?offset={50 * k}&limit=50",
                                                                      headers=headers).data, raw_page),
        "requests + json (before)": (lambda k: session.get(url, params={"offset": 50 * k, "limit": 50},
                                                           headers=headers).content, json.loads),
    }  # fmt: skip
    out = {}
    gc.disable()  # as savedlib.load does while reading
    for name, (get, decode) in ways.items():
        http = parse = 0.0
        for k in range(pages):
            c0 = time.process_time()
            body = get(k)
            c1 = time.process_time()
            decode(body)
            http, parse = http + c1 - c0, parse + time.process_time() - c1
        out[name] = (http / pages * 1000, parse / pages * 1000)
    gc.enable()
    return out


def measure(n: int, latency: float) -> None:
    with spawn(n=n, latency=latency) as api:
        before = api.stats()["page_requests"]
        start = time.perf_counter()
        items = spotipy_loop(api.client())
        loop_s = time.perf_counter() - start
        loop_requests = api.stats()["page_requests"] - before
        assert len(items) == n

        before = api.stats()["page_requests"]
        cpu0, start = time.process_time(), time.perf_counter()
        lib = savedlib.load(api.client(), progress=False)
        load_s, load_cpu = time.perf_counter() - start, time.process_time() - cpu0
        load_requests = api.stats()["page_requests"] - before
        assert len(lib) == n
        per_page = cpu_per_page(api)

    # Where the client's CPU goes: building the tables from the items as savedlib holds them (bytes),
    # the rest is HTTP and splitting pages.
    raws = [raw_item(msgspec.json.encode(item)) for item in items]
    cpu0 = time.process_time()
    savedlib.from_items(raws)
    frames_cpu = time.process_time() - cpu0
    pages = math.ceil(n / 50)
    ideal = pages / DEFAULT_CONCURRENCY * latency
    print(f"\n{n:,} tracks, {pages} pages, stand-in latency {latency * 1000:.0f} ms, concurrency {DEFAULT_CONCURRENCY}")
    print(f"  {'method':<32} {'seconds':>8} {'requests':>9}")
    print(f"  {'spotipy loop (sp.next)':<32} {loop_s:>8.2f} {loop_requests:>9}")
    print(f"  {'savedlib.load (default)':<32} {load_s:>8.2f} {load_requests:>9}")
    print(f"  {'ideal bound pages/conc x lat':<32} {ideal:>8.2f}")
    print(f"  speed-up over the loop: {loop_s / load_s:.1f}x")
    http_cpu = load_cpu - frames_cpu
    print(
        f"  client CPU in savedlib.load: {load_cpu:.2f} s = {http_cpu:.2f} s HTTP and JSON "
        f"({http_cpu / load_requests * 1000:.1f} ms a request) + {frames_cpu:.2f} s building the tables"
    )
    for way, (http_ms, decode_ms) in per_page.items():
        print(
            f"  one page read alone, {way}: {http_ms:.1f} ms CPU in HTTP + {decode_ms:.1f} ms JSON "
            f"= {http_ms + decode_ms:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 50_000])
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    for n in args.sizes:
        measure(n, args.latency)


if __name__ == "__main__":
    main()
