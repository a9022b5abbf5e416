"""What the open-data cache knows about a library, each shelf read once, and what it lacks (fresh answers are never
asked again)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from savedlib.items.uris import SPOTIFY_ID
from savedlib.library import Library
from savedlib.opendata import listenbrainz, musicbrainz
from savedlib.opendata.cache import OpenDataCache
from savedlib.opendata.match import choose

#: An ISRC as MusicBrainz stores them: country, registrant, year, designation (anything else is not asked).
ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


def spotify_artist_ids(lib: Library) -> list[str]:
    """The library's well-formed Spotify artist ids, each once."""
    ids = lib.artists["artist_id"].dropna().astype(str).unique()
    return sorted(i for i in ids if SPOTIFY_ID.fullmatch(i))


def track_isrcs(lib: Library) -> pd.Series:
    """Each item's ISRC, upper-case, NA where it has none or a malformed one."""
    isrc = lib.tracks["isrc"].astype("string").str.strip().str.upper()
    return isrc.where(isrc.str.fullmatch(ISRC.pattern).fillna(False).astype(bool))


@dataclass
class Known:
    """The cache's fresh answers about one library: ``asked`` (the artists shelf's rows about ``ids``),
    ``artists`` (the library's long table with ``artist_mbid``), ``answers`` (the ISRCs shelf's), each item's
    chosen ``recordings`` (``match.choose``), and the ``genres`` and ``listens`` shelves' rows about them."""

    ids: list[str]
    isrc: pd.Series
    asked: pd.DataFrame
    artists: pd.DataFrame
    answers: pd.DataFrame
    recordings: pd.Series
    genres: pd.DataFrame
    listens: pd.DataFrame

    def artists_to_ask(self) -> list[str]:
        """The Spotify artist ids the cache holds no answer about."""
        return sorted(set(self.ids) - set(self.asked["spotify_artist_id"]))

    def mbids_to_ask(self) -> list[str]:
        """The artist MBIDs found whose genres the cache lacks."""
        return sorted(set(self.asked["artist_mbid"].dropna()) - set(self.genres["artist_mbid"]))

    def isrcs_to_ask(self) -> list[str]:
        """The library's ISRCs the cache holds no answer about."""
        return sorted(set(self.isrc.dropna()) - set(self.answers["isrc"]))

    def recordings_to_ask(self) -> list[str]:
        """The recordings chosen whose listens the cache lacks."""
        return sorted(set(self.recordings.dropna()) - set(self.listens["recording_mbid"]))

    def estimate(self) -> int:
        """Requests asking will take, about: URL look-ups, ISRC searches, and ListenBrainz's share."""
        a, m = len(self.artists_to_ask()), len(self.isrcs_to_ask())
        return (
            math.ceil(a / musicbrainz.URLS_PER_LOOKUP)
            + math.ceil(m / musicbrainz.ISRCS_PER_SEARCH)
            + math.ceil(a / listenbrainz.ARTISTS_PER_REQUEST)
            + math.ceil(m / listenbrainz.RECORDINGS_PER_REQUEST)
        )


def known(lib: Library, cache: OpenDataCache) -> Known:
    """What ``cache`` knows about ``lib``, each of its four shelves read once."""
    ids, isrc = spotify_artist_ids(lib), track_isrcs(lib)
    asked = cache.artists.fresh(ids)
    artists = lib.artists.copy()
    artists["artist_mbid"] = artists["artist_id"].map(asked.set_index("spotify_artist_id")["artist_mbid"])
    artists["artist_mbid"] = artists["artist_mbid"].astype("string")
    answers = cache.isrcs.fresh(isrc.dropna().unique())
    tracks = pd.DataFrame({"item": lib.tracks.index.to_numpy(), "isrc": isrc.to_numpy()})
    chosen = choose(tracks, artists, answers)
    genres = cache.genres.fresh(asked["artist_mbid"].dropna().unique())
    listens = cache.listens.fresh(chosen.dropna().unique())
    return Known(ids, isrc, asked, artists, answers, chosen, genres, listens)
