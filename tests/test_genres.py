"""savedlib.add_genres over real HTTP against the stand-in: batch or one artist at a time, never an artist
asked twice, the daily quota running out half-way, unknown ids, and the shared artist cache."""

from __future__ import annotations

import _thread
import copy
import math
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

import savedlib
from savedlib.demodata import demo_items
from savedlib.demodata.genres import artist_genres
from savedlib.genres import ArtistCache, add_genres
from savedlib.genres.cache import SCHEMA
from savedlib.genres.enrich import NO_BATCH
from savedlib.standin import StandIn
from tests.conftest import assert_same_library, local_item
from tests.openapi import schema_errors


@pytest.fixture
def cache(tmp_path):
    return ArtistCache(tmp_path / "artists")


def artist_ids(lib) -> set[str]:
    return set(lib.artists["artist_id"].dropna())


def asked(api) -> dict:
    """What the stand-in was asked: batch and single requests, artists answered, any answered twice."""
    stats = api.stats()
    return {
        "batch": stats["artist_requests"].get("batch", 0),
        "single": stats["artist_requests"].get("single", 0),
        "answered": stats["artists_answered"],
        "twice": stats["artists_answered_twice"],
        "endpoints": stats["endpoints"],
    }


# --- the stand-in's artists -----------------------------------------------------------------


@pytest.mark.parametrize(("dev_mode", "dev_genres"), [(False, False), (True, False), (True, True)])
def test_the_standin_serves_artists_as_spotify_does(dev_mode, dev_genres):
    with StandIn(n=300, dev_mode=dev_mode, dev_genres=dev_genres) as api:
        headers = {"Authorization": f"Bearer {api.token_info()['access_token']}"}
        some = sorted(artist_ids(savedlib.from_items(api.items)))[:3]
        one = requests.get(f"{api.url}/v1/artists/{some[0]}", headers=headers, timeout=10)
        assert one.status_code == 200
        assert schema_errors(one.json(), schema="ArtistObject") == []
        assert one.json()["id"] == some[0]
        if dev_mode and not dev_genres:  # the 2026 shape: these seven keys and no others
            assert set(one.json()) == {"external_urls", "href", "id", "images", "name", "type", "uri"}
        else:
            assert isinstance(one.json()["genres"], list)
        assert ("popularity" in one.json()) is not dev_mode  # Development Mode apps get no popularity
        unknown = requests.get(f"{api.url}/v1/artists/{'0' * 22}", headers=headers, timeout=10)
        assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "non existing id"
        assert requests.get(f"{api.url}/v1/artists/nope", headers=headers, timeout=10).status_code == 400
        several = requests.get(f"{api.url}/v1/artists", params={"ids": ",".join([*some, "0" * 22])}, headers=headers)
        if dev_mode:
            assert several.status_code == 403  # the batch look-up is not available to Development Mode apps
        else:
            body = several.json()["artists"]
            assert [a["id"] for a in body[:3]] == some and body[3] is None
            assert all(schema_errors(a, schema="ArtistObject") == [] for a in body[:3])
        assert requests.get(f"{api.url}/v1/artists/{some[0]}", timeout=10).status_code == 401  # no token


def test_the_standins_genres_are_the_demos_and_sparse(cache):
    with StandIn(n=2500) as api:
        sp = api.client()
        lib = add_genres(sp, savedlib.load(sp, progress=False), progress=False, cache=cache)
    demo = savedlib.demo()
    assert_same_library(lib, demo)  # tracks, artists ... and genres: the notebooks' demo is what the API gives
    g = lib.info["genres"]
    assert g["without_genres"] > 0.3 * g["artists"] and g["with_genres"] > 0.3 * g["artists"]  # sparse, as Spotify's


# --- the cheapest path ----------------------------------------------------------------------


def test_an_app_with_the_batch_endpoint_reads_50_artists_a_request(cache):
    with StandIn(n=2500) as api:
        sp = api.client()
        lib = savedlib.load(sp, progress=False)
        before = api.stats()["api_requests"]
        enriched = add_genres(sp, lib, progress=False, cache=cache)
        got = asked(api)
        spent = api.stats()["api_requests"] - before
    n = len(artist_ids(lib))
    assert got["batch"] == math.ceil(n / 50) == spent == enriched.info["genres"]["requests"]
    assert got["single"] == 0 and got["answered"] == n and got["twice"] == []
    with_genres = artist_genres(lib)["artist_id"].nunique()  # the stand-in's catalogue: the demo's genres
    assert enriched.info["genres"] == {
        "artists": n,
        "asked": n,
        "with_genres": with_genres,
        "without_genres": n - with_genres,
        "unknown": 0,
        "remaining": 0,
        "requests": spent,
    }
    assert enriched.genre_coverage() == f"genres known for {with_genres:,} of {n:,} artists"


