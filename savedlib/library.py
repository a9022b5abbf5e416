"""The ``Library``: typed tables (tracks, and long tables of artists, markets, genres, audio features)
and what is known about where they came from.

Saved to disk as a folder of Parquet files plus ``info.json`` (see
``Library.to_parquet``), which DuckDB and pandas can read as they are.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from savedlib import spreadsheets
from savedlib.files import atomic_write_text
from savedlib.frames.convert import build_tables, tables_from_array
from savedlib.frames.schema import MATCHED_BY, SONG_KINDS
from savedlib.tables import STRING, read_table, same_frame, write_table
from savedlib.text import plural, utc_stamp

#: Version of the on-disk layout; a newer one is refused by older savedlib.
FORMAT_VERSION = 1
#: The person's playlists beside the saved library (``savedlib.add_playlists``, ``read_playlists``).
PLAYLIST_TABLES = ("playlists", "playlist_items")
TABLES = ("tracks", "artists", "markets", "genres", "audio_features", *PLAYLIST_TABLES)
#: Tables keyed by ``item`` that a library written by an older savedlib may not have: they open empty.
LATER_TABLES = ("genres", "audio_features")
#: Columns an older savedlib wrote and this one no longer keeps (other people's display names): dropped on reading.
DROPPED_COLUMNS = {"playlists": ["owner_name"]}
#: The audio features Spotify used to send (and Exportify files still carry), in order.
AUDIO_FEATURES = {
    "danceability": "Float64",
    "energy": "Float64",
    "key": "Int64",
    "loudness": "Float64",
    "mode": "Int64",
    "speechiness": "Float64",
    "acousticness": "Float64",
    "instrumentalness": "Float64",
    "liveness": "Float64",
    "valence": "Float64",
    "tempo": "Float64",
    "time_signature": "Int64",
}


def empty_genres() -> pd.DataFrame:
    """The genres table with no rows: one row per (item, genre)."""
    return pd.DataFrame(
        {"item": pd.Series(dtype=np.int32), "genre": pd.Series(dtype=pd.CategoricalDtype(pd.Index([], dtype="str")))}
    )


def empty_audio_features() -> pd.DataFrame:
    """The audio-features table with no rows: one row per item that has them."""
    return pd.DataFrame(
        {"item": pd.Series(dtype=np.int32), **{n: pd.array([], dtype=t) for n, t in AUDIO_FEATURES.items()}}
    )


#: Why a playlist's entries are or are not in ``playlist_items`` (``playlists.status``).
PLAYLIST_STATUS = ("read", "someone else's", "Spotify's", "gone", "changed during the read", "not read yet")
#: What a playlist entry is (``playlist_items.kind``), and how it was matched to a saved item (``matched_by``).
ENTRY_KINDS = (*SONG_KINDS, "episode", "audiobook", "unknown")
_UTC = pd.DatetimeTZDtype("us", "UTC")
PLAYLIST_COLUMNS = {
    "playlist": np.int32,
    "playlist_id": STRING,
    "name": STRING,
    "owner_id": STRING,
    "collaborative": "boolean",
    "public": "boolean",
    "n_items": "Int64",
    "snapshot_id": STRING,
    "last_modified": _UTC,
    "description": STRING,
    "status": pd.CategoricalDtype(pd.Index(PLAYLIST_STATUS, dtype="str")),
}
PLAYLIST_ITEM_COLUMNS = {
    "playlist": np.int32,
    "position": np.int32,
    "added_at": _UTC,
    "added_by": STRING,
    "kind": pd.CategoricalDtype(pd.Index(ENTRY_KINDS, dtype="str")),
    "uri": STRING,
    "track_id": STRING,
    "track_name": STRING,
    "artist_name": STRING,
    "album_name": STRING,
    "isrc": STRING,
    "item": "Int64",
    "matched_by": pd.CategoricalDtype(pd.Index(MATCHED_BY, dtype="str")),
}


def empty_playlists() -> pd.DataFrame:
    """The playlists table with no rows: one row per playlist (``PLAYLIST_COLUMNS``)."""
    return pd.DataFrame({n: pd.array([], dtype=t) for n, t in PLAYLIST_COLUMNS.items()})


def empty_playlist_items() -> pd.DataFrame:
    """The playlist-entries table with no rows: one row per entry of a playlist (``PLAYLIST_ITEM_COLUMNS``)."""
    return pd.DataFrame({n: pd.array([], dtype=t) for n, t in PLAYLIST_ITEM_COLUMNS.items()})


@dataclass(eq=False)
class Library:
    """A saved-tracks library as typed tables.

    ``tracks`` has one row per saved item, newest save first, indexed by
    ``item``; ``artists``, ``markets`` and ``genres`` are long tables keyed by
    ``item``, and ``audio_features`` has a row for each item that has them.
    ``info`` says where the library came from and which fields its source did not send.
    """

    tracks: pd.DataFrame
    artists: pd.DataFrame
    markets: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
    #: With a snapshot: every track added or removed since the first snapshot, and when it was seen.
    changes: pd.DataFrame | None = None
    #: The genres of each item (of its artists), where the source has them.
    genres: pd.DataFrame = field(default_factory=empty_genres)
    #: Danceability, energy, tempo ... of each item that has them (Exportify files).
    audio_features: pd.DataFrame = field(default_factory=empty_audio_features)
    #: The person's playlists (one row each) and their entries, each matched to a saved item where one is.
    playlists: pd.DataFrame = field(default_factory=empty_playlists)
    playlist_items: pd.DataFrame = field(default_factory=empty_playlist_items)

    def __len__(self) -> int:
        return len(self.tracks)

    def __repr__(self) -> str:
        numbers = self.summary()
        parts = [f"{numbers['tracks']:,} track{'s' if numbers['tracks'] != 1 else ''}"]
        if numbers["tracks"]:
            parts += [f"{numbers['artists']:,} artists", self.save_span()]
        source = self.info.get("source")
        text = f"<Library: {', '.join(parts)}" + (f"; from {source}" if source else "")
        missing = self.info.get("missing_fields") or {}
        if missing:
            text += f"; missing: {', '.join(missing)}"
        return text + ">"

    def save_span(self) -> str:
        """When the tracks were saved, in words: "saved 2019-03-02 to 2026-11-30" or "save dates unknown"."""
        first, last = self.tracks["added_at"].min(), self.tracks["added_at"].max()
        return f"saved {first:%Y-%m-%d} to {last:%Y-%m-%d}" if pd.notna(first) else "save dates unknown"

    def genre_coverage(self) -> str:
        """How much of the library has known genres, in words ("genres known for 412 of 650 artists")."""
        g = self.info.get("genres")
        if isinstance(g, dict) and g.get("artists"):
            source = f" ({g['source']})" if g.get("source") else ""  # e.g. open music data, not Spotify
            return f"genres known for {g['with_genres']:,} of {g['artists']:,} artists{source}"
        return f"genres known for {self.genres['item'].nunique():,} of {plural(len(self.tracks), 'track')}"

    def equals(self, other: Library) -> bool:
        """True when the tables hold the same rows, values, dtypes and index (``info`` aside)."""
        return not self.differences(other)

    def differences(self, other: Library) -> list[str]:
        """The names of the tables that differ from ``other``'s (empty when ``equals``)."""
        return [name for name in TABLES if not same_frame(getattr(self, name), getattr(other, name))]

    def summary(self) -> pd.Series:
        """Headline numbers: tracks, artists, albums, hours of music, first and last save."""
        t = self.tracks
        artists = self.artists["artist_id"].fillna("name:" + self.artists["artist_name"])
        return pd.Series(
            {
                "tracks": len(t),
                "artists": artists.nunique(),
                "albums": t["album_id"].nunique(),
                "hours of music": round(float(t["duration_ms"].sum()) / 3_600_000, 1)
                if t["duration_ms"].notna().any() or t.empty
                else pd.NA,
                "first save": t["added_at"].min(),
                "last save": t["added_at"].max(),
                "local files": int(t["is_local"].sum()),
                "missing": ", ".join(self.info.get("missing_fields") or {}) or "nothing",
            },
            name="library",
            dtype=object,
        )

    # --- saving -----------------------------------------------------------

    def to_parquet(self, path: str | os.PathLike) -> Path:
        """Write the library to the folder ``path``: one Parquet file a table and ``info.json``.

        Each file is written to a temporary name and renamed, so a crash never
        leaves a half-written file under the real name.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            write_table(getattr(self, name), folder / f"{name}.parquet")
        meta = {"format": "savedlib", "version": FORMAT_VERSION, "info": self.info}
        atomic_write_text(folder / "info.json", json.dumps(meta, indent=2, default=str))
        return folder

    def to_csv(self, path: str | os.PathLike, *, escape_formulas: bool = True) -> Path:
        """Write ``tracks`` as RFC 4180 CSV (CRLF, quoted where needed) in UTF-8 with a byte-order mark.

        The mark makes Excel read every script correctly. Names with commas,
        quotes and newlines are quoted; lists (``artist_ids``) are joined with ``;``.

        ``escape_formulas`` (the default, for people who open the file in Excel or
        LibreOffice): a text cell starting with ``=``, ``+``, ``-`` or ``@`` gets a
        leading apostrophe, so that a track called ``=1+1`` is not run as a
        formula. ``escape_formulas=False`` writes every name as it is, for
        programs (``pandas.read_csv(path)`` then reads it back exactly).
        """
        return spreadsheets.write_csv(self.tracks, path, escape=escape_formulas)

    def to_excel(self, path: str | os.PathLike) -> Path:
        """Write ``tracks`` as a real ``.xlsx`` sheet: text stays text (never a formula), numbers are numbers,
        dates are dates (UTC), and track URLs are links."""
        return spreadsheets.write_xlsx(self.tracks, path, sheet="tracks")


def read_parquet(path: str | os.PathLike) -> Library:
    """Reopen a library written by ``Library.to_parquet``: tables, dtypes and ``info`` as they were."""
    folder = Path(path)
    meta_file = folder / "info.json"
    if not meta_file.exists():
        raise FileNotFoundError(f"{meta_file} not found: {folder} is not a savedlib library folder")
    try:
        meta = json.loads(meta_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{meta_file} is damaged ({exc}); the library folder cannot be read") from None
    if meta.get("format") != "savedlib":
        raise ValueError(f"{meta_file} was not written by savedlib")
    if meta.get("version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{folder} was written by a newer savedlib (format {meta['version']}, this one reads "
            f"{FORMAT_VERSION}): upgrade savedlib to open it"
        )
    tables = {}
    for name in TABLES:
        file = folder / f"{name}.parquet"
        if (name in LATER_TABLES or name in PLAYLIST_TABLES) and not file.exists():
            continue  # written before savedlib had this table: it opens empty
        try:
            tables[name] = read_table(file).drop(columns=DROPPED_COLUMNS.get(name, []), errors="ignore")
        except FileNotFoundError:
            raise FileNotFoundError(f"{file} is missing: the library folder is incomplete") from None
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise ValueError(f"{file} is damaged or not Parquet: {exc}") from None
    tables["tracks"].index = pd.RangeIndex(len(tables["tracks"]), name="item")  # the tracks' index numbers the items
    return Library(**tables, info=meta["info"])


def from_items(items: Sequence[dict], *, market: str | None = None, **info: Any) -> Library:
    """Raw saved-track items (the ``items`` of ``/v1/me/tracks`` pages) → a ``Library``.

    Parameters:
        items: the saved-track objects, newest save first, as Spotify sends them.
        market: the market the items were read with, if any: then ``is_playable``
            and ``restriction`` are meaningful and ``available_markets`` is not.
        info: anything to record in ``Library.info`` (``source``, ``total``,
            ``read_at`` ...).

    A ``null`` track is skipped and counted in ``info["skipped_null_tracks"]``;
    a malformed item raises ``ValueError`` naming its position.
    """
    tracks, artists, markets, facts = build_tables(items, market=market)
    record = {
        "source": "items",
        "read_at": utc_stamp(),
        "market": market,
        "total": len(items),
        "n_tracks": len(tracks),
        **info,
        **facts,
    }
    return Library(tracks, artists, markets, record)


def from_arrow(
    array: Any,
    *,
    reasons: dict[str, str] | None = None,
    genres: pd.DataFrame | None = None,
    audio_features: pd.DataFrame | None = None,
    **info: Any,
) -> Library:
    """A library from items already in Arrow (``savedlib.items.shape.item_array``): how files become libraries.

    ``reasons`` says why the source lacks a field; ``genres`` and ``audio_features``
    are its long tables, keyed by ``item`` (the row of ``array``).
    """
    tracks, artists, markets, facts = tables_from_array(array, reasons=reasons)
    record = {"read_at": utc_stamp(), "market": None, "total": len(tracks), "n_tracks": len(tracks), **info, **facts}
    return Library(
        tracks,
        artists,
        markets,
        record,
        genres=empty_genres() if genres is None else genres,
        audio_features=empty_audio_features() if audio_features is None else audio_features,
    )
