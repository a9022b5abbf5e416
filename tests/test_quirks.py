"""Every quirk of the real endpoint (spotify-api-facts.md) lands in the right column."""

import numpy as np
import pandas as pd
import pytest

import savedlib
from savedlib.items.shape import to_dev_mode
from tests.conftest import local_item, saved


def test_local_file_has_no_ids_and_na_not_zero(track):
    lib = savedlib.from_items([saved(track), local_item("Demo Take", "Garage Band")])
    local = lib.tracks.iloc[1]
    assert local["is_local"] == True  # noqa: E712
    for column in (
        "track_id",
        "track_url",
        "album_id",
        "primary_artist_id",
        "isrc",
        "n_markets",
        "popularity",
        "track_number",
        "disc_number",
        "album_type",
        "album_released",
    ):
        assert pd.isna(local[column]), column
    assert local["track_name"] == "Demo Take"
    assert local["primary_artist"] == local["artists"] == "Garage Band"
    assert local["track_uri"].startswith("spotify:local:")
    assert local["n_artists"] == 1
    # The local file adds an artist row (no id) and no market rows.
    assert lib.artists.query("item == 1")["artist_name"].tolist() == ["Garage Band"]
    assert pd.isna(lib.artists.query("item == 1")["artist_id"].iloc[0])
    assert set(lib.markets["item"]) == {0}
    # A library of only local files reports nothing as "missing": there is nothing to judge by.
    assert savedlib.from_items([local_item()]).info["missing_fields"] == {}


def test_development_mode_keys_absent(track):
    lib = savedlib.from_items([to_dev_mode(saved(track))])
    row = lib.tracks.iloc[0]
    assert pd.isna(row["popularity"]) and pd.isna(row["n_markets"])
    assert lib.markets.empty
    assert {"popularity", "available_markets"} <= lib.info["missing_fields"].keys()
    assert "Development Mode" in lib.info["missing_fields"]["popularity"]
    # What is still sent is still read.
    assert row["isrc"] == "GBFFP0300052" and row["duration_ms"] == 222200


def test_key_null_vs_absent_both_na(track):
    absent = saved(track, popularity=...)
    null = saved(track, popularity=None)
    present = saved(track)
    lib = savedlib.from_items([absent, null, present])
    assert lib.tracks["popularity"].isna().tolist() == [True, True, False]
    assert "popularity" not in lib.info["missing_fields"]  # one track did carry it


def test_read_with_market(track):
    playable = saved(track, available_markets=..., is_playable=True)
    relinked = saved(
        track,
        available_markets=...,
        is_playable=True,
        linked_from={"id": "6kLCHFM39wkFjOuyPGLGeQ", "type": "track", "uri": "spotify:track:6kLCHFM39wkFjOuyPGLGeQ"},
    )
    blocked = saved(track, available_markets=[], is_playable=False, restrictions={"reason": "market"})
    explicit = saved(track, available_markets=..., is_playable=False, restrictions={"reason": "explicit"})
    lib = savedlib.from_items([playable, relinked, blocked, explicit], market="JP")
    t = lib.tracks
    assert t["is_playable"].tolist() == [True, True, False, False]
    assert t["linked_from_id"].tolist()[1] == "6kLCHFM39wkFjOuyPGLGeQ"
    assert pd.isna(t["linked_from_id"].iloc[0])
    assert t["restriction"].astype(object).tolist()[2:] == ["market", "explicit"]
    assert pd.isna(t["restriction"].iloc[0])
    # available_markets is meaningless when reading with a market, even when sent as [].
    assert t["n_markets"].isna().all() and lib.markets.empty
    assert "market" in lib.info["missing_fields"]["available_markets"]
    assert lib.info["market"] == "JP"


def test_upper_case_album_type_and_unknown_values(track):
    a = saved(track)
    a["track"]["album"]["album_type"] = "ALBUM"
    b = saved(track)
    b["track"]["album"]["album_type"] = "appears_on"  # a value Spotify may add
    lib = savedlib.from_items([a, b])
    assert lib.tracks["album_type"].astype(object).tolist() == ["album", "appears_on"]
    assert list(lib.tracks["album_type"].cat.categories) == ["album", "single", "compilation", "appears_on"]


