"""``savedlib.load``: a person's whole library through their own spotipy client."""

from __future__ import annotations

import gc
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from tqdm.auto import tqdm

from savedlib.errors import LoadError, LoadInterrupted
from savedlib.fetch.reader import Reader, _concat, key
from savedlib.fetch.sender import Page, Sender
from savedlib.library import Library, from_items
from savedlib.markets import check_market
from savedlib.snapshot.changes import record_changes
from savedlib.snapshot.refresh import Inconsistent, Refresher
from savedlib.snapshot.store import Snapshot, empty_changes

#: Requests in flight at once. Spotify counts requests over a rolling 30-second
#: window and does not publish the limit. Twelve in flight read a 50,000-track
#: library (1,000 pages) in roughly 10-25 s at Spotify's usual 100-300 ms a page;
#: more buys little, because decoding each ~200 KB page takes the client 3-5 ms
#: of CPU under one GIL (benchmarks/load.py). If the window fills anyway, the
#: first 429 pauses all twelve together until its Retry-After has passed, so
#: being rate limited costs one refused request, not a burst of them.
DEFAULT_CONCURRENCY = 12


def checkpoint_seconds() -> float:
    """How often a long read into a snapshot saves what it has (``SAVEDLIB_CHECKPOINT_SECONDS``)."""
    return float(os.environ.get("SAVEDLIB_CHECKPOINT_SECONDS", 20))


def load(
    sp: Any,
    market: str | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool = True,
    max_wait: float = 60.0,
    retries: int = 5,
    snapshot: str | os.PathLike | None = None,
) -> Library:
    """Read the whole saved-tracks library through ``sp``, a ``spotipy.Spotify`` client.

    Requests go to ``sp.prefix`` with the client's own auth (a bare token or an
    auth manager, refreshed when it expires). Pages after the first are read in
    parallel, ``concurrency`` at a time; a 429 pauses every worker for its
    ``Retry-After``, and one longer than ``max_wait`` seconds stops the load
    with ``RateLimited`` (its ``.partial`` keeps what was read). Server errors
    are retried ``retries`` times per page. The result is the library as it
    stands when the read ends, each saved item once, even if it changed meanwhile.

    With ``snapshot=PATH`` the library is kept on disk (``savedlib.open_snapshot``
    reopens it offline) and later loads only refresh it: one request when
    nothing changed or tracks were only saved, a few more to find removals. A
    load that stopped (``max_wait``, an error, Ctrl-C) resumes from it without
    re-reading the pages it holds; a long read also saves what it has every
    20 seconds, so even a crash loses little. ``Library.changes`` lists what was added and
    removed since the first snapshot, and when each change was seen.
    """
    market = check_market(market)
    if not isinstance(concurrency, int) or not 1 <= concurrency <= 50:
        raise ValueError(f"concurrency must be a whole number from 1 to 50, not {concurrency!r}")
    if max_wait < 0:
        raise ValueError(f"max_wait must be zero or more seconds, not {max_wait!r}")
    store = Snapshot(snapshot) if snapshot is not None else None
    stored = store.read(typed=False) if store is not None and store.exists() else None
    if stored is not None and stored.meta.get("info", {}).get("market") != market:
        raise ValueError(
            f"{store.path} was read with market={stored.meta['info'].get('market')!r}, not {market!r}: "
            "use the same market, or another snapshot"
        )
    started = time.monotonic()
    sender = Sender(sp, concurrency=concurrency, max_wait=max_wait, retries=retries)
    bar = tqdm(desc="Reading saved tracks", unit=" tracks", disable=not progress, total=None)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="savedlib-load")

    last_checkpoint = time.monotonic()

    def on_page(page: Page) -> None:
        nonlocal last_checkpoint
        if bar.total is None or bar.total < page.total:
            bar.total = page.total
            bar.refresh()
        bar.update(len(page.items))
        if store is not None and reader.rounds == 0 and time.monotonic() - last_checkpoint > checkpoint_seconds():
            partial()  # every so often, keep what was read: even a crash then loses little
            last_checkpoint = time.monotonic()

    reader = Reader(sender, market, pool, on_page)
    refresher = Refresher(sender, market)

    def info(total: int, complete: bool) -> dict:
        f = sender.figures
        return {
            "source": f"Spotify Web API at {sp.prefix}",
            "read_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "market": market,
            "total": total,
            "complete": complete,
            "requests": f.requests,
            "retries": f.retries,
            "rate_limited": f.rate_limited,
            "waited_s": round(f.waited_s, 3),
            "refreshes": sender.tokens.refreshes,
            "elapsed_s": round(time.monotonic() - started, 3),
            "concurrency": concurrency,
            "rounds": reader.rounds,
            "changed_during_read": reader.changed,
            **({"refreshed_from_snapshot": True} if stored is not None and stored.complete else {}),
            **({"resumed_from_snapshot": True} if stored is not None and not stored.complete else {}),
        }

    def partial() -> tuple[Library | None, dict[int, list[dict]]]:
        # Only pages of the same state as page 0 (same total) fit together: a page read after a
        # change could repeat or skip a track at its edge.
        first = reader.pages.get(0)
        if first is None:
            return None, {}
        same = {o: p for o, p in reader.pages.items() if p.total == first.total}
        pages = {offset: page.items for offset, page in same.items()}
        total = first.total
        lib = from_items(_concat(same), **info(total, complete=False))
        if store is not None and (stored is None or not stored.complete):
            # Keep what was read, so that the next load resumes instead of starting over.
            held = {offset + i: item for offset, items in pages.items() for i, item in enumerate(items)}
            store.write(
                held,
                complete=False,
                total=total,
                info=lib.info,
                changes=stored.changes if stored is not None else empty_changes(),
                library=None,
            )
        return lib, pages

    def read() -> tuple[list[dict], int]:
        if stored is None:
            return reader.read()
        held = [stored.items[p] for p in sorted(stored.items)]
        if not stored.complete:
            return reader.read(stored.items, stored.total)
        try:
            for _ in range(3):
                items, total = refresher.refresh(held)
                if refresher.requests == 1:
                    return items, total  # one answer showed everything: nothing else can have moved
                check = sender.page(0, 50, market)  # probes were needed: confirm nothing moved meanwhile
                if check.total == total and [key(i) for i in check.items] == [key(i) for i in items[:50]]:
                    return items, total
                held = items
        except Inconsistent:
            pass
        return reader.read()  # the last resort: read everything

    # Decoding pages creates millions of long-lived objects, which Python's cycle collector
    # would scan again and again (a quarter of the time at 50,000 tracks): pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        items, total = read()
    except LoadError as error:
        raise error.with_partial(*partial()) from None
    except KeyboardInterrupt:
        sender.cancel.set()
        stopped = LoadInterrupted("the load was interrupted; what was read is in this exception's .partial")
        stopped.partial, stopped.pages = partial()
        raise stopped from None
    finally:
        if collecting:
            gc.enable()
        sender.cancel.set()  # idle workers stop at once; in-flight ones after their answer
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        sender.close()
    lib = from_items(items, **info(total, complete=True))
    if store is not None:
        previous = [stored.items[p] for p in sorted(stored.items)] if stored is not None and stored.complete else None
        history = stored.changes if stored is not None else empty_changes()
        lib.changes = record_changes(history, previous, items, lib.info["read_at"])
        store.write(dict(enumerate(items)), complete=True, total=total, info=lib.info, changes=lib.changes, library=lib)
    return lib
