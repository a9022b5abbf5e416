"""The playlists of Spotify's privacy download: ``Playlist1.json``, ``Playlist2.json`` ... in every shape.

Each file is ``{"playlists": [...]}``; a playlist has ``name``,
``lastModifiedDate``, ``description`` (HTML-escaped), ``numberOfFollowers``,
``items`` and, from August 2025, ``collaborators``. No playlist id: two
playlists may share a name and stay two. The items' shape depends on when the
download was made (``reference: playlists.md``):

- up to early 2021: ``{"track": {"trackName", "artistName", "albumName"}, "episode": null, "localTrack": null}``,
  episodes ``{"episodeName", "showName"}``: no URI, no date;
- late 2021: ``track.trackUri`` (later ``episode.episodeUri``); 2022: ``addedDate`` (``YYYY-MM-DD``, UTC);
  2024: an ``audiobook`` key; local files ``{"localTrack": {"uri": "spotify:local:Artist:Album:Title:seconds"}}``;
- from Feb 2026: null keys left out, emoji written as escaped surrogate pairs (valid JSON, read as one character).

The items are parsed by Arrow against a schema of the fields read: a key a
shape lacks is NA, a key it adds is ignored.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote_plus

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.errors import HistoryError, SourceError
from savedlib.history.files import Found, find
from savedlib.items.uris import ids_of
from savedlib.library import PLAYLIST_COLUMNS, PLAYLIST_ITEM_COLUMNS, Library
from savedlib.playlists.tables import frame, json_records, kinds, with_playlists

PLAYLIST_FILE = re.compile(r"^Playlist(\d+)\.json$", re.I)

_S = pa.string()
ENTRY_SCHEMA = pa.schema(
    [
        ("track", pa.struct([("trackName", _S), ("artistName", _S), ("albumName", _S), ("trackUri", _S)])),
        ("episode", pa.struct([("episodeName", _S), ("showName", _S), ("episodeUri", _S)])),
        ("audiobook", pa.struct([("audiobookName", _S), ("audiobookUri", _S), ("chapterName", _S)])),
        ("localTrack", pa.struct([("uri", _S)])),
        ("addedDate", _S),
    ]
)


class _Playlist(msgspec.Struct):
    name: str | None = None
    lastModifiedDate: str | None = None
    description: str | None = None
    numberOfFollowers: int | None = None
    collaborators: list[Any] | None = None
    items: list[msgspec.Raw] | None = None


class _File(msgspec.Struct):
    playlists: list[_Playlist]


def playlist_files(path: str | os.PathLike) -> list[Found]:
    """The ``PlaylistN.json`` files at ``path`` (a zip, a folder, or one such file), in their number's order."""
    path = Path(path)
    try:
        found = find(path)
    except HistoryError as exc:
        raise SourceError(str(exc)) from None
    if path.is_file() and path.suffix.lower() != ".zip":
        return found
    return only_playlist_files(found)


def only_playlist_files(found: list[Found]) -> list[Found]:
    """The ``PlaylistN.json`` files among ``found``, in their number's order."""
    files = [f for f in found if PLAYLIST_FILE.match(PurePosixPath(f.name).name)]
    return sorted(files, key=lambda f: playlist_number(f.name))


def playlist_number(name: str) -> tuple[str, int]:
    """Where a ``PlaylistN.json`` sorts: by its folder, then by ``N`` (``Playlist2`` before ``Playlist10``)."""
    path = PurePosixPath(name)
    return str(path.parent), int(PLAYLIST_FILE.match(path.name).group(1))


def read_playlists(path: str | os.PathLike, lib: Library) -> Library:
    """``lib`` with the playlists of Spotify's privacy download at ``path`` (its zip, folder, or one
    ``PlaylistN.json``), each entry matched to a saved item: for a library read another way."""
    files = playlist_files(path)
    if not files:
        raise SourceError(f"no Playlist1.json in {path}: Spotify's account data holds the playlists in it")
    return with_file_playlists(lib, files)