def test_images_missing_or_without_sizes(track):
    none = saved(track)
    none["track"]["album"]["images"] = []
    unsized = saved(track)
    unsized["track"]["album"]["images"] = [{"url": "https://i.scdn.co/image/only", "height": None, "width": None}]
    mixed = saved(track)
    mixed["track"]["album"]["images"] = [
        {"url": "small", "height": 64, "width": 64},
        {"url": "large", "height": 640, "width": 640},
        {"url": "unsized", "height": None, "width": None},
    ]
    lib = savedlib.from_items([none, unsized, mixed])
    urls = lib.tracks["album_image_url"]
    assert pd.isna(urls.iloc[0])
    assert urls.iloc[1] == "https://i.scdn.co/image/only"
    assert urls.iloc[2] == "large"


@pytest.mark.parametrize(
    ("date", "precision", "released", "year"),
    [
        ("1981", "year", "1981-01-01", 1981),
        ("1981-12", "month", "1981-12-01", 1981),
        ("1981-12-15", "day", "1981-12-15", 1981),
        ("0000", "year", None, None),
        (None, None, None, None),
    ],
)
def test_release_dates(track, date, precision, released, year):
    item = saved(track)
    item["track"]["album"]["release_date"] = date
    item["track"]["album"]["release_date_precision"] = precision
    row = savedlib.from_items([item]).tracks.iloc[0]
    assert (pd.isna(row["album_release_date"]) and date is None) or row["album_release_date"] == date
    if released is None:
        assert pd.isna(row["album_released"]) and pd.isna(row["album_release_year"])
    else:
        assert row["album_released"] == pd.Timestamp(released)
        assert row["album_release_year"] == year
        assert row["album_release_precision"] == precision


def test_release_dates_in_every_form(track):
    """One reader for every release date: Spotify's forms, a spreadsheet's month/day/year, Spotify's "0000"
    for an unknown year, and a date that does not exist (NaT, not rolled over into the next month)."""
    dates = ["1999", "1999-05", "1999-05-03", "2000-02-29", "0000", "0000-01", "", None, "2024-12-31",
             "12/17/2013", "1/17/2020", "2019-02-30", "1999-5-3", "late 1999"]  # fmt: skip
    items = []
    for date in dates:
        item = saved(track)
        item["track"]["album"]["release_date"] = date
        item["track"]["album"]["release_date_precision"] = None  # a file's: read from the date's form
        items.append(item)
    t = savedlib.from_items(items).tracks
    released = [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in t["album_released"]]
    assert released == ["1999-01-01", "1999-05-01", "1999-05-03", "2000-02-29", None, None, None, None,
                        "2024-12-31", "2013-12-17", "2020-01-17", None, "1999-05-03", None]  # fmt: skip
    years = [None if pd.isna(y) else int(y) for y in t["album_release_year"]]
    assert years == [1999, 1999, 1999, 2000, None, None, None, None, 2024, 2013, 2020, 2019, 1999, None]
    forms = [None if pd.isna(p) else p for p in t["album_release_precision"]]
    assert forms == ["year", "month", "day", "day", "year", "month", None, None, "day", "day", "day", "day", "day",
                     None]  # fmt: skip


def test_multi_artist_and_empty_artist_lists(track):
    many = saved(track)
    many["track"]["artists"] = [
        {"id": f"id{k}", "name": name, "uri": f"spotify:artist:id{k}"}
        for k, name in enumerate(["A, the First", 'B "Quoted"', "C 🎵"])
    ]
    empty = saved(track, artists=[])
    lib = savedlib.from_items([many, empty])
    first, second = lib.tracks.iloc[0], lib.tracks.iloc[1]
    assert first["artists"] == 'A, the First, B "Quoted", C 🎵'
    assert list(first["artist_ids"]) == ["id0", "id1", "id2"]
    assert first["n_artists"] == 3 and first["primary_artist"] == "A, the First"
    assert second["n_artists"] == 0
    assert pd.isna(second["artists"]) and pd.isna(second["primary_artist"])
    # The long table keeps each name whole, however many commas it has.
    rows = lib.artists.query("item == 0")
    assert rows["artist_name"].tolist() == ["A, the First", 'B "Quoted"', "C 🎵"]
    assert rows["position"].tolist() == [0, 1, 2]


def test_null_track_skipped_and_counted(track):
    items = [
        saved(track, name="first"),
        {"added_at": "2024-01-01T00:00:00Z", "track": None},
        saved(track, name="third"),
    ]
    lib = savedlib.from_items(items)
    assert lib.tracks["track_name"].tolist() == ["first", "third"]
    assert lib.tracks.index.tolist() == [0, 1]  # the skipped item takes no number
    assert lib.info["skipped_null_tracks"] == 1
    assert set(lib.markets["item"]) == {0, 1} and set(lib.artists["item"]) == {0, 1}


