"""Saving and reopening: Parquet round trips exactly; CSV survives Excel and pandas; damage is reported."""

import datetime
import json

import pandas as pd
import pytest

import savedlib
from savedlib.library import FORMAT_VERSION
from tests.conftest import saved


@pytest.fixture(scope="module")
def lib():
    return savedlib.demo(500)


@pytest.mark.parametrize("shape", ["full", "dev_mode", "empty", "one"])
def test_parquet_round_trip_exact(tmp_path, lib, shape):
    original = {
        "full": lib,
        "dev_mode": savedlib.demo(300, dev_mode=True),
        "empty": savedlib.from_items([]),
        "one": savedlib.demo(1),
    }[shape]
    back = savedlib.read_parquet(original.to_parquet(tmp_path / "lib"))
    for name in ("tracks", "artists", "markets", "genres", "audio_features", "playlists", "playlist_items"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(original, name), check_exact=True)
    assert back.info == original.info
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == [
        "artists.parquet",
        "audio_features.parquet",
        "genres.parquet",
        "info.json",
        "markets.parquet",
        "playlist_items.parquet",
        "playlists.parquet",
        "tracks.parquet",
    ]


def test_parquet_files_are_plain_parquet(tmp_path, lib):
    lib.to_parquet(tmp_path)
    # Any Parquet reader sees the tables as they are (the path DuckDB and others take).
    tracks = pd.read_parquet(tmp_path / "tracks.parquet", dtype_backend="pyarrow")
    assert tracks["track_name"].tolist() == lib.tracks["track_name"].tolist()
    assert json.loads((tmp_path / "info.json").read_text())["version"] == FORMAT_VERSION


def test_csv_round_trip_keeps_names(tmp_path, lib):
    path = lib.to_csv(tmp_path / "tracks.csv", escape_formulas=False)
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # Excel reads UTF-8 only with the mark
    back = pd.read_csv(path, index_col="item", keep_default_na=False, dtype=str)
    assert back.index.tolist() == [str(i) for i in lib.tracks.index]
    for column in ("track_name", "artists", "album_name"):
        assert back[column].tolist() == lib.tracks[column].fillna("").tolist()
    tricky = lib.tracks["track_name"].str.contains('[,"\n]|[^\x00-\x7f]', regex=True)
    assert tricky.sum() > 5
    assert back["added_at"].iloc[0] == lib.tracks["added_at"].iloc[0].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert back["artist_ids"].iloc[0] == ";".join(lib.tracks["artist_ids"].iloc[0])


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a savedlib library folder"):
        savedlib.read_parquet(tmp_path / "nothing")


def test_newer_format_refused(tmp_path, lib):
    lib.to_parquet(tmp_path)
    meta = json.loads((tmp_path / "info.json").read_text())
    meta["version"] = FORMAT_VERSION + 1
    (tmp_path / "info.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="newer savedlib"):
        savedlib.read_parquet(tmp_path)


@pytest.mark.parametrize("victim", ["tracks.parquet", "markets.parquet", "info.json"])
def test_damaged_file_named(tmp_path, lib, victim):
    lib.to_parquet(tmp_path)
    data = (tmp_path / victim).read_bytes()
    (tmp_path / victim).write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=victim.replace(".", r"\.") + ".*damaged"):
        savedlib.read_parquet(tmp_path)


def test_failed_write_leaves_previous_files(tmp_path, lib, monkeypatch):
    lib.to_parquet(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pyarrow.parquet.write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        savedlib.demo(50).to_parquet(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files left either


def test_repr_says_what_is_missing():
    text = repr(savedlib.demo(100, dev_mode=True))
    assert text.startswith("<Library: 100 tracks") and "popularity" in text and "available_markets" in text
    assert repr(savedlib.from_items([])) == "<Library: 0 tracks; from items>"


def formula_library(track_fixture):
    names = ["=", "+44 Minutes", "-ly", "@home", '=HYPERLINK("http://evil","x")', "Plain", "Mid=dle"]
    return savedlib.from_items([saved(track_fixture, name=n) for n in names])


def test_csv_escapes_formulas_for_spreadsheets_by_default(tmp_path, track):
    lib = formula_library(track)
    for_people = pd.read_csv(lib.to_csv(tmp_path / "people.csv"), keep_default_na=False, dtype=str)
    assert for_people["track_name"].tolist() == [
        "'=", "'+44 Minutes", "'-ly", "'@home", "'=HYPERLINK(\"http://evil\",\"x\")", "Plain", "Mid=dle"
    ]  # fmt: skip
    assert not for_people["track_id"].str.startswith("'").any()  # cells that are not risky are untouched
    for_programs = pd.read_csv(lib.to_csv(tmp_path / "raw.csv", escape_formulas=False), keep_default_na=False)
    assert for_programs["track_name"].tolist() == lib.tracks["track_name"].tolist()


def test_excel_workbook_keeps_types_and_never_runs_a_name(tmp_path, track):
    import openpyxl

    lib = formula_library(track)
    path = lib.to_excel(tmp_path / "tracks.xlsx")
    ws = openpyxl.load_workbook(path)["tracks"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["item", "added_at", "track_id"]
    col = {name: k + 1 for k, name in enumerate(header)}
    names = [ws.cell(row=r, column=col["track_name"]) for r in range(2, 2 + len(lib))]
    assert [c.value for c in names] == lib.tracks["track_name"].tolist()
    assert all(c.data_type == "s" for c in names)  # "=" and "=HYPERLINK(...)" are text, not formulas
    added = ws.cell(row=2, column=col["added_at"])
    assert isinstance(added.value, datetime.datetime) and added.value == lib.tracks["added_at"].iloc[0].to_pydatetime(
    ).replace(tzinfo=None)  # fmt: skip
    duration = ws.cell(row=2, column=col["duration_ms"])
    assert duration.data_type == "n" and duration.value == lib.tracks["duration_ms"].iloc[0]
    link = ws.cell(row=2, column=col["track_url"])
    assert link.hyperlink.target == lib.tracks["track_url"].iloc[0] and link.style == "Hyperlink"
    assert ws.freeze_panes == "A2"


def test_excel_from_the_demo_library(tmp_path, lib):
    back = pd.read_excel(lib.to_excel(tmp_path / "demo.xlsx"), index_col="item")
    assert len(back) == len(lib) and back["track_name"].fillna("").tolist() == lib.tracks["track_name"].fillna(
        "").tolist()  # fmt: skip
    assert back["popularity"].dtype.kind in "if" and str(back["added_at"].dtype).startswith("datetime64")


def test_libraries_written_before_genres_still_open(tmp_path, lib):
    folder = lib.to_parquet(tmp_path / "old")
    (folder / "genres.parquet").unlink()
    (folder / "audio_features.parquet").unlink()  # as savedlib wrote them before these tables
    back = savedlib.read_parquet(folder)
    assert back.genres.empty and list(back.genres.columns) == ["item", "genre"]
    assert back.audio_features.empty and "danceability" in back.audio_features.columns
    assert back.tracks.equals(lib.tracks) and back.artists.equals(lib.artists)
