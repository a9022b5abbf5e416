"""The explorer driven from Python: set widget values, read the result, the views and the table."""

import html
import re
import timeit
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import pytest

import savedlib
from savedlib.explorer import table
from savedlib.standin import with_market
from tests.conftest import data_of, saved


@pytest.fixture(scope="module")
def lib():
    return savedlib.demo(2500)


@pytest.fixture
def ex(lib):
    return savedlib.explore(lib)


def test_opens_on_everything(ex, lib):
    assert ex.count == 2500 and ex.result.equals(lib.tracks)
    assert "2,500 of 2,500 tracks" in ex.summary.value
    assert set(ex.filters) >= {
        "saved",
        "released",
        "artists",
        "album_type",
        "explicit",
        "duration",
        "popularity",
        "market",
        "playable",
    }
    assert repr(ex) == "<Explorer: 2,500 of 2,500 tracks match>"


@pytest.mark.parametrize(
    ("name", "value", "expect"),
    [
        ("popularity", (60, 80), lambda t: t["popularity"].between(60, 80)),
        ("released", (1990, 1999), lambda t: t["album_release_year"].between(1990, 1999)),
        ("duration", (2.0, 3.5), lambda t: (t["duration_ms"] / 60000).between(2.0, 3.5)),
        ("album_type", "compilation", lambda t: t["album_type"] == "compilation"),
        ("explicit", "explicit", lambda t: t["explicit"] == True),  # noqa: E712
        ("explicit", "clean", lambda t: t["explicit"] == False),  # noqa: E712
    ],
)
def test_each_filter_matches_plain_pandas(ex, lib, name, value, expect):
    ex.filters[name].value = value
    want = lib.tracks[expect(lib.tracks).fillna(False).astype(bool)]
    assert ex.result.index.equals(want.index) and ex.count == len(want) > 0
    assert f"{len(want):,} of 2,500 tracks" in ex.summary.value


def test_saved_range(ex, lib):
    slider = ex.filters["saved"]
    labels = [label for label, _ in slider.options]
    slider.index = (labels.index("2019-06"), labels.index("2019-08"))
    month = lib.tracks["added_at"].dt.strftime("%Y-%m")
    want = lib.tracks[(month >= "2019-06") & (month <= "2019-08")]
    assert ex.result.index.equals(want.index) and len(want) > 0
    assert "saved 2019-06 to 2019-08" in ex.summary.value


def test_several_artists_any_credit(ex, lib):
    names = lib.artists["artist_name"].value_counts().index[:2].tolist()
    ex.filters["artists"].value = names
    items = set(lib.artists.loc[lib.artists["artist_name"].isin(names), "item"])
    assert set(ex.result.index) == items
    assert ex.filters["artists"].allowed_tags == sorted(set(lib.artists["artist_name"]))


def test_market_playable_and_not(ex, lib):
    items = savedlib.demo_items(2500)
    ex.filters["market"].value = "JP"
    ex.filters["playable"].value = "blocked"
    blocked = {
        k for k, it in enumerate(items) if not it["track"]["is_local"] and "JP" not in it["track"]["available_markets"]
    }
    assert set(ex.result.index) == blocked
    ex.filters["playable"].value = "playable"
    assert set(ex.result.index) == {k for k, it in enumerate(items) if "JP" in it["track"]["available_markets"]}


def test_combined_filters_and_views(ex, lib):
    with ex.hold():
        ex.filters["popularity"].value = (50, 100)
        ex.filters["album_type"].value = "album"
        ex.filters["duration"].value = (3.0, 6.0)
    t = lib.tracks
    want = t[
        t["popularity"].between(50, 100).fillna(False)
        & (t["album_type"] == "album").fillna(False)
        & (t["duration_ms"] / 60000).between(3, 6).fillna(False)
    ]
    assert ex.result.index.equals(want.index)
    durations = data_of(ex.views["durations"])
    assert durations["tracks"].sum() == len(want)
    minutes = want["duration_ms"].astype(float) / 60000
    assert durations.loc[durations["start"] == 3.0, "tracks"].item() == ((minutes >= 3.0) & (minutes < 3.25)).sum()
    popularity = data_of(ex.views["popularity"])
    assert popularity["tracks"].sum() == len(want) and popularity.loc[popularity["end"] <= 50, "tracks"].sum() == 0
    shown = ex.linked.chart.to_dict()  # what the browser's chart widget holds
    assert shown == alt.hconcat(*ex.views.values(), spacing=30).to_dict()


