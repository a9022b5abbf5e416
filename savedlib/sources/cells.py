"""Cells of the files people have (CSV text) → typed Arrow columns, vectorised: one home for each reading.

Missing is ``null``: an empty cell, and the texts JavaScript exporters write for
nothing (``null``, ``undefined``).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.items.uris import prefixed

#: What a cell holds for nothing: empty, or what the JavaScript exporters write (the parser is told these).
NOTHING = ("", "null", "undefined")


def of(column: pd.Series) -> pa.Array:
    """A column as Arrow: text as the parser made it, numbers as read (the parser made ``NOTHING`` missing)."""
    try:
        values = pa.Array.from_pandas(column)  # a number's NaN is missing
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers and text mixed in one column: all of it as text
        values = pa.Array.from_pandas(column.astype("str"))
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.null_count == len(values):  # an empty column, whatever type the parser guessed
        return pa.nulls(len(values), pa.string())
    return values


def track_uris(values: pa.Array) -> pa.Array:
    """Track URIs; a bare 22-character id (older exportify.net files) becomes ``spotify:track:<id>``."""
    bare = pc.and_(pc.invert(pc.starts_with(values, "spotify:")), pc.equal(pc.utf8_length(values), 22))
    return pc.if_else(bare, prefixed(values, "spotify:track:"), values)


def holds(values: pa.Array, text: str) -> bool:
    """Whether any cell holds ``text``."""
    return bool(pc.any(pc.match_substring(values, text)).as_py())


def split(values: pa.Array | None, separator: str, keep: str | None = None, keep_as: str | None = None):
    """Lists joined with ``separator``: each part trimmed, an empty or missing cell an empty list.

    ``keep`` is a text that holds the separator but belongs to a name (watsonbox writes a
    comma in a name ``\\,``; old exportify.net files keep a name's ``, ``): it is not split
    at, and comes back as ``keep_as`` (itself, by default). It is hidden behind a character
    no cell holds while the cells are split.
    """
    if values is None:
        return None
    hide = keep is not None and holds(values, keep)
    if hide:
        mark = _unused_character(values)
        values = pc.replace_substring(values, keep, mark)
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)  # no parts, not one empty
    lists = pc.split_pattern(values, separator)
    parts = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    if hide:
        parts = pc.replace_substring(parts, mark, keep if keep_as is None else keep_as)
    return pa.ListArray.from_arrays(lists.offsets, parts)


def _unused_character(values: pa.Array) -> str:
    """A character of Unicode's private use area that no cell holds (the first one, nearly always)."""
    return next(c for c in map(chr, range(0xE000, 0xF900)) if not holds(values, c))


def integers(values: pa.Array | None) -> pa.Array | None:
    """Whole numbers (``"12"``, also ``"12.0"``); anything else null."""
    if values is not None and pa.types.is_integer(values.type):  # as the parser read them
        return values.cast(pa.int64())
    numbers = floats(values)
    return None if numbers is None else pc.cast(pc.round(numbers), pa.int64())


def floats(values: pa.Array | None) -> pa.Array | None:
    """Numbers as float64; a text that is not a number null."""
    if values is None:
        return None
    try:
        return pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        coerced = pd.to_numeric(values.to_pandas(), errors="coerce")
        return pa.array(coerced, pa.float64(), from_pandas=True)


def booleans(values: pa.Array | None) -> pa.Array | None:
    """``true`` / ``false`` (any case) as booleans; anything else null."""
    if values is None or pa.types.is_boolean(values.type):
        return values
    lower = pc.utf8_lower(values.cast(pa.string()))
    known = pc.is_in(lower, pa.array(["true", "false"]))
    return pc.if_else(known, pc.equal(lower, "true"), pa.scalar(None, pa.bool_()))
