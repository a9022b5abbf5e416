"""Snapshots: incremental refresh, resume after a stop, the history of changes, safety, export, DuckDB."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import savedlib
from savedlib.demodata import demo_items
from savedlib.snapshot.store import Snapshot
from savedlib.standin import StandIn
from tests.conftest import assert_same_library, remove_anywhere, requests_of, save_at_top


def test_refresh_unchanged_saves_and_removals(snap):
    with StandIn(n=10_000) as api:
        sp = api.client()
        first, full = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert full == 201 and first.changes.empty

        same, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert n == 1 and same.equals(first) and same.info["refreshed_from_snapshot"]

        save_at_top(api, 30)
        grown, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert n == 1
        assert_same_library(grown, savedlib.from_items(api.items))
        assert (grown.changes["change"] == "added").sum() == 30

        gone = remove_anywhere(api, 10)
        shrunk, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(shrunk, savedlib.from_items(api.items))
        assert n < full / 2, f"{n} requests to find 10 removals, against {full} for a full read"
        removed = shrunk.changes[shrunk.changes["change"] == "removed"]
        assert sorted(removed["track_uri"]) == sorted(i["track"]["uri"] for i in gone)
        assert removed["seen_at"].notna().all() and (removed["seen_at"] >= grown.changes["seen_at"].max()).all()

        again, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert n == 1 and len(again.changes) == 40  # the history stays


def test_saves_and_removals_together(snap):
    with StandIn(n=3000) as api:
        sp = api.client()
        savedlib.load(sp, snapshot=snap, progress=False)
        save_at_top(api, 5)
        remove_anywhere(api, 3, seed=5)
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert_same_library(lib, savedlib.from_items(api.items))
        assert lib.changes["change"].value_counts().to_dict() == {"added": 5, "removed": 3}


def test_many_saves_and_a_removed_top(snap):
    with StandIn(n=1000) as api:
        sp = api.client()
        savedlib.load(sp, snapshot=snap, progress=False)
        with api.state.lock:
            api.state.remove_at([0, 0, 0])  # the newest held tracks removed...
        save_at_top(api, 120)  # ...and more saved than one page shows
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert_same_library(lib, savedlib.from_items(api.items))


def test_resume_after_a_forced_stop(snap):
    with StandIn(n=5000, rate_limit=(40, 30.0), retry_after=3600) as api:
        sp = api.client()
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.load(sp, snapshot=snap, progress=False, concurrency=4)
        held = len(caught.value.partial)
        assert 0 < held < 5000
        partial = savedlib.open_snapshot(snap)
        assert partial.info["complete"] is False and len(partial) == held
        api.state.knobs.rate_limit = None
        save_at_top(api, 7)  # saved meanwhile: the held pages are still valid, shifted by 7
        lib, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
        assert lib.info["resumed_from_snapshot"] and lib.info["complete"]
        pages_left = (5007 - held) / 50
        assert n <= pages_left + 4, f"{n} requests; {pages_left:.0f} pages were not held"
    assert savedlib.open_snapshot(snap).equals(lib)


def test_resume_after_ctrl_c(snap):
    import os
    import signal
    import threading

    with StandIn(n=4000, latency=0.05) as api:
        sp = api.client()
        threading.Timer(0.6, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        with pytest.raises(savedlib.LoadInterrupted):
            savedlib.load(sp, snapshot=snap, progress=False, concurrency=2)
        held = len(savedlib.open_snapshot(snap))
        assert held > 50  # every page that arrived before the interruption, not just the first
        lib, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
        assert n <= (4000 - held) / 50 + 4


def test_resume_after_removals_reads_again(snap):
    with StandIn(n=2000, rate_limit=(20, 30.0), retry_after=3600) as api:
        sp = api.client()
        with pytest.raises(savedlib.RateLimited):
            savedlib.load(sp, snapshot=snap, progress=False, concurrency=2)
        api.state.knobs.rate_limit = None
        remove_anywhere(api, 4)
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert_same_library(lib, savedlib.from_items(api.items))


def test_resume_after_removals_among_the_held_pages_keeps_them(snap):
    """Stopped by the daily quota with ~78 pages held, then 10 tracks removed, 5 of them among the held pages:
    the resume finds those 5 by bisection and keeps every held page around them, reading only the rest."""
    with StandIn(n=10_000, daily_quota=79, latency=0.01) as api:  # GET /me, then 78 pages
        sp = api.client()
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.load(sp, snapshot=snap, progress=False)
        assert caught.value.daily_quota
        held = sorted(Snapshot(snap).read(typed=False).items)
        assert 3500 <= len(held) <= 3900 and held[0] == 0
        api.state.knobs.daily_quota = None
        rng = random.Random(4)
        among = rng.sample(held, 5)
        beyond = rng.sample(sorted(set(range(10_000)) - set(held)), 5)
        with api.state.lock:
            gone = api.state.remove_at(sorted(among + beyond, reverse=True))
        lib, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
    print(f"resumed with {n} requests ({len(held) // 50} pages held, 10 removed, 5 among them)")
    assert n <= 182, f"{n} requests: the held pages after the first removal were read again"
    keys = list(zip(lib.tracks["track_uri"], lib.tracks["added_at"], strict=True))
    assert len(lib) == 9_990 == len(set(keys)) and lib.info["resumed_from_snapshot"]  # each track once
    assert not {i["track"]["uri"] for i in gone} & set(lib.tracks["track_uri"])


def test_crash_during_a_write_keeps_the_previous_snapshot(snap, monkeypatch):
    with StandIn(n=600) as api:
        sp = api.client()
        first = savedlib.load(sp, snapshot=snap, progress=False)
        save_at_top(api, 4)

        def crash(*args, **kwargs):
            raise KeyboardInterrupt  # the person pulls the plug half way through

        monkeypatch.setattr(savedlib.Library, "to_parquet", crash)
        with pytest.raises(KeyboardInterrupt):
            savedlib.load(sp, snapshot=snap, progress=False)
        monkeypatch.undo()
        assert savedlib.open_snapshot(snap).equals(first)
        assert not list(snap.glob(".v*"))  # no half-written folder left behind
        (snap / ".v000009-leftover").mkdir()  # as a hard crash would leave
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert len(lib) == 604 and not list(snap.glob(".v*"))


@pytest.mark.parametrize("victim", ["snapshot.json", "items.parquet", "library/tracks.parquet"])
def test_corrupt_file_is_named_and_never_overwritten(snap, victim):
    with StandIn(n=300) as api:
        sp = api.client()
        savedlib.load(sp, snapshot=snap, progress=False)
        data = json.loads((snap / "snapshot.json").read_text())["data"]
        path = snap / victim if victim == "snapshot.json" else snap / data / victim
        damaged = path.read_bytes()[: path.stat().st_size // 2]
        path.write_bytes(damaged)
        with pytest.raises(savedlib.SnapshotError, match=path.name.replace(".", r"\.")):
            savedlib.open_snapshot(snap)
        if victim != "library/tracks.parquet":  # a refresh does not read the typed tables
            with pytest.raises(savedlib.SnapshotError, match=path.name.replace(".", r"\.")):
                savedlib.load(sp, snapshot=snap, progress=False)
            assert path.read_bytes() == damaged  # left as it was


def test_newer_snapshot_refused(snap):
    with StandIn(n=100) as api:
        savedlib.load(api.client(), snapshot=snap, progress=False)
    meta = json.loads((snap / "snapshot.json").read_text())
    (snap / "snapshot.json").write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(savedlib.SnapshotError, match="newer savedlib"):
        savedlib.open_snapshot(snap)


def test_other_market_refused(snap):
    with StandIn(n=100) as api:
        savedlib.load(api.client(), snapshot=snap, progress=False)
        with pytest.raises(ValueError, match="was read with market=None, not 'JP'"):
            savedlib.load(api.client(), market="JP", snapshot=snap, progress=False)


def test_no_tokens_on_disk(snap):
    with StandIn(n=200) as api:
        sp = api.client()
        savedlib.load(sp, snapshot=snap, progress=False)
        token = sp.auth_manager.cache_handler.get_cached_token()
    blob = b"".join(p.read_bytes() for p in snap.rglob("*") if p.is_file())
    assert token["access_token"].encode() not in blob and token["refresh_token"].encode() not in blob
    assert b"standin-" not in blob


def test_layout_is_documented_and_plain(snap):
    with StandIn(n=200) as api:
        savedlib.load(api.client(), snapshot=snap, progress=False)
    data = json.loads((snap / "snapshot.json").read_text())["data"]
    files = sorted(str(p.relative_to(snap)) for p in snap.rglob("*") if p.is_file())
    assert files == sorted(
        [
            "snapshot.json",
            f"{data}/items.parquet",
            f"{data}/changes.parquet",
            f"{data}/library/tracks.parquet",
            f"{data}/library/artists.parquet",
            f"{data}/library/markets.parquet",
            f"{data}/library/genres.parquet",
            f"{data}/library/audio_features.parquet",
            f"{data}/library/playlists.parquet",
            f"{data}/library/playlist_items.parquet",
            f"{data}/library/info.json",
        ]
    )
    items = pd.read_parquet(snap / data / "items.parquet")
    assert json.loads(items["json"].iloc[0]) == demo_items(200)[0]  # the raw item, as Spotify sent it
    assert Snapshot(snap).read().complete


@pytest.mark.parametrize("fmt", ["csv", "csv-raw", "xlsx", "parquet", "json"])
def test_export_from_the_command_line(snap, tmp_path, fmt):
    with StandIn(n=500) as api:
        lib = savedlib.load(api.client(), snapshot=snap, progress=False)
    out = tmp_path / f"out.{fmt}"
    to, *raw = fmt.split("-")
    done = subprocess.run(
        [sys.executable, "-m", "savedlib.cli", "export", str(snap), "--to", to, str(out)] + (["--raw"] if raw else []),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    names = lib.tracks["track_name"].fillna("")
    if to == "csv":
        assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
        back = pd.read_csv(out, keep_default_na=False, dtype=str)
        risky = names.str.startswith(("=", "+", "-", "@"))
        assert risky.any()  # the demo has a track called "=1+1 (not a formula)"
        want = names if raw else names.where(~risky, "'" + names)
        assert back["track_name"].tolist() == want.tolist()
    elif to == "xlsx":
        back = pd.read_excel(out)
        assert back["track_name"].fillna("").tolist() == names.tolist()
    elif fmt == "parquet":
        assert savedlib.read_parquet(out).equals(lib)
    else:
        records = json.loads(out.read_text())
        assert [r["track_name"] for r in records] == lib.tracks["track_name"].tolist()
        assert records[0]["artist_ids"] == list(lib.tracks["artist_ids"].iloc[0])


def test_export_of_a_damaged_snapshot_says_so(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "savedlib.cli",
            "export",
            str(tmp_path / "nope"),
            "--to",
            "csv",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "not a savedlib snapshot" in done.stderr


def test_duckdb_query_over_many_snapshots(tmp_path):
    import duckdb

    sizes = {"ana": 300, "ben": 450, "chloe": 120}
    for person, n in sizes.items():
        with StandIn(n=n, seed=len(person)) as api:
            savedlib.load(api.client(), snapshot=tmp_path / "snapshots" / person, progress=False)
    # The query the documentation shows, as it is:
    query = (Path(__file__).parents[1] / "docs" / "keeping-a-library.md").read_text().split("```sql\n")[1]
    query = query.split("```")[0]
    rows = duckdb.sql(query.replace("snapshots/", f"{tmp_path}/snapshots/")).fetchall()
    assert {person: tracks for person, tracks, _hours in rows} == sizes


CRASHING_LOAD = """
import os, sys, savedlib
from savedlib.standin import StandIn
os.environ["SAVEDLIB_CHECKPOINT_SECONDS"] = "0.2"
with StandIn(n=3000, latency=0.05) as api:
    print("reading", flush=True)
    savedlib.load(api.client(), snapshot=sys.argv[1], progress=False, concurrency=2)