def test_a_development_mode_library_asks_one_artist_at_a_time_and_never_the_batch(cache):
    with StandIn(n=2500, dev_mode=True, dev_genres=True) as api:
        sp = api.client()
        lib = savedlib.load(sp, progress=False)
        enriched = add_genres(sp, lib, progress=False, cache=cache)
        got = asked(api)
    n = len(artist_ids(lib))
    assert "artists" not in got["endpoints"]  # the load showed Development Mode: no batch request wasted
    assert got["single"] == n == got["answered"] == enriched.info["genres"]["requests"]
    assert got["twice"] == []
    assert enriched.genres.equals(savedlib.demo().genres)


@pytest.mark.parametrize("refusal", [403, 400, 404])
def test_a_refused_batch_falls_back_to_single_and_is_remembered(refusal, tmp_path):
    lib = savedlib.demo(600)  # the full shape: nothing says Development Mode until Spotify refuses the batch
    with StandIn(n=600, dev_mode=True, dev_genres=True, batch_refusal=refusal) as api:
        sp = api.client()
        first = add_genres(sp, lib, progress=False, cache=ArtistCache(tmp_path / "a"))
        assert asked(api)["endpoints"]["artists"] == {str(refusal): 1}
        assert getattr(sp, NO_BATCH) is True
        add_genres(sp, lib, progress=False, cache=ArtistCache(tmp_path / "b"))  # a cold cache, the same session
        got = asked(api)
    assert got["endpoints"]["artists"] == {str(refusal): 1}  # not asked again this session
    assert got["single"] == 2 * len(artist_ids(lib))
    assert first.genres.equals(lib.genres)


def test_a_refusal_after_the_first_batch_is_an_error_that_keeps_what_came(cache):
    lib = savedlib.demo(2500)
    with StandIn(n=2500, artist_faults={4: "403"}, latency=0.01) as api:
        sp = api.client()
        with pytest.raises(savedlib.AccessDenied) as caught:
            add_genres(sp, lib, progress=False, cache=cache, concurrency=2)
        assert not getattr(sp, NO_BATCH, False)  # the batch look-up was available: not given up on
        kept = caught.value.partial.info["genres"]
        assert 0 < kept["asked"] == len(cache.read()) == asked(api)["answered"]
        finished = add_genres(sp, lib, progress=False, cache=cache)
        got = asked(api)
    assert got["single"] == 0 and got["twice"] == []
    assert finished.info["genres"]["requests"] == math.ceil(kept["remaining"] / 50)
    assert finished.genres.equals(lib.genres)


@pytest.mark.parametrize("first", ["401", "429", "500", "short"])
def test_a_first_batch_that_is_asked_again_is_not_a_refusal(first, cache):
    lib = savedlib.demo(600)
    with StandIn(n=600, artist_faults={} if first == "401" else {1: first}) as api:
        sp = api.client()
        if first == "401":
            api.expire_tokens()  # the token expired server side: 401, refresh, ask again
        enriched = add_genres(sp, lib, progress=False, cache=cache)
        got = asked(api)
    assert not getattr(sp, NO_BATCH, False) and got["single"] == 0
    assert got["batch"] == math.ceil(len(artist_ids(lib)) / 50)
    assert enriched.info["genres"]["unknown"] == 0 and enriched.genres.equals(lib.genres)


def test_a_person_not_added_to_the_app_gets_access_denied(cache):
    lib = savedlib.demo(300)
    with StandIn(n=300, registered=False) as api:  # a person not added to the Development Mode app
        with pytest.raises(savedlib.AccessDenied, match="Users Management") as caught:
            add_genres(api.client(), lib, progress=False, cache=cache)
    assert caught.value.partial.info["genres"]["remaining"] == len(artist_ids(lib))


# --- never twice ------------------------------------------------------------------------------


