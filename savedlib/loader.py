"""``savedlib.load``: a person's whole library through their own spotipy client."""

from __future__ import annotations

import os
from typing import Any

from savedlib.errors import LoadError, LoadInterrupted
from savedlib.fetch.auth import ACCOUNT_ATTRIBUTE
from savedlib.fetch.session import DEFAULT_CONCURRENCY, Options, Session
from savedlib.items.pages import concat
from savedlib.library import Library, from_items
from savedlib.snapshot.sync import Sync

__all__ = ["DEFAULT_CONCURRENCY", "load"]


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
    """Read the whole saved-tracks library through ``sp``: each saved item once, as it stands when the read ends.

    Parameters:
        sp: your ``spotipy.Spotify`` client. Requests go to ``sp.prefix`` with its
            own auth (a bare token, or an auth manager that is refreshed when the
            token expires).
        market: an ISO 3166-1 alpha-2 code (``"DE"``) or ``"from_token"``: adds
            ``is_playable`` and ``restriction`` for that market. An invalid one
            raises ``ValueError`` before any request.
        concurrency: pages read at once after the first (1-50).
        progress: show a progress bar.
        max_wait: the longest ``Retry-After`` (seconds) to wait out; a longer one
            stops with ``RateLimited``, whose ``.partial`` keeps what was read.
        retries: how often a page is retried after server errors, dropped
            connections or broken bodies before ``PageFailed``.
        snapshot: a folder to keep the library in. The first load reads it all;
            later ones only refresh it (one request when nothing changed or tracks
            were only saved; a few more to find removals). A load that stopped
            resumes from it; ``Library.changes`` lists what was added and removed.

    Every error carries ``.partial``, the library as far as it was read.
    """
    options = Options(market, concurrency, progress, max_wait, retries)
    sync = Sync(snapshot, options.market, getattr(sp, ACCOUNT_ATTRIBUTE, None)) if snapshot is not None else None
    with Session(sp, options) as session:
        if sync is not None:
            sync.attach(session)
        try:
            items, total = sync.read(session) if sync is not None else session.reader.read()
        except LoadError as error:
            raise error.with_partial(*_stopped(session, sync)) from None
        except KeyboardInterrupt:
            session.sender.cancel.set()
            stopped = LoadInterrupted("the load was interrupted; what was read is in this exception's .partial")
            stopped.partial, stopped.pages, kept = _stopped(session, sync)
            if kept:
                stopped.add_note(kept)
            raise stopped from None
    info = _info(session, sync, total, complete=True)
    if sync is None:
        return from_items(items, **info)
    return sync.save(sync.library(items, info), items)


def _info(session: Session, sync: Sync | None, total: int, complete: bool) -> dict:
    return {**session.info(total, complete), **(sync.info() if sync is not None else {})}


def _stopped(session: Session, sync: Sync | None) -> tuple[Library | None, dict[int, list[dict]], str | None]:
    """The library as far as it was read, its pages, and (with a snapshot) where it was kept for the next load."""
    pages, total = session.consistent_pages()
    info = _info(session, sync, total, complete=False)
    kept = sync.keep(pages, total, info) if sync is not None else None
    if not pages:
        return None, {}, kept
    return from_items(concat(pages), **info), pages, kept
