"""Which saved item is which: an item's identity, and the one check that says a library has not moved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from savedlib.items.raw import RawItem


def key(item: Mapping) -> tuple:
    """Identity of a saved item: which track, saved when (local files have no id, but a URI)."""
    if isinstance(item, RawItem):
        return item.key
    track = item.get("track") or {}
    return (track.get("uri") or track.get("id"), track.get("name"), item.get("added_at"))


def shows(page_items: Sequence[Mapping], held: Sequence[Mapping]) -> bool:
    """True when ``page_items`` are the same saves, in the same order, as the first of ``held``: the one
    check that says a library has not moved."""
    return [key(i) for i in page_items] == [key(i) for i in held[: len(page_items)]]


def has_track(item: Mapping) -> bool:
    """False for an item whose track is ``null`` (Spotify sends such items)."""
    return item.has_track if isinstance(item, RawItem) else item.get("track") is not None
