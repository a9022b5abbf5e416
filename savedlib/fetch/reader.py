"""Pages → items: the whole library, each saved item once, in order, even while it changes.

Plan: read page 0 (it gives ``total``), then every other page in parallel,
then page 0 once more. If every page reported the same total and page 0 did
not change, nothing changed during the read: done, at the cost of one extra
request. Saving a track puts it at the top and shifts every later offset by
one; removing one shifts the later offsets back. So when something changed:

1. keep the *clean prefix*: the pages answered before the first sign of change;
2. find the tracks saved since, at the top (the re-read of page 0, and more
   pages from the top if many were saved);
3. check with a probe that the prefix still sits where expected; if a removal
   broke it, binary-search how much of it is intact (a few probes);
4. re-read only what follows, in parallel, and check again.

A library that keeps changing for ``MAX_ROUNDS`` rounds raises ``LibraryChanging``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from functools import partial

from savedlib.errors import LibraryChanging
from savedlib.fetch.parallel import run_all
from savedlib.fetch.removals import Inconsistent, find_removed
from savedlib.fetch.sender import Sender
from savedlib.items.identity import has_track, key, shows
from savedlib.items.pages import PAGE_SIZE, Page, concat, new_on_top

MAX_ROUNDS = 5


class Reader:
    """Reads every page of the library through one ``Sender``, in parallel on ``pool``.

    ``on_page`` sees each page as it arrives (progress, checkpoints). ``pages``
    holds the current round's pages, so that a stop keeps what was read;
    ``rounds`` and ``changed`` say how much repairing the read needed.
    """

    def __init__(
        self, sender: Sender, market: str | None, pool: Executor, on_page: Callable[[Page], None], concurrency: int
    ):
        self.sender = sender
        self.market = market
        self.pool = pool
        self.concurrency = concurrency
        self.on_page = on_page
        self.pages: dict[int, Page] = {}  # the current round's pages, for a partial result
        self.rounds = 0
        self.changed = False
        self._latest_total = 0

    def read(self, held: Mapping[int, dict] | None = None, held_total: int = 0) -> tuple[list[dict], int]:
        """All saved items, newest first, and the library's final ``total``.

        ``held`` (position -> item, from an interrupted read whose total was
        ``held_total``) is kept where page 0 shows it is still valid: unchanged,
        or shifted down by tracks saved since; then only the rest is read.
        """
        first = self._one(0)
        total = first.total
        self.pages = {0: first}
        self.on_page(first)
        for page in self._still_valid(held or {}, held_total, first):
            self.pages[page.offset] = page  # a verified start at offset 0 replaces page 0: it holds it
            self.on_page(page)
        self._many(_gaps(self.pages, total), into=self.pages)  # live: an interruption keeps every page read
        for self.rounds in range(1, MAX_ROUNDS + 1):
            if total <= PAGE_SIZE and self.rounds == 1 and len(first.items) == total:
                return first.items, total  # one answer holds the whole library: nothing can have moved
            check = self._one(0)
            if self._consistent(total, check):
                return concat(self.pages), total
            self.changed = True
            self.pages, total = self._repair(total, check)
        raise LibraryChanging(
            f"the library changed during each of {MAX_ROUNDS} attempts to read it; "
            "try again when no tracks are being saved or removed"
        )

    def _still_valid(self, held: Mapping[int, dict], held_total: int, first: Page) -> list[Page]:
        """The held items that are still the library, as pages of it now.

        Saves only: page 0 shows the held top shifted down, and every held run
        shifts with it (no extra request). Otherwise (tracks removed meanwhile),
        the held run from position 0 is kept but for the removed tracks, which a
        few probes find, as a refresh finds them.
        """
        if not held:
            return []
        shifted = self._shifted(held, held_total, first)
        return shifted if shifted is not None else self._verified_start(held, held_total, first)

    def _shifted(self, held: Mapping[int, dict], held_total: int, first: Page) -> list[Page] | None:
        """Held runs of items as pages of the library now, or None if it changed otherwise than by saves."""
        top = [key(held[p]) for p in range(min(PAGE_SIZE, held_total)) if p in held]
        shown = [key(i) for i in first.items]
        # Saves put tracks on top: page 0 now shows ``shift`` new tracks, then the held ones.
        shift = next((a for a in range(len(shown)) if shown[a : a + len(top)] == top[: len(shown) - a]), None)
        if not top or shift is None or first.total != held_total + shift:
            return None
        now = first.sent  # valid as of page 0's answer
        out = []
        for run in _runs(held):
            offset, items = run[0] + shift, [held[p] for p in run]
            covered = len(first.items) - offset  # page 0 already holds these positions
            if covered > 0:
                offset, items = offset + covered, items[covered:]
            if items:
                out.append(Page(offset, items, first.total, now, now))
        return out

    def _verified_start(self, held: Mapping[int, dict], held_total: int, first: Page) -> list[Page]:
        """The held run from position 0, with the saves on top and without the tracks removed since (found by
        bisection: ``find_removed``), as one page of the library now; none when the answers do not fit."""
        start = []
        while len(start) in held:
            start.append(held[len(start)])
        if not start:
            return []
        top, dropped = self._new_on_top(first, start)
        totals = {first.total, self._latest_total}

        def probe(offset: int, limit: int) -> Page:
            page = self._one(offset, limit)
            totals.add(page.total)
            return page

        most = len(top) + held_total - first.total - dropped  # removed since, beyond the first ``dropped``
        try:
            gone = find_removed(probe, start[dropped:], len(top), None, most)
        except Inconsistent:
            return []
        known = top + [item for i, item in enumerate(start[dropped:]) if i not in gone]
        if len(totals) > 1 or len(known) <= len(first.items):
            return []  # the library changed while it was probed, or page 0 holds all that is kept
        return [Page(0, known, first.total, first.sent, time.monotonic())]

    # --- reading ------------------------------------------------------------

    def _one(self, offset: int, limit: int = PAGE_SIZE) -> Page:
        return self.sender.page(offset, limit, self.market)

    def _many(self, windows: Iterable[tuple[int, int]], into: dict[int, Page] | None = None) -> dict[int, Page]:
        """Pages for ``(offset, limit)`` windows, read in parallel, added to ``into`` as they arrive; the
        first real failure stops every worker, after keeping every page already on its way."""
        pages = {} if into is None else into

        def take(page: Page) -> None:
            pages[page.offset] = page
            self.on_page(page)

        calls = (partial(self._one, offset, limit) for offset, limit in windows)
        run_all(calls, take, concurrency=self.concurrency, cancel=self.sender.cancel, pool=self.pool)
        return pages

    # --- checking -------------------------------------------------------------

    def _consistent(self, total: int, check: Page) -> bool:
        items = concat(self.pages)
        if check.total != total or any(p.total != total for p in self.pages.values()):
            return False
        if not shows(check.items, items):
            return False
        ordered = sorted(self.pages.values(), key=lambda p: p.offset)
        expected = 0
        for page in ordered:  # pages tile the library with no gap or overlap
            if page.offset != expected:
                return False
            expected += len(page.items)
        real = [key(i) for i in items if has_track(i)]  # null tracks can share a key
        return len(set(real)) == len(real)

    # --- repairing ------------------------------------------------------------

    def _repair(self, total: int, check: Page) -> tuple[dict[int, Page], int]:
        ordered = sorted(self.pages.values(), key=lambda p: p.offset)
        dirty = [p for p in ordered if p.total != total]
        if dirty:
            changed_at = min(p.sent for p in dirty)
        elif check.total != total:
            changed_at = check.sent
        else:  # adds and removes cancelled out: only the first answer is above suspicion
            changed_at = ordered[0].received
        prefix: list[dict] = []
        for page in ordered:
            if page.offset != len(prefix) or page.total != total or page.received > changed_at:
                break
            prefix.extend(page.items)
        top, dropped = self._new_on_top(check, prefix)
        # ``top`` was read in several requests: a removal among the new tracks while it was read
        # would go unseen, so the probes check new and held tracks together, from position 0.
        known = top + prefix[dropped:]
        length, verified_total = self._intact_length(known, 0)
        known = known[:length]
        latest = self._latest_total
        # Everything after the verified start is read again. (Pages read before that cannot be
        # trusted: a save and a removal together leave the total unchanged.) The verified start
        # carries the total seen when it was verified: a change after that shows up as a mismatch.
        pages = {0: Page(0, known, verified_total if known else latest, check.sent, time.monotonic())}
        pages.update(self._many(_windows(len(known), latest)))
        return pages, latest

    def _new_on_top(self, check: Page, prefix: list[dict]) -> tuple[list[dict], int]:
        """Items saved since the prefix was read, and how many of its first items were removed meanwhile."""
        top, start, self._latest_total = new_on_top(check, prefix, self._one)
        return top, start

    def _intact_length(self, prefix: list[dict], above: int) -> tuple[int, int]:
        """How much of ``prefix`` still sits right below the ``above`` new items (removals break it),
        and the total Spotify reported when that was confirmed."""
        seen = {}

        def intact(m: int) -> bool:
            width = min(PAGE_SIZE, m)
            probe = self._one(above + m - width, width)
            self._latest_total = seen[m] = probe.total
            return shows(probe.items, prefix[m - width : m])

        if not prefix:
            return 0, self._latest_total
        if intact(len(prefix)):
            return len(prefix), seen[len(prefix)]
        lo, hi = 0, len(prefix)  # intact(lo) holds, intact(hi) does not
        while hi - lo > PAGE_SIZE:
            mid = (lo + hi) // 2
            if intact(mid):
                lo = mid
            else:
                hi = mid
        return lo, seen.get(lo, self._latest_total)


def _runs(held: Mapping[int, dict]) -> list[list[int]]:
    """The held positions in runs of consecutive ones."""
    runs: list[list[int]] = []
    for position in sorted(held):
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _gaps(pages: dict[int, Page], total: int) -> list[tuple[int, int]]:
    """Windows covering the positions in [0, total) that no page holds."""
    windows, cursor = [], 0
    for offset in sorted(pages):
        if offset > cursor:
            windows += _windows(cursor, offset)
        cursor = max(cursor, offset + len(pages[offset].items))
    return windows + _windows(cursor, total)


def _windows(start: int, stop: int) -> list[tuple[int, int]]:
    """``(offset, limit)`` pairs covering positions [start, stop) in pages of at most ``PAGE_SIZE``."""
    return [(offset, min(PAGE_SIZE, stop - offset)) for offset in range(start, stop, PAGE_SIZE)]
