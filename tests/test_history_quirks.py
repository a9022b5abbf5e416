"""The listening history's quirks (issue 22), each in files shaped as Spotify's: streams alike but for one field,
video streams, the one-year history's placeholders, spellings the name rule folds into one, saves after the history
ends, and the library first in every function that takes both."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import savedlib
import savedlib.charts as charts
from savedlib import stats
from tests.conftest import data_of, saved
from tests.test_history import _json, _record, _zip

EXTENDED = "Spotify Extended Streaming History/"
ACCOUNT = "Spotify Account Data/"
SONG = "spotify:track:" + "a" * 22


def _video(ts: str, ms: int = 1_800_000, **more) -> dict:
    """A video podcast's stream as Streaming_History_Video_*.json holds it: the audio files' fields."""
    return _record(ts, uri=None, ms=ms, name=None, artist=None, master_metadata_album_album_name=None,
                   episode_name="Episode 4", episode_show_name="Studio Sessions",
                   spotify_episode_uri="spotify:episode:" + "v" * 22, **more)  # fmt: skip


def _one_year(end: str, artist: str, track: str, ms: int = 200_000) -> dict:
    return {"endTime": end, "artistName": artist, "trackName": track, "msPlayed": ms}


def test_streams_alike_but_for_one_field_are_two(tmp_path):
    # Two 23 ms plays of one track that ended in the same second: one started by backbtn, one by trackdone.
    back = _record("2024-05-01T10:00:00Z", ms=23, reason_start="backbtn", reason_end="fwdbtn", skipped=True)
    done = _record("2024-05-01T10:00:00Z", ms=23, reason_start="trackdone", reason_end="fwdbtn", skipped=True)
    files = {EXTENDED + "Streaming_History_Audio_2024_0.json": _json([back, done]),
             EXTENDED + "Streaming_History_Audio_2024_1.json": _json([back])}  # a file repeating a stream  # fmt: skip
    history = savedlib.read_history(_zip(tmp_path / "x.zip", files))
    assert len(history) == 2 and history.info["duplicates_dropped"] == 1
    assert sorted(history.plays["reason_start"].astype(str)) == ["backbtn", "trackdone"]


def test_video_streams_are_read_as_their_own_kind(lib_and_history, tmp_path):
    videos = [_video("2024-03-01T20:00:00Z"), _video("2024-03-02T20:00:00Z", ms=600_000),
              _record("2024-03-03T20:00:00Z", ms=240_000)]  # a video podcast twice, a music video  # fmt: skip
    video_file = {EXTENDED + "Streaming_History_Video_2024.json": _json(videos)}
    only = savedlib.read_history(_zip(tmp_path / "v.zip", video_file))
    p = only.plays
    assert p["kind"].tolist() == ["video"] * 3 and only.info["formats"] == ["video"] and only.info["ignored"] == []
    assert p["episode_name"].tolist()[:2] == ["Episode 4"] * 2 and p["show_name"].iloc[0] == "Studio Sessions"
    assert p["track_uri"].iloc[2] == SONG and only.info["dropped_fields"] == ["ip_addr"]
    months = data_of(charts.listening_per_month(None, only))
    assert months.loc[months["hours"] > 0, "what"].unique().tolist() == ["video"]
    assert np.isclose(months["hours"].sum(), (1_800_000 + 600_000 + 240_000) / 3_600_000, atol=1e-3)  # rounded
    said = charts.saved_vs_played(lib_and_history[0], only).to_json()
    assert "no music streams" in said and "It has 3 video streams" in said


def test_video_streams_beside_audio_and_the_one_year_history(track, tmp_path):
    lib = savedlib.from_items([saved(track, added_at="2024-01-01T00:00:00Z", id="a" * 22, uri=SONG)])
    files = {
        EXTENDED + "Streaming_History_Audio_2024_0.json": _json([_record("2024-02-01T10:00:00Z", uri=SONG)]),
        EXTENDED + "Streaming_History_Video_2024.json": _json([_video("2024-06-01T20:00:00Z")]),
        # After the audio files end: kept, though the video file runs later still.
        ACCOUNT + "StreamingHistory_music_0.json": _json([_one_year("2024-04-01 09:00", "Other", "Tune")]),
    }
    history = savedlib.read_history(_zip(tmp_path / "x.zip", files))
    assert history.plays["kind"].tolist() == ["track", "track", "video"]
    assert history.info["one_year_covered_by_extended"] == 0
    assert stats.plays_per_track(lib, history)["streams"].tolist() == [1]  # a video is no play of a saved track
    months = stats.played_months(lib, history).groupby("what")["hours"].sum()
    assert months.round(3).to_dict() == {"other tracks": 0.056, "saved tracks": 0.056, "video": 0.5}


def test_a_folder_of_video_history_alone(tmp_path):
    folder = tmp_path / "Spotify Extended Streaming History"
    folder.mkdir()
    (folder / "Streaming_History_Video_2023-2024.json").write_bytes(_json([_video("2023-11-05T08:00:00Z")]))
    history = savedlib.read_history(tmp_path)
    assert len(history) == 1 and history.plays["kind"].iloc[0] == "video"
    assert history.info["files"] == [
        {"file": "Spotify Extended Streaming History/Streaming_History_Video_2023-2024.json", "format": "video",
         "streams": 1}
    ]  # fmt: skip


def test_the_one_year_placeholders_are_missing_not_one_track(tmp_path):
    music = [_one_year(f"2023-0{k + 1}-01 10:00", "Unknown Artist", "Unknown Track") for k in range(3)]
    music += [_one_year("2023-05-01 10:00", "Artist", "Unknown Track"), _one_year("2023-06-01 10:00", "Artist", "Song")]
    path = tmp_path / "StreamingHistory_music_0.json"
    path.write_bytes(_json(music))
    p = savedlib.read_history(path).plays
    assert p["track_name"].isna().tolist() == [True] * 4 + [False] and p["artist_name"].isna().sum() == 3
    assert p["artist_name"].iloc[3] == "Artist" and (p["kind"] == "track").all()  # still music streams
    assert "Unknown Track" not in p["track_name"].cat.categories
    assert "Unknown Artist" not in p["artist_name"].cat.categories


def test_spellings_the_name_rule_folds_into_one(track, tmp_path):
    lib = savedlib.from_items([saved(track, added_at="2022-06-01T00:00:00Z", id="a" * 22, uri=SONG, name="Song")])
    artist = track["artists"][0]["name"]
    extended = [_record(f"2024-0{k + 1}-01T10:00:00Z", uri=SONG, name="Song", artist=artist) for k in range(2)]
    spellings = [(artist, "Song"), (artist.upper(), "SONG"), (artist, "Song "), (artist, "Other")]
    one_year = [_one_year(f"2023-03-0{k + 1} 10:00", a, t) for k, (a, t) in enumerate(spellings)]
    files = {EXTENDED + "Streaming_History_Audio_2024_0.json": _json(extended),
             ACCOUNT + "StreamingHistory_music_0.json": _json(one_year)}  # fmt: skip
    history = savedlib.read_history(_zip(tmp_path / "x.zip", files))
    assert history.plays["track_name"].nunique() == 4  # the spellings as Spotify wrote them
    per = stats.plays_per_track(lib, history)
    assert per["plays"].tolist() == [5]
    assert per.attrs["matching"] == {"music_streams": 6, "matched": 5, "rate": round(5 / 6, 4), "by_uri": 2,
                                     "by_relinked": 0, "by_name": 3}  # fmt: skip
    # Every history chart draws on the same join: they render, with these counts.
    assert data_of(charts.saved_vs_played(lib, history))["tracks"].tolist() == [0, 0, 1, 0]  # 2 to 9 plays
    assert data_of(charts.most_played_saved(lib, history))["plays"].tolist() == [5]
    assert data_of(charts.save_to_first_play(lib, history))["wait"].iloc[3] == "within a year"
    assert data_of(charts.save_to_first_play(lib, history))["tracks"].tolist() == [0, 0, 0, 1, 0, 0]
    assert "played in the last year too" in charts.forgotten_favourites(lib, history).to_json()
    months = data_of(charts.listening_per_month(lib, history)).groupby("what")["hours"].sum()
    assert months.round(2).to_dict() == {"other tracks": 0.06, "saved tracks": 0.28}  # 200 s, 5 × 200 s


def test_a_save_after_the_history_ends(track, tmp_path):
    late = saved(track, added_at="2024-06-01T00:00:00Z", id="a" * 22, uri=SONG, name="Late")
    quiet = saved(track, added_at="2024-02-01T00:00:00Z", id="b" * 22, uri="spotify:track:" + "b" * 22, name="Quiet")
    lib = savedlib.from_items([late, quiet])
    streams = [_record(f"2024-01-{d:02}T10:00:00Z", uri=SONG) for d in range(1, 6)]  # Late, five times before its save
    streams += [_record("2024-01-20T10:00:00Z", uri=quiet["track"]["uri"]), _record("2024-05-01T10:00:00Z", uri=None)]
    path = tmp_path / "Streaming_History_Audio_2024_0.json"
    path.write_bytes(_json(streams))
    per = stats.plays_per_track(lib, savedlib.read_history(path))
    assert per["plays"].tolist() == [5, 1] and per["plays_before_save"].tolist() == [5, 1]
    # The history ends a month before Late was saved: whether it was played since, it cannot say.
    assert pd.isna(per.loc[0, "plays_after_save"]) and per.loc[1, "plays_after_save"] == 0
    assert per["days_to_first_play"].isna().all()
    waits = stats.first_play_waits(per).set_index("wait")["tracks"]
    assert waits.sum() == 1 and waits["not since saving"] == 1  # Quiet only: three months of history after it


BOTH = (*charts.WITH_HISTORY, charts.listening_per_month, stats.played_months, stats.plays_per_track,
        stats.play_matches, stats.forgotten)  # fmt: skip


@pytest.mark.parametrize("function", BOTH, ids=lambda f: f.__name__)
def test_the_library_comes_first(function):
    assert list(inspect.signature(function).parameters)[:2] == ["lib", "history"]


def test_the_library_may_be_none_where_it_can(lib_and_history):
    lib, history = lib_and_history
    with_lib = stats.played_months(lib=lib, history=history)
    assert with_lib.equals(stats.played_months(lib, history))
    assert set(with_lib["what"]) == {"saved tracks", "other tracks"}
    assert set(stats.played_months(None, history)["what"]) == {"tracks"}
    assert set(data_of(charts.listening_per_month(lib=None, history=history))["what"]) == {"tracks"}


@pytest.fixture
def lib_and_history(track, tmp_path):
    lib = savedlib.from_items([saved(track, added_at="2024-01-01T00:00:00Z", id="a" * 22, uri=SONG)])
    path = tmp_path / "Streaming_History_Audio_2024_0.json"
    path.write_bytes(_json([_record("2024-02-01T10:00:00Z", uri=SONG), _record("2024-03-01T10:00:00Z", uri=None)]))
    return lib, savedlib.read_history(path)
