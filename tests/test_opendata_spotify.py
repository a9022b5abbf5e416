"""Spotify's 2026 artist shape: add_genres stops after one request with GenresUnavailable and records nothing;
answers an older savedlib recorded as "without genres" are asked again."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import savedlib
from savedlib.genres import ArtistCache, add_genres
from savedlib.standin import StandIn


@pytest.fixture
def cache(tmp_path):
    return ArtistCache(tmp_path / "artists")


def test_the_2026_shape_stops_add_genres_after_one_request(cache):
    with StandIn(n=2000, dev_mode=True) as api:
        lib = savedlib.load(api.client(), progress=False)
        before = api.stats()["api_requests"]
        with pytest.raises(savedlib.GenresUnavailable) as stopped:
            add_genres(api.client(), lib, progress=False, cache=cache)
        assert api.stats()["api_requests"] - before == 1  # the first request went alone, and was the last
    message = str(stopped.value)
    assert "Development Mode apps since February 2026" in message and "add_open_data" in message
    assert "Exportify" in message and isinstance(stopped.value, savedlib.Error)
    assert cache.read().empty  # nothing recorded as "without genres"


def test_the_older_development_mode_shape_still_gets_genres(cache):
    with StandIn(n=200, dev_mode=True, dev_genres=True) as api:
        lib = savedlib.load(api.client(), progress=False)
        out = add_genres(api.client(), lib, progress=False, cache=cache)
    assert out.info["genres"]["with_genres"] > 0
    assert cache.read()["genres_key"].all()  # from now on, whether the answer carried the key is recorded


def test_without_genres_from_an_older_savedlib_is_asked_again(cache):
    lib = savedlib.demo(200)
    ids = sorted(lib.artists["artist_id"].dropna().unique())
    now = datetime.now(UTC)
    old_schema = pa.schema([(f.name, f.type) for f in cache.schema if f.name != "genres_key"])
    rows = [{"artist_id": i, "name": "x", "genres": [] if k % 2 else ["old genre"], "found": True, "read_at": now}
            for k, i in enumerate(ids)]  # fmt: skip
    cache.folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=old_schema), cache.folder / "part-old.parquet")
    fresh = cache.fresh(ids)
    assert set(fresh["artist_id"]) == set(ids[::2])  # those with genres stand; the empty ones are unknown
    with StandIn(n=200, dev_mode=True, dev_genres=True) as api:
        add_genres(api.client(), lib, progress=False, cache=cache)
        assert api.stats()["artist_requests"]["single"] == len(ids[1::2])
