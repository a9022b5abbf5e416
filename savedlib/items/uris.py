"""Spotify ids and URIs: telling an id when seen, and turning URIs into ids and back, vectorised."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

#: A Spotify id (of a track, album or artist): 22 base-62 characters.
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


def ids_of(uris: pa.Array | None, prefix: str) -> pa.Array | None:
    """The id in each URI of the kind ``prefix`` names (``spotify:track:``), null for others: vectorised,
    for files that name tracks by URI only (Exportify, the account data, the listening history)."""
    if uris is None:
        return None
    starts = pc.starts_with(uris, prefix)
    kind = uris if pc.all(starts).as_py() else pc.if_else(starts, uris, pa.scalar(None, uris.type))
    large = pa.types.is_large_string(uris.type)  # kept large (files): no copy here, none for pandas later
    as_bytes = kind.view(pa.large_binary() if large else pa.binary())  # an ASCII prefix: cut as bytes
    return pc.binary_slice(as_bytes, len(prefix), 1 << 30).view(uris.type)  # what follows it is still UTF-8


def prefixed(values: pa.Array, prefix: str) -> pa.Array:
    """``prefix`` + each value (null stays null): ids → URIs or links. Inserting a slice is one pass,
    about twice as fast as ``binary_join_element_wise``."""
    return pc.binary_replace_slice(values, 0, 0, prefix)
