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
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from savedlib.errors import (
    AccessDenied,
    GenresUnavailable,
    LoadError,
    RequestFailed,
    RequestRejected,
    SourceError,
    stopped_with,
)
from savedlib.fetch.parallel import run_all
from savedlib.fetch.sender import Answer, Sender, decode_json
from savedlib.fetch.session import DEFAULT_CONCURRENCY, Options
from savedlib.frames.long import genre_table
from savedlib.frames.missing import read_in_development_mode
from savedlib.genres.cache import MAX_AGE, ArtistCache
from savedlib.items.uris import SPOTIFY_ID
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
    concurrency: int = DEFAULT_CONCURRENCY,
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
        concurrency: requests in flight at once (1 to 50).
        progress: show a progress bar.
        max_wait: the longest ``Retry-After`` to wait out; a longer one, or the daily
            quota, stops with ``RateLimited``, whose ``.partial`` has the genres known so far.
        retries: how often a request is retried after server errors.
        cache: the artist cache (default: the one in your user cache folder).
        max_age_days: an answer younger than this is used without asking again.

    ``info["genres"]`` says how many artists were asked, answered with and
    without genres, unknown to Spotify, and still to ask.

    The first request goes alone: an answer without a ``genres`` key (what Spotify sends
    Development Mode apps since February 2026) stops at once with ``GenresUnavailable``,
    and nothing is recorded from it.
    """
    options = Options(concurrency=concurrency, progress=progress, max_wait=max_wait, retries=retries)
    cache, max_age = cache or ArtistCache(), timedelta(days=max_age_days)
    ids = _artist_ids(lib)
    known = cache.fresh(ids, max_age)
    todo = sorted(set(ids) - set(known["artist_id"]))
    malformed = [i for i in todo if not SPOTIFY_ID.fullmatch(i)]  # Spotify would refuse them: not asked
    if malformed:
        cache.add([_row(i, None) for i in malformed])
        todo = sorted(set(todo) - set(malformed))
    if not todo:
        return _with_genres(lib, cache.fresh(ids, max_age) if malformed else known, ids, 0)
    sender = Sender(sp, concurrency=options.concurrency, max_wait=options.max_wait, retries=options.retries)
    try:
        _ask(sp, sender, todo, cache, options, batch=not _no_batch(sp, lib))
    except (LoadError, KeyboardInterrupt) as error:
        partial = _with_genres(lib, cache.fresh(ids, max_age), ids, sender.figures.requests)
        raise _stopped(error, partial) from None
    finally:
        sender.cancel.set()
        sender.close()
    return _with_genres(lib, cache.fresh(ids, max_age), ids, sender.figures.requests)


def _artist_ids(lib: Library) -> list[str]:
    """The library's artist ids; a library whose tracks (local files aside) have artists but no ids at all
    cannot be asked about. Local files have no ids: a library of them alone has nothing to ask."""
    ids = sorted(lib.artists["artist_id"].dropna().astype(str).unique())
    local = lib.tracks.index[lib.tracks["is_local"].fillna(False).to_numpy(dtype=bool)]
    named = lib.artists["artist_name"].notna() & ~lib.artists["item"].isin(local)
    if not ids and named.any():
        raise SourceError(
            f"{lib.info.get('source', 'this library')} has no artist ids, so Spotify cannot be asked about its "
            "artists' genres: read the library with savedlib.load, or use an Exportify file (which carries genres)."
        )
    return ids


def _stopped(error: BaseException, partial: Library) -> BaseException:
    """The error to raise when asking stopped: it carries ``partial`` and says how to go on."""
    g = partial.info["genres"]
    read = f"The library with the genres known so far is in this error's .partial: {partial.genre_coverage()}."
    kept = (
        f"The genres of {g['asked']:,} of {g['artists']:,} artists are known, and kept in the artist cache; "
        f"savedlib.add_genres asks only for the {g['remaining']:,} others."
    )
    return stopped_with(error, partial, f"asking for genres was interrupted. {kept}", kept, read)


def _with_genres(lib: Library, answers: pd.DataFrame, ids: list[str], requests: int) -> Library:
    """``lib`` with the genres of ``answers`` (the cache's, about its artists), and ``info["genres"]``."""
    found = answers[answers["found"].fillna(False).astype(bool)]
    pairs = found[["artist_id", "genres"]].explode("genres").dropna().rename(columns={"genres": "genre"})
    counts = {**coverage(len(ids), len(answers), len(found), int(pairs["artist_id"].nunique())), "requests": requests}
    genres = genre_table(lib.artists.astype({"artist_id": object}), pairs.astype({"artist_id": object}))
    return replace(lib, genres=genres, info={**lib.info, "genres": counts})


def coverage(artists: int, asked: int, found: int, with_genres: int) -> dict[str, int]:
    """``info["genres"]``'s counts: of ``artists``, how many were ``asked``, ``found`` (known), with genres, and not."""
    return {
        "artists": artists,
        "asked": asked,
        "with_genres": with_genres,
        "without_genres": found - with_genres,
        "unknown": asked - found,
        "remaining": artists - asked,
    }


# --- asking Spotify ---------------------------------------------------------------------------------


def _no_batch(sp: Any, lib: Library) -> bool:
    """True when Spotify is known to refuse this app the batch look-up: it did this session, or ``lib``
    was read from the Web API in the Development Mode shape (no popularity: no batch look-ups either)."""
    return getattr(sp, NO_BATCH, False) or read_in_development_mode(lib.info)


def _ask(sp: Any, sender: Sender, todo: list[str], cache: ArtistCache, options: Options, batch: bool) -> None:
    """Ask for ``todo``'s artists, 50 at a time where the app may, else one by one; answers go to ``cache``.
    Only a refusal of the first batch means "not available to this app"; any later one is an error."""
    bar = tqdm(
        desc="Asking Spotify for artists' genres", unit=" artists", total=len(todo), disable=not options.progress
    )
    writer = _Writer(cache, bar)
    try:
        if batch:
            try:
                writer.take(_batch(sender, todo[:BATCH]))
                todo = todo[BATCH:]
            except (AccessDenied, RequestRejected):  # not available to this app (Development Mode)
                setattr(sp, NO_BATCH, True)
                batch = False
        size = BATCH if batch else 1
        ask = _batch if batch else _single
        if todo and not batch:  # the first alone: if it carries no genres, nothing more is asked
            writer.take(ask(sender, todo[:1]))
            todo = todo[1:]
        calls = (lambda chunk=todo[k : k + size]: ask(sender, chunk) for k in range(0, len(todo), size))
        run_all(calls, writer.take, concurrency=options.concurrency, cancel=sender.cancel)
    finally:
        writer.flush()
        bar.close()


def _batch(sender: Sender, ids: list[str]) -> list[dict]:
    """``GET /v1/artists?ids=``: one answer per id, ``null`` for an id Spotify does not know."""

    def decode(answer: Answer) -> dict | str:
        body = decode_json(answer)
        artists = body.get("artists") if isinstance(body, dict) else None
        if not isinstance(artists, list) or len(artists) != len(ids):
            return f"the answer does not hold the {len(ids)} artists asked for"  # a broken body: asked again
        return body

    failed = lambda n, why: RequestFailed(f"{len(ids)} artists", n, why)  # noqa: E731
    body = sender.get("artists", {"ids": ",".join(ids)}, decode=decode, failed=failed)
    return [_row(artist_id, answer) for artist_id, answer in zip(ids, body["artists"], strict=True)]


def _single(sender: Sender, ids: list[str]) -> list[dict]:
    """``GET /v1/artists/{id}``: 404 (or 400) means Spotify does not know the id, and is an answer too."""
    (artist_id,) = ids
    try:
        failed = lambda n, why: RequestFailed(f"the artist {artist_id}", n, why)  # noqa: E731
        answer = sender.get(f"artists/{artist_id}", {}, failed=failed)
    except RequestRejected as exc:
        if exc.status in (400, 404):
            return [_row(artist_id, None)]
        raise
    return [_row(artist_id, answer)]


def _row(artist_id: str, answer: dict | None) -> dict:
    """The cache's row for one answer; ``genres_key`` False marks an answer that says nothing about genres."""
    if not isinstance(answer, dict):
        return {"artist_id": artist_id, "name": None, "genres": [], "found": False, "genres_key": True}
    genres = [g for g in answer.get("genres") or [] if isinstance(g, str) and g]
    return {"artist_id": artist_id, "name": answer.get("name"), "genres": genres, "found": True,
            "genres_key": "genres" in answer}  # fmt: skip


class _Writer:
    """Answers on their way to the cache: written every few seconds or few hundred, and at the end."""

    def __init__(self, cache: ArtistCache, bar: tqdm):
        self.cache, self.bar, self.rows, self.last = cache, bar, [], time.monotonic()

    def take(self, rows: list[dict]) -> None:
        """Keep ``rows``; an answer without a ``genres`` key stops everything (after keeping the others)."""
        blind = [r["artist_id"] for r in rows if not r["genres_key"]]
        rows = [r for r in rows if r["genres_key"]]
        if blind:
            self.rows += rows
            raise GenresUnavailable(blind[0])
        self.rows += rows
        self.bar.update(len(rows))
        if len(self.rows) >= FLUSH_ROWS or time.monotonic() - self.last > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.cache.add(self.rows)
        self.rows, self.last = [], time.monotonic()