"""


def test_resume_after_a_crash(snap):
    """A process killed in the middle of a long read (power cut, kernel crash) still leaves its checkpoints."""
    import time

    process = subprocess.Popen([sys.executable, "-c", CRASHING_LOAD, str(snap)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "reading"
    deadline = time.monotonic() + 30
    while not (snap / "snapshot.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.kill()  # no exception handler runs: only the checkpoints are left
    process.wait()
    held = len(savedlib.open_snapshot(snap))
    assert 0 < held < 3000
    with StandIn(n=3000) as api:  # the same library (the demo is deterministic)
        lib, n = requests_of(api, lambda: savedlib.load(api.client(), snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
    assert n <= (3000 - held) / 50 + 4


def test_a_refresh_converts_only_the_new_saves(snap, monkeypatch):
    """The held rows are kept as they are and only new saves converted, with categories they bring
    (an "ep", a market no list knows); a null track anywhere falls back to converting everything."""
    import savedlib.snapshot.grow as grow

    converted, convert = [], grow.from_items

    def counted(items, **info):  # the real conversion, counting what it is given
        converted.append(len(items))
        return convert(items, **info)

    monkeypatch.setattr(grow, "from_items", counted)
    with StandIn(n=2000) as api:
        sp = api.client()
        savedlib.load(sp, snapshot=snap, progress=False)
        new = demo_items(30, seed=5)
        new[3]["track"]["album"]["album_type"] = "ep"
        new[4]["track"]["available_markets"] = [*new[4]["track"]["available_markets"], "QQ"]
        with api.state.lock:
            api.state.save_at_top(new, "2026-11-30T00:00:00Z")
        remove_anywhere(api, 2, seed=3)
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert converted == [30]  # not 2,028
        assert_same_library(lib, savedlib.from_items(api.items))
        assert "ep" in lib.tracks["album_type"].cat.categories and "QQ" in lib.markets["market"].cat.categories

        converted.clear()
        odd = {new[3]["track"]["id"], new[4]["track"]["id"]}
        with api.state.lock:  # the only "ep" and the only "QQ" go: so do their categories
            api.state.remove_at([k for k, i in enumerate(api.state.items) if i["track"]["id"] in odd][::-1])
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert converted == [0] and "ep" not in lib.tracks["album_type"].cat.categories
        assert_same_library(lib, savedlib.from_items(api.items))

        converted.clear()
        with api.state.lock:
            api.state.save_at_top([{"track": None}, *demo_items(2, seed=6)], "2026-12-01T00:00:00Z")
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        assert converted == [3, len(api.items)] and lib.info["skipped_null_tracks"] == 1
        assert_same_library(lib, savedlib.from_items(api.items))
