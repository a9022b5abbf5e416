"""Bringing a held library up to date with as few requests as the changes allow.

Saved tracks come newest first, and saving puts a track at the top. So page 0
alone tells what was saved since (the items above the newest one held) and,
with ``total``, how many held tracks were removed. Nothing removed: done, one
request. Otherwise each removed track is found by bisection: a probe page at
the position where a held item should now be tells how many held items before
it are gone (``d``), and any gap inside the probe names them exactly. Ranges
whose ends agree on ``d`` hold no removal and are never read. About
k × log2(pages / k) probes find k removals, against a full read of every page.
"""

from __future__ import annotations

from savedlib.fetch.sender import Sender
from savedlib.items import PAGE_SIZE, Page, key, new_on_top, shows


class Inconsistent(Exception):
    """What Spotify answered does not fit the held library plus saves at the top: read in full instead."""


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
        gone = self._find_removed(rest, len(top), removed)
        return top + [item for i, item in enumerate(rest) if i not in gone], first.total

    def _probe(self, where: dict, above: int, lo: int, hi: int, dlo: int, at: int) -> tuple[list[int], int]:
        """Read where ``rest[at]`` sits if nothing in [lo, at) was removed; held indices seen in [lo, hi)."""
        position = above + at - dlo
        page = self._page(position, PAGE_SIZE)
        found = [where.get(key(item)) for item in page.items]
        if any(i is None for i in found):
            raise Inconsistent("a track appeared below the top while refreshing")
        return [i for i in found if lo <= i < hi], position

    def _find_removed(self, rest: list[dict], above: int, removed: int) -> set[int]:
        """Indices of ``rest`` no longer in the library; ``above`` new items sit on top of it."""
        where = {key(item): i for i, item in enumerate(rest)}
        gone: set[int] = set()
        stack = [(0, len(rest), 0, removed)]  # ranges [lo, hi) with d(lo), d(hi) known
        while stack:
            lo, hi, dlo, dhi = stack.pop()
            if dlo == dhi:
                continue  # nothing removed in here: never read
            if hi - lo == dhi - dlo:
                gone.update(range(lo, hi))  # everything in here was removed
                continue
            mid = (lo + hi) // 2 if hi - lo > PAGE_SIZE else lo
            inside, position = self._probe(where, above, lo, hi, dlo, mid)
            if not inside and mid > lo:  # the probe overshot: everything it saw lies past this range
                inside, position = self._probe(where, above, lo, hi, dlo, lo)
            if not inside:
                raise Inconsistent("a probe found none of the tracks it looked for")
            first, last = inside[0], inside[-1]
            d_first = above + first - position  # held items before rest[first] that are gone
            between = set(range(first, last + 1)) - set(inside)  # gaps inside the probe: removed, exactly
            gone.update(between)
            d_after = d_first + len(between)
            stack.append((lo, first, dlo, d_first))
            stack.append((last + 1, hi, d_after, dhi))
        if len(gone) != removed:
            raise Inconsistent(f"found {len(gone)} of {removed} removed tracks")
        return gone
