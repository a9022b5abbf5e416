"""Checks of items that Arrow cannot make, and finding the first value of the wrong type (to name it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from savedlib.items.shape import ITEM_TYPE


def check_shape(items: Sequence[Any]) -> None:
    """Cheap checks Arrow cannot make: each item is a dict with ``added_at`` and ``track``.

    (Arrow reads an absent ``track`` as null, which would skip the item silently.)
    """
    for position, item in enumerate(items):
        if type(item) is not dict or "track" not in item or "added_at" not in item:
            raise ValueError(f"item {position}: {_shape_problem(item)}")


def _shape_problem(item: Any) -> str:
    if not isinstance(item, dict):
        return f"expected a saved-track object (a dict with 'added_at' and 'track'), got {type(item).__name__}"
    missing = [k for k in ("added_at", "track") if k not in item]
    return f"not a saved-track object: no {' or '.join(repr(k) for k in missing)} key"


def find_type_error(items: Iterable[Any]) -> str | None:
    """Walk the items against ``ITEM_TYPE`` and describe the first value of the wrong type.

    The slow path, run only when the vectorised conversion has failed, so the
    error can name the item and the field.
    """
    for position, item in enumerate(items):
        problem = _check(item, ITEM_TYPE, "")
        if problem:
            return f"item {position}: {problem}"
    return None


_PY_TYPES = {pa.string(): (str,), pa.int64(): (int,), pa.bool_(): (bool,)}


def _check(value: Any, typ: pa.DataType, path: str) -> str | None:
    if value is None:
        return None
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_struct(typ):
        if not isinstance(value, dict):
            return f"{path or 'item'} should be an object, got {type(value).__name__} {value!r:.60}"
        for field in typ:
            problem = _check(value.get(field.name), field.type, f"{path}.{field.name}" if path else field.name)
            if problem:
                return problem
        return None
    if pa.types.is_list(typ):
        if not isinstance(value, list):
            return f"{path} should be a list, got {type(value).__name__} {value!r:.60}"
        for k, element in enumerate(value):
            problem = _check(element, typ.value_type, f"{path}[{k}]")
            if problem:
                return problem
        return None
    expected = _PY_TYPES[typ]
    ok = isinstance(value, expected) and not (typ == pa.int64() and isinstance(value, bool))
    if typ == pa.int64() and isinstance(value, float) and value.is_integer():
        ok = True
    if not ok:
        return f"{path} should be {typ}, got {type(value).__name__} {value!r:.60}"
    return None
