"""Libraries from the files people have: Exportify CSVs (both exporters, as they write them) and Spotify's
account data; genres, labels, audio features and duplicates; charts and the explorer on every source."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import savedlib
import savedlib.charts as charts
from savedlib import stats
from savedlib.demodata.exportify import write_exportify
from savedlib.sources.exportify_headers import BY_LANGUAGE
from tests.conftest import data_of, local_item, saved

FIXTURES = Path(__file__).parent / "fixtures" / "exportify"


@pytest.fixture(scope="module")
def demo():
    return savedlib.demo(600)


# --- the exporters' own rows -----------------------------------------------------------------------


def test_watsonbox_rows_from_its_own_tests():
    """Rows from watsonbox/exportify's PlaylistTable.test.tsx, and one with its escapes."""
    lib = savedlib.read_exportify(FIXTURES / "watsonbox-liked.csv")
    t = lib.tracks.set_index("track_name", drop=False)
    crying = t.loc["Crying"]
    assert crying["track_id"] == "1GrLfs4TEvAZ86HVzXHchS" and crying["isrc"] == "UK4UP1300002"
    assert crying["album_label"] == "Beggars Banquet" and crying["album_release_precision"] == "day"
    assert crying["primary_artist_id"] == "4TXdHyuAOl3rAOFmZ6MeKz" and crying["album_id"] == "4iwv7b8gDPKztLkKCbWyhi"
    assert crying["duration_ms"] == 198093 and crying["popularity"] == 2 and not crying["explicit"]
    home = t.loc["Heart of Stone"]
    assert home["is_local"] and pd.isna(home["popularity"]) and pd.isna(home["album_label"])  # "null" is no label
    stay = t.loc['He said "Stay" 🔥']
    assert stay["artists"] == "Tyler, the Creator, فرقة النور" and stay["album_name"] == 'Album, with "quotes"'
    item = {name: k for k, name in enumerate(lib.tracks["track_name"])}
    names = lib.artists.loc[lib.artists["item"] == item[stay.name], "artist_name"]
    assert list(names) == ["Tyler, the Creator", "فرقة النور"]
    genres = lib.genres.assign(genre=lib.genres["genre"].astype(str))
    assert sorted(genres.loc[genres["item"] == item[stay.name], "genre"]) == ["hip hop", "rap"]  # each once
    features = lib.audio_features.set_index("item")
    assert features.loc[item["Crying"], "tempo"] == 131.988 and features.loc[item["Crying"], "key"] == 0
    assert item[stay.name] not in features.index and item["Heart of Stone"] not in features.index  # 12 empty cells
    assert lib.info["format"] == "watsonbox" and list(lib.info["missing_fields"]) == ["available_markets"]


def test_exportify_net_rows_from_its_issues():
    """exportify.net's hand-written rows: ``;``-joined artists, quotes doubled, ``undefined``, a short row."""
    lib = savedlib.read_exportify(FIXTURES / "Liked_Songs.csv")  # with the byte-order mark it writes
    t = lib.tracks
    assert t["added_at"].is_monotonic_decreasing  # newest save first, as every library
    will = t[t["track_name"].str.startswith("I Will")].iloc[0]
    assert will["track_name"] == "I Will (feat. KXNG Crooked, Royce Da 5'9\" & Joell Ortiz)"
    assert will["artists"] == "Eminem, KXNG Crooked, Royce Da 5'9\", Joell Ortiz" and will["n_artists"] == 4
    assert will["album_label"] == "Shady/Aftermath/Interscope Records" and will["explicit"]
    sheeran = t[t["primary_artist"] == "Ed Sheeran"].iloc[0]
    assert sheeran["track_name"] == "=" and sheeran["album_name"] == "=" and pd.isna(sheeran["album_label"])
    home = t[t["is_local"]].iloc[0]
    assert home["track_name"] == "Home Recording" and home["duration_ms"] == 237000
    assert len(lib.audio_features) == 2  # the cut-short row and the empty one have none
    assert lib.genres["item"].nunique() == 2 and (lib.genres["genre"] == "battle rap").sum() == 1
    assert lib.info["missing_fields"]["external_ids.isrc"] == "exportify.net files have no ISRC column"


