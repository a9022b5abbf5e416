"""add_open_data on a 10,000-track Development Mode library against the MusicBrainz and ListenBrainz stand-ins
at the real rate limits (MusicBrainz one request a second; ListenBrainz 30 per 10 s), cold cache then warm.

Prints requests beside the issue's formula (⌈N/100⌉ URL look-ups + ⌈M/40⌉ ISRC searches on MusicBrainz,
⌈N'/100⌉ + ⌈R/1000⌉ on ListenBrainz, for N artists, M ISRCs, N' artists and R recordings MusicBrainz knows)
and seconds beside the bound: 1.2 × the time MusicBrainz's rate allows for those requests.
Run: python benchmarks/opendata.py [n] (about 5 minutes for 10,000 tracks: that is the rate limit).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time

import savedlib
from savedlib.demodata import demo_items
from savedlib.opendata import OpenDataCache, add_open_data
from savedlib.standin.opendata import spawn_open_data


def main(n: int = 10_000) -> None:
    lib = savedlib.from_items(demo_items(n, dev_mode=True))
    artists = lib.artists["artist_id"].dropna().nunique()
    isrcs = lib.tracks["isrc"].dropna().nunique()
    cache = OpenDataCache(tempfile.mkdtemp())
    print(f"{n:,} tracks (Development Mode shape), {artists:,} artists, {isrcs:,} ISRCs")
    with spawn_open_data(n=n, musicbrainz_rate=1.0) as api:
        for case in ("cold", "warm"):
            before = api.stats()
            start = time.perf_counter()
            out = add_open_data(lib, cache=cache, progress=False, **api.options())
            took = time.perf_counter() - start
            after = api.stats()
            mb = after["musicbrainz"].get("requests", 0) - before["musicbrainz"].get("requests", 0)
            lb = after["listenbrainz"].get("requests", 0) - before["listenbrainz"].get("requests", 0)
            if case == "cold":
                facts = out.info["open_data"]
                mb_formula = math.ceil(artists / 100) + math.ceil(isrcs / 40)
                lb_formula = math.ceil(facts["artists_in_musicbrainz"] / 100) + math.ceil(isrcs / 1000)
                bound = 1.2 * mb_formula
            else:
                mb_formula = lb_formula = 0
                bound = 0.0
            busy = after["musicbrainz"].get("503", 0) + after["listenbrainz"].get("429", 0)
            print(
                f"{case}: MusicBrainz {mb} requests (formula {mb_formula}), ListenBrainz {lb} (formula "
                f"{lb_formula}); {took:.1f} s (bound {bound:.1f} s); 503/429 answers so far: {busy}"
            )
        print(out.info["open_data"]["summary"] + "; " + out.genre_coverage())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
