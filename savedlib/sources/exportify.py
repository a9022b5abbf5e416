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

import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.errors import SourceError
from savedlib.frames import album_side
from savedlib.hands import Hands
from savedlib.items import ARTIST_TYPE, IMAGE_TYPE, ids_of, item_array
from savedlib.library import AUDIO_FEATURES, Library, from_arrow
from savedlib.sources import cells
from savedlib.sources.exportify_headers import TO_ENGLISH
from savedlib.tables import categorical, distinct

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
    with Hands() as pool:  # a helper thread (ready while the file is parsed); what it has not begun, this one does
        frame = _read(path)
        columns = {TO_ENGLISH.get(c.strip(), c.strip()): c for c in frame.columns}
        flavour = _flavour(columns, path)
        column = _Columns(frame, columns, path.name)
        album = pool.submit(_album, column, flavour)
        uri = cells.track_uris(column("Track URI", "Spotify URI", "Track ID", "Spotify ID"))
        is_local, added_at = pc.starts_with(uri, "spotify:local:"), column("Added At")
        album_columns = pool.submit(_album_side, album, uri, is_local, added_at)
        genres = pool.submit(_genres, column("Genres", "Artist Genres"))
        features = pool.submit(_features, column)
        track = _track(column, uri, is_local) | {"artists": _track_artists(column, flavour, len(uri))}
        array = item_array(len(frame), added_at=added_at, track=track, album=album.result())
        try:
            return from_arrow(
                array,
                reasons=_reasons(flavour, columns, path.name),
                genres=genres,
                audio_features=features,
                pool=pool,
                album=album_columns,
                source=f"Exportify file {path.name} ({flavour} format)",
                format=flavour,
            )
        except ValueError as exc:  # a cell the tables cannot hold (a save date that is not a date)
            raise SourceError(f"{path.name}: {exc} (items counted newest save first; nothing was read)") from None


def _reasons(flavour: str, columns: dict[str, str], file: str) -> dict[str, str]:
    """Why the file lacks what it lacks, for ``info["missing_fields"]``."""
    reasons = dict(REASONS[flavour])
    if "Record Label" not in columns and "Label" not in columns:
        reasons["album.label"] = f"{file} has no record-label column"
    return reasons


#: Columns read as numbers or booleans; every other column is text, whatever it looks like ("1989").
TYPED = {"Duration (ms)", "Track Duration (ms)", "Popularity", "Disc Number", "Track Number", "Explicit",
         "Is Playable", *FEATURE_HEADERS}  # fmt: skip


def _read(path: Path) -> pd.DataFrame:
    """The file's cells, read by pandas' fast parser; missing is only ``cells.NOTHING`` (a track may be called "NA").

    The parser guesses each column's type; a text column it took for numbers (an
    album column of years "1989") is read again as text, so no cell changes.
    """
    if not path.is_file():
        raise SourceError(f"{path} is not a file")
    options = {"keep_default_na": False, "na_values": list(cells.NOTHING), "encoding": "utf-8-sig"}
    try:
        frame = pd.read_csv(path, **options)
        guessed = [
            i
            for i, (name, kind) in enumerate(frame.dtypes.items())
            if not pd.api.types.is_string_dtype(kind)
            and TO_ENGLISH.get(name.strip(), name.strip()) not in TYPED
            and frame.iloc[:, i].notna().any()
        ]
        if guessed:
            again = pd.read_csv(path, usecols=guessed, dtype=str, **options)
            for i, values in zip(guessed, again.items(), strict=True):
                frame.isetitem(i, values[1])
        return frame
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
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


