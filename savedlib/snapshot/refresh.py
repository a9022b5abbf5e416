"""Bringing a held library up to date with as few requests as the changes allow.

Saved tracks come newest first, and saving puts a track at the top. So page 0
alone tells what was saved since (the items above the newest one held) and,
with ``total``, how many held tracks were removed. Nothing removed: done, one
request. Otherwise each removed track is found by bisection (``find_removed``,
which a resumed load uses too): about k × log2(pages / k) probes find k
removals, against a full read of every page.
"""

from __future__ import annotations

from savedlib.fetch.removals import Inconsistent, find_removed
from savedlib.fetch.sender import Sender
from savedlib.items.identity import shows
from savedlib.items.pages import PAGE_SIZE, Page, new_on_top

__all__ = ["Inconsistent", "Refresher"]


class Refresher:
    """Brings a held, complete library up to date through ``sender``, counting the ``requests`` it spent.

    ``refresh(held)`` returns the library as it stands, or raises ``Inconsistent``
    when Spotify's answers do not fit "saves on top, removals anywhere" (then
    the caller reads everything).
    """

    def __init__(self, sender: Sender, market: str | None):
        self.sender = sender
        self.market = market
        self.requests = 0

    def _page(self, offset: int, limit: int = PAGE_SIZE) -> Page:
        self.requests += 1
        return self.sender.page(offset, limit, self.market)

    def refresh(self, held: list[dict], first: Page | None = None) -> tuple[list[dict], int]:
        """``held`` brought up to date: (items, total). ``first``: page 0, if it was read already."""
        if first is None:
            first = self._page(0)
        else:
            self.requests += 1
        top, start, _ = new_on_top(first, held, self._page)
        rest = held[start:]
        removed = len(top) + len(rest) - first.total
        if removed < 0:
            raise Inconsistent(f"{first.total:,} tracks, more than the {len(top) + len(rest):,} expected")
        if removed == 0:
            if not shows(first.items[len(top) :], rest):
                raise Inconsistent("page 0 does not continue with the newest held tracks")
            return top + rest, first.total
        gone = find_removed(self._page, rest, len(top), removed)
        return top + [item for i, item in enumerate(rest) if i not in gone], first.total