def test_a_warm_cache_costs_nothing_and_a_second_library_asks_only_its_new_artists(cache):
    with StandIn(n=2500, dev_mode=True, dev_genres=True) as api:
        sp = api.client()
        full = savedlib.load(sp, progress=False)
        part = savedlib.from_items(api.items[:800])
        add_genres(sp, part, progress=False, cache=cache)
        after_part = api.stats()["api_requests"]
        enriched = add_genres(sp, full, progress=False, cache=cache)
        after_full = api.stats()["api_requests"]
        again = add_genres(sp, full, progress=False, cache=cache)
        got = asked(api)
        assert api.stats()["api_requests"] == after_full  # warm: not one request
    new = artist_ids(full) - artist_ids(part)
    assert after_full - after_part == len(new) == enriched.info["genres"]["requests"]
    assert again.info["genres"]["requests"] == 0 and again.genres.equals(enriched.genres)
    assert got["twice"] == [] and got["answered"] == len(artist_ids(full))


def test_answers_older_than_90_days_are_asked_again(cache):
    lib = savedlib.demo(300)
    ids = sorted(artist_ids(lib))
    now = datetime.now(UTC)
    cache.folder.mkdir(parents=True)
    for name, age, ask in [("old", 91, ids[::2]), ("young", 89, ids[1::2])]:
        rows = [{"artist_id": i, "name": name, "genres": [name], "found": True, "read_at": now - timedelta(days=age)}
                for i in ask]  # fmt: skip
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), cache.folder / f"part-{name}.parquet")
    with StandIn(n=300, dev_mode=True, dev_genres=True) as api:
        enriched = add_genres(api.client(), lib, progress=False, cache=cache)
        assert asked(api)["single"] == len(ids[::2])  # only the old answers were asked again
    genres = set(enriched.genres["genre"].astype(str))
    assert "young" in genres and "old" not in genres


def test_only_artists_with_an_id_are_asked(cache):
    items = [*demo_items(100), local_item()]
    lib = savedlib.from_items(items)
    with StandIn(items=demo_items(100), dev_mode=True, dev_genres=True) as api:
        enriched = add_genres(api.client(), lib, progress=False, cache=cache)
        assert asked(api)["single"] == len(artist_ids(lib))
    assert enriched.info["genres"]["artists"] == len(artist_ids(lib))
    assert 100 not in set(enriched.genres["item"])  # the local file has no genres


def test_a_library_of_local_files_only_has_nothing_to_ask(cache):
    """Local files have no artist ids: such a library comes back as it is, with 0 artists asked, no request."""
    items = [local_item("Demo Tape"), local_item("Voice Memo", artist="Us"), local_item("Rehearsal", artist="Me")]
    with StandIn(items=items) as api:
        sp = api.client()
        lib = savedlib.load(sp, progress=False)
        before = api.stats()["api_requests"]
        enriched = add_genres(sp, lib, progress=False, cache=cache)
        assert api.stats()["api_requests"] == before  # nothing asked
    assert lib.tracks["is_local"].all() and lib.artists["artist_name"].notna().all()
    assert enriched.info["genres"] == {
        "artists": 0,
        "asked": 0,
        "with_genres": 0,
        "without_genres": 0,
        "unknown": 0,
        "remaining": 0,
        "requests": 0,
    }
    assert enriched.genres.empty and list(enriched.genres.columns) == list(lib.genres.columns)
    assert_same_library(enriched, lib)  # the same tables: only info["genres"] was added
    assert len(cache.read()) == 0


def test_a_library_without_artist_ids_says_so(cache, tmp_path):
    account = savedlib.read_account_data(savedlib.write_demo_download(tmp_path / "download", streams=10))
    with StandIn(n=10) as api:
        with pytest.raises(savedlib.SourceError, match=r"account data.* has no artist ids"):
            add_genres(api.client(), account, progress=False, cache=cache)
        assert api.stats()["api_requests"] == 0


# --- the quota ------------------------------------------------------------------------------


