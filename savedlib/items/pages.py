"""Pages of ``/v1/me/tracks``: their size, what one answer holds, and putting pages back together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from savedlib.items.identity import has_track, key

#: The most items Spotify sends in one page of ``/v1/me/tracks``.
PAGE_SIZE = 50


@dataclass
class Page:
    """One answer of ``/me/tracks``: its items and total, and when it was asked for and answered."""

    offset: int
    items: list[dict]
    total: int
    sent: float = 0.0
    received: float = 0.0


def new_on_top(first: Page, held: list[dict], read: Callable[[int], Page]) -> tuple[list[dict], int, int]:
    """Saving puts tracks on top: the items above the newest one still ``held``, where ``held`` now
    starts (its first items may be gone), and the latest total seen. Reads more pages from the top
    (``read(offset)``) when a whole page is new."""
    where = {key(item): i for i, item in enumerate(held) if has_track(item)}
    page, top = first, []
    while True:
        for j, item in enumerate(page.items):
            i = where.get(key(item))
            if i is not None:
                return top + page.items[:j], i, page.total
        top.extend(page.items)
        if len(page.items) < PAGE_SIZE:  # reached the end: nothing held is left
            return top, len(held), page.total
        page = read(page.offset + PAGE_SIZE)


def concat(pages: dict[int, Page] | dict[int, list[dict]]) -> list[dict]:
    """The items of ``pages`` (``Page`` objects, or raw ``{offset: items}``) in offset order."""
    return [item for offset in sorted(pages) for item in getattr(pages[offset], "items", pages[offset])]