def with_file_playlists(lib: Library, files: list[Found]) -> Library:
    """``lib`` with the playlists of ``files`` (``PlaylistN.json``, read whole or not at all)."""
    heads, lines, playlist_of = [], [], []
    for found in files:
        for playlist in _decode(found):
            items = playlist.items or []
            playlist_of.append(np.full(len(items), len(heads), dtype=np.int32))
            heads.append(_head(playlist, len(items)))
            lines += items
    n = len(lines)
    names = ", ".join(PurePosixPath(f.name).name for f in files)
    table = json_records(lines, ENTRY_SCHEMA, f"{names}: its playlist items are not Spotify's item records")
    playlist = np.concatenate(playlist_of) if playlist_of else np.zeros(0, np.int32)
    entries = frame(_entry_columns(table, playlist), PLAYLIST_ITEM_COLUMNS, n)
    playlists = pd.DataFrame(heads, columns=list(PLAYLIST_COLUMNS)[1:]) if heads else None
    playlists = frame(
        {"playlist": np.arange(len(heads), dtype=np.int32), **({} if playlists is None else dict(playlists))},
        PLAYLIST_COLUMNS,
        len(heads),
    )
    info = {"source": "Spotify's account data", "files": [f.name for f in files]}
    return with_playlists(lib, playlists, entries, info)


def _decode(found: Found) -> list[_Playlist]:
    """The playlists of one file, or ``SourceError`` naming it: never a part of a file passed off as whole."""
    name = PurePosixPath(found.name).name
    try:  # (msgspec's ValidationError is a DecodeError: asked first)
        return msgspec.json.decode(found.read(), type=_File).playlists
    except msgspec.ValidationError as exc:
        raise SourceError(
            f'{found.name} is not one of Spotify\'s playlist files ({exc}); a {name} holds {{"playlists": [...]}}'
        ) from None
    except msgspec.DecodeError as exc:
        problem = f"{found.name} is not valid JSON ({exc}): the file may be cut short; none of it was read"
        raise SourceError(problem) from None


def _head(playlist: _Playlist, n_items: int) -> dict:
    """A playlist's row of the playlists table (every column but ``playlist``)."""
    people = playlist.collaborators
    return {
        "playlist_id": None,
        "name": playlist.name,
        "owner_id": None,
        "collaborative": None if people is None else bool(people),
        "public": None,
        "n_items": n_items,
        "snapshot_id": None,
        "last_modified": pd.to_datetime(playlist.lastModifiedDate, utc=True, errors="coerce"),
        "description": html.unescape(playlist.description) if playlist.description else None,
        "status": "read",
    }


def _local_parts(uris: pa.Array) -> dict[str, pa.Array]:
    """Artist, album and title of each ``spotify:local:Artist:Album:Title:seconds`` URI (``+`` for spaces);
    decoded once per distinct URI (a library has few local files)."""
    values = uris.to_pandas()
    distinct = values.dropna().unique()
    parts = {u: [unquote_plus(p) or None for p in (u.split(":") + [""] * 6)[2:5]] for u in distinct}
    return {
        name: pa.array(values.map(lambda u, k=k: parts[u][k] if u in parts else None), _S)
        for k, name in enumerate(("artist", "album", "title"))
    }


def _entry_columns(table: pa.Table, playlist: np.ndarray) -> dict[str, Any]:
    """The entries table's columns from the parsed items, whatever their shape."""
    track, episode, book, local = (
        table.column(k).combine_chunks() for k in ("track", "episode", "audiobook", "localTrack")
    )
    field = pc.struct_field
    local_uri = field(local, "uri")
    uri = pc.coalesce(field(track, "trackUri"), field(episode, "episodeUri"), field(book, "audiobookUri"), local_uri)
    hint = pc.if_else(
        track.is_valid(),
        "track",
        pc.if_else(episode.is_valid(), "episode", pc.if_else(book.is_valid(), "audiobook", None)),
    )
    named = _local_parts(local_uri)
    positions = _positions(playlist)
    return {
        "playlist": playlist,
        "position": positions,
        "added_at": pd.to_datetime(table.column("addedDate").to_pandas(), utc=True, format="%Y-%m-%d", errors="coerce"),
        "kind": kinds(uri, hint, local_uri.is_valid()),
        "uri": uri,
        "track_id": ids_of(uri, "spotify:track:"),
        "track_name": pc.coalesce(
            field(track, "trackName"), field(episode, "episodeName"), field(book, "audiobookName"), named["title"]
        ),
        "artist_name": pc.coalesce(field(track, "artistName"), field(episode, "showName"), named["artist"]),
        "album_name": pc.coalesce(field(track, "albumName"), named["album"]),
    }


def _positions(playlist: np.ndarray) -> np.ndarray:
    """Each entry's position in its playlist (0 first), from the playlist number of each entry in order."""
    if not len(playlist):
        return np.zeros(0, np.int32)
    starts = np.flatnonzero(np.r_[True, playlist[1:] != playlist[:-1]])
    lengths = np.diff(np.r_[starts, len(playlist)])
    return (np.arange(len(playlist)) - np.repeat(starts, lengths)).astype(np.int32)