def test_hold_updates_once(ex):
    before = len(ex.timings)
    with ex.hold():
        ex.filters["popularity"].value = (10, 90)
        ex.filters["explicit"].value = "clean"
    assert len(ex.timings) == before + 1


def test_nothing_matches(ex):
    ex.filters["artists"].value = [ex.filters["artists"].allowed_tags[0]]
    ex.filters["album_type"].value = "compilation"
    ex.filters["explicit"].value = "explicit"
    ex.filters["popularity"].value = (99, 100)
    assert ex.count == 0 and ex.result.empty
    assert "No tracks match" in ex.summary.value and "No tracks match" in ex.table.value
    assert "No tracks match these filters." in ex.linked.chart.to_json()
    ex.reset()
    assert ex.count == 2500


def test_table_sorted_paged_linked_and_escaped(lib):
    ex = savedlib.explore(lib)
    ex.sort.value = "Popularity"
    top = lib.tracks.sort_values("popularity", ascending=False, kind="stable").head(25)
    rows = re.findall(r"<tr><td>", ex.table.value)
    assert len(rows) == 25  # one page only, however big the library
    first_link = re.search(r'<a href="([^"]+)"', ex.table.value).group(1)
    assert first_link == top["track_url"].iloc[0]
    ex.next.click()
    assert ex.page_label.value == "26-50 of 2,500"
    ex.descending.value = False
    assert ex.page_label.value == "1-25 of 2,500"


def test_table_escapes_names(track):
    evil = saved(track, name='<script>alert("x")</script> & "quotes"')
    ex = savedlib.explore(savedlib.from_items([evil]))
    assert "<script>" not in ex.table.value
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in ex.table.value


def test_brushing_the_timeline_sets_the_saved_filter(ex, lib):
    start = pd.Timestamp("2021-03-10").value // 10**6
    end = pd.Timestamp("2021-05-20").value // 10**6
    # What the browser sends when the person drags across the bars:
    ex.timeline._vl_selections = {"brush": {"value": {"month": [start, end]}, "store": []}}
    assert [label for label, _ in ex.filters["saved"].options][slice(*ex.filters["saved"].index)][0] == "2021-03"
    assert ex.filters["saved"].label == ("2021-03", "2021-05")
    month = lib.tracks["added_at"].dt.strftime("%Y-%m")
    assert set(ex.result.index) == set(lib.tracks.index[(month >= "2021-03") & (month <= "2021-05")])
    ex.timeline._vl_selections = {"brush": {"value": {}, "store": []}}  # brush cleared
    assert ex.count == 2500


def test_development_mode_hides_what_is_missing():
    lib = savedlib.demo(500, dev_mode=True)
    ex = savedlib.explore(lib)
    assert ex.filters["popularity"].layout.display == "none"
    assert ex.filters["market"].disabled and ex.filters["playable"].disabled
    notes = " ".join(ex._filters.notes.values())
    assert "Popularity is hidden" in notes and "Development Mode" in notes
    assert "artists" in ex.views and "popularity" not in ex.views
    ex.filters["album_type"].value = "single"
    assert ex.count == int((lib.tracks["album_type"] == "single").sum())


def test_library_read_with_a_market(lib):
    items = savedlib.demo_items(600)
    jp = savedlib.from_items([with_market(it, "JP") for it in items], market="JP")
    ex = savedlib.explore(jp)
    assert [v for _, v in ex.filters["market"].options] == ["any", "JP"]
    ex.filters["market"].value = "JP"
    ex.filters["playable"].value = "blocked"
    t = jp.tracks
    assert ex.count == int((~t["is_playable"] & ~t["is_local"]).sum()) > 0


def test_empty_library_opens():
    ex = savedlib.explore(savedlib.from_items([]))
    assert ex.count == 0 and "No tracks match" in ex.table.value


def test_sort_keys_exist(lib):
    assert set(table.SORTS.values()) <= set(lib.tracks.columns)
    order = table.order(lib.tracks, "track_name", descending=False)
    names = lib.tracks["track_name"].iloc[order].str.casefold()
    assert names.is_monotonic_increasing


def test_result_is_numpy_masked_not_looped(ex):
    assert isinstance(ex.keep, np.ndarray) and ex.keep.dtype == bool


