"""The real recorded Spotify responses go through ``from_items`` intact."""

import pandas as pd

import savedlib
from tests.conftest import saved


def test_recorded_page(page):
    lib = savedlib.from_items(page["items"], total=page["total"])
    raw = page["items"][0]
    row = lib.tracks.iloc[0]
    assert len(lib.tracks) == len(page["items"]) == 1
    assert row["added_at"] == pd.Timestamp("2016-10-24T15:03:07Z")
    assert str(row["added_at"].tz) == "UTC"
    assert row["track_name"] == raw["track"]["name"] == "Good Enough For Granddad"
    assert row["track_id"] == raw["track"]["id"]
    assert row["track_url"] == "https://open.spotify.com/track/" + raw["track"]["id"]
    assert row["artists"] == "Squirrel Nut Zippers"
    assert row["primary_artist_id"] == "0LIll5i3kwo5A3IDpipgkS"
    assert row["n_markets"] == len(raw["track"]["available_markets"])
    assert row["popularity"] == raw["track"]["popularity"] == 19
    # The older shape has no is_local key: a spotify:track: URI is not local.
    assert row["is_local"] is False or row["is_local"] == False  # noqa: E712
    # No release date was sent: NA, not a made-up date.
    assert pd.isna(row["album_release_date"]) and pd.isna(row["album_released"])
    assert pd.isna(row["album_release_year"])
    assert row["album_image_url"] == raw["track"]["album"]["images"][0]["url"]
    assert lib.info["total"] == 53
    assert "album.release_date" in lib.info["missing_fields"]
    assert list(lib.markets["market"].astype(str)) == raw["track"]["available_markets"]


def test_recorded_track(track):
    lib = savedlib.from_items([saved(track)])
    row = lib.tracks.iloc[0]
    assert row["isrc"] == "GBFFP0300052"
    assert row["popularity"] == 73
    assert row["duration_ms"] == 222200
    assert row["track_number"] == 2 and row["disc_number"] == 1
    assert row["preview_url"].startswith("https://p.scdn.co/")
    assert row["n_markets"] == len(track["available_markets"]) == len(lib.markets)
    assert row["album_type"] == "album"
    assert lib.info["missing_fields"].keys() == {"album.label", "album.release_date"}
