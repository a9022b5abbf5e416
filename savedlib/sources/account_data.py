"""``savedlib.read_account_data``: a library from Spotify's account data (the privacy download), no app needed.

``YourLibrary.json`` (folder ``Spotify Account Data/``, older ``MyData/``) is an
object with ``tracks``, ``albums``, ``shows``, ``episodes``, ``bannedTracks``,
``artists``, ``bannedArtists`` and ``other``; each of ``tracks`` is
``{"artist", "album", "track", "uri"}``: one artist's name, the album's name,
the track's name and URI. No save dates, no other ids, no lengths.
"""

from __future__ import annotations

import io
import os
from pathlib import Path, PurePosixPath

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from savedlib.errors import HistoryError, SourceError
from savedlib.history.files import Found, find
from savedlib.items.shape import ARTIST_TYPE, item_array
from savedlib.items.uris import ids_of
from savedlib.library import Library, from_arrow
from savedlib.playlists.files import only_playlist_files, with_file_playlists

WHY = "Spotify's account data"
REASONS = {
    "added_at": f"{WHY} does not say when a track was saved",
    "duration_ms": f"{WHY} lists no track lengths",
    "popularity": f"{WHY} has no popularity scores",
    "available_markets": f"{WHY} lists no markets",
    "external_ids.isrc": f"{WHY} has no ISRC codes",
    "album.label": f"{WHY} has no record labels",
    "album.release_date": f"{WHY} has no release dates",
    "preview_url": f"{WHY} has no previews",
    "artists.id": f"{WHY} names artists without their ids",
    "album.id": f"{WHY} names albums without their ids",
}


class _Library(msgspec.Struct):
    tracks: list[msgspec.Raw] = []


SCHEMA = pa.schema([(name, pa.string()) for name in ("artist", "album", "track", "uri")])


def read_account_data(path: str | os.PathLike) -> Library:
    """A library from ``YourLibrary.json``, or the zip (or folder) of Spotify's account data that holds it.

    Save dates and every id but the track's are NA, and ``info["missing_fields"]``
    says why; the charts that need save dates say so. The playlist files of the zip or folder
    (``Playlist1.json`` ...) become ``lib.playlists`` and ``lib.playlist_items``.
    """
    name, data, playlist_files = _your_library(Path(path))
    try:
        library = msgspec.json.decode(data, type=_Library)
    except msgspec.DecodeError as exc:
        raise SourceError(f"{name} is not valid JSON ({exc}): the file may be cut short") from None
    except msgspec.ValidationError as exc:
        raise SourceError(f"{name} is not Spotify's YourLibrary.json ({exc})") from None
    table = _parse(library.tracks, name)
    n, uri, artist = table.num_rows, table.column("uri").combine_chunks(), table.column("artist").combine_chunks()
    one = pa.StructArray.from_arrays(
        [pa.nulls(n, pa.string()), artist, pa.nulls(n, pa.string())], fields=list(ARTIST_TYPE)
    )
    artists = pa.ListArray.from_arrays(pa.array(range(n + 1), pa.int32()), one, mask=artist.is_null())
    array = item_array(
        n,
        added_at=pa.nulls(n, pa.string()),
        track={
            "uri": uri,
            "id": ids_of(uri, "spotify:track:"),
            "name": table.column("track").combine_chunks(),
            "is_local": pc.fill_null(pc.starts_with(uri, "spotify:local:"), False),
            "artists": artists,
        },
        album={"name": table.column("album").combine_chunks()},
    )
    lib = from_arrow(array, reasons=REASONS, source=f"Spotify's account data ({name})", format="account data")
    return with_file_playlists(lib, playlist_files) if playlist_files else lib


def _parse(tracks: list[msgspec.Raw], name: str) -> pa.Table:
    """The saved tracks as columns, parsed by Arrow (each ``{"artist", "album", "track", "uri"}``)."""
    if not tracks:
        return SCHEMA.empty_table()
    options = pajson.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore", newlines_in_values=True)
    try:
        return pajson.read_json(io.BytesIO(b"\n".join(tracks)), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SourceError(f"{name}: its tracks are not {{artist, album, track, uri}} records ({exc})") from None


def _your_library(path: Path) -> tuple[str, bytes, list[Found]]:
    """The name and bytes of ``YourLibrary.json`` at ``path`` (the file, or a zip or folder with it), and the
    playlist files beside it (``Playlist1.json`` ...)."""
    if path.is_file() and path.suffix.lower() == ".json":
        return path.name, path.read_bytes(), []
    try:
        found = find(path)
    except HistoryError as exc:
        raise SourceError(str(exc)) from None
    match = [f for f in found if PurePosixPath(f.name).name == "YourLibrary.json"]
    if not match:
        names = ", ".join(f.name for f in found[:8]) + (" ..." if len(found) > 8 else "")
        raise SourceError(f"no YourLibrary.json in {path}: it holds {names}")
    return match[0].name, match[0].read(), only_playlist_files(found)