def test_an_older_exportify_net_file():
    lib = savedlib.read_exportify(FIXTURES / "liked_songs_2023.csv")
    row = lib.tracks.iloc[0]
    assert (
        row["track_uri"] == "spotify:track:4CQwIJsYFk80DBWlwsDJGo"
        and row["primary_artist_id"] == "29Wmfm1CojrjQ3aQP0FI65"
    )
    assert lib.genres["genre"].astype(str).tolist() == [
        "blues rock", "indie rock", "modern blues rock", "neo-psychedelic", "space rock",
    ]  # fmt: skip
    assert lib.genres["item"].tolist() == [0] * 5
    assert "record-label column" in lib.info["missing_fields"]["album.label"]


# --- whole libraries, written as the exporters write them ------------------------------------------


@pytest.mark.parametrize("flavour", ["exportify.net", "watsonbox"])
def test_the_demo_library_comes_back_from_an_exportify_file(demo, tmp_path, flavour):
    lib = savedlib.read_exportify(write_exportify(tmp_path / "liked.csv", demo, flavour))
    a, b = demo.tracks, lib.tracks
    for column in ("track_uri", "track_name", "album_name", "artists", "added_at", "duration_ms", "explicit"):
        assert a[column].equals(b[column]) or (a[column].fillna("") == b[column].fillna("")).all(), column
    assert (a["popularity"].fillna(-1) == b["popularity"].fillna(-1)).all()
    assert lib.genres.astype({"genre": str}).equals(demo.genres.astype({"genre": str}))
    assert 0.8 * len(a) < len(lib.audio_features) < len(a) and b["album_label"].notna().mean() > 0.8
    tricky = a["track_name"].str.contains('[,"\n;]|[^\x00-\x7f]', regex=True)
    assert tricky.sum() > 3 and (b.loc[tricky, "track_name"] == a.loc[tricky, "track_name"]).all()


@pytest.mark.parametrize("language", sorted(BY_LANGUAGE))
def test_watsonbox_headers_in_every_language_it_ships(demo, tmp_path, language):
    path = write_exportify(tmp_path / f"liked-{language}.csv", demo, "watsonbox", language)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert language == "en" or "Track URI" not in header or BY_LANGUAGE[language]["Track URI"] == "Track URI"
    lib = savedlib.read_exportify(path)
    assert len(lib) == len(demo) and lib.tracks["isrc"].notna().sum() > 500 and len(lib.audio_features) > 400


def test_anything_else_is_refused_naming_the_columns(tmp_path):
    other = tmp_path / "playlist.csv"
    other.write_text("Title,Artist,Album\nA,B,C\n")
    with pytest.raises(savedlib.SourceError, match=r"not an Exportify file: its columns are Title, Artist, Album.*"
                                                   r"Expected the columns of exportify\.net \(Track URI"):  # fmt: skip
        savedlib.read_exportify(other)
    with pytest.raises(savedlib.SourceError, match="is not a file"):
        savedlib.read_exportify(tmp_path / "missing.csv")


# --- the account data ------------------------------------------------------------------------------


def test_account_data_from_the_zip_and_the_file(tmp_path, demo):
    download = savedlib.write_demo_download(tmp_path / "dl", n=600, streams=2000)
    lib = savedlib.read_account_data(download)
    assert len(lib) == 600 and lib.tracks["added_at"].isna().all()
    assert (lib.tracks["track_uri"].to_numpy() == demo.tracks["track_uri"].to_numpy()).all()
    reason = lib.info["missing_fields"]["added_at"]
    assert reason == "Spotify's account data does not say when a track was saved"
    for chart in (charts.saves_per_month, charts.saves_by_weekday_hour, charts.genres_over_time):
        text = chart(lib).to_json()
        assert "No save dates to show" in text and "does not say when a track was saved" in text
    with zipfile.ZipFile(download / "my_spotify_data (1).zip") as z:
        z.extract("Spotify Account Data/YourLibrary.json", tmp_path)
    alone = savedlib.read_account_data(tmp_path / "Spotify Account Data" / "YourLibrary.json")
    assert alone.tracks.equals(lib.tracks)


