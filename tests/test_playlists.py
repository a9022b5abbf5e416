"""Playlists beside the library: the two tables, the privacy download's files in each of their shapes, matching."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

import savedlib
from savedlib.demodata.playlists import SHAPES
from savedlib.library import PLAYLIST_COLUMNS, PLAYLIST_ITEM_COLUMNS
from savedlib.matching import match
from savedlib.tables import write_table


@pytest.fixture(scope="module")
def demo_lib():
    return savedlib.demo(playlists=True)


@pytest.fixture(scope="module")
def plain():
    return savedlib.demo()


def test_every_library_has_both_tables_empty_with_their_columns(plain):
    for lib in (plain, savedlib.from_items([])):
        assert list(lib.playlists.columns) == list(PLAYLIST_COLUMNS) and lib.playlists.empty
        assert list(lib.playlist_items.columns) == list(PLAYLIST_ITEM_COLUMNS) and lib.playlist_items.empty
        assert (
            lib.playlists.dtypes.astype(str).to_dict()
            == savedlib.demo(3, playlists=True).playlists.dtypes.astype(str).to_dict()
        )


def test_parquet_keeps_the_tables_and_older_folders_still_open(tmp_path, demo_lib):
    back = savedlib.read_parquet(demo_lib.to_parquet(tmp_path / "lib"))
    pd.testing.assert_frame_equal(back.playlists, demo_lib.playlists, check_exact=True)
    pd.testing.assert_frame_equal(back.playlist_items, demo_lib.playlist_items, check_exact=True)
    assert back.equals(demo_lib)
    assert "owner_name" not in back.playlists  # other people's display names are not kept
    with_names = demo_lib.playlists.assign(owner_name="Someone")  # as savedlib wrote playlists before
    write_table(with_names, tmp_path / "lib" / "playlists.parquet")
    pd.testing.assert_frame_equal(savedlib.read_parquet(tmp_path / "lib").playlists, demo_lib.playlists)
    (tmp_path / "lib" / "playlists.parquet").unlink()
    (tmp_path / "lib" / "playlist_items.parquet").unlink()  # as savedlib wrote libraries before playlists
    old = savedlib.read_parquet(tmp_path / "lib")
    assert old.playlists.empty and list(old.playlist_items.columns) == list(PLAYLIST_ITEM_COLUMNS)


def test_snapshots_keep_the_tables(tmp_path, demo_lib):
    from savedlib.snapshot import Snapshot
    from savedlib.snapshot.store import empty_changes

    Snapshot(tmp_path / "s").write(
        {}, complete=True, total=0, info={}, changes=empty_changes(), library=demo_lib
    )  # the library folder is what open_snapshot reads
    back = savedlib.open_snapshot(tmp_path / "s")
    pd.testing.assert_frame_equal(back.playlist_items, demo_lib.playlist_items)


def test_the_demo_has_every_case_the_issue_names(demo_lib):
    p, e = demo_lib.playlists, demo_lib.playlist_items
    assert (p["name"] == "Chill").sum() == 2  # two playlists with one name stay two
    assert set(p["status"]) == {"read", "someone else's", "Spotify's"}
    assert p.loc[p["collaborative"].fillna(False).astype(bool), "owner_id"].tolist() == ["sam.colleague"]
    assert {"local file", "episode", "track"} <= set(e["kind"])
    assert {"id", "isrc", "names"} <= set(e["matched_by"].dropna())
    saved_in_some = e["item"].dropna().nunique()
    assert 0 < saved_in_some < len(demo_lib)  # saved songs in no playlist
    assert e.loc[e["kind"] == "track", "item"].isna().any()  # playlist songs never saved
    assert e["added_at"].isna().any() and e["added_at"].notna().any()  # very old entries have no date


# --- matching: one rule ------------------------------------------------------------------------------


def _entries(**columns) -> pd.DataFrame:
    base = {k: [None] for k in ("uri", "track_id", "isrc", "track_name", "artist_name", "album_name")}
    return pd.DataFrame({**base, "kind": ["track"], **{k: [v] for k, v in columns.items()}}).astype("string")


def test_matching_rules_in_order(plain):
    t = plain.tracks
    first = t[t["isrc"].notna() & ~t["is_local"]].iloc[0]
    by = lambda **c: match(_entries(**c), t)  # noqa: E731
    assert by(uri=first["track_uri"])[1][0] == "id"
    assert by(isrc=first["isrc"], uri="spotify:track:" + "x" * 22)[1][0] == "isrc"
    item, how = by(track_name=first["track_name"].upper(), artist_name=" " + first["primary_artist"])
    assert how[0] == "names" and t.loc[item[0], "track_name"].casefold() == first["track_name"].casefold()
    # the album too, where both sides have one: the only rule for files before late 2021
    wrong = by(track_name=first["track_name"], artist_name=first["primary_artist"], album_name="Another Album")
    assert pd.isna(wrong[0][0])
    episode = _entries(uri=first["track_uri"]).assign(kind="episode")
    assert pd.isna(match(episode, t)[0][0])  # never an episode


def test_relinked_ids_match(plain):
    t = plain.tracks.copy()
    t.loc[0, "linked_from_id"] = "R" * 22
    item, how = match(_entries(track_id="R" * 22, uri="spotify:track:" + "R" * 22), t)
    assert item[0] == 0 and how[0] == "relinked"


def test_stats_same_song_is_the_matching_rule():
    from savedlib.matching import same_song

    assert savedlib.stats.library.same_song is same_song


# --- the privacy download's files ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_of_playlist_files(tmp_path, shape, plain, demo_lib):
    savedlib.write_demo_playlists(tmp_path, shape=shape)
    lib = savedlib.read_playlists(tmp_path, plain)
    own = demo_lib.playlists[demo_lib.playlists["status"] == "read"]
    assert lib.playlists["name"].tolist() == own["name"].tolist()
    assert lib.playlists["n_items"].tolist() == own["n_items"].tolist()
    assert "Office party \N{MAN DANCING}" in lib.playlists["name"].tolist()  # emoji, also as escaped surrogates
    assert "Coffee, paper, Sunday's slow start" in lib.playlists["description"].tolist()  # unescaped
    assert lib.playlists["playlist_id"].isna().all()
    e = lib.playlist_items
    assert e.groupby("playlist")["position"].min().eq(0).all()
    assert (e["kind"] == "episode").sum() == 1 and (e["kind"] == "local file").sum() == (plain.tracks["is_local"]).sum()
    assert e["added_at"].notna().any() == (shape >= "2022")
    songs = e[e["kind"] == "track"]
    if shape == "2021-early":  # no URIs: names (and album) only
        assert songs["uri"].isna().all() and set(songs["matched_by"].dropna()) == {"names"}
    else:
        assert songs["track_id"].notna().all() and "id" in set(songs["matched_by"].dropna())
    # the same saved songs as the Web API gives, whatever the shape
    api = demo_lib.playlist_items[demo_lib.playlist_items["playlist"].isin(own["playlist"])]
    assert e["item"].notna().sum() == api["item"].notna().sum()
    assert lib.playlists["collaborative"].isna().all() == (shape < "2025-aug")


def test_read_account_data_reads_the_playlists_beside_your_library(tmp_path, plain):
    t = plain.tracks
    tracks = [
        {"artist": a, "album": b, "track": n, "uri": u}
        for a, b, n, u in zip(t["primary_artist"], t["album_name"], t["track_name"], t["track_uri"], strict=True)
    ]
    files = savedlib.demodata.playlists.privacy_files(
        savedlib.demodata.demo_playlists(savedlib.demo_items(2500)), "2024"
    )
    with zipfile.ZipFile(tmp_path / "my_spotify_data.zip", "w") as z:
        z.writestr("Spotify Account Data/YourLibrary.json", json.dumps({"tracks": tracks}))
        for name, data in files.items():
            z.writestr(f"Spotify Account Data/{name}", data)
    lib = savedlib.read_account_data(tmp_path / "my_spotify_data.zip")
    assert len(lib.playlists) == 9 and lib.playlist_items["item"].notna().sum() > 900
    assert lib.info["playlists"]["files"] == ["Spotify Account Data/Playlist1.json"]


def test_files_split_and_read_in_their_number_order(tmp_path, plain):
    playlists = savedlib.demodata.demo_playlists(savedlib.demo_items(2500))
    files = savedlib.demodata.playlists.privacy_files(playlists, "2026", per_file=300)
    assert len(files) >= 4
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    lib = savedlib.read_playlists(tmp_path, plain)
    assert lib.playlists["name"].tolist()[:2] == ["Running", "Sunday morning"] and len(lib.playlists) == 9


def test_a_truncated_file_is_refused_by_name_and_nothing_is_kept(tmp_path, plain):
    paths = savedlib.write_demo_playlists(tmp_path, shape="2025-dec")
    data = paths[0].read_bytes()
    paths[0].write_bytes(data[: len(data) // 2])
    with pytest.raises(savedlib.SourceError, match=r"Playlist1\.json is not valid JSON.*cut short"):
        savedlib.read_playlists(tmp_path, plain)
    assert plain.playlists.empty


@pytest.mark.parametrize(
    "text, why",
    [
        ('[{"endTime": "2023-01-02 13:45", "artistName": "A", "trackName": "B", "msPlayed": 1}]', "not one of"),
        ('{"tracks": []}', "not one of"),
        ('{"playlists": [{"name": "x", "items": [{"track": "not a record"}]}]}', "not Spotify's item records"),
    ],
)
def test_a_file_of_another_kind_is_refused_by_name(tmp_path, plain, text, why):
    (tmp_path / "Playlist1.json").write_text(text)
    with pytest.raises(savedlib.SourceError, match=why) as caught:
        savedlib.read_playlists(tmp_path, plain)
    assert "Playlist1.json" in str(caught.value)


def test_a_folder_without_playlist_files_says_so(tmp_path, plain):
    (tmp_path / "YourLibrary.json").write_text('{"tracks": []}')
    with pytest.raises(savedlib.SourceError, match=r"no Playlist1\.json"):
        savedlib.read_playlists(tmp_path, plain)
