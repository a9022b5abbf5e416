"""A refreshed library built from the held one: only the new saves go through the tables' conversion.

A refresh keeps the held items (the same objects) and puts new saves on top.
The held library's rows are taken as they are, the new items converted, and
the two stacked, so 30 new saves in a 50,000-track library convert 30 items,
not 50,000. Anything else (null tracks, a different order) is converted in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from savedlib.frames.missing import missing_fields
from savedlib.frames.schema import CATEGORIES
from savedlib.library import LATER_TABLES, Library, from_items
from savedlib.markets import SPOTIFY_MARKETS
from savedlib.playlists import with_playlists_of
from savedlib.tables import stack, tidy_categories


def refreshed(held: Library, held_items: Sequence[Any], items: Sequence[Any], info: dict) -> Library:
    """The library of ``items`` (a refresh of ``held_items``, whose library is ``held``), with ``info``."""
    rows = _held_rows(held, held_items, items)
    if rows is None or not len(rows):
        return from_items(items, **info)
    new = from_items(items[: len(items) - len(rows)], **info)
    if len(new.tracks) != len(items) - len(rows) or not _same_shape(new, held):
        return from_items(items, **info)  # a null track among the new, or tables of an older savedlib
    tracks = tidy_categories(stack([new.tracks, held.tracks.iloc[rows]]), CATEGORIES)
    tracks.index = pd.RangeIndex(len(tracks), name="item")
    renumber = np.full(len(held.tracks), -1, dtype=np.int64)  # held row -> row in the refreshed library
    renumber[rows] = np.arange(len(new.tracks), len(tracks))
    long = {name: _long(getattr(new, name), getattr(held, name), renumber) for name in _LONG}
    facts = {
        "total": info.get("total", len(items)),
        "n_tracks": len(tracks),
        "missing_fields": missing_fields(tracks, info.get("market")),
    }
    return Library(
        tracks, long["artists"], long["markets"], {**new.info, **facts}, **{n: long[n] for n in LATER_TABLES}
    )


def with_held_playlists(held: Library, lib: Library) -> Library:
    """``lib`` (the library a load into a snapshot built) with the playlists ``held`` had, each entry matched
    again to ``lib``'s items: new saves change which saved item an entry is, not what the playlists hold (read
    them again with ``savedlib.add_playlists``; unchanged ones cost nothing)."""
    if held.playlists.empty:
        return lib
    return with_playlists_of(held, lib)


def _same_shape(new: Library, held: Library) -> bool:
    """The held tables have the columns and dtypes this savedlib makes (categories aside)."""

    def shape(frame: pd.DataFrame) -> list:
        return [(n, "category" if isinstance(t, pd.CategoricalDtype) else str(t)) for n, t in frame.dtypes.items()]

    return all(shape(getattr(new, name)) == shape(getattr(held, name)) for name in ("tracks", *_LONG))


_LONG = ("artists", "markets", *LATER_TABLES)


def _held_rows(held: Library, held_items: Sequence[Any], items: Sequence[Any]) -> np.ndarray | None:
    """Which held rows ``items`` keeps below its new saves, or None when it is not new saves on top of held
    items in their order (or the held library skipped items, so its rows are not the held positions)."""
    if len(held.tracks) != len(held_items):
        return None
    where = {id(item): k for k, item in enumerate(held_items)}
    found = np.array([where.get(id(item), -1) for item in items], dtype=np.int64)
    top = int(np.argmax(found >= 0)) if (found >= 0).any() else len(found)
    rows = found[top:]
    if (rows < 0).any() or (np.diff(rows) <= 0).any():
        return None
    return rows


def _long(new: pd.DataFrame, held: pd.DataFrame, renumber: np.ndarray) -> pd.DataFrame:
    """A long table (keyed by ``item``) of the stacked library: the new items' rows, then the kept held ones."""
    items = renumber[held["item"].to_numpy()]
    kept = held[items >= 0].assign(item=items[items >= 0].astype(held["item"].dtype))
    return tidy_categories(stack([new, kept]), {"market": SPOTIFY_MARKETS}).reset_index(drop=True)
