"""Cells of the files people have (CSV text) → typed Arrow columns, vectorised: one home for each reading.

Missing is ``null``: an empty cell, and the texts JavaScript exporters write for
nothing (``null``, ``undefined``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NOTHING = pa.array(["", "null", "undefined"])
_ESCAPED_COMMA = "\x1f"


def of(column: pd.Series) -> pa.Array:
    """A column as Arrow: text with the exporters' words for nothing null; numbers as read."""
    values = pa.array(column.array)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_null(values.type):
        return values.cast(pa.string())
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    values = values.cast(pa.string())
    return pc.if_else(pc.is_in(values, NOTHING), pa.scalar(None, pa.string()), values)


def track_uris(values: pa.Array) -> pa.Array:
    """Track URIs; a bare 22-character id (older exportify.net files) becomes ``spotify:track:<id>``."""
    bare = pc.and_(pc.invert(pc.starts_with(values, "spotify:")), pc.equal(pc.utf8_length(values), 22))
    return pc.if_else(bare, pc.binary_join_element_wise("spotify:track:", values, ""), values)


def ids_of(uris: pa.Array | None, prefix: str) -> pa.Array | None:
    """The id in each URI of the kind ``prefix`` names (``spotify:track:``), null for others."""
    if uris is None:
        return None
    kind = pc.fill_null(pc.starts_with(uris, prefix), False)
    return pc.if_else(kind, pc.utf8_slice_codeunits(uris, len(prefix)), pa.scalar(None, pa.string()))


def newest_first(added_at: pa.Array | None) -> np.ndarray:
    """The row order that puts the newest save first (stable; rows without a date keep their place)."""
    if added_at is None:
        return np.arange(0)
    try:
        key = pc.fill_null(added_at.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()), np.iinfo(np.int64).min)
        key = key.to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        times = pd.to_datetime(pd.Series(added_at.to_pandas()), format="ISO8601", utc=True, errors="coerce")
        key = times.to_numpy(dtype="datetime64[us]").astype(np.int64)
    return np.argsort(-key, kind="stable")


def split(values: pa.Array | None, separator: str) -> pa.ListArray | None:
    """Lists joined with ``separator``: each part trimmed, an empty cell an empty list."""
    if values is None:
        return None
    lists = pc.split_pattern(pc.fill_null(values, ""), separator)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    lists = pa.ListArray.from_arrays(lists.offsets, flat)
    empty = pc.equal(pc.fill_null(values, ""), "")
    return pc.if_else(empty, pa.scalar([], pa.list_(pa.string())), lists)


def split_escaped(values: pa.Array | None, strip: str | None = None) -> pa.ListArray | None:
    """watsonbox's lists: joined with ``, ``, a comma inside a name written ``\\,``; ``strip`` a prefix."""
    if values is None:
        return None
    hidden = pc.replace_substring(pc.fill_null(values, ""), "\\,", _ESCAPED_COMMA)
    lists = split(hidden, ", ")
    flat = pc.replace_substring(pc.list_flatten(lists), _ESCAPED_COMMA, ",")
    if strip:
        flat = pc.if_else(pc.starts_with(flat, strip), pc.utf8_slice_codeunits(flat, len(strip)), flat)
    return pa.ListArray.from_arrays(lists.offsets, flat)


def integers(values: pa.Array | None) -> pa.Array | None:
    """Whole numbers (``"12"``, also ``"12.0"``); anything else null."""
    numbers = floats(values)
    return None if numbers is None else pc.cast(pc.round(numbers), pa.int64())


def floats(values: pa.Array | None) -> pa.Array | None:
    """Numbers as float64; a text that is not a number null."""
    if values is None:
        return None
    if not pa.types.is_string(values.type):
        return pc.cast(values, pa.float64())
    try:
        return pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        coerced = pd.to_numeric(pd.Series(values.to_pandas()), errors="coerce")
        return pa.array(coerced.to_numpy(dtype=float), mask=coerced.isna().to_numpy())


def booleans(values: pa.Array | None) -> pa.Array | None:
    """``true`` / ``false`` (any case) as booleans; anything else null."""
    if values is None or pa.types.is_boolean(values.type):
        return values
    lower = pc.utf8_lower(values.cast(pa.string()))
    known = pc.is_in(lower, pa.array(["true", "false"]))
    return pc.if_else(known, pc.equal(lower, "true"), pa.scalar(None, pa.bool_()))


def precision(dates: pa.Array | None) -> pa.Array | None:
    """Spotify's ``release_date_precision`` from the date's form: ``1981`` year, ``1981-12`` month, else day."""
    if dates is None:
        return None
    length = pc.utf8_length(dates)
    return pc.case_when(
        pc.make_struct(pc.equal(length, 4), pc.equal(length, 7), pc.equal(length, 10)),
        pa.scalar("year"),
        pa.scalar("month"),
        pa.scalar("day"),
    )