def test_account_data_errors(tmp_path):
    broken = tmp_path / "YourLibrary.json"
    broken.write_text('{"tracks": [{"artist": "A", "track"')
    with pytest.raises(savedlib.SourceError, match="not valid JSON"):
        savedlib.read_account_data(broken)
    (tmp_path / "z").mkdir()
    (tmp_path / "z" / "Userdata.json").write_text("{}")
    with pytest.raises(savedlib.SourceError, match=r"no YourLibrary\.json in .*Userdata\.json"):
        savedlib.read_account_data(tmp_path / "z")


# --- every source, every chart, the explorer --------------------------------------------------------


@pytest.fixture(scope="module")
def sources(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sources")
    download = savedlib.write_demo_download(folder / "dl", n=600, streams=2000)
    return {
        "api": demo,
        "exportify": savedlib.read_exportify(write_exportify(folder / "liked.csv", demo, "exportify.net")),
        "account data": savedlib.read_account_data(download),
    }


@pytest.mark.parametrize("source", ["api", "exportify", "account data"])
def test_every_chart_and_the_explorer_on_every_source(sources, source):
    lib = sources[source]
    for chart in [*charts.ALL, charts.top_genres, charts.genres_over_time, charts.top_labels, charts.audio_features]:
        spec = chart(lib).to_json()
        assert len(spec) < 250 * 1024
    ex = savedlib.explore(lib)
    assert ex.count == len(lib) and ex.table.value.count("<tr>") == 26
    if source == "account data":
        assert ex.filters["saved"].disabled and "Save dates are unknown" in str(ex._filters.notes)
    else:
        ex.filters["genres"].value = [str(lib.genres["genre"].iloc[0])]
        assert 0 < ex.count < len(lib)


def test_charts_of_genres_labels_and_features(sources):
    exportify = sources["exportify"]
    top = data_of(charts.top_genres(exportify, n=5))
    assert top["tracks"].tolist() == stats.genre_counts(exportify, 5)["tracks"].tolist() and len(top) == 5
    assert "genres known for" in charts.top_genres(sources["api"]).to_json()
    labels = data_of(charts.top_labels(exportify))
    assert labels["tracks"].sum() == exportify.tracks["album_label"].notna().sum()
    hist = data_of(charts.audio_features(exportify))
    assert set(hist["feature"]) >= {"danceability", "energy", "valence"}
    assert (hist.groupby("feature")["tracks"].sum() == len(exportify.audio_features)).all()
    assert "November 2024" in charts.audio_features(sources["api"]).to_json()


# --- duplicates -----------------------------------------------------------------------------------


def test_duplicates_by_isrc_and_by_name(track):
    ed = [{"id": "a", "name": "Ed", "uri": "spotify:artist:a"}]
    length = track["duration_ms"]

    def item(k, when, isrc, name="Shape", extra=0):
        ids = {"isrc": isrc} if isrc else {}
        return saved(track, added_at=when, id=f"s{k}", uri=f"spotify:track:s{k}", external_ids=ids, name=name,
                     artists=ed, duration_ms=length + extra)  # fmt: skip

    items = [
        item(1, "2024-03-01T00:00:00Z", "GB1"),
        item(2, "2024-02-01T00:00:00Z", "GB1", extra=30_000),  # the same ISRC: the same recording, whatever the length
        item(3, "2024-01-01T00:00:00Z", None, name="SHAPE ", extra=1500),  # no ISRC: by name, without case, 1.5 s
        item(4, "2023-01-01T00:00:00Z", None, extra=9000),  # 9 s longer than any: another recording
        local_item("Home Recording"),
    ]
    lib = savedlib.from_items(items)
    groups = stats.duplicates(lib)
    assert groups["item"].tolist() == [0, 1, 2] and set(groups["group"]) == {1}


def test_duplicates_in_the_demo(demo):
    groups = stats.duplicates(demo)
    assert groups["group"].nunique() >= 5 and (groups.groupby("group").size() >= 2).all()
    for _, g in groups.groupby("group"):
        rows = demo.tracks.loc[g["item"]]
        assert rows["isrc"].nunique() == 1 or rows["track_name"].str.casefold().nunique() == 1


# --- files as people may have them ------------------------------------------------------------------


def _by_uri(lib: savedlib.Library, table: pd.DataFrame, column: str) -> pd.Series:
    uri = lib.tracks["track_uri"].to_numpy()
    return table.assign(uri=uri[table["item"].to_numpy()]).groupby("uri")[column].agg(lambda v: sorted(map(str, v)))


def test_rows_in_any_order_come_back_newest_first(demo, tmp_path):
    """A file sorted by hand (by title, say) is put back in save order; genres and features follow their tracks."""
    path = write_exportify(tmp_path / "liked.csv", demo, "exportify.net")
    with open(path, encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))  # names hold newlines: rows are not lines
    shuffled = tmp_path / "shuffled.csv"
    with open(shuffled, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *(rows[k] for k in np.random.default_rng(1).permutation(len(rows)))])
    a, b = savedlib.read_exportify(path), savedlib.read_exportify(shuffled)
    assert b.tracks["added_at"].is_monotonic_decreasing and not a.tracks.equals(b.tracks)  # ties keep file order
    assert (
        a.tracks.sort_values("track_uri")
        .reset_index(drop=True)
        .equals(b.tracks.sort_values("track_uri").reset_index(drop=True))
    )
    assert _by_uri(a, a.genres, "genre").equals(_by_uri(b, b.genres, "genre"))
    assert _by_uri(a, a.audio_features, "tempo").equals(_by_uri(b, b.audio_features, "tempo"))


