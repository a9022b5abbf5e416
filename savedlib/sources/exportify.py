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
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.errors import SourceError
from savedlib.frames.dates import UnreadableDate, newest_first, save_dates
from savedlib.frames.long import item_genres
from savedlib.items.shape import ARTIST_TYPE, IMAGE_TYPE, item_array
from savedlib.items.uris import ids_of
from savedlib.library import AUDIO_FEATURES, Library, from_arrow
from savedlib.sources import cells
from savedlib.sources.exportify_headers import TO_ENGLISH

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
    column = _Columns(frame, columns, path.name)
    uri = cells.track_uris(column("Track URI", "Spotify URI", "Track ID", "Spotify ID"))
    track = _track(column, uri) | {"artists": _track_artists(column, flavour)}
    array = item_array(len(frame), added_at=column.added_at, track=track, album=_album(column, flavour))
    try:
        return from_arrow(
            array,
            reasons=_reasons(flavour, columns, path.name),
            genres=_genres(column("Genres", "Artist Genres")),
            audio_features=_features(column),
            source=f"Exportify file {path.name} ({flavour} format)",
            format=flavour,
        )
    except ValueError as exc:  # a cell the tables cannot hold
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
        self.frame, self.columns, self.file = frame, columns, file
        self.converted: dict[str, pa.Array] = {}
        self.order: pa.Array | None = None
        self.added_at = self._save_dates()

    def _save_dates(self) -> pa.Array | None:
        """The save dates, read once; the rows' order follows from them. A row without one is refused."""
        if "Added At" not in self.columns:
            return None
        text = cells.of(self.frame[self.columns["Added At"]])
        if text.null_count:
            row = int(np.flatnonzero(text.is_null().to_numpy(zero_copy_only=False))[0])
            raise SourceError(
                f"{self.file}: {self._row(row)} has no 'Added At' date. "
                "Exportify writes one for every saved track: mend or remove that row (nothing was read)"
            )
        try:
            times = save_dates(text)
        except UnreadableDate as bad:
            raise SourceError(
                f"{self.file}: {self._row(bad.row)} has 'Added At' {bad.text!r}, not a date and time as Exportify "
                "writes them (2024-05-01T12:00:00Z): mend or remove that row (nothing was read)"
            ) from None
        order = newest_first(times)
        self.order = None if order is None else pa.array(order)
        return times if self.order is None else times.take(self.order)

    def _row(self, row: int) -> str:
        """A data row as a reader finds it in the file: its number and its track's name."""
        name = self.frame[self.columns["Track Name"]].iloc[row] if "Track Name" in self.columns else None
        return f"track row {row + 1} ({'no name' if pd.isna(name) else repr(name)})"

    def _name(self, names: tuple[str, ...]) -> str | None:
        """The file's own name of the first of ``names`` it has."""
        return next((self.columns[n] for n in names if n in self.columns), None)

    def __call__(self, *names: str) -> pa.Array | None:
        """The column as Arrow (``cells.of``), or None when the file has none of ``names``."""
        name = self._name(names)
        if name is None:
            return None
        if name not in self.converted:
            values = cells.of(self.frame[name])
            self.converted[name] = values if self.order is None else values.take(self.order)
        return self.converted[name]

    def numbers(self, *names: str) -> np.ndarray | None:
        """The column as float64, NaN where a cell is empty or not a number (audio features: twelve columns
        of 50,000, taken as the parser read them)."""
        name = self._name(names)
        if name is None:
            return None
        values = pd.to_numeric(self.frame[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return values if self.order is None else values[self.order.to_numpy()]


def _track(column: _Columns, uri: pa.Array) -> dict[str, pa.Array]:
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
        "is_playable": cells.booleans(column("Is Playable")),
        "preview_url": column("Track Preview URL"),
        "external_ids": pa.StructArray.from_arrays([_or_nulls(column("ISRC"), len(uri))], names=["isrc"]),
    }


def _track_artists(column: _Columns, flavour: str) -> pa.Array | None:
    """The track's artists, split as each exporter joined them (see ``_exportify_net_artists``)."""
    names = column("Artist Name(s)")
    if names is None:
        return None
    if flavour == WATSONBOX:
        uris = cells.split(column("Artist URI(s)"), ", ")
        return _artists(cells.split(names, ", ", keep="\\,", keep_as=","), uris, "spotify:artist:")
    return _artists(*_exportify_net_artists(names, column("Artist IDs")))


def _exportify_net_artists(names: pa.Array, ids: pa.Array | None) -> tuple[pa.ListArray, pa.ListArray | None]:
    """exportify.net's artists: joined with ``;`` since July 2025. Before, with a bare ``,`` while names keep
    their ``, `` (``Earth, Wind & Fire,Ramsey Lewis``): where the file has ``Artist IDs`` their number
    decides, else a comma followed by a space belongs to a name (``10,000 Maniacs`` stays ambiguous)."""
    if cells.holds(names, ";"):
        return cells.split(names, ";"), None
    by_name = cells.split(names, ",", keep=", ")
    if ids is None:
        return by_name, None
    ids = cells.split(ids, ",")
    every_comma = cells.split(names, ",")
    count = pc.list_value_length(ids)
    fits = pc.fill_null(pc.equal(pc.list_value_length(by_name), count), False)
    comma_fits = pc.fill_null(pc.equal(pc.list_value_length(every_comma), count), False)
    one = pc.fill_null(pc.equal(count, 1), False)
    whole = pa.ListArray.from_arrays(
        pa.array(np.arange(len(names) + 1, dtype=np.int32)), pc.utf8_trim_whitespace(names)
    )
    chosen = pc.if_else(fits, by_name, pc.if_else(comma_fits, every_comma, pc.if_else(one, whole, by_name)))
    return chosen, ids


def _album(column: _Columns, flavour: str) -> dict[str, pa.Array]:
    out = {
        "name": column("Album Name"),
        "release_date": column("Release Date", "Album Release Date"),
        "label": column("Record Label", "Label"),
    }
    if flavour == WATSONBOX:
        uri = column("Album URI")
        out |= {"uri": uri, "id": ids_of(uri, "spotify:album:"), "images": _images(column("Album Image URL"))}
        # the album's artists by name only: of them the tables keep the names joined (``album_artists``)
        names = cells.split(column("Album Artist Name(s)"), ", ", keep="\\,", keep_as=",")
        out["artists"] = None if names is None else _artists(names)
    return {k: v for k, v in out.items() if v is not None}


def _or_nulls(values: pa.Array | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.large_string()) if values is None else values


def _artists(names: pa.ListArray, ids: pa.ListArray | None = None, prefix: str | None = None) -> pa.Array:
    """``list<artist>`` from each row's names and, where a row has as many, its ids (cut from URIs that
    start with ``prefix``). Their URIs are left out: the tables are made of ids and names."""
    flat = pc.list_flatten(names)
    no_ids = pa.ListArray.from_arrays(names.offsets, pa.nulls(len(flat), flat.type))
    if ids is None:
        ids = no_ids
    else:
        same = pc.fill_null(pc.equal(pc.list_value_length(ids), pc.list_value_length(names)), False)
        ids = pc.if_else(same, ids.cast(no_ids.type), no_ids)
    artist_ids = pc.list_flatten(ids)
    if prefix:
        artist_ids = pc.coalesce(ids_of(artist_ids, prefix), artist_ids)
    no_uris = pa.nulls(len(flat), flat.type)
    structs = pa.StructArray.from_arrays([artist_ids, flat, no_uris], names=ARTIST_TYPE.names)
    return pa.ListArray.from_arrays(names.offsets, structs)


def _images(urls: pa.Array | None) -> pa.Array | None:
    """One image per album, its URL (a row without one: none)."""
    if urls is None:
        return None
    one = pa.StructArray.from_arrays(
        [urls, pa.nulls(len(urls), pa.int64()), pa.nulls(len(urls), pa.int64())], names=IMAGE_TYPE.names
    )
    present = urls.is_valid().to_numpy(zero_copy_only=False)
    offsets = pa.array(np.concatenate([[0], np.cumsum(present)]).astype(np.int32))
    return pa.ListArray.from_arrays(offsets, one.filter(pa.array(present)))


def _genres(values: pa.Array | None) -> pd.DataFrame | None:
    """One row per (item, genre), each genre of an item once (by item, then genre), as ``long.item_genres``
    makes them from the genres of each item's artists."""
    if values is None:
        return None
    lists = cells.split(values, ",")
    genres = pc.list_flatten(lists)
    named = pc.not_equal(genres, "")
    return item_genres(pc.list_parent_indices(lists).filter(named).to_numpy(), genres.filter(named))


def _features(column: _Columns) -> pd.DataFrame | None:
    """The audio features of each item that has them (a row cut short has none)."""
    found = {name: column.numbers(header) for header, name in FEATURE_HEADERS.items()}
    if all(values is None for values in found.values()):
        return None
    n = len(column.frame)
    numbers = {name: np.full(n, np.nan) if v is None else v for name, v in found.items()}
    rows = np.flatnonzero(~np.logical_and.reduce([np.isnan(v) for v in numbers.values()]))
    features = {"item": rows.astype(np.int32)}
    for name, values in numbers.items():
        values = values[rows]
        if AUDIO_FEATURES[name] == "Int64":
            features[name] = pd.arrays.IntegerArray(np.rint(np.nan_to_num(values)).astype(np.int64), np.isnan(values))
        else:
            features[name] = pd.arrays.FloatingArray(values, np.isnan(values))
    return pd.DataFrame(features, copy=False)
