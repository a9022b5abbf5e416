"""``savedlib.add_open_data``: MusicBrainz ids, genres and listening counts for any library, from open data.

Four steps, each asking only about what the cache does not hold yet (and writing
every answer to it at once, so a stop loses nothing and the next call resumes):

1. MusicBrainz URL look-ups: Spotify artist id → artist MBID, 100 artist pages a request.
2. ListenBrainz artist metadata: artist MBID → genres (tags with a ``genre_mbid``), 100 a request.
3. MusicBrainz recording searches: ISRC → recordings, 40 ISRCs a query (``match`` picks one per track).
4. ListenBrainz popularity: recording MBID → listens and listeners, 1,000 a request.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from tqdm.auto import tqdm

from savedlib.errors import OpenDataFailed, stopped_with
from savedlib.library import Library
from savedlib.opendata import listenbrainz, musicbrainz
from savedlib.opendata.cache import OpenDataCache
from savedlib.opendata.polite import PROJECT_URL, Service
from savedlib.opendata.result import with_open_data
from savedlib.opendata.wanted import Known, known

MUSICBRAINZ_URL, MUSICBRAINZ_ENV = "https://musicbrainz.org/ws/2", "SAVEDLIB_MUSICBRAINZ_URL"
LISTENBRAINZ_URL, LISTENBRAINZ_ENV = "https://api.listenbrainz.org", "SAVEDLIB_LISTENBRAINZ_URL"

__all__ = ["LISTENBRAINZ_URL", "MUSICBRAINZ_URL", "PROJECT_URL", "add_open_data"]


@dataclass
class _Run:
    """One enrichment: the two services, the cache and the progress bar."""

    mb: Service
    lb: Service
    cache: OpenDataCache
    bar: tqdm
    per_lookup: int = musicbrainz.URLS_PER_LOOKUP


def add_open_data(
    lib: Library,
    *,
    musicbrainz_url: str | None = None,
    listenbrainz_url: str | None = None,
    musicbrainz_rate: float = 1.0,
    cache: OpenDataCache | None = None,
    genres: bool | None = None,
    progress: bool = True,
) -> Library:
    """A new ``Library`` with MusicBrainz ids, genres and ListenBrainz listening counts (``lib`` is left as it was).

    Adds ``tracks.recording_mbid``, ``tracks.listens`` and ``tracks.listeners`` (nullable
    integers: ListenBrainz listens and distinct listeners of the recording), ``artists.artist_mbid``,
    and, where the library has no genres of its own (or ``genres=True``), ``genres`` from
    MusicBrainz's genre votes as ListenBrainz serves them. ``info["genres"]`` and
    ``info["open_data"]`` say what was found, from where, and what could not be and why.

    Parameters:
        musicbrainz_url: where MusicBrainz's web service is (default: ``SAVEDLIB_MUSICBRAINZ_URL``, else
            the public service).
        listenbrainz_url: where ListenBrainz's API is (default: ``SAVEDLIB_LISTENBRAINZ_URL``, else the public one).
        musicbrainz_rate: requests a second MusicBrainz allows (1 for the public service; never set it higher).
        cache: the open-data cache (default: the one in your user cache folder).
        genres: replace the library's genres (``True``), keep them (``False``), or add them only where it has none.
        progress: show a progress bar with the time left.

    A stop (no network, MusicBrainz busy answer after answer) raises ``OpenDataFailed`` whose
    ``.partial`` has what was found; Ctrl-C raises ``LoadInterrupted`` with ``.partial`` too.
    """
    cache = cache or OpenDataCache()
    now = known(lib, cache)
    mb_url = musicbrainz_url or os.environ.get(MUSICBRAINZ_ENV) or MUSICBRAINZ_URL
    lb_url = listenbrainz_url or os.environ.get(LISTENBRAINZ_ENV) or LISTENBRAINZ_URL
    gates = cache.folder / "gates"  # one gate per service and address, shared by every process
    mb = Service("MusicBrainz", mb_url, interval=1.0 / musicbrainz_rate, env=MUSICBRAINZ_ENV,
                 gate_file=gates / _gate_name("musicbrainz", mb_url))  # fmt: skip
    lb = Service("ListenBrainz", lb_url, env=LISTENBRAINZ_ENV, gate_file=gates / _gate_name("listenbrainz", lb_url))
    bar = tqdm(desc="Asking MusicBrainz and ListenBrainz", unit=" requests", total=now.estimate(),
               disable=not progress)  # fmt: skip
    run = _Run(mb, lb, cache, bar)
    finish = lambda found: with_open_data(lib, found, {"musicbrainz": mb.requests, "listenbrainz": lb.requests}, genres)  # noqa: E731
    try:
        now = _ask_all(run, lib, now)
    except OpenDataFailed as error:
        error.partial = finish(known(lib, cache))
        raise
    except KeyboardInterrupt as error:
        raise stopped_with(
            error, finish(known(lib, cache)), "add_open_data was interrupted; every answer so far is kept in the cache"
        ) from None
    finally:
        bar.close()
        mb.close()
        lb.close()
    return finish(now)


def _gate_name(service: str, url: str) -> str:
    """A file name for a service's gate: the service, its host and port."""
    return service + "-" + "".join(c if c.isalnum() else "-" for c in urlsplit(url).netloc)


def _ask_all(run: _Run, lib: Library, now: Known) -> Known:
    """The four steps, each asking what the cache lacks once the one before is done; what the cache knows then."""
    steps = [
        (Known.artists_to_ask, lambda chunk: _artists(run, chunk), lambda: run.per_lookup),
        (Known.mbids_to_ask, lambda c: run.cache.genres.add(listenbrainz.artist_genres(run.lb, c)),
         lambda: listenbrainz.ARTISTS_PER_REQUEST),
        (Known.isrcs_to_ask, lambda c: run.cache.isrcs.add(musicbrainz.search_isrcs(run.mb, c)),
         lambda: musicbrainz.ISRCS_PER_SEARCH),
        (Known.recordings_to_ask, lambda c: run.cache.listens.add(listenbrainz.recording_popularity(run.lb, c)),
         lambda: listenbrainz.RECORDINGS_PER_REQUEST),
    ]  # fmt: skip
    for to_ask, ask, size in steps:
        todo = to_ask(now)
        if todo:
            _chunks(run, todo, ask, size)
            now = known(lib, run.cache)  # the cache read again only after a step wrote to it
    return now


def _chunks(run: _Run, todo: list[str], ask: Callable[[list[str]], None], size: Callable[[], int]) -> None:
    """Ask about ``todo`` a chunk at a time (``size()`` may shrink on the way), ticking the bar."""
    start = 0
    while start < len(todo):
        n = size()
        before = run.mb.requests + run.lb.requests
        ask(todo[start : start + n])
        start += n if n == size() else 0  # a chunk refused as too long is asked again, smaller
        run.bar.update(run.mb.requests + run.lb.requests - before)


def _artists(run: _Run, chunk: list[str]) -> None:
    """One URL look-up; a URL refused as too long halves the look-ups for the rest of the run."""
    rows = musicbrainz.look_up_artists(run.mb, chunk)
    if rows is None:
        if run.per_lookup <= 1:
            raise OpenDataFailed("MusicBrainz", "refuses even a URL look-up of one artist page as too long")
        run.per_lookup = max(1, run.per_lookup // 2)
        run.bar.total += math.ceil(len(chunk) / run.per_lookup) - 1
        return
    run.cache.artists.add(rows)
