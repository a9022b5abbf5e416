"""Many independent requests at once, keeping every answer Spotify sent, even when one of them fails."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from contextlib import nullcontext
from itertools import islice
from typing import TypeVar

from savedlib.errors import LoadError
from savedlib.fetch.sender import Cancelled

T = TypeVar("T")


def run_all(
    calls: Iterable[Callable[[], T]],
    take: Callable[[T], None],
    *,
    concurrency: int,
    cancel: threading.Event,
    pool: Executor | None = None,
) -> None:
    """Run ``calls`` ``concurrency`` at a time and hand each result to ``take`` (in this thread).

    The first failure (or Ctrl-C) sets ``cancel``, starts nothing more, waits for
    the requests already on their way and takes their answers too, then raises.
    Only a few calls are queued at once, so waiting stays cheap however many
    there are. A result is taken once, or twice if Ctrl-C lands mid-take.
    ``pool``: run on this executor (left running) instead of a new one.
    """
    queue = iter(calls)
    futures: set[Future] = set()
    with nullcontext(pool) if pool else ThreadPoolExecutor(concurrency, thread_name_prefix="savedlib-fetch") as pool:
        try:
            while True:
                if not cancel.is_set():
                    futures |= {pool.submit(call) for call in islice(queue, 2 * concurrency - len(futures))}
                if not futures:
                    break
                done, _ = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
                failure = _take_done(done, futures, take)
                if failure is not None:
                    raise failure
        except BaseException:
            cancel.set()
            for future in futures:
                future.cancel()  # those not started never start; the rest end soon (cancel, timeouts)
            wait(futures)
            _take_done(set(futures), futures, take)
            raise
    if next(queue, None) is not None:  # cancelled from elsewhere, with no failure here: never return short
        raise LoadError("the requests were stopped before all were sent")


def _take_done(done: set[Future], futures: set[Future], take: Callable) -> BaseException | None:
    """Take each finished call's result, forgetting it only once taken; the first real failure."""
    failure = None
    for future in done:
        error = None if future.cancelled() else future.exception()
        if not future.cancelled() and error is None:
            take(future.result())
        elif error is not None and not isinstance(error, Cancelled) and failure is None:
            failure = error
        futures.discard(future)
    return failure
