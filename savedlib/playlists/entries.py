"""Playlist entries as the Web API sends them (``GET /v1/playlists/{id}/items``), into the entries table's columns.

An entry is ``{"added_at", "added_by", "is_local", "item", ...}``: the track or
episode is under ``item`` in 2026 answers and under ``track`` in older ones
(read ``item``, else ``track``). An episode may come shaped like a track: its
``type`` or URI tells. The entries stay JSON bytes until Arrow parses all of
them at once, against a schema of the fields read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.items.uris import ids_of
from savedlib.playlists.tables import first_of, json_records, kinds

_S = pa.string()
PLAYABLE = pa.struct(
    [
        ("uri", _S),
        ("id", _S),
        ("name", _S),
        ("type", _S),
        ("is_local", pa.bool_()),
        ("artists", pa.list_(pa.struct([("name", _S)]))),
        ("album", pa.struct([("name", _S)])),
        ("show", pa.struct([("name", _S)])),
        ("external_ids", pa.struct([("isrc", _S)])),
    ]
)
ENTRY_SCHEMA = pa.schema(
    [
        ("added_at", _S),
        ("added_by", pa.struct([("id", _S)])),
        ("is_local", pa.bool_()),
        ("item", PLAYABLE),
        ("track", PLAYABLE),
    ]
)


def parse(lines: Sequence[bytes], what: str) -> pa.Table:
    """Entries' JSON bytes, one entry each, as one Arrow table (``SourceError`` naming ``what`` if not entries)."""
    return json_records(lines, ENTRY_SCHEMA, f"{what}: the entries are not Spotify's playlist entries")


def columns(table: pa.Table, playlist: np.ndarray, position: np.ndarray) -> dict[str, Any]:
    """The entries table's columns: ``item`` read where sent, else ``track``."""
    item, track = table.column("item").combine_chunks(), table.column("track").combine_chunks()
    played = pc.if_else(item.is_valid(), item, track)  # the track or episode, whichever key carried it
    field = pc.struct_field
    uri = field(played, "uri")
    is_local = pc.coalesce(table.column("is_local").combine_chunks(), field(played, "is_local"))
    is_episode = pc.equal(field(played, "type"), "episode")
    artist = pc.coalesce(first_of(field(played, "artists"), "name"), field(field(played, "show"), "name"))
    return {
        "playlist": playlist,
        "position": position,
        "added_at": pd.to_datetime(table.column("added_at").to_pandas(), utc=True, format="ISO8601"),
        "added_by": field(table.column("added_by").combine_chunks(), "id"),
        "kind": kinds(uri, field(played, "type"), is_local),
        "uri": uri,
        "track_id": ids_of(uri, "spotify:track:"),
        "track_name": field(played, "name"),
        "artist_name": artist,
        "album_name": pc.if_else(pc.fill_null(is_episode, False), None, field(field(played, "album"), "name")),
        "isrc": field(field(played, "external_ids"), "isrc"),
    }