@pytest.mark.parametrize(("dev_mode", "quota"), [(True, 400), (False, 57)])
def test_the_quota_runs_out_half_way_and_the_next_call_finishes(dev_mode, quota, cache):
    with StandIn(n=2500, dev_mode=dev_mode, dev_genres=True, daily_quota=quota, latency=0.005) as api:
        sp = api.client()
        lib = savedlib.load(sp, progress=False)
        n = len(artist_ids(lib))
        with pytest.raises(savedlib.RateLimited) as caught:
            add_genres(sp, lib, progress=False, cache=cache)
        stop = caught.value
        done = stop.partial.info["genres"]
        assert stop.daily_quota and stop.retry_at > datetime.now(UTC) + timedelta(hours=13)
        assert 0 < done["asked"] < n and done["remaining"] == n - done["asked"]
        assert f"asks only for the {done['remaining']:,} others" in str(stop)
        assert "genres known for" in " ".join(stop.__notes__)
        assert len(cache.read()) == done["asked"]  # every answer that came back is in the cache
        first = asked(api)
        assert first["twice"] == [] and first["answered"] == done["asked"]
        api.new_day()
        finished = add_genres(sp, lib, progress=False, cache=cache)
        second = asked(api)
    assert second["twice"] == [] and second["answered"] == n  # the second call asked only for the rest
    assert finished.info["genres"]["requests"] == (done["remaining"] if dev_mode else math.ceil(done["remaining"] / 50))
    assert finished.info["genres"]["remaining"] == 0
    assert finished.genres.equals(savedlib.demo().genres)
    assert len(stop.partial.genres) < len(finished.genres)
    assert set(map(tuple, stop.partial.genres.to_numpy())) <= set(map(tuple, finished.genres.to_numpy()))


def test_a_long_wait_stops_too_and_keeps_what_was_read(cache):
    with StandIn(n=1000, dev_mode=True, dev_genres=True, rate_limit=(60, 30.0), retry_after=3600) as api:
        sp = api.client()
        lib = savedlib.demo(1000)
        with pytest.raises(savedlib.RateLimited) as caught:
            add_genres(sp, lib, progress=False, cache=cache, max_wait=60)
        kept = len(cache.read())
        answered = asked(api)["answered"]
    assert not caught.value.daily_quota and caught.value.retry_after == 3600
    assert kept == caught.value.partial.info["genres"]["asked"] == answered > 0


def test_an_interrupt_keeps_every_answer(cache):
    lib = savedlib.demo(2500)
    with StandIn(n=2500, dev_mode=True, dev_genres=True, latency=0.02) as api:

        def interrupt_after_100_answers() -> None:
            while len(api.state.artist_answers) < 100:
                time.sleep(0.005)
            _thread.interrupt_main()

        threading.Thread(target=interrupt_after_100_answers, daemon=True).start()
        with pytest.raises(savedlib.LoadInterrupted) as caught:
            add_genres(api.client(), lib, progress=False, cache=cache, concurrency=4)
        answered = asked(api)["answered"]
    g = caught.value.partial.info["genres"]
    assert isinstance(caught.value, KeyboardInterrupt) and not isinstance(caught.value, Exception)
    assert 100 <= g["asked"] == len(cache.read()) == answered < g["artists"]  # every answer Spotify sent is kept


def test_server_errors_are_retried(cache):
    lib = savedlib.demo(300)
    with StandIn(n=300, dev_mode=True, dev_genres=True, error_rate=0.2, rng_seed=3) as api:
        enriched = add_genres(api.client(), lib, progress=False, cache=cache, retries=8)
        got = asked(api)
    assert got["endpoints"]["artist"].get("500", 0) + got["endpoints"]["artist"].get("503", 0) > 0
    assert enriched.genres.equals(lib.genres) and got["twice"] == []


# --- unknown artists ------------------------------------------------------------------------


def with_artist(items: list[dict], position: int, artist_id: str) -> list[dict]:
    items = copy.deepcopy(items)
    items[position]["track"]["artists"][0]["id"] = artist_id
    return items


@pytest.mark.parametrize("dev_mode", [False, True])
def test_unknown_artists_are_recorded_and_not_asked_again(dev_mode, cache):
    served = demo_items(300)
    mine = with_artist(with_artist(served, 5, "UnknownToSpotify000000"), 9, "not-an-id")
    lib = savedlib.from_items(mine)
    with StandIn(items=served, dev_mode=dev_mode, dev_genres=True) as api:
        sp = api.client()
        first = add_genres(sp, lib, progress=False, cache=cache)
        spent = api.stats()["api_requests"]
        again = add_genres(sp, lib, progress=False, cache=cache)
        assert api.stats()["api_requests"] == spent  # unknown ids are remembered too
        got = asked(api)
    assert first.info["genres"]["unknown"] == 2 and again.info["genres"]["unknown"] == 2
    assert first.info["genres"]["remaining"] == 0
    answers = cache.read().set_index("artist_id")
    assert not answers.loc["UnknownToSpotify000000", "found"] and not answers.loc["not-an-id", "found"]
    if dev_mode:
        assert got["endpoints"]["artist"]["404"] == 1  # the malformed id is never sent
        assert "400" not in got["endpoints"]["artist"]