@pytest.fixture(scope="module")
def with_playlists():
    return savedlib.demo(2500, playlists=True)


def test_playlist_filters_only_with_playlists(ex, with_playlists):
    assert "playlists" not in ex.filters and "no_playlist" not in ex.filters
    shown = savedlib.explore(with_playlists)
    options = shown.filters["playlists"].options
    read = with_playlists.playlists[with_playlists.playlists["status"] == "read"]
    assert [number for _, number in options] == read["playlist"].tolist()  # only playlists whose songs are known
    labels = [label for label, _ in options]
    assert "Chill" in labels and "Chill (2)" in labels  # two playlists of one name stay two
    assert "Indie finds" not in labels and "Today's Top Hits" not in labels
    note = shown._filters.notes["playlists"]
    assert "2 of 11 playlists could not be read" in note and "Indie finds" in note and "Today's Top Hits" in note
    assert html.escape(note) in shown.widget.children[2].value  # shown under the filters, in words


def test_in_playlists_matches_the_entries(with_playlists):
    ex = savedlib.explore(with_playlists)
    e = with_playlists.playlist_items
    chill = [n for label, n in ex.filters["playlists"].options if label.startswith("Chill")]
    ex.filters["playlists"].value = tuple(chill)
    want = set(e.loc[e["playlist"].isin(chill) & e["item"].notna(), "item"].astype(int))
    assert set(ex.result.index) == want and 0 < ex.count < 2500
    one = set(e.loc[(e["playlist"] == chill[0]) & e["item"].notna(), "item"].astype(int))
    assert one < want  # the two "Chill"s are told apart
    assert "in Chill or Chill (2)" in ex.summary.value
    ex.filters["playlists"].value = (chill[0],)
    assert set(ex.result.index) == one


def test_in_no_playlist_is_what_stats_says(with_playlists):
    ex = savedlib.explore(with_playlists)
    ex.filters["no_playlist"].value = "none"
    unsorted = savedlib.stats.in_no_playlist(with_playlists)
    assert ex.result.index.equals(unsorted.index) and ex.count == len(unsorted) > 0
    assert set(ex.result.index).isdisjoint(set(with_playlists.playlist_items["item"].dropna().astype(int)))
    assert "in no playlist" in ex.summary.value
    with ex.hold():
        ex.filters["playlists"].value = (ex.filters["playlists"].options[0][1],)
    assert ex.count == 0  # in a playlist and in none: nothing
    with ex.hold():
        ex.filters["no_playlist"].value = "any"
        ex.filters["album_type"].value = "single"
    t = with_playlists.tracks
    first = ex.filters["playlists"].options[0][1]
    e = with_playlists.playlist_items
    held = set(e.loc[(e["playlist"] == first) & e["item"].notna(), "item"].astype(int))
    assert set(ex.result.index) == held & set(t.index[t["album_type"] == "single"])
    ex.reset()
    assert ex.count == 2500 and ex.filters["playlists"].value == () and ex.filters["no_playlist"].value == "any"


def test_playlists_none_readable_disable_the_filter(with_playlists):
    lib = with_playlists
    unread = lib.playlists.assign(status=lib.playlists["status"].where(lib.playlists["status"] != "read", "gone"))
    ex = savedlib.explore(replace(lib, playlists=unread, playlist_items=lib.playlist_items.iloc[:0]))
    assert ex.filters["playlists"].disabled and ex.filters["no_playlist"].disabled
    assert ex.filters["playlists"].options == ()
    assert "11 of 11 playlists could not be read" in ex._filters.notes["playlists"]


def test_playlist_filter_is_vectorised_at_50000():
    big = savedlib.demo(50_000, playlists=True)
    ex = savedlib.explore(big)
    ex.filters["no_playlist"].value = "none"
    assert ex.count == int((savedlib.stats.playlist_counts(big) == 0).sum()) > 0
    with ex.hold():
        ex.filters["no_playlist"].value = "any"
        ex.filters["playlists"].value = tuple(n for _, n in ex.filters["playlists"].options[:3])
    assert 0 < ex.count < 50_000
    filtering = [timeit.timeit(ex._filters.mask, number=1) for _ in range(3)]  # the mask alone, without the views
    assert min(filtering) < 0.05, filtering  # array operations over ~20,000 entries, no loop per track
