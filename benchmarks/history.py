"""Reading a heavy listener's ten years of Spotify history, against the usual pandas way, then the join.

Writes the demo's privacy download with 500,000 streams (about 35 files of
~15,000 streams, pretty-printed as Spotify sends them), then, each in a fresh
process, times ``savedlib.read_history`` and the usual
``pd.concat(pd.read_json(f) for f in files)`` and measures their peak memory
(the process's high-water mark, minus what it held before). Last, the join to
a 10,000-track library and every history chart, in one process.

Targets: at least 3x faster than pandas and at most half its peak memory; the
join and all history charts under 2 s.

    python benchmarks/history.py            # 500,000 streams
    python benchmarks/history.py 100000
"""

from __future__ import annotations

import sys
import tempfile
import time

import _peak as peak

import savedlib

SETUP = """
import glob
import pandas as pd
import savedlib
folder = argv[0]
files = sorted(  # every file of plays, as read_history reads them: ten years, and the account data's last year
    glob.glob(folder + "/Spotify Extended Streaming History/Streaming_History_Audio_*.json")
    + glob.glob(folder + "/Spotify Extended Streaming History/endsong_*.json")
    + glob.glob(folder + "/Spotify Account Data/StreamingHistory_*.json")
)
facts = lambda plays: {"rows": len(plays), "files": len(files)}
"""
STEPS = {
    "pandas read_json + concat": "pd.concat([pd.read_json(f) for f in files], ignore_index=True)",
    "savedlib.read_history": "savedlib.read_history(folder).plays",
}


def measure(folder: str, how: str) -> dict:
    return peak.measure(SETUP, STEPS[how], folder)


def join_and_charts(folder: str, n_tracks: int) -> None:
    import savedlib.charts as charts
    from savedlib import stats

    lib, history = savedlib.demo(n_tracks), savedlib.read_history(folder)
    start = time.perf_counter()
    per_track = stats.plays_per_track(lib, history)
    join = time.perf_counter() - start
    sizes = {"listening_per_month": len(charts.listening_per_month(lib, history).to_json())}
    for chart in charts.WITH_HISTORY:
        sizes[chart.__name__] = len(chart(lib, history).to_json())
    total = time.perf_counter() - start
    print(f"\njoin to a {n_tracks:,}-track library: {join:.2f} s; match rate {per_track.attrs['matching']['rate']:.0%}")
    print(f"join and every history chart: {total:.2f} s (target < 2 s)")
    print(f"largest chart spec: {max(sizes.values()) / 1024:.0f} KB (target <= 250 KB)")


def main(streams: int = 500_000, n_tracks: int = 10_000) -> None:
    folder = tempfile.mkdtemp()
    savedlib.write_demo_download(folder, n=n_tracks, streams=streams, zipped=False)
    results = {how: measure(folder, how) for how in ("pandas read_json + concat", "savedlib.read_history")}
    files = results["savedlib.read_history"]["files"]
    print(f"{streams:,} streams in {files} files (plus the account data's last year)")
    print(f"  {'method':<28} {'seconds':>8} {'peak MiB':>9} {'rows':>9}")
    for how, r in results.items():
        print(f"  {how:<28} {r['seconds']:>8.2f} {r['peak_mib']:>9.0f} {r['rows']:>9,}")
    ours, theirs = results["savedlib.read_history"], results["pandas read_json + concat"]
    print(
        f"  savedlib: {theirs['seconds'] / ours['seconds']:.1f}x faster (target >= 3x), "
        f"{ours['peak_mib'] / theirs['peak_mib']:.2f} of the peak memory (target <= 0.5)"
    )
    join_and_charts(folder, n_tracks)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000)
