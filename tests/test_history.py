"""The listening history: Spotify's privacy-download files in their exact shapes → ``History``; the join to the
library; the charts; privacy; bad files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import savedlib
import savedlib.charts as charts
from savedlib import stats
from savedlib.demodata.history import download_files
from tests.conftest import data_of, local_item, saved

#: What Spotify's files hold about a person that savedlib must never keep (the demo's made-up values).
PERSONAL = [b"192.0.2.", b"demolistener", b"listener@example.com", b"1990-01-01"]
SMALL = {"n": 300, "streams": 6000}


@pytest.fixture(scope="module")
def download(tmp_path_factory):
    return savedlib.write_demo_download(tmp_path_factory.mktemp("download"), **SMALL)


@pytest.fixture(scope="module")
def history(download):
    return savedlib.read_history(download)


@pytest.fixture(scope="module")
def lib():
    return savedlib.demo(SMALL["n"])


def test_reads_the_two_zips_spotify_sends(history, download):
    assert sorted(p.name for p in download.iterdir()) == ["my_spotify_data (1).zip", "my_spotify_data.zip"]
    info = history.info
    assert {f["format"] for f in info["files"]} == {"extended", "video", "one-year music", "one-year podcast"}
    assert any(f["file"].endswith("endsong_0.json") for f in info["files"])  # the older format too
    assert [i["file"].rsplit("/", 1)[1] for i in info["ignored"]] == ["Userdata.json", "YourLibrary.json"]
    assert {i["why"] for i in info["ignored"]} == {"not listening history"}
    assert info["first_play"] < info["last_play"] and info["streams"] == len(history) > 5000
    p = history.plays
    assert list(p.columns[:19]) == [
        "ts", "ms_played", "kind", "track_uri", "track_id", "track_name", "artist_name", "album_name",
        "episode_uri", "episode_name", "show_name", "platform", "conn_country", "reason_start", "reason_end",
        "shuffle", "skipped", "offline", "incognito_mode",
    ]  # fmt: skip
    assert str(p["ts"].dtype) == "datetime64[us, UTC]" and p["ts"].is_monotonic_increasing
    assert p["ms_played"].dtype == "Int64" and p["shuffle"].dtype == "boolean"
    for name in ("kind", "conn_country", "reason_start", "reason_end", "track_uri", "track_name", "platform"):
        assert isinstance(p[name].dtype, pd.CategoricalDtype), name
    assert set(p["kind"].unique()) == {"track", "episode", "audiobook", "video", "unknown"}
    video = p[p["kind"] == "video"]  # the video podcast of Streaming_History_Video_*.json
    assert len(video) == SMALL["streams"] // 1000 and video["show_name"].eq("Studio Sessions").all()
    assert video["episode_uri"].str.startswith("spotify:episode:").all() and video["track_uri"].isna().all()
    assert p["skipped"].isna().any() and p["skipped"].any()  # older years: not recorded, NA not False
    assert p["incognito_mode"].any() and p["platform"].nunique() >= 8 and p["conn_country"].nunique() >= 5
    tracks = p[p["kind"] == "track"]
    ids = tracks["track_uri"].astype("string").str.removeprefix("spotify:track:")
    assert (tracks["track_id"].astype("string") == ids).all()
    books = p[p["kind"] == "audiobook"]
    assert books["show_name"].eq("The Long Playlist").all() and books["episode_name"].str.startswith("Chapter").all()


def test_the_same_from_a_folder_a_zip_and_one_file(history, download, tmp_path):
    extracted = savedlib.write_demo_download(tmp_path / "folder", **SMALL, zipped=False)
    assert savedlib.read_history(extracted).equals(history)
    one_zip = savedlib.read_history(download / "my_spotify_data.zip")  # the extended history alone
    assert one_zip.equals(history)  # the one-year streams were all covered by it anyway
    name = next(f["file"] for f in history.info["files"] if "Audio" in f["file"]).split("/", 1)[1]
    single = savedlib.read_history(extracted / name)
    assert len(single) == next(f["streams"] for f in history.info["files"] if f["file"].endswith(name))


def test_extended_wins_where_both_cover_and_nothing_is_counted_twice(tmp_path):
    files = download_files(SMALL["n"], SMALL["streams"], seed=0)
    account = files["my_spotify_data (1).zip"]
    one_year = savedlib.read_history(_zip(tmp_path / "a.zip", account))
    both = savedlib.read_history(_zip(tmp_path / "b.zip", {**files["my_spotify_data.zip"], **account}))
    assert both.info["one_year_covered_by_extended"] == len(one_year) > 500
    assert (both.plays["source"] == "one-year").sum() == 0
    last_year = both.plays[both.plays["ts"] >= one_year.plays["ts"].min().floor("min")]
    music = last_year[last_year["kind"] == "track"]
    assert len(music) == (one_year.plays["kind"] == "track").sum()  # each stream once, from the extended files
    # Older than the extended history: the one-year rows are kept.
    early = {
        "Spotify Extended Streaming History/Streaming_History_Audio_2019_0.json": _json(
            [_record("2019-05-01T10:00:00Z")]
        )
    }
    merged = savedlib.read_history(_zip(tmp_path / "c.zip", {**early, **account}))
    assert merged.info["one_year_covered_by_extended"] == 0 and len(merged) == len(one_year) + 1


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _json(value) -> bytes:
    return json.dumps(value, indent=2).encode()


def _record(ts, uri="spotify:track:aaaaaaaaaaaaaaaaaaaaaa", ms=200_000, name="Song", artist="Artist", **more):
    return {"ts": ts, "platform": "osx", "ms_played": ms, "conn_country": "DE", "ip_addr": "192.0.2.7",
            "master_metadata_track_name": name, "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "Album", "spotify_track_uri": uri, "episode_name": None,
            "episode_show_name": None, "spotify_episode_uri": None, "audiobook_title": None, "audiobook_uri": None,
            "audiobook_chapter_uri": None, "audiobook_chapter_title": None, "reason_start": "clickrow",
            "reason_end": "trackdone", "shuffle": False, "skipped": False, "offline": False,
            "offline_timestamp": 0, "incognito_mode": False, **more}  # fmt: skip


def test_personal_fields_are_never_kept(history, tmp_path):
    assert history.info["dropped_fields"] == ["ip_addr", "ip_addr_decrypted", "user_agent_decrypted", "username"]
    assert not set(history.plays.columns) & {"ip_addr", "ip_addr_decrypted", "username", "user_agent_decrypted"}
    written = history.to_parquet(tmp_path / "history")
    everything = b"".join(p.read_bytes() for p in written.rglob("*") if p.is_file())
    everything += repr(history).encode() + json.dumps(history.info).encode()
    everything += history.plays.to_csv().encode()
    for value in PERSONAL:
        assert value not in everything, value


def test_parquet_round_trip_and_duckdb(history, tmp_path):
    back = savedlib.read_history(history.to_parquet(tmp_path / "people" / "alice"))
    assert back.equals(history) and back.info == json.loads(json.dumps(history.info, default=str))
    history.to_parquet(tmp_path / "people" / "bob")
    import duckdb

    rows = duckdb.sql(
        f"""SELECT regexp_extract(filename, 'people/([^/]+)/', 1) AS person,
                   count(*) FILTER (WHERE ms_played >= 30000) AS plays,
                   round(sum(ms_played) / 3600000, 1) AS hours
            FROM read_parquet('{tmp_path}/people/*/plays.parquet', filename = true)
            GROUP BY person ORDER BY person"""
    ).fetchall()
    plays = int((history.plays["ms_played"] >= 30_000).sum())
    assert [r[:2] for r in rows] == [("alice", plays), ("bob", plays)]


# --- bad files ---------------------------------------------------------------------------------


def test_a_truncated_file_is_named(tmp_path):
    folder = tmp_path / "Spotify Extended Streaming History"
    folder.mkdir()
    data = _json([_record("2021-01-01T00:00:00Z")] * 3)
    (folder / "Streaming_History_Audio_2021_0.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(
        savedlib.HistoryError, match=r"Streaming_History_Audio_2021_0\.json is not valid JSON.*cut short"
    ):
        savedlib.read_history(tmp_path)


def test_a_file_of_another_kind(tmp_path):
    (tmp_path / "Userdata.json").write_text('{"username": "someone", "country": "DE"}')
    with pytest.raises(
        savedlib.HistoryError, match=r"Userdata\.json is not a listening history file: it holds an object"
    ):
        savedlib.read_history(tmp_path / "Userdata.json")
    (tmp_path / "Playlist1.json").write_text('[{"name": "x"}]')
    with pytest.raises(savedlib.HistoryError, match="does not hold streams"):
        savedlib.read_history(tmp_path / "Playlist1.json")
    with pytest.raises(savedlib.HistoryError, match=r"no listening history .*Playlist1\.json, Userdata\.json"):
        savedlib.read_history(tmp_path)


def test_an_empty_zip_and_a_zip_without_history(tmp_path):
    with pytest.raises(savedlib.HistoryError, match="empty"):
        savedlib.read_history(_zip(tmp_path / "empty.zip", {}))
    other = _zip(tmp_path / "other.zip", {"Spotify Account Data/Userdata.json": b"{}", "ReadMeFirst.pdf": b"%PDF"})
    with pytest.raises(savedlib.HistoryError, match=r"it holds .*ReadMeFirst\.pdf.*Streaming_History_Audio_"):
        savedlib.read_history(other)
    with pytest.raises(savedlib.HistoryError, match="does not exist"):
        savedlib.read_history(tmp_path / "nowhere.zip")


def test_unknown_fields_ignored_missing_ones_na_odd_values_coerced(tmp_path):
    records = [
        _record("2021-01-01T00:00:00Z", brand_new_field={"x": 1}),
        {"ts": "2021-01-02T00:00:00Z", "ms_played": 1000, "spotify_track_uri": None},  # most fields absent
        _record("2021-01-03T00:00:00Z", ms="45000", skipped="true"),  # numbers and booleans as text
    ]
    path = tmp_path / "endsong_0.json"
    path.write_bytes(_json(records))
    p = savedlib.read_history(path).plays
    assert p["ms_played"].tolist() == [200_000, 1000, 45_000]
    assert p["skipped"].tolist()[::2] == [False, True] and pd.isna(p["skipped"].iloc[1])
    assert p["kind"].tolist() == ["track", "unknown", "track"] and pd.isna(p.loc[1, "platform"])


# --- joined to the library ----------------------------------------------------------------------


def test_plays_per_track_against_a_hand_count(track, tmp_path):
    a = saved(track, added_at="2024-03-01T00:00:00Z", id="a" * 22, uri="spotify:track:" + "a" * 22, name="Alpha")
    b = saved(track, added_at="2024-02-01T00:00:00Z", id="b" * 22, uri="spotify:track:" + "b" * 22, name="Bravo",
              linked_from={"id": "c" * 22, "uri": "spotify:track:" + "c" * 22})  # fmt: skip
    never = saved(track, added_at="2024-01-01T00:00:00Z", id="d" * 22, uri="spotify:track:" + "d" * 22, name="Never")
    home = local_item("Home Recording", "Me")
    lib = savedlib.from_items([a, b, never, home])
    artist = track["artists"][0]["name"]
    extended = [
        _record("2024-02-15T10:00:00Z", uri=a["track"]["uri"]),  # before the save
        _record("2024-03-02T12:00:00Z", uri=a["track"]["uri"]),  # 1.5 days after
        _record("2024-03-05T12:00:00Z", uri=a["track"]["uri"], ms=10_000, skipped=True),  # a skip, not a play
        _record("2024-04-01T00:00:00Z", uri="spotify:track:" + "c" * 22),  # b, by the id it was relinked from
        _record("2024-04-02T00:00:00Z", uri=None, name="Home Recording", artist="Me"),  # a local file, by name
        _record("2024-04-03T00:00:00Z", uri="spotify:track:" + "z" * 22),  # not saved
    ]
    one_year = [{"endTime": "2023-12-31 23:00", "artistName": artist.upper(), "trackName": "bravo", "msPlayed": 60_000}]
    _zip(tmp_path / "x.zip", {"Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json": _json(extended),
                              "Spotify Account Data/StreamingHistory_music_0.json": _json(one_year)})  # fmt: skip
    per = stats.plays_per_track(lib, savedlib.read_history(tmp_path / "x.zip"))
    assert per.index.tolist() == [0, 1, 2, 3]
    assert per["streams"].tolist() == [3, 2, 0, 1] and per["plays"].tolist() == [2, 2, 0, 1]
    assert per["skips"].tolist() == [1, 0, 0, 0]
    assert per["plays_before_save"].tolist() == [1, 1, 0, 0] and per["plays_after_save"].tolist() == [1, 1, 0, 1]
    assert per.loc[0, "days_to_first_play"] == 1.5 and pd.isna(per.loc[2, "days_to_first_play"])
    assert per.loc[1, "first_played"] == pd.Timestamp("2023-12-31 23:00", tz="UTC")  # by name, without case
    assert per.loc[0, "last_played"] == pd.Timestamp("2024-03-02 12:00", tz="UTC")  # the skip is no play
    matching = per.attrs["matching"]
    assert matching == {"music_streams": 7, "matched": 6, "rate": round(6 / 7, 4), "by_uri": 3, "by_relinked": 1,
                        "by_name": 2}  # fmt: skip


def test_the_demo_history_fits_the_demo_library(lib, history):
    per = stats.plays_per_track(lib, history)
    assert per.attrs["matching"]["rate"] > 0.5 and 0 < (per["plays"] == 0).mean() < 0.3
    assert (per["plays"] >= 10).sum() > 20 and per["plays_before_save"].sum() > 0
    assert not stats.forgotten(lib, history, n=5).empty
    assert savedlib.demo_history(**SMALL).equals(history)  # deterministic, and the same as its files


# --- charts and the explorer ------------------------------------------------------------------


def _saved_vs_played(data: pd.DataFrame, per: pd.DataFrame) -> None:
    plays = per["plays"].to_numpy(dtype=np.int64)
    groups = [plays == 0, plays == 1, (plays >= 2) & (plays < 10), plays >= 10]
    assert data["played"].tolist() == list(stats.PLAYED) and data["tracks"].tolist() == [g.sum() for g in groups]


def _save_to_first_play(data: pd.DataFrame, per: pd.DataFrame) -> None:
    days, judged = per["days_to_first_play"], per["plays_after_save"].notna()
    assert data["wait"].tolist() == list(stats.WAITS) and data["tracks"].sum() == judged.sum()
    assert data["tracks"].iloc[0] == (days < 1).sum() and data["tracks"].iloc[-1] == (judged & days.isna()).sum()


def _most_played_saved(data: pd.DataFrame, per: pd.DataFrame) -> None:
    assert data["plays"].tolist() == sorted(per["plays"], reverse=True)[:20]
    assert data["plays"].tolist() == per.loc[data["item"], "plays"].tolist()


def _forgotten_favourites(data: pd.DataFrame, per: pd.DataFrame) -> None:
    cutoff = per["last_played"].max() - pd.Timedelta(days=365)
    chosen = per.loc[data["item"]]
    assert len(data) > 0 and (chosen["last_played"] <= cutoff).all() and data["plays"].is_monotonic_decreasing
    assert data["plays"].tolist() == chosen["plays"].tolist()
    assert data["plays"].iloc[-1] >= per.loc[per["last_played"] <= cutoff, "plays"].nlargest(20).iloc[-1]


DRAWS = {f.__name__.removeprefix("_"): f for f in (_saved_vs_played, _save_to_first_play, _most_played_saved,
                                                   _forgotten_favourites)}  # fmt: skip


@pytest.mark.parametrize("chart", charts.WITH_HISTORY, ids=lambda f: f.__name__)
def test_charts_with_a_history(chart, lib, history):
    drawn = chart(lib, history)
    spec = drawn.to_json()
    assert len(spec.encode()) < 250 * 1024 and "No " not in json.loads(spec).get("title", {}).get("text", "")
    DRAWS[chart.__name__](data_of(drawn), stats.plays_per_track(lib, history))  # what each draws, counted here


def test_charts_say_what_is_missing(lib, history, tmp_path):
    empty = savedlib.History(history.plays.iloc[:0], {})
    assert "empty" in charts.listening_per_month(None, empty).to_json()
    spoken = savedlib.History(history.plays[history.plays["kind"].isin(["episode", "video"])], {})
    assert "no music streams" in (said := charts.saved_vs_played(lib, spoken).to_json())
    assert f"{(spoken.plays['kind'] == 'video').sum()} video streams" in said
    other_person = savedlib.demo(200, seed=9)
    assert "the same person" in charts.most_played_saved(other_person, history).to_json()
    no_dates = savedlib.from_items([dict(i, added_at="2020-01-01T00:00:00Z") for i in savedlib.demo_items(50)])
    no_dates.tracks["added_at"] = pd.NaT
    assert "save dates" in charts.save_to_first_play(no_dates, history).to_json()
    months = data_of(charts.listening_per_month(lib, history))
    assert set(months["what"]) == {"saved tracks", "other tracks", "podcasts and audiobooks", "video"}
    assert np.isclose(months["hours"].sum(), history.plays["ms_played"].sum() / 3_600_000, rtol=1e-3)
    video = history.plays.loc[history.plays["kind"] == "video", "ms_played"].sum() / 3_600_000
    assert np.isclose(months.loc[months["what"] == "video", "hours"].sum(), video, rtol=1e-3) and video > 0
    alone = data_of(charts.listening_per_month(lib=None, history=history))  # no library: music is "tracks"
    assert set(alone["what"]) == {"tracks", "podcasts and audiobooks", "video"}


def test_explorer_with_plays(lib, history):
    ex = savedlib.explore(lib, history=history)
    per = stats.plays_per_track(lib, history)
    assert {"plays", "since_saved"} <= set(ex.filters) and "<th>Plays</th>" in ex.table.value
    ex.filters["since_saved"].value = "never"
    assert ex.count == int((per["plays_after_save"] == 0).sum()) and "never played since saved" in ex.summary.value
    ex.reset()
    ex.filters["plays"].value = (10, ex.filters["plays"].max)
    assert ex.count == int((per["plays"] >= 10).sum()) and (ex.result["plays"] >= 10).all()
    ex.sort.value = "Plays"
    assert ex.result["plays"].max() == ex.lib.tracks.loc[ex.keep, "plays"].max()
