"""The answers (``savedlib.stats``) and charts of where saved songs live: what each counts and draws."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import savedlib
import savedlib.charts as charts
from savedlib import stats


@pytest.fixture(scope="module")
def lib():
    return savedlib.demo(playlists=True)


def test_playlists_of_each_saved_item_agree_with_the_entries(lib):
    e = lib.playlist_items
    table = stats.playlists_of(lib)
    assert len(table) == len(lib)
    item = int(table["playlists"].idxmax())
    held = e.loc[e["item"] == item, "playlist"].unique()
    assert table.loc[item, "playlists"] == len(held) >= 5
    names = lib.playlists.set_index("playlist").loc[sorted(held), "name"].tolist()
    assert table.loc[item, "names"] == "; ".join(names)  # both "Chill"s named: two playlists stay two


def test_in_no_playlist_and_never_saved(lib):
    unsorted = stats.in_no_playlist(lib)
    matched = set(lib.playlist_items["item"].dropna())
    assert set(unsorted.index).isdisjoint(matched) and len(unsorted) + len(matched) == len(lib)
    assert "could not be read" in unsorted.attrs["note"]
    never = stats.never_saved(lib)
    songs = lib.playlist_items[lib.playlist_items["kind"].isin(["track", "local file"])]
    assert never["uri"].isin(songs.loc[songs["item"].isna(), "uri"]).all()
    assert len(never) == songs.loc[songs["item"].isna(), "uri"].nunique()
    assert "Why we save songs" not in set(never["track_name"])  # the episode is no song


def test_never_saved_folds_spellings_of_one_song(lib):
    e = lib.playlist_items
    spellings = (
        e.iloc[:2]
        .assign(
            playlist=lib.playlists["playlist"].iloc[:2].to_numpy(),
            kind="local file",
            uri=None,
            track_id=None,
            isrc=None,
            item=None,
            matched_by=None,
            track_name=["Song", "SONG "],
            artist_name=["Band", " band"],
        )
        .astype(e.dtypes.to_dict())
    )
    other = dataclasses.replace(lib, playlist_items=pd.concat([e, spellings], ignore_index=True))
    song = stats.never_saved(other).query("track_name.str.casefold().str.strip() == 'song'")
    assert len(song) == 1 and song["playlists"].item() == 2


def test_coverage_per_playlist(lib):
    cover = stats.playlist_coverage(lib)
    favourites = cover[cover["name"] == "Favourites of all time"].iloc[0]
    assert favourites["share_saved"] == 1.0 and favourites["saved"] == favourites["songs"]
    assert cover.loc[cover["status"] != "read", "share_saved"].isna().all()
    assert cover["share_saved"].dropna().between(0, 1).all()
    bins = stats.saved_share_bins(lib)  # counted here, drawn as they are by the chart
    assert bins["playlists"].sum() == cover["share_saved"].notna().sum()
    assert bins["playlists"].iloc[-1] == (cover["share_saved"] == 1).sum() and bins["start"].iloc[-1] == 1.0


def test_buckets_and_months_add_up(lib):
    buckets = stats.playlist_buckets(lib)
    assert buckets["bucket"].tolist() == ["none", "1", "2–4", "5 or more"] and buckets["tracks"].sum() == len(lib)
    assert buckets["tracks"].gt(0).all()
    months = stats.unsorted_per_month(lib)
    assert months["unsorted"].sum() == buckets["tracks"].iloc[0] and (months["unsorted"] <= months["saves"]).all()


@pytest.mark.parametrize("chart", charts.WITH_PLAYLISTS, ids=lambda c: c.__name__)
def test_charts_draw_aggregates_and_say_what_is_missing(chart, lib):
    spec = chart(lib).to_dict()
    assert "could not be read" in json.dumps(spec["title"])
    for other, words in [
        (savedlib.demo(100), "no playlists"),
        (savedlib.from_items([]), "no saved tracks"),
    ]:
        assert words in json.dumps(chart(other).to_dict()).lower()


def test_a_library_without_save_dates_says_so(tmp_path, lib):
    undated = savedlib.library.Library(
        lib.tracks.assign(added_at=lib.tracks["added_at"].iloc[:0].reindex(lib.tracks.index)),
        lib.artists,
        lib.markets,
        {"missing_fields": {"added_at": "Spotify's account data does not say when a track was saved"}},
        playlists=lib.playlists,
        playlist_items=lib.playlist_items,
    )
    text = json.dumps(charts.unsorted_per_month(undated).to_dict())
    assert "does not say when a track was saved" in text


def test_charts_stay_small_at_50000_tracks():
    big = savedlib.demo(50_000, playlists=True)
    for chart in charts.WITH_PLAYLISTS:
        spec = json.dumps(chart(big).to_dict())
        assert len(spec) < 250_000, chart.__name__
    assert np.isclose(stats.playlist_buckets(big)["tracks"].sum(), 50_000)


def test_in_playlists_by_number(lib):
    e = lib.playlist_items
    for chosen in ([0], [3, 4], [8, 9], [99], []):  # 8 and 9 unread: they hold nothing known; 99 is no playlist
        want = set(e.loc[e["playlist"].isin(chosen) & e["item"].notna(), "item"].astype(int))
        got = stats.playlists.in_playlists(lib, chosen)
        assert got.index.equals(lib.tracks.index) and set(got.index[got]) == want
    assert (
        stats.playlists.in_playlists(lib, [0]).sum() == (stats.playlists_of(lib)["names"].str.contains("Running")).sum()
    )