def test_text_that_looks_like_numbers_stays_text(tmp_path):
    """Every album called "007" or "1989", every date a bare year: read as the text it is, not as numbers."""
    head = "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,"
    head += "Added At,Genres,Record Label"
    path = tmp_path / "numbers.csv"
    path.write_text(
        head + "\n"
        'spotify:track:4CQwIJsYFk80DBWlwsDJGo,"1","007","1","1989",1000,5,false,,2024-02-01T00:00:00Z,"",""\n'
        'spotify:track:1GrLfs4TEvAZ86HVzXHchS,"2","1989","2","1990",2000,6,true,,2024-01-01T00:00:00Z,"",""\n',
        encoding="utf-8",
    )
    t = savedlib.read_exportify(path).tracks
    assert t["track_name"].tolist() == ["1", "2"] and t["album_name"].tolist() == ["007", "1989"]
    assert t["album_release_date"].tolist() == ["1989", "1990"] and t["album_release_year"].tolist() == [1989, 1990]
    assert t["artists"].tolist() == ["1", "2"] and t["album_release_precision"].tolist() == ["year", "year"]
    assert t["duration_ms"].tolist() == [1000, 2000] and t["explicit"].tolist() == [False, True]


def test_rows_without_a_save_date_are_refused_by_row(tmp_path):
    """A stray row of empty cells, or a date that is not one: a SourceError that says where, nothing half-read."""
    head = "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,"
    head += "Added At,Genres,Record Label"
    good = 'spotify:track:4CQwIJsYFk80DBWlwsDJGo,"A","B","C",2020,1000,5,false,,2024-01-01T00:00:00Z,"",""\n'
    stray = tmp_path / "stray.csv"
    stray.write_text(head + "\n" + good + ",,,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(savedlib.SourceError, match=r"stray\.csv: track row 2 \(no name\) has no 'Added At' date"):
        savedlib.read_exportify(stray)
    odd = tmp_path / "odd.csv"
    bad = good.replace("2024-01-01T00:00:00Z", "yesterday").replace('"A"', '"Z"')
    odd.write_text(head + "\n" + good + bad + good.replace("2024-01-01", "2025-01-01"))  # the file's row, not its save
    with pytest.raises(savedlib.SourceError, match=r"odd\.csv: track row 2 \('Z'\) has 'Added At' 'yesterday', not a"):
        savedlib.read_exportify(odd)
    month = tmp_path / "month.csv"  # in Spotify's form and order: still refused by its row
    month.write_text(head + "\n" + good.replace("2024-01-01", "2024-13-01") + good, encoding="utf-8")
    with pytest.raises(savedlib.SourceError, match=r"month\.csv: track row 1 \('A'\) has 'Added At' '2024-13-01T00"):
        savedlib.read_exportify(month)


def test_a_large_exportify_file_comes_back_whole(tmp_path):
    """5,000 rows (benchmarks/sources.py times 50,000): every track, length and genre as the demo has them."""
    big = savedlib.demo(5000)
    lib = savedlib.read_exportify(write_exportify(tmp_path / "big.csv", big, "exportify.net"))
    assert len(lib) == 5000 and (lib.tracks["track_uri"].to_numpy() == big.tracks["track_uri"].to_numpy()).all()
    assert np.array_equal(lib.tracks["duration_ms"].to_numpy(), big.tracks["duration_ms"].to_numpy())
    assert lib.genres.astype({"genre": str}).equals(big.genres.astype({"genre": str}))


def test_escaped_commas_found_in_any_text_and_only_there():
    """watsonbox's escaped commas: every cell that has one (emoji, right-to-left text before it), none across
    two names (one ending in a backslash, the next starting with a comma), nulls and empties."""
    from savedlib.sources import cells

    texts = ["🎧 אבג\\, x, Y", "A\\", ",B", None, "", "Earth\\, Wind & Fire, Tyler\\, The Creator", " Q ,  R\\, "]
    want = [["🎧 אבג, x", "Y"], ["A\\"], [",B"], [], [], ["Earth, Wind & Fire", "Tyler, The Creator"], ["Q", "R,"]]
    for kind in (pa.large_string(), pa.string()):  # as the parser reads them, and as Arrow makes them
        values = pa.array(["x\\, y", *texts], kind)
        split = cells.split(values.slice(1), ", ", keep="\\,", keep_as=",")  # a slice: offsets start past 0
        assert split.to_pylist() == want
        assert cells.split(values, ", ", keep="\\,", keep_as=",").to_pylist() == [["x, y"], *want]


def test_escaped_commas_beside_the_placeholder_character():
    """The escaped comma hides behind a character no cell holds: text that holds the first candidate
    already (a private-use character) comes out the same, and so do hundreds of escapes."""
    from savedlib.sources import cells

    many = [f"Band\\, No. {i}, Solo {i}" for i in range(600)]
    split = cells.split(pa.array(many), ", ", keep="\\,", keep_as=",")
    assert split.to_pylist() == [[f"Band, No. {i}", f"Solo {i}"] for i in range(600)]
    taken = pa.array(["a\ue000b\\, c, d", None, "e\\,f", "\ue001, g"])
    want = [["a\ue000b, c", "d"], [], ["e,f"], ["\ue001", "g"]]
    assert cells.split(taken, ", ", keep="\\,", keep_as=",").to_pylist() == want


def test_old_exportify_net_artists_joined_with_a_bare_comma(tmp_path):
    """exportify.net before July 2025 joined artists with ``,`` while names keep their ``, ``: without ids a
    comma followed by a space belongs to a name; with ``Artist IDs`` (2022-23 files) their number decides."""
    head = "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At"
    rows = [
        'spotify:track:4CQwIJsYFk80DBWlwsDJGo,"Sun Goddess","Sun Goddess","Earth, Wind & Fire,Ramsey Lewis",'
        "1974,1000,5,,2024-02-01T00:00:00Z",
        'spotify:track:1GrLfs4TEvAZ86HVzXHchS,"Just the Two of Us","Winelight","Grover Washington, Jr.,Bill Withers",'
        "1980,2000,6,,2024-01-01T00:00:00Z",
    ]
    path = tmp_path / "old.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    artists = savedlib.read_exportify(path).artists
    assert artists["artist_name"].tolist() == ["Earth, Wind & Fire", "Ramsey Lewis", "Grover Washington, Jr.",
                                               "Bill Withers"]  # fmt: skip

    head = "Spotify ID,Artist IDs,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Added By,Added At"
    rows = [  # ids decide: two ids, two artists; one id, one artist (though its name has a bare comma)
        '4CQwIJsYFk80DBWlwsDJGo,"4QQgXkCYTt3BlENzhyNETg,1j8N6ZgNfDGcCKHbNlHD2P","Sun Goddess","Sun Goddess",'
        '"Earth, Wind & Fire,Ramsey Lewis",1974,1000,,2022-08-15T02:00:00Z',
        '1GrLfs4TEvAZ86HVzXHchS,"2K0l4CwNAzC5tiq5d4D6Hn","Candy","Candy","10,000 Maniacs",1987,2000,,'
        "2022-08-14T02:00:00Z",
        '3GrLfs4TEvAZ86HVzXHchS,"0ZSQHTAkX8sXJ4DqWhUidU,3jUnO4WVj5G2p2iRWuHFeK","X","Y","A,B, Jr.",'
        "1987,2000,,2022-08-13T02:00:00Z",
    ]
    path = tmp_path / "older.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    lib = savedlib.read_exportify(path)
    pairs = list(zip(lib.artists["artist_name"], lib.artists["artist_id"], strict=True))
    assert pairs == [
        ("Earth, Wind & Fire", "4QQgXkCYTt3BlENzhyNETg"), ("Ramsey Lewis", "1j8N6ZgNfDGcCKHbNlHD2P"),
        ("10,000 Maniacs", "2K0l4CwNAzC5tiq5d4D6Hn"),
        ("A", "0ZSQHTAkX8sXJ4DqWhUidU"), ("B, Jr.", "3jUnO4WVj5G2p2iRWuHFeK"),
    ]  # fmt: skip
    assert lib.tracks["n_artists"].tolist() == [2, 1, 2]


def test_release_dates_a_spreadsheet_saved_again(tmp_path):
    """A file opened and saved by a spreadsheet has release dates like 12/17/2013: month/day/year, by the day."""
    head = "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At"
    rows = [
        "spotify:track:4CQwIJsYFk80DBWlwsDJGo,A,B,C,12/17/2013,1000,5,,2024-02-01T00:00:00Z",
        "spotify:track:1GrLfs4TEvAZ86HVzXHchS,D,E,F,1/17/2020,1000,5,,2024-01-01T00:00:00Z",
        "spotify:track:3GrLfs4TEvAZ86HVzXHchS,G,H,I,2/30/2020,1000,5,,2023-01-01T00:00:00Z",
    ]
    path = tmp_path / "resaved.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    t = savedlib.read_exportify(path).tracks
    assert t["album_released"].tolist()[:2] == [pd.Timestamp("2013-12-17"), pd.Timestamp("2020-01-17")]
    assert pd.isna(t["album_released"].iloc[2])  # no such day: no date, but the year is known
    assert t["album_release_year"].tolist() == [2013, 2020, 2020]
    assert t["album_release_precision"].astype(str).tolist() == ["day"] * 3


def test_escaped_commas_at_either_end_of_a_name(tmp_path):
    """watsonbox writes a comma inside a name as ``\\,``: at a name's start or end it stays (not trimmed away)."""
    head = '"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album URI","Album Name","Album Artist URI(s)",'
    head += '"Album Artist Name(s)","Album Release Date","Album Image URL","Disc Number","Track Number",'
    head += '"Track Duration (ms)","Track Preview URL","Explicit","Popularity","ISRC","Added By","Added At"'
    row = '"spotify:track:1GrLfs4TEvAZ86HVzXHchS","Song","spotify:artist:a, spotify:artist:b","Hello\\,, \\,Hi",'
    row += '"spotify:album:x","Album","","","1999-05","","1","1","1000","","false","3","","","2024-01-01T00:00:00Z"'
    path = tmp_path / "commas.csv"
    path.write_text(head + "\n" + row + "\n", encoding="utf-8")
    lib = savedlib.read_exportify(path)
    assert lib.artists["artist_name"].tolist() == ["Hello,", ",Hi"] and lib.artists["artist_id"].tolist() == ["a", "b"]
    t = lib.tracks.iloc[0]
    assert t["artists"] == "Hello,, ,Hi" and t["album_release_precision"] == "month"  # from the date's form
    assert t["album_released"] == pd.Timestamp("1999-05-01") and t["album_release_year"] == 1999
