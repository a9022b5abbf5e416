"""``savedlib.add_genres``: the genres of a library's artists from the Web API, within the daily quota.

Spotify keeps genres on artists. An app with the batch look-up reads 50 artists
a request (``GET /v1/artists?ids=``); a Development Mode app is refused it and
asks one artist at a time (``GET /v1/artists/{id}``). Every answer goes to the
artist cache at once, so an artist is never asked twice (for 90 days), a stop
(the daily quota, an error, Ctrl-C) loses nothing, and the next call asks only
for the artists still unknown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import timedelta
from itertools import islice
from typing import Any

from tqdm.auto import tqdm

from savedlib.errors import AccessDenied, LoadError, LoadInterrupted, RequestFailed, RequestRejected, SourceError
from savedlib.fetch.sender import Cancelled, Sender
from savedlib.frames import WATCHED_FIELDS, genre_table
from savedlib.genres.cache import MAX_AGE, ArtistCache
from savedlib.items import SPOTIFY_ID
from savedlib.library import Library

#: The most ids Spotify takes in one ``GET /v1/artists?ids=``.
BATCH = 50
#: Set on a spotipy client once Spotify refused it the batch look-up: not asked again this session.
NO_BATCH = "savedlib_no_artist_batch"
#: Answers are written to the cache at least this often (seconds), and whenever this many are waiting.
FLUSH_SECONDS, FLUSH_ROWS = 3.0, 200


def add_genres(
    sp: Any,
    lib: Library,
    *,
    concurrency: int = 16,
    progress: bool = True,
    max_wait: float = 60.0,
    retries: int = 5,
    cache: ArtistCache | None = None,
    max_age_days: float = MAX_AGE.days,
) -> Library:
    """``lib`` with ``genres``: each saved item's genres, the union of its artists' (not its album's).

    Parameters:
        sp: your ``spotipy.Spotify`` client (as for ``savedlib.load``).
        lib: the library; only artists with an id are asked about (not local files).
        concurrency: requests in flight at once.
        progress: show a progress bar.
        max_wait: the longest ``Retry-After`` to wait out; a longer one, or the daily
            quota, stops with ``RateLimited``, whose ``.partial`` has the genres known so far.
        retries: how often a request is retried after server errors.
        cache: the artist cache (default: the one in your user cache folder).
        max_age_days: an answer younger than this is used without asking again.

    ``info["genres"]`` says how many artists were asked, answered with and
    without genres, unknown to Spotify, and still to ask.
    """
    cache = cache or ArtistCache()
    ids = sorted(lib.artists["artist_id"].dropna().astype(str).unique())
    if not ids and lib.artists["artist_name"].notna().any():
        source = lib.info.get("source", "this library")
        raise SourceError(
            f"{source} has no artist ids, so Spotify cannot be asked about its artists' genres: "
            "read the library with savedlib.load, or use an Exportify file (which carries genres)."
        )
    known = set(cache.fresh(ids, timedelta(days=max_age_days))["artist_id"])
    todo = [i for i in ids if i not in known]
    malformed = [i for i in todo if not SPOTIFY_ID.fullmatch(i)]  # Spotify would refuse them: not asked
    if malformed:
        cache.add([_row(i, None) for i in malformed])
        todo = [i for i in todo if SPOTIFY_ID.fullmatch(i)]
    requests = 0
    if todo:
        sender = Sender(sp, concurrency=concurrency, max_wait=max_wait, retries=retries)
        try:
            _ask(sp, sender, todo, cache, concurrency, progress, batch=not _no_batch(sp, lib))
        except (LoadError, KeyboardInterrupt) as error:
            raise _stopped(error, _with_genres(lib, cache, ids, max_age_days, sender.figures.requests)) from None
        finally:
            sender.cancel.set()
            sender.close()
        requests = sender.figures.requests
    return _with_genres(lib, cache, ids, max_age_days, requests)


def _stopped(error: BaseException, partial: Library) -> BaseException:
    """The error to raise when asking stopped: it carries ``partial`` and says how to go on."""
    g = partial.info["genres"]
    read = f"The library with the genres known so far is in this error's .partial: {partial.genre_coverage()}."
    kept = (
        f"The genres of {g['asked']:,} of {g['artists']:,} artists are known, and kept in the artist cache; "
        f"savedlib.add_genres asks only for the {g['remaining']:,} others."
    )
    if isinstance(error, LoadError):
        return error.with_partial(partial, None, kept, read)
    stopped = LoadInterrupted(f"asking for genres was interrupted. {kept}")
    stopped.partial = partial
    return stopped


def _with_genres(lib: Library, cache: ArtistCache, ids: list[str], max_age_days: float, requests: int) -> Library:
    """``lib`` with the genres the cache knows of its artists, and ``info["genres"]`` saying how many."""
    answers = cache.fresh(ids, timedelta(days=max_age_days))
    found = answers[answers["found"].fillna(False).astype(bool)]
    pairs = found[["artist_id", "genres"]].explode("genres").dropna().rename(columns={"genres": "genre"})
    with_genres = int(pairs["artist_id"].nunique())
    coverage = {
        "artists": len(ids),
        "asked": len(answers),
        "with_genres": with_genres,
        "without_genres": len(found) - with_genres,
        "unknown": len(answers) - len(found),
        "remaining": len(ids) - len(answers),
        "requests": requests,
    }
    genres = genre_table(lib.artists.astype({"artist_id": object}), pairs.astype({"artist_id": object}))
    return replace(lib, genres=genres, info={**lib.info, "genres": coverage})


# --- asking Spotify ---------------------------------------------------------------------------------


def _no_batch(sp: Any, lib: Library) -> bool:
    """True when Spotify is known to refuse this app the batch look-up: it did this session, or ``lib``
    was read from the Web API in the Development Mode shape (no popularity: no batch look-ups either)."""
    dev_mode = WATCHED_FIELDS["popularity"][1]
    return getattr(sp, NO_BATCH, False) or (lib.info.get("missing_fields") or {}).get("popularity") == dev_mode


def _ask(
    sp: Any, sender: Sender, todo: list[str], cache: ArtistCache, concurrency: int, progress: bool, batch: bool
) -> None:
    """Ask for ``todo``'s artists, 50 at a time where the app may, else one by one; answers go to ``cache``."""
    bar = tqdm(desc="Asking Spotify for artists' genres", unit=" artists", total=len(todo), disable=not progress)
    writer = _Writer(cache, bar)
    try:
        if batch:
            first = todo[:BATCH]
            try:
                writer.take(_batch(sender, first))
                todo = todo[BATCH:]
                tasks = [lambda chunk=todo[k : k + BATCH]: _batch(sender, chunk) for k in range(0, len(todo), BATCH)]
                return _run(tasks, concurrency, writer, sender)
            except (AccessDenied, RequestRejected):  # not available to this app (Development Mode)
                setattr(sp, NO_BATCH, True)
        tasks = [lambda artist=artist: _single(sender, artist) for artist in todo]
        _run(tasks, concurrency, writer, sender)
    finally:
        writer.flush()
        bar.close()


def _batch(sender: Sender, ids: list[str]) -> list[dict]:
    body = sender.get(
        "artists", {"ids": ",".join(ids)}, failed=lambda n, why: RequestFailed(f"{len(ids)} artists", n, why)
    )
    answers = body.get("artists") or []
    return [_row(artist_id, answer) for artist_id, answer in zip(ids, answers + [None] * len(ids), strict=False)]


def _single(sender: Sender, artist_id: str) -> list[dict]:
    try:
        failed = lambda n, why: RequestFailed(f"the artist {artist_id}", n, why)  # noqa: E731
        answer = sender.get(f"artists/{artist_id}", {}, failed=failed)
    except RequestRejected as exc:
        if exc.status in (400, 404):  # Spotify does not know this id
            return [_row(artist_id, None)]
        raise
    return [_row(artist_id, answer)]


def _row(artist_id: str, answer: dict | None) -> dict:
    if not isinstance(answer, dict):
        return {"artist_id": artist_id, "name": None, "genres": [], "found": False}
    genres = [g for g in answer.get("genres") or [] if isinstance(g, str) and g]
    return {"artist_id": artist_id, "name": answer.get("name"), "genres": genres, "found": True}


class _Writer:
    """Answers on their way to the cache: written every few seconds or few hundred, and at the end."""

    def __init__(self, cache: ArtistCache, bar: tqdm):
        self.cache, self.bar, self.rows, self.last = cache, bar, [], time.monotonic()

    def take(self, rows: list[dict]) -> None:
        self.rows += rows
        self.bar.update(len(rows))
        if len(self.rows) >= FLUSH_ROWS or time.monotonic() - self.last > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.cache.add(self.rows)
        self.rows, self.last = [], time.monotonic()


def _run(tasks: list[Callable[[], list[dict]]], concurrency: int, writer: _Writer, sender: Sender) -> None:
    """Run ``tasks`` ``concurrency`` at a time; the first failure stops the rest, and every answer that
    came back before it, or was already on its way, is kept. Only a few tasks are queued at once, so
    waiting stays cheap however many artists there are."""
    queue = iter(tasks)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="savedlib-genres") as pool:
        pending: set[Future] = set()
        try:
            while True:
                pending |= {pool.submit(task) for task in islice(queue, 2 * concurrency - len(pending))}
                if not pending:
                    break
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                failure = _collect(done, writer)
                if failure is not None:
                    raise failure
        except BaseException:
            sender.cancel.set()
            for future in pending:
                future.cancel()
            _collect(wait(pending, timeout=10)[0], writer)
            raise


def _collect(done: set[Future], writer: _Writer) -> BaseException | None:
    failure = None
    for future in done:
        if future.cancelled():
            continue
        error = future.exception()
        if error is None:
            writer.take(future.result())
        elif not isinstance(error, Cancelled) and failure is None:
            failure = error
    return failure
