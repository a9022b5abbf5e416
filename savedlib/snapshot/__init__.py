"""Keeping a library on disk: snapshots, incremental refresh, resume, and what changed."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from savedlib.errors import LoadError, LoadInterrupted, SnapshotError
from savedlib.library import Library, from_items
from savedlib.playlists import web as playlists_web
from savedlib.playlists import with_playlists_of
from savedlib.snapshot.store import Snapshot, Stored, with_changes

__all__ = ["Snapshot", "SnapshotError", "add_playlists", "open_snapshot"]


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


def add_playlists(sp: Any, lib: Library, *, snapshot: str | os.PathLike | None = None, **options: Any) -> Library:
    """``lib`` with the person's playlists (``lib.playlists``) and their entries (``lib.playlist_items``),
    each entry matched to the saved item it is: ``GET /v1/me/playlists``, then the entries of every playlist
    the person owns or collaborates on (others' and Spotify's are listed, not asked for).

    Parameters:
        sp: your ``spotipy.Spotify`` client, signed in with ``playlist-read-private`` and
            ``playlist-read-collaborative`` (``savedlib.connect()`` asks for both).
        lib: the saved library. Its playlists, if it has them, are the held ones: a playlist whose
            ``snapshot_id`` has not changed is not read again.
        snapshot: the snapshot folder of ``savedlib.load(sp, snapshot=...)``: the playlists are kept in it
            (``open_snapshot`` gives them back, later loads keep them), and when ``lib`` has none, the
            snapshot's are the held ones, so unchanged playlists cost nothing.
        **options: ``concurrency``, ``progress``, ``max_wait``, ``retries``, as for ``savedlib.load``.

    Cost: 1 (``GET /v1/me``, none with a client from ``connect()``) + ⌈playlists/50⌉ + Σ⌈entries/50⌉ over
    the playlists read. The daily quota (or a wait over ``max_wait``) stops at once with ``RateLimited``:
    its ``.partial`` has the playlists read so far (kept in the snapshot too), and calling again asks only
    for the others. ``info["playlists"]`` counts what was read, kept, not readable and gone.
    """
    if snapshot is None:
        return playlists_web.add_playlists(sp, lib, **options)
    store = Snapshot(snapshot)
    held = store.read_whole()
    start = (
        lib
        if not lib.playlists.empty
        else replace(lib, playlists=held.library.playlists, playlist_items=held.library.playlist_items)
    )
    try:
        got = playlists_web.add_playlists(sp, start, **options)
    except (LoadError, LoadInterrupted) as stopped:
        if stopped.partial is not None and not stopped.partial.playlists.empty:
            _keep(store, held, stopped.partial)
            stopped.add_note(f"The playlists read so far are kept in the snapshot {store.path}.")
        raise
    _keep(store, held, got)
    return got


def _keep(store: Snapshot, held: Stored, got: Library) -> None:
    """Write ``got``'s playlists into the snapshot (``held``: what it holds), matched to its library; refused
    (``SnapshotError``, nothing written) when they are another Spotify account's than the snapshot's library."""
    account = (got.info.get("playlists") or {}).get("account_id")
    owner = held.meta.get("account_id")
    if account and owner and account != owner:
        raise SnapshotError(
            f"{store.path} holds the library of the Spotify account {owner!r}, but these playlists are "
            f"{account!r}'s: use that account's snapshot (nothing was changed)"
        )
    store.replace_library(with_playlists_of(got, held.library), held.meta)
