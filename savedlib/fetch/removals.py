"""Which held tracks are gone, found by bisection with a few probe pages (for refresh and for resume).

Saved tracks come newest first and saving puts a track on top, so a held track
can only move up, by the number of held tracks before it that were removed
(``d``). A probe page at the position where a held item should be, if nothing
before it in its range was removed, tells ``d`` at the first held item it
shows, and any gap inside the probe names removed tracks exactly. Ranges whose
ends agree on ``d`` hold no removal and are never read. About k × log2(pages / k)
probes find k removals.

The held items may be the whole library (a refresh: how many are gone is known
from ``total``) or only its start (a load that stopped: the library goes on
past them, and how many of them are gone is not known). Then the last range
has no known end: a probe that shows held items followed by unheld ones, or the
library's end, says every held item between them is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from savedlib.items.identity import key
from savedlib.items.pages import PAGE_SIZE, Page

#: Reads one page: ``read(offset, limit)``.
ReadPage = Callable[[int, int], Page]


class Inconsistent(Exception):
    """What Spotify answered does not fit the held library plus saves at the top: read in full instead."""


@dataclass
class _Probe:
    """What one probe page showed: the held indices it holds in the range, where it was read, and whether it
    went past the held items (unheld items after them, or the library's end)."""

    inside: list[int]
    position: int
    past: bool


def find_removed(
    read: ReadPage, held: list[dict], above: int, removed: int | None, most: int | None = None
) -> set[int]:
    """Indices of ``held`` no longer in the library, below ``above`` new items on top.

    ``removed`` is how many are gone when ``held`` is the whole library; None when
    ``held`` is only its start (then at most ``most`` are gone). Raises ``Inconsistent``
    when the answers do not fit "saves on top, removals anywhere".
    """
    where = {key(item): i for i, item in enumerate(held)}
    gone: set[int] = set()
    stack: list[tuple[int, int, int, int | None]] = [(0, len(held), 0, removed)]  # [lo, hi), d(lo), d(hi)
    while stack:
        lo, hi, dlo, dhi = stack.pop()
        if lo >= hi or dlo == dhi:
            continue  # nothing removed in here: never read
        if dhi is not None and hi - lo == dhi - dlo:
            gone.update(range(lo, hi))  # everything in here was removed
            continue
        mid = _where_to_probe(lo, hi, open_end=dhi is None)
        probe = _probe(read, where, above, (lo, hi, dlo), mid, more=removed is None)
        if not probe.inside and mid > lo:  # the probe overshot: everything it saw lies past this range
            probe = _probe(read, where, above, (lo, hi, dlo), lo, more=removed is None)
        if not probe.inside:
            if dhi is not None:
                raise Inconsistent("a probe found none of the tracks it looked for")
            gone.update(range(lo, hi))  # right after the last held track still there come unheld ones
            continue
        first, last = probe.inside[0], probe.inside[-1]
        d_first = above + first - probe.position  # held items before held[first] that are gone
        between = set(range(first, last + 1)) - set(probe.inside)  # gaps inside the probe: removed, exactly
        gone.update(between)
        stack.append((lo, first, dlo, d_first))
        if dhi is None and probe.past:
            gone.update(range(last + 1, hi))  # the probe went on past the held items: the rest is gone
        else:
            stack.append((last + 1, hi, d_first + len(between), dhi))
    if (removed is not None and len(gone) != removed) or (most is not None and len(gone) > most):
        raise Inconsistent(f"found {len(gone)} removed tracks, not {removed if removed is not None else most}")
    return gone


def _where_to_probe(lo: int, hi: int, open_end: bool) -> int:
    """Which held item of [lo, hi) a probe looks for: the middle one (the first, in a range of one page or
    less); in a range with no known end, the first of its last page, so one probe tells ``d`` near the end."""
    if open_end:
        return max(lo, hi - PAGE_SIZE)
    return (lo + hi) // 2 if hi - lo > PAGE_SIZE else lo


def _probe(read: ReadPage, where: dict, above: int, span: tuple[int, int, int], at: int, more: bool) -> _Probe:
    """Read where ``held[at]`` sits if nothing in [lo, at) was removed (``span`` is lo, hi, d(lo)); the held
    indices it shows in [lo, hi). Unheld items may follow the held ones only when the library goes on past
    what is held (``more``)."""
    lo, hi, dlo = span
    position = above + at - dlo
    page = read(position, PAGE_SIZE)
    found = [where.get(key(item)) for item in page.items]
    known = [i for i in found if i is not None]
    unheld = len(found) - len(known)
    if unheld and not (more and None not in found[: len(known)]):
        raise Inconsistent("a track appeared below the top while refreshing")
    return _Probe([i for i in known if lo <= i < hi], position, unheld > 0 or len(page.items) < PAGE_SIZE)
