"""Playlists and their entries as the library's two typed tables, each entry matched to a saved item.

Both readers (the Web API and the privacy download's files) end here: they hand
over Arrow columns, and this module types them (``PLAYLIST_COLUMNS``,
``PLAYLIST_ITEM_COLUMNS``), tells what each entry is, and matches it to the
library by the one rule of ``savedlib.matching``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from savedlib.errors import SourceError
from savedlib.frames.schema import SONG_KINDS
from savedlib.library import PLAYLIST_COLUMNS, PLAYLIST_ITEM_COLUMNS, Library
from savedlib.matching import match
from savedlib.tables import pandas_array

#: URI prefixes that tell what an entry is, whatever shape it came in.
KIND_OF_PREFIX = {
    "spotify:local:": "local file",
    "spotify:episode:": "episode",
    "spotify:audiobook:": "audiobook",
    "spotify:chapter:": "audiobook",
    "spotify:track:": "track",
}


def frame(columns: dict[str, Any], spec: dict[str, Any], n: int) -> pd.DataFrame:
    """A table with ``spec``'s columns, in its order and dtypes; a column ``columns`` lacks is all NA.
    Arrow arrays are converted the way every table is (``savedlib.tables.pandas_array``)."""
    out = {}
    for name, dtype in spec.items():
        values = columns.get(name)
        if values is None:
            out[name] = pd.Series(pd.array([None] * n, dtype=dtype))
            continue
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array):
            values = pandas_array(values)
        values = pd.Series(values)
        if isinstance(dtype, pd.DatetimeTZDtype) and not isinstance(values.dtype, pd.DatetimeTZDtype):
            values = pd.to_datetime(values, utc=True)
        out[name] = values.astype(dtype)
    return pd.DataFrame(out).reset_index(drop=True)


def first_of(lists: pa.Array, field: str) -> pa.Array:
    """``field`` of the first struct of each list (NA where a list is null or empty): the primary artist."""
    n = len(lists)
    if pa.types.is_null(lists.type):
        return pa.nulls(n, pa.string())
    head = pc.list_slice(lists, 0, 1)
    parents = pc.list_parent_indices(head).to_numpy()
    values = pc.struct_field(pc.list_flatten(head), field).to_numpy(zero_copy_only=False)
    out = np.full(n, None, dtype=object)
    out[parents] = values
    return pa.array(out, pa.string())


def kinds(uri: pa.Array, kind_hint: pa.Array | None = None, is_local: pa.Array | None = None) -> pa.Array:
    """What each entry is (``ENTRY_KINDS``): by its URI's prefix, else by ``kind_hint`` (Spotify's ``type``),
    a local file wherever ``is_local`` says so. An episode sent in a track's shape is still an episode."""
    uri_text = pd.Series(pandas_array(uri), dtype="string")
    out = np.full(len(uri), "unknown", dtype=object)
    if kind_hint is not None:
        hint = pd.Series(pandas_array(kind_hint), dtype="string").fillna("")
        out[hint.isin(["track"]).to_numpy()] = "track"
        out[hint.isin(["episode"]).to_numpy()] = "episode"
        out[hint.isin(["audiobook", "chapter"]).to_numpy()] = "audiobook"
    for prefix, kind in KIND_OF_PREFIX.items():
        out[uri_text.str.startswith(prefix).fillna(False).to_numpy(dtype=bool)] = kind
    if is_local is not None:
        out[pc.fill_null(is_local, False).to_numpy(zero_copy_only=False)] = "local file"
    return pa.array(out, pa.string())


def with_playlists(lib: Library, playlists: pd.DataFrame, entries: pd.DataFrame, info: dict) -> Library:
    """``lib`` with ``playlists`` and ``entries`` as its tables: each entry matched to its saved item
    (``item``, ``matched_by``), and ``info["playlists"]`` saying what was read and matched."""
    item, how = match(entries, lib.tracks)
    entries = entries.assign(item=item.to_numpy(), matched_by=how).astype(PLAYLIST_ITEM_COLUMNS)
    entries = entries[list(PLAYLIST_ITEM_COLUMNS)].reset_index(drop=True)
    playlists = playlists.astype(PLAYLIST_COLUMNS)[list(PLAYLIST_COLUMNS)].reset_index(drop=True)
    songs = entries["kind"].isin(SONG_KINDS)
    counted = {
        **info,
        "playlists": len(playlists),
        "entries": len(entries),
        "songs": int(songs.sum()),
        "matched": int(entries["item"].notna().sum()),
        "matched_by": {rule: int(n) for rule, n in entries["matched_by"].value_counts(sort=False).items()},
        "status": {s: int(n) for s, n in playlists["status"].value_counts(sort=False).items() if n},
    }
    return replace(lib, playlists=playlists, playlist_items=entries, info={**lib.info, "playlists": counted})


def rematch(lib: Library) -> Library:
    """``lib``'s playlist entries matched again to its saved items (after the saved library changed)."""
    if lib.playlist_items.empty:
        return lib
    return with_playlists(lib, lib.playlists, lib.playlist_items, dict(lib.info.get("playlists") or {}))


def with_playlists_of(source: Library, lib: Library) -> Library:
    """``lib`` with ``source``'s playlists (both tables and ``info["playlists"]``), each entry matched again to
    ``lib``'s saved items."""
    info = {**lib.info, "playlists": dict(source.info.get("playlists") or {})}
    return rematch(replace(lib, playlists=source.playlists, playlist_items=source.playlist_items, info=info))


def json_records(lines: Sequence[bytes], schema: pa.Schema, refusal: str) -> pa.Table:
    """JSON records (the bytes of one each) as one Arrow table of ``schema``, parsed by Arrow at once (keys the
    schema does not name are ignored); records that do not fit raise ``SourceError`` saying ``refusal``."""
    if not lines:
        return schema.empty_table()
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore", newlines_in_values=True)
    try:
        return pajson.read_json(io.BytesIO(b"\n".join(bytes(line) for line in lines)), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SourceError(f"{refusal} ({exc})") from None
