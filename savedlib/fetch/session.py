"""One read of a library: the sender, the workers, the reader and the progress bar, set up and torn down together."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tqdm.auto import tqdm

from savedlib.fetch.reader import Reader
from savedlib.fetch.sender import Sender
from savedlib.items.pages import Page
from savedlib.markets import check_market
from savedlib.text import utc_stamp

#: Requests in flight at once. Spotify counts requests over a rolling 30-second
#: window and does not publish the limit. Sixteen in flight read a 50,000-track
#: library (1,000 pages) in roughly 7-20 s at Spotify's usual 100-300 ms a page.
#: A page costs the client about 2 ms of CPU (urllib3, and msgspec splitting
#: it into items without decoding them), so more in flight still pays, up to
#: where the client's CPU is busy (benchmarks/load.py). If the window fills, the
#: first 429 pauses all of them together and one request probes before the
#: others resume, so being rate limited costs a refused request or two, not a burst.
DEFAULT_CONCURRENCY = 16


@dataclass(frozen=True)
class Options:
    """How to read: checked once, before any request."""

    market: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    progress: bool = True
    max_wait: float = 60.0
    retries: int = 5

    def __post_init__(self) -> None:
        check_market(self.market)
        if not isinstance(self.concurrency, int) or not 1 <= self.concurrency <= 50:
            raise ValueError(f"concurrency must be a whole number from 1 to 50, not {self.concurrency!r}")
        if self.max_wait < 0:
            raise ValueError(f"max_wait must be zero or more seconds, not {self.max_wait!r}")


class Session:
    """Everything one read needs, as a context manager that always cleans up.

    ``on_page`` callbacks see each page as it arrives, in the calling thread.
    While the session is open Python's cycle collector is paused: decoding
    pages creates millions of long-lived objects that it would scan again and
    again (a quarter of the time at 50,000 tracks).
    """

    def __init__(self, sp: Any, options: Options):
        self.prefix = sp.prefix
        self.options = options
        self.started = time.monotonic()
        self.sender = Sender(sp, concurrency=options.concurrency, max_wait=options.max_wait, retries=options.retries)
        self.bar = tqdm(desc="Reading saved tracks", unit=" tracks", disable=not options.progress, total=None)
        self.pool = ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="savedlib-load")
        self.on_page: list[Callable[[Page], None]] = [self._progress]
        self.reader = Reader(self.sender, options.market, self.pool, self._page_arrived, options.concurrency)
        self._collecting = gc.isenabled()

    def __enter__(self) -> Session:
        gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._collecting:
            gc.enable()
        self.sender.cancel.set()  # idle workers stop at once; in-flight ones after their answer
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.bar.close()
        self.sender.close()

    def _page_arrived(self, page: Page) -> None:
        for callback in self.on_page:
            callback(page)

    def _progress(self, page: Page) -> None:
        if self.bar.total is None or self.bar.total < page.total:
            self.bar.total = page.total
            self.bar.refresh()
        self.bar.update(len(page.items))

    def consistent_pages(self) -> tuple[dict[int, list[dict]], int]:
        """The pages read so far that fit together (those of the same state as page 0), and their total.

        A page read after a change could repeat or skip a track at its edge, so it is left out.
        """
        first = self.reader.pages.get(0)
        if first is None:
            return {}, 0
        same = {o: p.items for o, p in self.reader.pages.items() if p.total == first.total}
        return same, first.total

    def info(self, total: int, complete: bool) -> dict:
        """What this read was and cost, for ``Library.info``."""
        f = self.sender.figures
        return {
            "source": f"Spotify Web API at {self.prefix}",
            "read_at": utc_stamp(),
            "market": self.options.market,
            "total": total,
            "complete": complete,
            "requests": f.requests,
            "retries": f.retries,
            "rate_limited": f.rate_limited,
            "waited_s": round(f.waited_s, 3),
            "refreshes": self.sender.tokens.refreshes,
            "elapsed_s": round(time.monotonic() - self.started, 3),
            "concurrency": self.options.concurrency,
            "rounds": self.reader.rounds,
            "changed_during_read": self.reader.changed,
        }