# --- the cache --------------------------------------------------------------------------------


def test_the_cache_lives_in_the_user_cache_folder_and_pandas_and_duckdb_read_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "elsewhere"))
    lib = savedlib.demo(300)
    with StandIn(n=300) as api:
        add_genres(api.client(), lib, progress=False)
    folder = tmp_path / "elsewhere" / "artists"
    by_pandas = pd.read_parquet(folder)
    by_duckdb = duckdb.sql(f"SELECT artist_id, genres FROM read_parquet('{folder}/*.parquet')").df()
    assert len(by_pandas) == len(by_duckdb) == len(artist_ids(lib))
    assert set(by_pandas.columns) == {"artist_id", "name", "genres", "found", "genres_key", "read_at"}
    assert set(by_duckdb["artist_id"]) == artist_ids(lib)


def test_many_small_writes_are_merged_and_nothing_is_lost(cache, monkeypatch):
    monkeypatch.setattr("savedlib.genres.cache.MERGE_AT", 4)
    for k in range(10):
        cache.add([{"artist_id": f"a{k}", "name": str(k), "genres": [f"g{k}"], "found": True}])
    cache.add([{"artist_id": "a3", "name": "3", "genres": ["newer"], "found": True}])
    assert len(list(cache.folder.glob("part-*.parquet"))) <= 5
    answers = cache.read().set_index("artist_id")
    assert len(answers) == 10 and list(answers.loc["a3", "genres"]) == ["newer"]


def test_reads_during_merges_see_every_answer_written_before_them(cache, monkeypatch):
    monkeypatch.setattr("savedlib.genres.cache.MERGE_AT", 3)
    written, stop, seen = [], threading.Event(), []

    def reader() -> None:
        while not stop.is_set():
            before = len(written)
            got = set(cache.read()["artist_id"])
            seen.append(len(got))
            assert set(written[:before]) <= got

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for k in range(150):
            cache.add([{"artist_id": f"a{k}", "name": None, "genres": [], "found": True}])
            written.append(f"a{k}")
    finally:
        stop.set()
        thread.join()
    assert len(seen) > 10 and len(cache.read()) == 150
    assert len(list(cache.folder.glob("part-*.parquet"))) <= 4  # merged along the way


ENRICH = textwrap.dedent(
    """
    import sys, spotipy
    import savedlib.genres.cache, savedlib.genres.enrich
    from savedlib import from_items
    from savedlib.demodata import demo_items
    from savedlib.genres import ArtistCache, add_genres
    savedlib.genres.enrich.FLUSH_ROWS = 5  # many small writes, and merges, while the other process writes too
    savedlib.genres.cache.MERGE_AT = 4
    url, token, folder, start, stop = sys.argv[1:]
    sp = spotipy.Spotify(auth=token)
    sp.prefix = url + "/v1/"
    lib = from_items(demo_items(3000)[int(start) : int(stop)])
    done = add_genres(sp, lib, progress=False, cache=ArtistCache(folder), concurrency=4)
    print(done.info["genres"]["asked"], done.info["genres"]["artists"])
    """
)


def test_two_processes_enriching_at_once_lose_nothing(cache):
    # Two notebooks at once: the first and the last 2,000 tracks of one library, sharing many artists.
    with StandIn(n=3000, dev_mode=True, dev_genres=True, latency=0.002) as api:
        token = api.token_info()["access_token"]
        args = [[sys.executable, "-c", ENRICH, api.url, token, str(cache.folder), *part] for part in
                [("0", "2000"), ("1000", "3000")]]  # fmt: skip
        runs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for a in args]
        outs = [run.communicate(timeout=300) for run in runs]
        assert all(run.returncode == 0 for run in runs), outs
    for out, _ in outs:
        asked_, artists = map(int, out.split())
        assert asked_ == artists  # each got every one of its artists
    items = demo_items(3000)
    everyone = artist_ids(savedlib.from_items(items[:2000])) | artist_ids(savedlib.from_items(items[1000:]))
    answers = cache.read()
    assert set(answers["artist_id"]) == everyone and answers["artist_id"].is_unique
    assert not [p for p in cache.folder.iterdir() if p.name.startswith(".part-")]  # no half-written file left
    assert len(list(cache.folder.glob("part-*.parquet"))) < 40  # merged along the way
    assert pd.read_parquet(cache.folder)["artist_id"].nunique() == len(everyone)