class _Columns:
    """The file's columns by name (the first of several names it has), newest save first (Exportify
    writes that order; a file sorted otherwise is put back in it), each converted once."""

    def __init__(self, frame: pd.DataFrame, columns: dict[str, str], file: str) -> None:
        self.frame, self.columns = frame, columns
        dates = cells.of(frame[columns["Added At"]]) if "Added At" in columns else None
        if dates is not None and dates.null_count:
            row = int(np.flatnonzero(dates.is_null().to_numpy(zero_copy_only=False))[0])
            raise SourceError(
                f"{file}: {self._row(row)} has no 'Added At' date. "
                "Exportify writes one for every saved track: mend or remove that row (nothing was read)"
            )
        try:
            order = cells.newest_first(dates)
        except cells.UnreadableDate as bad:
            raise SourceError(
                f"{file}: {self._row(bad.row)} has 'Added At' {bad.text!r}, not a date and time as Exportify writes "
                "them (2024-05-01T12:00:00Z): mend or remove that row (nothing was read)"
            ) from None
        self.order = None if order is None else pa.array(order)
        self.converted: dict[str, pa.Array] = {}
        if dates is not None:
            self.converted[columns["Added At"]] = dates if self.order is None else dates.take(self.order)

    def _row(self, row: int) -> str:
        """A data row as a reader finds it in the file: its number and its track's name."""
        name = self.frame[self.columns["Track Name"]].iloc[row] if "Track Name" in self.columns else None
        return f"track row {row + 1} ({'no name' if pd.isna(name) else repr(name)})"

    def name(self, *names: str) -> str | None:
        return next((self.columns[n] for n in names if n in self.columns), None)

    def __call__(self, *names: str) -> pa.Array | None:
        """The column as Arrow (``cells.of``), or None when the file has none of ``names``."""
        name = self.name(*names)
        if name is None or name in self.converted:
            return self.converted.get(name)
        values = cells.of(self.frame[name])
        return self.converted.setdefault(name, values if self.order is None else values.take(self.order))

    def numbers(self, *names: str) -> np.ndarray | None:
        """The column as float64, NaN where a cell is empty or not a number: straight from the parser's
        array when it read numbers (audio features: twelve columns of 50,000)."""
        name = self.name(*names)
        if name is None:
            return None
        values = self.frame[name]
        if values.dtype == np.float64:  # the parser's own array (missing is NaN already)
            numbers = values.to_numpy()
        elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            return cells.floats(self(*names)).to_numpy(zero_copy_only=False)
        return numbers if self.order is None else numbers[self.order.to_numpy()]


def _track(column: _Columns, uri: pa.Array, is_local: pa.Array) -> dict[str, pa.Array]:
    """The track's own cells, but for its artists (``_track_artists``)."""
    return {
        "id": ids_of(uri, "spotify:track:"),
        "uri": uri,
        "name": column("Track Name"),
        "duration_ms": cells.integers(column("Duration (ms)", "Track Duration (ms)")),
        "explicit": cells.booleans(column("Explicit")),
        "popularity": cells.integers(column("Popularity")),
        "disc_number": cells.integers(column("Disc Number")),
        "track_number": cells.integers(column("Track Number")),
        "is_local": is_local,
        "is_playable": cells.booleans(column("Is Playable")),
        "preview_url": column("Track Preview URL"),
        "external_ids": pa.StructArray.from_arrays([_or_nulls(column("ISRC"), len(uri))], names=["isrc"]),
    }


def _track_artists(column: _Columns, flavour: str, n: int) -> pa.Array:
    names = column("Artist Name(s)")
    if flavour == WATSONBOX:
        artist_names = cells.split_escaped(names)
        artist_ids = cells.split_escaped(column("Artist URI(s)"), strip="spotify:artist:")
    else:
        artist_names = cells.split(names, (";", ","))
        artist_ids = cells.split(column("Artist IDs"), ",")
    return _artists(artist_names, artist_ids, n)


def _album(column: _Columns, flavour: str) -> dict[str, pa.Array]:
    dates = column("Release Date", "Album Release Date")
    out = {
        "name": column("Album Name"),
        "release_date": dates,
        "label": column("Record Label", "Label"),
    }
    if flavour == WATSONBOX:
        uri = column("Album URI")
        out |= {"uri": uri, "id": ids_of(uri, "spotify:album:"), "images": _images(column("Album Image URL"))}
        # the album's artists by name only: of them the tables keep the names joined (``album_artists``)
        names = cells.split_escaped(column("Album Artist Name(s)"))
        out["artists"] = _artists(names, None, len(dates) if dates is not None else 0)
    return {k: v for k, v in out.items() if v is not None}


def _album_side(album: Future, uri: pa.Array, is_local: pa.Array, added_at: pa.Array) -> dict[str, Any]:
    """``frames.album_side`` of these items, begun before the track's columns are ready (they need none)."""
    track = {"uri": uri, "is_local": is_local}
    return album_side(item_array(len(uri), added_at=added_at, track=track, album=album.result()))


def _or_nulls(values: pa.Array | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.large_string()) if values is None else values


