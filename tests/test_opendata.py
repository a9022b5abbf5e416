"""savedlib.add_open_data over real HTTP against the MusicBrainz and ListenBrainz stand-ins: what it finds,
how few requests it sends, how politely, and what happens when the services misbehave."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import textwrap
import time
import tomllib
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

import savedlib
from savedlib.demodata import demo_items
from savedlib.genres.cache import MERGE_AT
from savedlib.opendata import OpenDataCache, add_open_data, user_agent
from savedlib.opendata.polite import PROJECT_URL
from savedlib.opendata.wanted import known
from savedlib.standin.catalogue import SPOTIFY_ARTIST
from savedlib.standin.opendata import OpenDataStandIn

#: Fast limits for tests: MusicBrainz at 20 requests a second, ListenBrainz 100 per second.
FAST = {"musicbrainz_rate": 20.0, "listenbrainz_limit": (100, 1.0)}


@pytest.fixture
def cache(tmp_path):
    return OpenDataCache(tmp_path / "opendata")


def dev_library(n: int = 600) -> savedlib.Library:
    """A library read in the 2026 Development Mode shape: no popularity, no genres."""
    return savedlib.from_items(demo_items(n, dev_mode=True))


def formula(lib: savedlib.Library, api: OpenDataStandIn) -> dict[str, int]:
    """The requests the issue allows, for a cold cache: URL look-ups and ISRC searches on MusicBrainz,
    artist metadata and popularity on ListenBrainz (for the artists and recordings MusicBrainz knows)."""
    ids = lib.artists["artist_id"].dropna().unique()
    isrcs = lib.tracks["isrc"].dropna().unique()
    in_mb = [i for i in ids if SPOTIFY_ARTIST.format(i) in api.catalogue.urls]
    return {
        "musicbrainz": math.ceil(len(ids) / 100) + math.ceil(len(isrcs) / 40),
        "listenbrainz_artists": math.ceil(len(in_mb) / 100),
        "listenbrainz_popularity_at_most": math.ceil(len(isrcs) / 1000),
    }


def test_a_development_mode_library_gets_ids_genres_and_listeners(cache):
    lib = dev_library()
    before = lib.tracks.copy()
    with OpenDataStandIn(items=demo_items(600), **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
        stats = api.stats()
        want = formula(lib, api)
        cat = api.catalogue
    assert lib.tracks.equals(before) and "recording_mbid" not in lib.tracks  # the input is left as it was
    assert stats["musicbrainz"]["requests"] == want["musicbrainz"]
    assert stats["musicbrainz"].get("503", 0) == 0
    assert stats["musicbrainz_mean_rate"] <= 20 * 1.02  # departures are spaced exactly; arrivals jitter by a ms
    assert stats["listenbrainz"]["metadata/artist 200"] == want["listenbrainz_artists"]
    assert stats["listenbrainz"]["popularity/recording 200"] <= want["listenbrainz_popularity_at_most"]
    assert stats["user_agents"] == [user_agent()] and user_agent().startswith("savedlib/")
    assert max(stats["asked"]["resources"]) == 100 and max(stats["asked"]["isrcs"]) == 40
    # artist MBIDs: exactly those MusicBrainz links to the artists' Spotify pages
    a = out.artists.dropna(subset=["artist_id"]).drop_duplicates("artist_id")
    expected = [(cat.urls.get(SPOTIFY_ARTIST.format(i)) or (None,))[0] for i in a["artist_id"]]
    assert [None if pd.isna(m) else m for m in a["artist_mbid"]] == expected
    # genres: the tags with a genre_mbid ("seen live" is no genre), the union over a track's artists
    genres = {str(g) for g in out.genres["genre"].unique()}
    assert genres and "seen live" not in genres
    item = int(out.genres["item"].iloc[0])
    mbids = out.artists.loc[out.artists["item"] == item, "artist_mbid"].dropna()
    union = {t["tag"] for m in mbids for t in cat.tags.get(m, []) if "genre_mbid" in t}
    assert set(out.genres.loc[out.genres["item"] == item, "genre"].astype(str)) == union
    g = out.info["genres"]
    assert g["source"] == "MusicBrainz genres via ListenBrainz" and g["remaining"] == 0
    assert out.genre_coverage() == (
        f"genres known for {g['with_genres']:,} of {g['artists']:,} artists (MusicBrainz genres via ListenBrainz)"
    )
    # listeners: ListenBrainz's counts of the chosen recording, nullable integers
    t = out.tracks
    assert str(t["listeners"].dtype) == "Int64" and str(t["listens"].dtype) == "Int64"
    known = t.dropna(subset=["listeners"])
    assert len(known) > len(t) / 2
    row = known.iloc[0]
    assert (row["listens"], row["listeners"]) == cat.popularity[row["recording_mbid"]]
    assert t.loc[t["recording_mbid"].isna(), "listeners"].isna().all()


def test_a_warm_run_makes_no_request_and_gives_the_same_library(cache):
    lib = dev_library(300)
    with OpenDataStandIn(items=demo_items(300), **FAST) as api:
        cold = add_open_data(lib, cache=cache, progress=False, **api.options())
        asked = api.stats()
        warm = add_open_data(lib, cache=cache, progress=False, **api.options())
        assert api.stats()["musicbrainz"]["requests"] == asked["musicbrainz"]["requests"]
        assert api.stats()["listenbrainz"]["requests"] == asked["listenbrainz"]["requests"]
    assert warm.tracks.equals(cold.tracks) and warm.genres.equals(cold.genres) and warm.artists.equals(cold.artists)
    assert warm.info["open_data"]["musicbrainz_requests"] == 0


def test_an_isrc_with_two_recordings_takes_the_one_by_the_tracks_artists(cache):
    lib = dev_library(600)
    with OpenDataStandIn(items=demo_items(600), **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
        cat = api.catalogue
    two = {isrc: hits for isrc, hits in cat.recordings.items() if len(hits) == 2}
    assert two and any(hits[0]["artist-credit"][0]["name"] == "Karaoke Stars" for hits in two.values())
    rows = out.tracks[out.tracks["isrc"].isin(list(two))]
    for isrc, chosen in zip(rows["isrc"], rows["recording_mbid"], strict=True):
        own = next(h["id"] for h in two[isrc] if h["artist-credit"][0]["name"] != "Karaoke Stars")
        assert chosen == own
    none = [i for i, hits in cat.recordings.items() if not hits]
    assert out.tracks.loc[out.tracks["isrc"].isin(none), "recording_mbid"].isna().all()


def test_the_rule_for_several_recordings_by_mbid_then_name_else_none():
    from savedlib.opendata import choose

    tracks = pd.DataFrame({"item": [0, 1, 2, 3], "isrc": ["A", "B", "C", None]})
    artists = pd.DataFrame(
        {"item": [0, 1, 2], "artist_mbid": ["m1", None, "m9"], "artist_name": ["One", "Two", "Nine"]}
    )
    rec = lambda r, mbids, names: {"recording_mbid": r, "artist_mbids": mbids, "artist_names": names}  # noqa: E731
    isrcs = pd.DataFrame(
        {
            "isrc": ["A", "B", "C"],
            "recordings": [
                [rec("a-other", ["m2"], ["One"]), rec("a-own", ["m1"], ["Someone"])],  # by MBID, before a name
                [rec("b-other", ["m3"], ["Three"]), rec("b-own", ["m4"], ["TWO"])],  # by name, ignoring case
                [rec("c1", ["m5"], ["Five"]), rec("c2", ["m6"], ["Six"])],  # nobody in common: none
            ],
        }
    )
    chosen = choose(tracks, artists, isrcs)
    assert chosen.tolist()[:2] == ["a-own", "b-own"] and chosen.isna().tolist()[2:] == [True, True]


# --- politeness ---------------------------------------------------------------------------


def test_the_standin_answers_503_to_a_client_faster_than_its_rate():
    import urllib3

    with OpenDataStandIn(n=50, musicbrainz_rate=2.0) as api:
        http = urllib3.PoolManager()
        url = f"{api.musicbrainz_url}/url?resource={SPOTIFY_ARTIST.format('x' * 22)}&fmt=json"
        statuses = [http.request("GET", url).status for _ in range(4)]
        assert statuses[:2] == [404, 404] and statuses[2:] == [503, 503]  # a burst of two, then refused
        body = http.request("GET", url).json()
        assert "exceeding the allowable rate limit" in body["error"]


def test_one_gate_holds_at_the_real_rate(cache):
    """At MusicBrainz's own limit, one a second: no request too early, and the time is the requests'."""
    lib = dev_library(60)
    with OpenDataStandIn(items=demo_items(60), musicbrainz_rate=1.0) as api:
        start = time.monotonic()
        add_open_data(lib, cache=cache, progress=False, **api.options())
        took = time.monotonic() - start
        stats = api.stats()
    n = stats["musicbrainz"]["requests"]
    assert n == formula(lib, api)["musicbrainz"] and stats["musicbrainz"].get("503", 0) == 0
    assert stats["musicbrainz_mean_rate"] <= 1.0 * 1.02 and stats["musicbrainz_min_gap"] >= 0.9
    assert n - 1 <= took <= 1.2 * n


def test_a_storm_of_503s_stops_with_partial_and_the_next_run_resumes(cache):
    lib = dev_library(600)
    storm = {k: "503" for k in range(5, 10)}  # five in a row: the stop; then the service is back
    with OpenDataStandIn(items=demo_items(600), musicbrainz_faults=storm, **FAST) as api:
        with pytest.raises(savedlib.OpenDataFailed) as stopped:
            add_open_data(lib, cache=cache, progress=False, **api.options())
        first = api.stats()
        assert "503" in str(stopped.value) and "goes on from there" in str(stopped.value)
        partial = stopped.value.partial
        assert partial is not None and partial.artists["artist_mbid"].notna().any()
        assert first["musicbrainz"]["503"] == 5  # five in a row, each after a longer back-off, then a stop
        done = add_open_data(lib, cache=cache, progress=False, **api.options())
        second = api.stats()
    # the URL look-ups answered before the storm are not asked again
    assert sum(second["asked"]["resources"]) == len(lib.artists["artist_id"].dropna().unique())
    assert done.info["genres"]["remaining"] == 0 and done.tracks["listeners"].notna().any()


def test_a_few_busy_answers_are_waited_out(cache):
    lib = dev_library(200)
    with OpenDataStandIn(items=demo_items(200), musicbrainz_faults={2: "503", 3: "503"},
                         listenbrainz_faults={1: "429"}, **FAST) as api:  # fmt: skip
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
        stats = api.stats()
    assert stats["musicbrainz"]["503"] == 2 and stats["listenbrainz"]["429"] == 1
    assert out.info["genres"]["remaining"] == 0


def test_listenbrainz_window_is_honoured(cache):
    lib = dev_library(2500)
    with OpenDataStandIn(items=demo_items(2500), musicbrainz_rate=50.0, listenbrainz_limit=(3, 1.0)) as api:
        add_open_data(lib, cache=cache, progress=False, **api.options())
        stats = api.stats()
    assert stats["listenbrainz"]["requests"] >= 6  # more than one window's worth
    assert stats["listenbrainz"].get("429", 0) == 0  # X-RateLimit-Remaining 0: it waited for the reset


@pytest.mark.parametrize("fault", ["truncated", "cut", "drop", "html"])
def test_broken_answers_are_asked_again_and_nothing_wrong_is_kept(fault, cache):
    lib = dev_library(300)
    with OpenDataStandIn(items=demo_items(300), musicbrainz_faults={1: fault, 3: fault},
                         listenbrainz_faults={1: fault}, **FAST) as api:  # fmt: skip
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
    with OpenDataStandIn(items=demo_items(300), **FAST) as api:
        clean = add_open_data(lib, cache=OpenDataCache(cache.folder.parent / "clean"), progress=False, **api.options())
    assert out.tracks.equals(clean.tracks) and out.genres.equals(clean.genres)


def test_no_network_is_a_clear_error_within_seconds_and_nothing_is_cached(cache):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    start = time.monotonic()
    with pytest.raises(savedlib.OpenDataFailed) as failed:
        add_open_data(dev_library(50), cache=cache, progress=False, musicbrainz_url=f"http://127.0.0.1:{port}/ws/2",
                      listenbrainz_url=f"http://127.0.0.1:{port}", musicbrainz_rate=20)  # fmt: skip
    assert time.monotonic() - start < 10
    message = str(failed.value)
    assert message.startswith("MusicBrainz: no usable answer") and "SAVEDLIB_MUSICBRAINZ_URL" in message
    assert cache.artists.read().empty and cache.isrcs.read().empty


def test_long_urls_refused_halve_the_lookups(cache):
    lib = dev_library(600)
    with OpenDataStandIn(items=demo_items(600), max_url=5000, **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
        stats = api.stats()
    n = len(lib.artists["artist_id"].dropna().unique())
    assert stats["musicbrainz"]["414"] == 1 and max(stats["asked"]["resources"]) == 50
    assert stats["musicbrainz"]["url 200"] == math.ceil(n / 50)
    assert out.info["genres"]["remaining"] == 0


def test_the_environment_says_where_the_services_are(cache, monkeypatch):
    lib = dev_library(100)
    with OpenDataStandIn(items=demo_items(100), **FAST) as api:
        monkeypatch.setenv("SAVEDLIB_MUSICBRAINZ_URL", api.musicbrainz_url)
        monkeypatch.setenv("SAVEDLIB_LISTENBRAINZ_URL", api.listenbrainz_url)
        out = add_open_data(lib, cache=cache, progress=False, musicbrainz_rate=20)
        assert api.stats()["musicbrainz"]["requests"] > 0
    assert out.info["open_data"]["artists_in_musicbrainz"] > 0


# --- libraries without ids --------------------------------------------------------------------


def test_a_library_without_artist_ids_or_isrcs_says_why(cache, tmp_path):
    savedlib.write_demo_download(tmp_path, n=200, streams=100)
    lib = savedlib.read_account_data(tmp_path / "my_spotify_data (1).zip")
    with OpenDataStandIn(items=demo_items(200), **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, **api.options())
        assert api.stats()["musicbrainz"].get("requests", 0) == 0
    notes = " ".join(out.info["open_data"]["notes"])
    assert "no Spotify artist ids" in notes and "no ISRCs" in notes
    assert out.tracks["listeners"].isna().all() and out.genres.empty


def test_a_watsonbox_export_with_ids_gets_open_data(cache, tmp_path):
    path = savedlib.write_demo_exportify(tmp_path / "liked.csv", n=200, flavour="watsonbox")
    lib = savedlib.read_exportify(path)
    with OpenDataStandIn(items=demo_items(200), **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, genres=True, **api.options())
    assert out.info["open_data"]["artists_in_musicbrainz"] > 0
    assert out.info["genres"]["source"] == "MusicBrainz genres via ListenBrainz"


def test_an_older_exportify_net_export_with_artist_ids_gets_open_data(cache, tmp_path):
    """The 2022-23 exportify.net dialect (``Spotify ID``, ``Artist IDs``, artists joined with a bare comma, no
    ISRCs): its artist ids find the artists and their genres; its tracks, without ISRCs, find no recordings."""
    demo = savedlib.demo(200)
    t = demo.tracks
    older = pd.DataFrame(
        {
            "Spotify ID": t["track_id"],
            "Artist IDs": [",".join(ids) if ids is not None else "" for ids in t["artist_ids"]],
            "Track Name": t["track_name"],
            "Album Name": t["album_name"],
            "Artist Name(s)": [",".join(n) for n in demo.artists.groupby("item")["artist_name"].agg(list)],
            "Release Date": t["album_release_date"],
            "Duration (ms)": t["duration_ms"],
            "Popularity": t["popularity"],
            "Added By": "",
            "Added At": t["added_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )[~t["is_local"].to_numpy(dtype=bool)]
    path = tmp_path / "liked_songs_2023.csv"
    older.to_csv(path, index=False)
    lib = savedlib.read_exportify(path)
    assert lib.info["format"] == "exportify.net" and lib.artists["artist_id"].notna().all()
    assert sorted(lib.artists["artist_id"]) == sorted(demo.artists["artist_id"].dropna())  # split as the ids say
    with OpenDataStandIn(items=demo_items(200), **FAST) as api:
        out = add_open_data(lib, cache=cache, progress=False, genres=True, **api.options())
    found = out.info["open_data"]["artists_in_musicbrainz"]
    assert found > 0.8 * lib.artists["artist_id"].nunique()
    assert not out.genres.empty and out.tracks["recording_mbid"].isna().all()  # no ISRCs: no recordings


# --- the cache --------------------------------------------------------------------------------


def test_the_cache_is_in_the_user_cache_folder_and_pandas_and_duckdb_read_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "elsewhere"))
    lib = dev_library(100)
    with OpenDataStandIn(items=demo_items(100), **FAST) as api:
        add_open_data(lib, progress=False, **api.options())
    root = tmp_path / "elsewhere" / "opendata"
    for shelf, key in [("spotify-artists", "spotify_artist_id"), ("isrcs", "isrc"), ("artist-genres", "artist_mbid"),
                       ("recording-listens", "recording_mbid")]:  # fmt: skip
        by_pandas = pd.read_parquet(root / shelf)
        by_duckdb = duckdb.sql(f"SELECT {key}, read_at FROM read_parquet('{root / shelf}/*.parquet')").df()
        assert len(by_pandas) == len(by_duckdb) > 0 and "read_at" in by_pandas


def test_listens_older_than_30_days_are_asked_again(cache):
    lib = dev_library(100)
    with OpenDataStandIn(items=demo_items(100), **FAST) as api:
        add_open_data(lib, cache=cache, progress=False, **api.options())
        table = cache.listens.read()
        cache.listens.add([])  # nothing
        for f in cache.listens.folder.glob("part-*.parquet"):
            f.unlink()
        rows = pa.Table.from_pandas(table.drop(columns="read_at"), preserve_index=False).to_pylist()
        month_ago = pd.Timestamp.now(tz="UTC").to_pydatetime() - timedelta(days=31)
        cache.listens.add(rows, read_at=month_ago)  # an old answer for every recording, as if read a month ago
        before = api.stats()
        add_open_data(lib, cache=cache, progress=False, **api.options())
        after = api.stats()
    assert after["musicbrainz"]["requests"] == before["musicbrainz"]["requests"]  # ids and recordings: 90 days
    assert after["listenbrainz"]["popularity/recording 200"] > before["listenbrainz"]["popularity/recording 200"]


@pytest.mark.parametrize("merge_at", [MERGE_AT, 2], ids=["few-files", "merging"])
def test_two_processes_enrich_at_once_share_the_gate_and_lose_nothing(tmp_path, merge_at):
    folder = tmp_path / "shared"
    script = textwrap.dedent(
        """
        import sys, savedlib, savedlib.genres.cache
        from savedlib.demodata import demo_items
        from savedlib.opendata import OpenDataCache, add_open_data
        url, n, seed, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        savedlib.genres.cache.MERGE_AT = int(sys.argv[5])  # low: files merged while the other process writes
        lib = savedlib.from_items(demo_items(n, seed=seed, dev_mode=True))
        add_open_data(lib, cache=OpenDataCache(folder), progress=False, musicbrainz_url=url + "/ws/2",
                      listenbrainz_url=url, musicbrainz_rate=4)
        """
    )
    a, b = demo_items(200, seed=0), demo_items(200, seed=1)
    with OpenDataStandIn(items=a + b, musicbrainz_rate=4.0, listenbrainz_limit=(100, 1.0)) as api:
        runs = [subprocess.Popen([sys.executable, "-c", script, api.url, "200", str(seed), str(folder), str(merge_at)])
                for seed in (0, 1)]  # fmt: skip
        assert [p.wait(timeout=120) for p in runs] == [0, 0]
        stats = api.stats()
    assert stats["musicbrainz"].get("503", 0) == 0  # one gate for both: never faster than the rate
    cache = OpenDataCache(folder)
    ids = set(savedlib.from_items(a + b).artists["artist_id"].dropna())
    assert set(cache.artists.read()["spotify_artist_id"]) == ids  # no entry lost
    isrcs = set(savedlib.from_items(a + b).tracks["isrc"].dropna())
    assert set(cache.isrcs.read()["isrc"]) == isrcs
    now = known(savedlib.from_items(a + b), cache)  # what one more run would ask: nothing, on any shelf
    assert not (now.artists_to_ask() or now.mbids_to_ask() or now.isrcs_to_ask() or now.recordings_to_ask())
    assert len(now.genres) > 0 and len(now.listens) > 0
    assert (merge_at < MERGE_AT) == any(folder.rglob("part-*-merged.parquet"))


def test_the_user_agent_names_the_project_address():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Homepage"] == PROJECT_URL
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert f"mybinder.org/v2/gh/{PROJECT_URL.removeprefix('https://github.com/')}/" in readme
    assert user_agent() == f"savedlib/{savedlib.__version__} ( {PROJECT_URL} )"