def test_added_at_is_utc_and_order_kept(track):
    items = [saved(track, added_at=t) for t in ("2024-05-01T12:00:00Z", "2019-07-04T23:59:59Z", "2024-05-01T12:00:00Z")]
    t = savedlib.from_items(items).tracks["added_at"]
    assert str(t.dtype) == "datetime64[us, UTC]"
    assert t.tolist() == [
        pd.Timestamp(s) for s in ("2024-05-01T12:00:00Z", "2019-07-04T23:59:59Z", "2024-05-01T12:00:00Z")
    ]


def test_dtypes_are_nullable_and_fixed(track):
    t = savedlib.from_items([saved(track)]).tracks
    assert t.index.name == "item"
    expect = {
        "duration_ms": "Int64",
        "explicit": "boolean",
        "is_local": "boolean",
        "track_name": "string",
        "album_type": "category",
        "n_markets": "Int64",
        "album_release_year": "Int64",
    }
    for column, dtype in expect.items():
        assert t[column].dtype == dtype, column
    assert isinstance(t["artist_ids"].dtype, pd.ArrowDtype)
    m = savedlib.from_items([saved(track)]).markets
    assert m["item"].dtype == np.int32 and m["market"].dtype == "category"


def test_an_artist_without_a_name_is_na_and_left_out_of_joined_names(track):
    item = saved(track)
    item["track"]["artists"] = [
        {"id": "a1", "name": "A", "uri": "spotify:artist:a1"},
        {"id": "a2", "name": None, "uri": "spotify:artist:a2"},
    ]
    item["track"]["album"]["artists"] = [{"id": "a2", "name": None, "uri": "spotify:artist:a2"}]
    alone = saved(track)
    alone["track"]["artists"] = [{"id": "a2", "name": None, "uri": "spotify:artist:a2"}]
    lib = savedlib.from_items([item, alone])
    first, second = lib.tracks.iloc[0], lib.tracks.iloc[1]
    assert first["artists"] == "A" and first["primary_artist"] == "A" and first["n_artists"] == 2
    assert pd.isna(first["album_artists"])  # not "" and not "A, "
    assert pd.isna(second["artists"]) and pd.isna(second["primary_artist"]) and second["primary_artist_id"] == "a2"
    assert lib.artists["artist_name"].isna().sum() == 2 and (lib.artists["artist_name"] == "").sum() == 0


def test_items_that_are_not_tracks_are_skipped_and_counted(track):
    episode = {
        "added_at": "2024-02-02T00:00:00Z",
        "track": {"id": "ep1", "name": "An Episode", "type": "episode", "uri": "spotify:episode:ep1",
                  "duration_ms": 1_800_000, "explicit": False, "is_local": False, "artists": [], "album": {}},
    }  # fmt: skip
    items = [saved(track, name="first"), episode, {"added_at": "2024-01-01T00:00:00Z", "track": None}, saved(track)]
    lib = savedlib.from_items(items)
    assert lib.tracks["track_name"].tolist() == ["first", track["name"]] and lib.tracks.index.tolist() == [0, 1]
    assert lib.info["skipped_non_tracks"] == 1 and lib.info["skipped_null_tracks"] == 1
    assert not lib.tracks["track_url"].str.contains("ep1").any()


def test_items_read_with_a_market_say_so_even_when_from_items_was_not_told(track):
    items = [
        saved(track, is_playable=True, available_markets=[]),
        saved(track, is_playable=False, available_markets=...),
    ]
    lib = savedlib.from_items(items)  # no market= given
    assert lib.info["missing_fields"]["available_markets"].startswith("Spotify leaves available_markets out")
    assert lib.tracks["n_markets"].isna().all() and lib.markets.empty  # [] is not "plays nowhere"


def test_an_items_own_markets_are_kept_beside_items_read_with_a_market(track):
    """Items of which some carry ``is_playable`` and others ``available_markets``: each keeps its own list,
    whatever the others say; only an item read with a market that came without one has no count."""
    own = len(track["available_markets"])
    items = [
        saved(track, name="with market", is_playable=True, available_markets=...),
        saved(track, name="own list"),
        saved(track, name="both", is_playable=False),
        saved(track, name="empty", is_playable=True, available_markets=[]),
    ]
    lib = savedlib.from_items(items)
    counts = [None if pd.isna(n) else int(n) for n in lib.tracks["n_markets"]]
    assert counts == [None, own, own, None]
    assert lib.markets["item"].value_counts().sort_index().to_dict() == {1: own, 2: own}
    assert "available_markets" not in lib.info["missing_fields"]
