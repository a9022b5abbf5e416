"""Cells of the files people have (CSV text) → typed Arrow columns, vectorised: one home for each reading.

Missing is ``null``: an empty cell, and the texts JavaScript exporters write for
nothing (``null``, ``undefined``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.items import ids_of, prefixed
from savedlib.tables import text_bytes

#: What a cell holds for nothing: empty, or what the JavaScript exporters write (the parser is told these).
NOTHING = ("", "null", "undefined")


def of(column: pd.Series) -> pa.Array:
    """A column as Arrow: text as ``large_string``, numbers as read (the parser made ``NOTHING`` missing)."""
    try:
        values = pa.Array.from_pandas(column)  # a number's NaN is missing
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers and text mixed in one column: all of it as text
        values = pa.Array.from_pandas(column.astype("str"))
    if isinstance(values, pa.ChunkedArray):  # the parser's chunks as one array (text stays large_string)
        values = values.combine_chunks()
    if values.null_count == len(values):  # an empty column, whatever type the parser guessed
        return pa.nulls(len(values), pa.string())
    return values


def track_uris(values: pa.Array) -> pa.Array:
    """Track URIs; a bare 22-character id (older exportify.net files) becomes ``spotify:track:<id>``."""
    if pc.all(pc.starts_with(values, "spotify:")).as_py():  # every file written since 2024
        return values
    bare = pc.and_(pc.invert(pc.starts_with(values, "spotify:")), pc.equal(pc.utf8_length(values), 22))
    return pc.if_else(bare, prefixed(values, "spotify:track:"), values)


class UnreadableDate(ValueError):
    """A save date that is not an ISO 8601 date and time; ``row`` is its place in the column."""

    def __init__(self, row: int, text: str) -> None:
        super().__init__(f"{text!r} is not an ISO 8601 date and time")
        self.row, self.text = row, text


def newest_first(added_at: pa.Array | None) -> np.ndarray | None:
    """The row order that puts the newest save first (stable; rows without a date go last), or None
    when the rows are in that order already (as the exporters write them). A date that cannot be
    read raises ``UnreadableDate`` naming its row."""
    if added_at is None or _descending_text(added_at):
        return None
    try:
        times = added_at.cast(pa.timestamp("us", tz="UTC")).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        times = pd.to_datetime(pd.Series(added_at.to_pandas()), format="ISO8601", utc=True, errors="coerce")
        times = times.to_numpy(dtype="datetime64[us]")
        bad = np.flatnonzero(np.isnat(times) & added_at.is_valid().to_numpy(zero_copy_only=False))
        if bad.size:
            raise UnreadableDate(int(bad[0]), added_at[int(bad[0])].as_py()) from None
    key = times.astype("datetime64[us]").astype(np.int64)
    order = np.argsort(np.where(np.isnat(times), np.iinfo(np.int64).max, -key), kind="stable")  # undated: last
    return None if (order == np.arange(order.size)).all() else order


def _descending_text(added_at: pa.Array) -> bool:
    """Newest first already, seen without parsing: every date in Spotify's one form (``2024-05-01T12:00:00Z``),
    whose text sorts as its time does."""
    if len(added_at) < 2 or added_at.null_count:
        return len(added_at) < 2
    lengths = pc.min_max(pc.binary_length(added_at))
    if lengths["min"].as_py() != 20 or lengths["max"].as_py() != 20 or not pc.all(pc.ends_with(added_at, "Z")).as_py():
        return False
    return pc.all(pc.greater_equal(added_at[:-1], added_at[1:])).as_py()


def split(values: pa.Array | None, separator: str | tuple[str, ...]) -> pa.ListArray | None:
    """Lists joined with ``separator``: each part trimmed, an empty cell an empty list. Given several
    separators, the first that any cell holds (exportify.net joined artists with "," before July 2025, ";" since)."""
    if values is None:
        return None
    return _split(values, _first_used(values, separator))


def _first_used(values: pa.Array, separators: str | tuple[str, ...]) -> str:
    if isinstance(separators, str):
        return separators
    return next((s for s in separators[:-1] if _rows_holding(values, s, first=True).size), separators[-1])


def _rows_holding(values: pa.Array, text: str, first: bool = False) -> np.ndarray:
    """The rows whose value holds ``text`` (with ``first``, only the first such row)."""
    laid = text_bytes(values)
    if laid is None:
        held = pc.fill_null(pc.match_substring(values, text), False).to_numpy(zero_copy_only=False)
        return np.flatnonzero(held)[: 1 if first else None]
    rows = np.unique(_occurrences(*laid, text, first)[0])
    return rows[:1] if first else rows


def _occurrences(offsets: np.ndarray, data: np.ndarray, text: str, first: bool = False) -> tuple[np.ndarray, ...]:
    """Each place ``text`` occurs inside one value: its row, and its byte position in ``data``. Found in the
    bytes of all values at once (many times faster than Arrow's scan of each value), from where its first byte is."""
    at = _starts_of(data[offsets[0] : offsets[-1]], text.encode(), first) + offsets[0]
    rows, inside = _inside(offsets, at, len(text.encode()))
    return rows[inside], at[inside]


def _starts_of(data: np.ndarray, target: bytes, first: bool = False) -> np.ndarray:
    """Where ``target`` starts in ``data``: found by ``bytes.find`` of its first byte (a C memchr, fast while
    that byte is rare), or by NumPy once it proves common. ``first`` of one byte: the first place only."""
    raw, lead, found = data.tobytes(), target[:1], []
    at, tries = raw.find(lead), 0
    while at >= 0:
        if tries == 256:
            return _starts_in_numpy(data, target)
        if raw.startswith(target, at):
            found.append(at)
            if first and len(target) == 1:  # one byte cannot span two values
                break
        at, tries = raw.find(lead, at + 1), tries + 1
    return np.array(found, dtype=np.int64)


def _starts_in_numpy(data: np.ndarray, target: bytes) -> np.ndarray:
    at = np.flatnonzero(data == target[0])
    for k in range(1, len(target)):
        at = at[at + k < data.size]
        at = at[data[at + k] == target[k]]
    return at


def _inside(offsets: np.ndarray, at: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The row each byte position falls in, and whether ``length`` bytes from there stay in that row."""
    rows = np.searchsorted(offsets, at, side="right") - 1
    return rows, at + length <= offsets[np.minimum(rows + 1, len(offsets) - 1)]


def _split(values: pa.Array, separator: str) -> pa.ListArray:
    lists = pc.split_pattern(values, separator)  # a missing cell: no parts
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    offsets = np.asarray(lists.offsets)
    empty = _empty_rows(values)
    if empty.size:  # an empty cell splits into one empty part: make it an empty list
        keep = np.ones(len(flat), dtype=bool)
        keep[offsets[empty]] = False
        flat = flat.filter(pa.array(keep))
        lengths = np.diff(offsets)
        lengths[empty] = 0
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def _empty_rows(values: pa.Array) -> np.ndarray:
    """The rows whose value is ``""`` (not missing)."""
    laid = text_bytes(values)
    if laid is None:
        return np.flatnonzero(pc.fill_null(pc.equal(values, ""), False).to_numpy(zero_copy_only=False))
    empty = np.diff(laid[0]) == 0
    if values.null_count and empty.any():
        empty &= values.is_valid().to_numpy(zero_copy_only=False)
    return np.flatnonzero(empty)


def split_escaped(values: pa.Array | None, strip: str | None = None) -> pa.ListArray | None:
    """watsonbox's lists: joined with ``, ``, a comma inside a name written ``\\,``; ``strip`` a prefix."""
    if values is None:
        return None
    return _split_escaped(values, strip)


def _split_escaped(values: pa.Array, strip: str | None) -> pa.ListArray:
    hidden = _hide_escaped_commas(values)
    if hidden is None:  # the text holds NUL bytes already: split each value in Python
        return _split_escaped_in_python(values, strip)
    lists = _split(hidden, ", ")
    flat = pc.list_flatten(lists)
    if hidden is not values:  # some name held an escaped comma
        flat = _unhide_commas(flat)
    if strip:
        flat = pc.coalesce(ids_of(flat, strip), flat)
    return pa.ListArray.from_arrays(lists.offsets, flat)


def _hide_escaped_commas(values: pa.Array) -> pa.Array | None:
    """``values`` with the comma of each ``\\,`` made a NUL byte, so that splitting at ", " passes it by: a copy
    of the bytes, patched where they are (``values`` itself when no comma is escaped; None when NUL is taken)."""
    laid = text_bytes(values)
    if laid is None:
        return values
    _, at = _occurrences(*laid, "\\,")
    if not at.size:
        return values
    offsets, data = laid
    data = data[: offsets[-1]].copy()
    if (data[offsets[0] :] == 0).any():
        return None
    data[at + 1] = 0
    validity, value_offsets = values.buffers()[:2]
    patched = [validity, value_offsets, pa.py_buffer(data)]
    return pa.Array.from_buffers(values.type, len(values), patched, offset=values.offset)


def _unhide_commas(parts: pa.Array) -> pa.Array:
    """Parts with each backslash and NUL (``_hide_escaped_commas``) back to the comma they stand for."""
    offsets, data = text_bytes(parts)
    data = data[offsets[0] : offsets[-1]]
    hidden = _starts_of(data, b"\x00")
    pieces = np.split(data, hidden - 1)  # each but the first begins with a comma's backslash: left out
    data = np.concatenate([pieces[0], *(piece[1:] for piece in pieces[1:])])
    data[hidden - 1 - np.arange(hidden.size)] = ord(",")
    shifted = offsets - offsets[0]
    shifted = (shifted - np.searchsorted(hidden - 1, shifted, side="left")).astype(offsets.dtype)
    validity = None if not parts.null_count else parts.is_valid().buffers()[1]
    return pa.Array.from_buffers(parts.type, len(parts), [validity, pa.py_buffer(shifted), pa.py_buffer(data)])


def _split_escaped_in_python(values: pa.Array, strip: str | None) -> pa.ListArray:
    """``_split_escaped`` one value at a time: for the rare text that holds NUL bytes."""
    lists = [
        [part.strip().replace("\\,", ",") for part in re.split(r"(?<!\\), ", value)] if value else []
        for value in values.to_pylist()
    ]
    flat = pa.array([part for parts in lists for part in parts], values.type)
    if strip:
        flat = pc.coalesce(ids_of(flat, strip), flat)
    offsets = np.concatenate([[0], np.cumsum([len(parts) for parts in lists])]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


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
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
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
