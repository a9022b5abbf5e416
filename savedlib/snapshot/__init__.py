"""Keeping a library on disk: snapshots, incremental refresh, resume, and what changed."""

from __future__ import annotations

import os

from savedlib.errors import SnapshotError
from savedlib.library import Library, from_items
from savedlib.snapshot.store import Snapshot, with_changes

__all__ = ["Snapshot", "SnapshotError", "open_snapshot"]


def open_snapshot(path: str | os.PathLike) -> Library:
    """Reopen a snapshot offline: the typed tables, ``info``, and ``changes`` (the history).

    Parameters:
        path: the snapshot folder given to ``savedlib.load(sp, snapshot=path)``.

    An unfinished snapshot (a load that stopped) gives the tracks read so far,
    with ``info["complete"]`` false; ``savedlib.load(sp, snapshot=path)`` finishes it.
    """
    stored = Snapshot(path).read()
    if stored.library is not None:
        return stored.library
    items = stored.items.ordered()
    lib = from_items(items, **{**stored.meta.get("info", {}), "complete": False})
    return with_changes(lib, stored.changes)