def _artists(names: pa.ListArray | None, ids: pa.ListArray | None, n: int) -> pa.Array:
    """``list<artist>`` from a list of names and (where a row has as many) a list of ids. Their URIs are
    left out: the tables are made of ids and names."""
    if names is None:
        return pa.nulls(n, pa.list_(ARTIST_TYPE))
    flat = pc.list_flatten(names)
    if ids is not None:
        parent = pc.list_parent_indices(names).to_numpy()
        starts = np.asarray(names.offsets)[:-1]
        same = pc.equal(pc.list_value_length(ids), pc.list_value_length(names)).to_numpy(zero_copy_only=False)
        at = np.asarray(ids.offsets)[:-1][parent] + (np.arange(parent.size) - starts[parent])
        keep = same[parent] if parent.size else np.zeros(0, dtype=bool)
        artist_ids = pc.list_flatten(ids).take(pa.array(np.where(keep, at, 0), mask=~keep))
    else:
        artist_ids = pa.nulls(len(flat), pa.large_string())
    no_uris = pa.nulls(len(flat), pa.large_string())
    structs = pa.StructArray.from_arrays([artist_ids, flat, no_uris], names=ARTIST_TYPE.names)
    return pa.ListArray.from_arrays(names.offsets, structs, mask=names.is_null())


def _images(urls: pa.Array | None) -> pa.Array | None:
    if urls is None:
        return None
    present = urls.is_valid().to_numpy(zero_copy_only=False)
    known = urls.filter(pa.array(present))
    one = pa.StructArray.from_arrays(
        [known, pa.nulls(len(known), pa.int64()), pa.nulls(len(known), pa.int64())], names=IMAGE_TYPE.names
    )
    offsets = pa.array(np.concatenate([[0], np.cumsum(present)]).astype(np.int32))  # a row without a URL: no image
    return pa.ListArray.from_arrays(offsets, one)


def _genres(values: pa.Array | None) -> pd.DataFrame | None:
    """One row per (item, genre), each genre of an item once (by item, then genre).

    Split, deduplicated and sorted once per distinct cell (a cell repeats on every
    track of the same artists), then spread to the items in NumPy.
    """
    if values is None:
        return None
    dictionary, indices = distinct(values)
    lists = cells.split(dictionary, ",")
    flat = pc.list_flatten(lists)
    keep = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
    genre = categorical(flat.filter(keep))
    n_genres = max(len(genre.categories), 1)
    pairs = np.sort(pc.list_parent_indices(lists).to_numpy()[keep] * n_genres + genre.codes)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]][: pairs.size]]  # each once (np.unique hashes: slower)
    counts, cell = np.bincount(pairs // n_genres, minlength=len(dictionary)), indices.to_numpy()
    per_item = counts[cell]  # an empty cell: no genres
    begins = (np.cumsum(counts) - counts)[cell]  # where each item's cell's genres begin
    at = np.repeat(begins - (np.cumsum(per_item) - per_item), per_item) + np.arange(per_item.sum())
    codes = (pairs % n_genres).astype(genre.codes.dtype)
    return pd.DataFrame(
        {
            "item": np.repeat(np.arange(len(cell), dtype=np.int32), per_item),
            "genre": pd.Categorical.from_codes(codes[at], dtype=genre.dtype, validate=False),
        },
        copy=False,
    )


def _features(column: _Columns) -> pd.DataFrame | None:
    """The audio features of each item that has them (a row cut short has none), in NumPy."""
    found = {name: column.numbers(header) for header, name in FEATURE_HEADERS.items()}
    missing = {name: np.isnan(values) for name, values in found.items() if values is not None}
    if not missing:
        return None
    known = ~np.logical_and.reduce(list(missing.values()))
    rows = None if known.all() else np.flatnonzero(known)
    out = {"item": np.arange(len(known), dtype=np.int32) if rows is None else rows.astype(np.int32)}
    for name, values in found.items():
        if values is None:
            values, absent = np.full(len(out["item"]), np.nan), np.ones(len(out["item"]), dtype=bool)
        elif rows is None:  # the table's own copy (a view of the parser's column would be read-only)
            values, absent = (values if values.flags.writeable else values.copy()), missing[name]
        else:
            values = values[rows]
            absent = np.isnan(values)
        if AUDIO_FEATURES[name] == "Int64":
            out[name] = pd.arrays.IntegerArray(np.rint(np.where(absent, 0, values)).astype(np.int64), absent)
        else:
            out[name] = pd.arrays.FloatingArray(values, absent)
    return pd.DataFrame(out, copy=False)
