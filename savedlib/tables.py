"""Typed tables: the nullable dtypes savedlib uses, categories, and an exact Parquet round trip.

One home for what every table (a library's, a listening history's) shares:
missing is ``<NA>`` (``Int64``, ``boolean``, pyarrow ``string``), a column of
few values is a ``category`` whose categories stay the same whatever the data,
and Parquet files that any reader opens while savedlib gets its dtypes back.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from savedlib.files import atomic_write

STRING = pd.StringDtype("pyarrow")
ARROW_TO_PANDAS = {
    pa.string(): STRING,
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_CATEGORIES_KEY = b"savedlib.categories"


def categorical(values: pa.Array, known: Sequence[str] = ()) -> pd.Categorical:
    """A pandas categorical whose categories are ``known`` plus any other values, sorted.

    Fixed categories keep the dtype the same for every table, so tables
    concatenate and round-trip without surprises.
    """
    fixed = _fixed_dtype(tuple(known))
    if values.null_count == len(values):
        return pd.Categorical.from_codes(np.full(len(values), -1, dtype=np.int8), dtype=fixed, validate=False)
    if known:  # the usual case: only known values, found fast (in the dictionary, if encoded)
        words = values.dictionary if pa.types.is_dictionary(values.type) else values
        codes = pc.index_in(words, value_set=pa.array(known, words.type))
        if codes.null_count == words.null_count:
            codes = codes.fill_null(-1).to_numpy().astype(np.int16)
            if pa.types.is_dictionary(values.type):
                indices = values.indices
                codes = np.append(codes, -1)[indices.fill_null(len(words)).to_numpy()]
            return pd.Categorical.from_codes(codes, dtype=fixed, validate=False)
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    dictionary = encoded.dictionary.to_pylist()
    categories = list(known) + sorted(set(dictionary) - set(known) - {None})
    lookup = {code: k for k, code in enumerate(categories)}
    remap = np.array([lookup.get(c, -1) for c in dictionary] + [-1], dtype=np.int16)
    indices = encoded.indices
    indices = (indices.fill_null(len(dictionary)) if indices.null_count else indices).to_numpy()
    return pd.Categorical.from_codes(
        remap[indices], dtype=pd.CategoricalDtype(pd.Index(categories, dtype="str")), validate=False
    )


@functools.lru_cache(maxsize=64)
def _fixed_dtype(known: tuple[str, ...]) -> pd.CategoricalDtype:
    """The dtype of a column whose categories are ``known`` (made once: checking them costs more than the codes)."""
    return pd.CategoricalDtype(pd.Index(list(known), dtype="str"))


def pandas_array(values: pa.Array) -> Any:
    """An Arrow column as the pandas array savedlib's tables hold: nullable numbers and booleans
    (``ARROW_TO_PANDAS``), text as ``STRING`` and lists as ``pd.ArrowDtype`` (neither copied), a dictionary
    as a category; anything else (times, small integers) as Arrow converts it. The one conversion every
    table takes, from a file or from items."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.arrays.ArrowStringArray(values)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pd.arrays.ArrowExtensionArray(values.cast(pa.list_(_narrow_text(kind.value_type))))
    if kind not in ARROW_TO_PANDAS:
        return values.to_pandas().array
    mask = values.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_boolean(kind):
        return pd.arrays.BooleanArray(values.fill_null(False).to_numpy(zero_copy_only=False), mask)
    filled = values.fill_null(0).to_numpy(zero_copy_only=False)
    filled = filled if filled.flags.writeable else filled.copy()  # the table's own, writable
    if pa.types.is_integer(kind):
        return pd.arrays.IntegerArray(filled, mask)
    return pd.arrays.FloatingArray(filled, mask | np.isnan(filled))


def _narrow_text(kind: pa.DataType) -> pa.DataType:
    return pa.string() if pa.types.is_large_string(kind) else kind


def distinct(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """The distinct values (null among them, if any) and each row's index into them."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    return encoded.dictionary, encoded.indices


def stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames of one kind, one below the other, every dtype kept: the categories of a column are united in
    ``categorical``'s order (the fixed ones first, then the rest sorted), so no column falls back to object."""
    first = frames[0]
    united = {
        name: pd.CategoricalDtype(_united([f[name].cat.categories for f in frames]))
        for name in first.columns
        if isinstance(first[name].dtype, pd.CategoricalDtype)
    }
    return pd.concat([f.astype(united) if united else f for f in frames])


def tidy_categories(frame: pd.DataFrame, fixed: dict[str, Sequence[str]]) -> pd.DataFrame:
    """``frame`` with each category column's categories as ``categorical`` makes them: the ``fixed`` ones
    of that column, then the other values that occur, sorted (rows taken away leave none behind)."""
    out = frame.copy(deep=False)
    for name, values in frame.items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            known = list(fixed.get(name, ()))
            used = values.cat.categories[np.unique(values.cat.codes[values.cat.codes >= 0])]
            categories = pd.Index(known + sorted(set(used) - set(known)), dtype="str")
            if not categories.equals(values.cat.categories):
                out[name] = values.cat.set_categories(categories)
    return out


def _united(categories: Sequence[pd.Index]) -> pd.Index:
    """Category lists that each are one fixed list and then their own values sorted, as one such list."""
    out = list(categories[0])
    for other in categories[1:]:
        other = list(other)
        same = next((k for k, (a, b) in enumerate(zip(out, other, strict=False)) if a != b), min(len(out), len(other)))
        out = out[:same] + sorted(set(out[same:]) | set(other[same:]))
    return pd.Index(out, dtype="str")


def same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same shape, dtypes, index (name included) and values: compared through Arrow, fast."""
    return (
        a.shape == b.shape
        and a.dtypes.equals(b.dtypes)
        and a.index.equals(b.index)
        and a.index.name == b.index.name
        and pa.Table.from_pandas(a, preserve_index=False).equals(pa.Table.from_pandas(b, preserve_index=False))
    )


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` (its index left out) as a plain Parquet file, written atomically."""
    # Parquet keeps only the categories that occur; record the full lists so they come back.
    categories = {
        name: list(frame[name].cat.categories)
        for name in frame.columns
        if isinstance(frame[name].dtype, pd.CategoricalDtype)
    }
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {**(table.schema.metadata or {}), _CATEGORIES_KEY: json.dumps(categories).encode()}
    return atomic_write(path, lambda tmp: pq.write_table(table.replace_schema_metadata(meta), tmp))


def read_table(file: Path) -> pd.DataFrame:
    """A file written by ``write_table``, with its dtypes and categories (and a default index)."""
    table = pq.read_table(file)
    columns = {name: pandas_array(table[name].combine_chunks()) for name in table.column_names}
    frame = pd.DataFrame(columns, copy=False)
    categories = json.loads((table.schema.metadata or {}).get(_CATEGORIES_KEY, b"{}"))
    for name, values in categories.items():
        frame[name] = frame[name].astype(pd.CategoricalDtype(pd.Index(values, dtype="str")))
    return frame
