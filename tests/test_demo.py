"""The demo library: deterministic, in the real item shape, and realistic enough to chart."""

import hashlib
import json

import pandas as pd
import pytest

import savedlib
from savedlib.items.shape import DEV_MODE_REMOVED

# sha256 of json.dumps(demo_items(200, seed=0), sort_keys=True). Same arguments give the
# same library on any machine; change this only with a deliberate change to the generator
# (and re-record the notebooks).
DIGEST_200 = "ca8537f5b3f11fef3038d0a34dd83616a7acb191b54cc9ca168e060ef0310042"


def _digest(items) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def test_same_arguments_same_items():
    assert _digest(savedlib.demo_items(300, seed=3)) == _digest(savedlib.demo_items(300, seed=3))
    assert _digest(savedlib.demo_items(300, seed=3)) != _digest(savedlib.demo_items(300, seed=4))


def test_items_are_stable_across_machines():
    assert _digest(savedlib.demo_items(200, seed=0)) == DIGEST_200


def test_same_arguments_same_library():
    a, b = savedlib.demo(400), savedlib.demo(400)
    for name in ("tracks", "artists", "markets"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.info == b.info


def test_items_have_the_saved_tracks_shape():
    items = savedlib.demo_items(300)
    assert all(set(item) == {"added_at", "track"} for item in items)
    added = [item["added_at"] for item in items]
    assert added == sorted(added, reverse=True)  # newest save first
    assert all(a.endswith("Z") and len(a) == 20 for a in added)
    real = [item["track"] for item in items if not item["track"]["is_local"]]
    assert all(t["uri"] == f"spotify:track:{t['id']}" and len(t["id"]) == 22 for t in real)
    assert {"available_markets", "popularity", "external_ids", "album"} <= set(real[0])


def test_dev_mode_shape_drops_keys():
    items = savedlib.demo_items(200, dev_mode=True)
    for item in items:
        track = item["track"]
        assert not set(DEV_MODE_REMOVED["track"]) & set(track)
        assert not set(DEV_MODE_REMOVED["album"]) & set(track["album"])
    lib = savedlib.demo(200, dev_mode=True)
    assert lib.tracks["popularity"].isna().all() and lib.markets.empty
    assert {"popularity", "available_markets"} <= set(lib.info["missing_fields"])


def test_demo_tells_a_story():
    lib = savedlib.demo()
    t = lib.tracks
    assert len(t) == 2500 and lib.info["source"].startswith("demo")
    # Ten years of saves, with busy and quiet months and an evening peak.
    span = t["added_at"].max() - t["added_at"].min()
    assert span > pd.Timedelta(days=9 * 365)
    per_month = t.set_index("added_at").resample("MS").size()
    assert per_month.max() > 3 * per_month.median() and per_month.min() < per_month.median() / 3
    hours = t["added_at"].dt.hour.value_counts()
    assert hours.loc[18:23].sum() > 4 * hours.loc[2:7].sum()
    # A long tail of artists, several artists per track sometimes, all album types.
    counts = t["primary_artist"].value_counts()
    assert counts.iloc[0] >= 30 and (counts == 1).sum() > 100
    assert (t["n_artists"] > 1).mean() > 0.08
    assert set(t["album_type"].dropna()) == {"album", "single", "compilation"}
    # Release dates across decades, all precisions, and the odd "0000".
    assert t["album_release_year"].min() < 1970 and t["album_release_year"].max() >= 2025
    assert set(t["album_release_precision"].dropna()) == {"year", "month", "day"}
    assert (t["album_release_date"] == "0000").any()
    # Durations: log-normal around 3.5 minutes, a few very long tracks.
    minutes = t["duration_ms"] / 60_000
    assert 3 < minutes.median() < 4.2 and (minutes > 10).sum() >= 5
    # Markets: most tracks everywhere, some regional, some nowhere.
    assert (t["n_markets"] >= 180).mean() > 0.6
    assert ((t["n_markets"] > 0) & (t["n_markets"] < 40)).any() and (t["n_markets"] == 0).any()
    # About 1% local files; popularity and explicit flags present.
    assert 0.003 < t["is_local"].mean() < 0.03
    assert t["popularity"].between(0, 100).all() and t["popularity"].std() > 5
    assert 0.05 < t["explicit"].mean() < 0.5


def test_demo_names_break_naive_code():
    names = pd.concat([savedlib.demo().tracks["track_name"], savedlib.demo().artists["artist_name"]])
    for pattern in [
        ",",
        '"',
        "\n",
        "[\u3040-\u30ff\u4e00-\u9fff]",
        "[\u0590-\u06ff]",
        "[\U0001f300-\U0001faff]",
        "[éüøç]",
    ]:
        assert names.str.contains(pattern, regex=True).any(), pattern


@pytest.mark.slow
def test_demo_at_scale():
    lib = savedlib.demo(50_000)
    counts = lib.tracks["primary_artist"].value_counts()
    assert counts.iloc[:3].min() >= 200  # a few artists with hundreds of tracks
    assert len(lib.markets) > 5_000_000
    assert lib.tracks.index.is_monotonic_increasing and len(lib) == 50_000


@pytest.mark.parametrize("n", [-1, 2.5, "10"])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        savedlib.demo_items(n)


def test_tiny_demos():
    assert len(savedlib.demo(0)) == 0
    assert len(savedlib.demo(1)) == 1
