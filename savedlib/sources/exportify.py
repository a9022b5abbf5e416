"""``savedlib.read_exportify``: a library from an Exportify CSV, the way many people already have their library.

Both maintained exporters are read, recognised by their header (their code was read, not guessed):

- **exportify.net** (pavelkomarov/exportify): ``Track URI, Track Name, Album Name, Artist Name(s),
  Release Date, Duration (ms), Popularity, Explicit, Added By, Added At, Genres, Record Label`` and the
  twelve audio features. Written by hand: names quoted with ``""`` doubled, artists joined with ``;``
  (``,`` before July 2025), genres joined with ``,``, a missing label written ``undefined``, and a row
  whose audio features did not come back shorter than the header. Older files start with ``Track ID``
  or ``Spotify ID`` (bare ids) instead of the URI.
- **watsonbox/exportify**: ``Track URI, Track Name, Artist URI(s), Artist Name(s), Album URI, ...,
  Added At`` (every cell quoted), optionally followed by ``Artist Genres``, the audio features, or
  ``Album Genres, Label, Copyrights``. Lists are joined with ``, `` and a comma inside a name is
  written ``\\,``; missing values come out as ``null`` or ``undefined``. Its headers are in the
  exporter's interface language: all 15 it ships are recognised.

Both carry what a 2026 Development Mode app no longer gets: popularity, genres, labels, audio features.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.errors import SourceError
from savedlib.items import ARTIST_TYPE, IMAGE_TYPE, item_array
from savedlib.library import AUDIO_FEATURES, Library, from_arrow
from savedlib.sources import cells
from savedlib.sources.exportify_headers import TO_ENGLISH
from savedlib.tables import categorical

EXPORTIFY_NET, WATSONBOX = "exportify.net", "watsonbox"
FEATURE_HEADERS = {name.replace("_", " ").title(): name for name in AUDIO_FEATURES}
EXPECTED = {
    EXPORTIFY_NET: "Track URI, Track Name, Album Name, Artist Name(s), Release Date, Duration (ms), Popularity, "
    "Explicit, Added By, Added At, Genres, Record Label, Danceability ... Time Signature",
    WATSONBOX: "Track URI, Track Name, Artist URI(s), Artist Name(s), Album URI, Album Name, Album Artist URI(s), "
    "Album Artist Name(s), Album Release Date, Album Image URL, Disc Number, Track Number, Track Duration (ms), "
    "Track Preview URL, Explicit, Popularity, ISRC, Added By, Added At (in any of its languages)",
}
#: What each exporter's files lack, and why (for ``info["missing_fields"]``).
REASONS = {
    EXPORTIFY_NET: {
        "external_ids.isrc": "exportify.net files have no ISRC column",
        "artists.id": "exportify.net files name artists without their ids",
        "album.id": "exportify.net files name albums without their ids",
        "available_markets": "Exportify files list no markets",
        "preview_url": "exportify.net files have no preview links",
    },
    WATSONBOX: {
        "album.label": "this watsonbox export has no Label column (tick its album data to get one)",
        "available_markets": "Exportify files list no markets",
    },
}


def read_exportify(path: str | os.PathLike) -> Library:
    """A library from an Exportify CSV of your Liked Songs (``Liked_Songs.csv``, ``liked.csv``).

    Both maintained exporters' formats are recognised by their header; anything
    else raises ``savedlib.SourceError`` naming the columns expected. Genres,
    record labels and audio features go to ``lib.genres``, ``tracks.album_label``
    and ``lib.audio_features``; ``info["missing_fields"]`` says what the file lacks.
    """
    path = Path(path)
    frame = _read(path)
    columns = {TO_ENGLISH.get(c.strip(), c.strip()): c for c in frame.columns}
    flavour = _flavour(columns, path)

    def column(*names: str) -> pa.Array | None:
        name = next((n for n in names if n in columns), None)
        return cells.of(frame[columns[name]]) if name else None

    uri = cells.track_uris(column("Track URI", "Spotify URI", "Track ID", "Spotify ID"))
    order = cells.newest_first(column("Added At"))
    array = item_array(
        len(frame),
        added_at=column("Added At"),
        track=_track(column, uri, flavour),
        album=_album(column, flavour),
    )
    array = array if _in_order(order) else array.take(pa.array(order))
    genres = _genres(column("Genres", "Artist Genres"), order)
    features = _features(frame, columns, order)
    reasons = dict(REASONS[flavour])
    if "Record Label" not in columns and "Label" not in columns:
        reasons["album.label"] = f"{path.name} has no record-label column"
    return from_arrow(
        array,
        reasons=reasons,
        genres=genres,
        audio_features=features,
        source=f"Exportify file {path.name} ({flavour} format)",
        format=flavour,
    )


#: Columns read as numbers or booleans; every other column is text, whatever it looks like ("1989").
TYPED = {"Duration (ms)", "Track Duration (ms)", "Popularity", "Disc Number", "Track Number", "Explicit",
         "Is Playable", *FEATURE_HEADERS}  # fmt: skip


def _read(path: Path) -> pd.DataFrame:
    """The file's cells by Arrow-backed column: text as text, numbers left to the parser (fast, in C);
    only an empty cell is missing (a track may be called "NA" or "null")."""
    if not path.is_file():
        raise SourceError(f"{path} is not a file")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
        text = {c: pd.ArrowDtype(pa.string()) for c in header if TO_ENGLISH.get(c.strip(), c.strip()) not in TYPED}
        return pd.read_csv(
            path, dtype=text, dtype_backend="pyarrow", keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except (UnicodeDecodeError, csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(f"{path} is not a CSV file savedlib can read ({exc})") from None


def _flavour(columns: dict[str, str], path: Path) -> str:
    names = set(columns)
    if "Artist URI(s)" in names or "Album Release Date" in names or "Track Duration (ms)" in names:
        return WATSONBOX
    if {"Track Name", "Artist Name(s)"} <= names and names & {"Track URI", "Track ID", "Spotify ID"}:
        return EXPORTIFY_NET
    found = ", ".join(list(columns.values())[:8]) + (" ..." if len(columns) > 8 else "")
    raise SourceError(
        f"{path.name} is not an Exportify file: its columns are {found}. Expected the columns of exportify.net "
        f"({EXPECTED[EXPORTIFY_NET]}) or of watsonbox's exporter ({EXPECTED[WATSONBOX]})"
    )


def _track(column, uri: pa.Array, flavour: str) -> dict[str, pa.Array]:
    names = column("Artist Name(s)")
    if flavour == WATSONBOX:
        artist_names = cells.split_escaped(names)
        artist_ids = cells.split_escaped(column("Artist URI(s)"), strip="spotify:artist:")
    else:
        separator = ";" if names is not None and pc.any(pc.match_substring(names, ";")).as_py() else ","
        artist_names = cells.split(names, separator)
        artist_ids = cells.split(column("Artist IDs"), ",")
    return {
        "id": cells.ids_of(uri, "spotify:track:"),
        "uri": uri,
        "name": column("Track Name"),
        "duration_ms": cells.integers(column("Duration (ms)", "Track Duration (ms)")),
        "explicit": cells.booleans(column("Explicit")),
        "popularity": cells.integers(column("Popularity")),
        "disc_number": cells.integers(column("Disc Number")),
        "track_number": cells.integers(column("Track Number")),
        "is_local": pc.starts_with(uri, "spotify:local:"),
        "is_playable": cells.booleans(column("Is Playable")),
        "preview_url": column("Track Preview URL"),
        "external_ids": pa.StructArray.from_arrays([_or_nulls(column("ISRC"), len(uri))], names=["isrc"]),
        "artists": _artists(artist_names, artist_ids, "spotify:artist:", len(uri)),
    }


def _album(column, flavour: str) -> dict[str, pa.Array]:
    dates = column("Release Date", "Album Release Date")
    out = {
        "name": column("Album Name"),
        "release_date": dates,
        "release_date_precision": cells.precision(dates),
        "label": column("Record Label", "Label"),
    }
    if flavour == WATSONBOX:
        uri = column("Album URI")
        out |= {"uri": uri, "id": cells.ids_of(uri, "spotify:album:"), "images": _images(column("Album Image URL"))}
        names = cells.split_escaped(column("Album Artist Name(s)"))
        ids = cells.split_escaped(column("Album Artist URI(s)"), strip="spotify:artist:")
        out["artists"] = _artists(names, ids, "spotify:artist:", len(dates) if dates is not None else 0)
    return {k: v for k, v in out.items() if v is not None}


def _or_nulls(values: pa.Array | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()) if values is None else values


def _artists(names: pa.ListArray | None, ids: pa.ListArray | None, prefix: str, n: int) -> pa.Array:
    """``list<artist>`` from a list of names and (where a row has as many) a list of ids."""
    if names is None:
        return pa.nulls(n, pa.list_(ARTIST_TYPE))
    flat = pc.list_flatten(names)
    parent = pc.list_parent_indices(names).to_numpy()
    starts = np.asarray(names.offsets)[:-1]
    if ids is not None:
        same = pc.equal(pc.list_value_length(ids), pc.list_value_length(names)).to_numpy(zero_copy_only=False)
        at = np.asarray(ids.offsets)[:-1][parent] + (np.arange(parent.size) - starts[parent])
        keep = same[parent] if parent.size else np.zeros(0, dtype=bool)
        artist_ids = pc.list_flatten(ids).take(pa.array(np.where(keep, at, 0), mask=~keep))
    else:
        artist_ids = pa.nulls(len(flat), pa.string())
    uris = pc.binary_join_element_wise(pa.scalar(prefix), artist_ids, "")
    structs = pa.StructArray.from_arrays([artist_ids, flat, uris], fields=list(ARTIST_TYPE))
    return pa.ListArray.from_arrays(names.offsets, structs, mask=names.is_null())


def _images(urls: pa.Array | None) -> pa.Array | None:
    if urls is None:
        return None
    present = urls.is_valid().to_numpy(zero_copy_only=False)
    known = urls.filter(pa.array(present))
    one = pa.StructArray.from_arrays(
        [known, pa.nulls(len(known), pa.int64()), pa.nulls(len(known), pa.int64())], fields=list(IMAGE_TYPE)
    )
    offsets = pa.array(np.concatenate([[0], np.cumsum(present)]).astype(np.int32))  # a row without a URL: no image
    return pa.ListArray.from_arrays(offsets, one)


def _genres(values: pa.Array | None, order: np.ndarray) -> pd.DataFrame | None:
    """One row per (item, genre), each genre of an item once (by item, then genre)."""
    if values is None:
        return None
    lists = cells.split(_ordered(values, order), ",")
    genre = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(genre, "")
    pairs = pa.table({"item": pc.list_parent_indices(lists).filter(keep).cast(pa.int32()), "genre": genre.filter(keep)})
    pairs = pairs.group_by(["item", "genre"], use_threads=False).aggregate([])  # each pair once
    pairs = pairs.sort_by([("item", "ascending"), ("genre", "ascending")])
    return pd.DataFrame(
        {"item": pairs.column("item").to_numpy(), "genre": categorical(pairs.column("genre").combine_chunks())}
    )


def _features(frame: pd.DataFrame, columns: dict[str, str], order: np.ndarray) -> pd.DataFrame | None:
    """The audio features of each item that has them (a row cut short has none)."""
    if not any(h in columns for h in FEATURE_HEADERS):
        return None
    n = len(frame)
    values = {
        name: cells.floats(cells.of(frame[columns[header]])) if header in columns else pa.nulls(n, pa.float64())
        for header, name in FEATURE_HEADERS.items()
    }
    table = pa.table({"item": pa.array(np.arange(n, dtype=np.int32)), **values})
    table = table.take(pa.array(order)) if not _in_order(order) else table
    table = table.set_column(0, "item", pa.array(np.arange(n, dtype=np.int32)))
    known = np.zeros(n, dtype=bool)
    for name in AUDIO_FEATURES:
        known |= table.column(name).is_valid().to_numpy(zero_copy_only=False)
    out = table.filter(pa.array(known)).to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get)
    return out.astype({n: t for n, t in AUDIO_FEATURES.items() if t == "Int64"})


def _in_order(order: np.ndarray) -> bool:
    return bool(order.size == 0 or (order == np.arange(order.size)).all())


def _ordered(values: pa.Array, order: np.ndarray) -> pa.Array:
    return values if _in_order(order) else values.take(pa.array(order))
