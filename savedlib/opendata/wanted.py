"""What a library needs from open data that the cache does not hold yet (fresh answers are never asked again)."""

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


def artist_mbids(lib: Library, cache: OpenDataCache) -> pd.DataFrame:
    """The library's long artists table with ``artist_mbid`` (NA: not in MusicBrainz, or not asked yet)."""
    found = cache.artists.fresh(spotify_artist_ids(lib)).set_index("spotify_artist_id")["artist_mbid"]
    artists = lib.artists.copy()
    artists["artist_mbid"] = artists["artist_id"].map(found).astype("string")
    return artists


def recordings(lib: Library, cache: OpenDataCache, artists: pd.DataFrame) -> pd.Series:
    """Each item's recording MBID (``match.choose``), from the cache's fresh ISRC answers."""
    isrc = track_isrcs(lib)
    tracks = pd.DataFrame({"item": lib.tracks.index.to_numpy(), "isrc": isrc.to_numpy()})
    return choose(tracks, artists, cache.isrcs.fresh(isrc.dropna().unique()))


@dataclass
class Wanted:
    """What to ask: ``artists`` (Spotify ids) and ``isrcs`` now, MBIDs once the steps before found them."""

    lib: Library
    cache: OpenDataCache
    artists: list[str]
    isrcs: list[str]

    def artist_mbids(self) -> list[str]:
        """The artist MBIDs found whose genres the cache lacks."""
        mbids = artist_mbids(self.lib, self.cache)["artist_mbid"].dropna().unique().tolist()
        return sorted(set(mbids) - set(self.cache.genres.fresh(mbids)["artist_mbid"]))

    def recording_mbids(self) -> list[str]:
        """The recordings chosen whose listens the cache lacks."""
        chosen = recordings(self.lib, self.cache, artist_mbids(self.lib, self.cache)).dropna().unique().tolist()
        return sorted(set(chosen) - set(self.cache.listens.fresh(chosen)["recording_mbid"]))

    def estimate(self) -> int:
        """Requests this will take, about: URL look-ups, ISRC searches, and ListenBrainz's share."""
        a, m = len(self.artists), len(self.isrcs)
        return (
            math.ceil(a / musicbrainz.URLS_PER_LOOKUP)
            + math.ceil(m / musicbrainz.ISRCS_PER_SEARCH)
            + math.ceil(a / listenbrainz.ARTISTS_PER_REQUEST)
            + math.ceil(m / listenbrainz.RECORDINGS_PER_REQUEST)
        )


def wanted(lib: Library, cache: OpenDataCache) -> Wanted:
    """The Spotify artist ids and ISRCs of ``lib`` the cache holds no fresh answer about."""
    ids = spotify_artist_ids(lib)
    isrcs = sorted(track_isrcs(lib).dropna().unique())
    known_ids = set(cache.artists.fresh(ids)["spotify_artist_id"])
    known_isrcs = set(cache.isrcs.fresh(isrcs)["isrc"])
    return Wanted(lib, cache, [i for i in ids if i not in known_ids], [i for i in isrcs if i not in known_isrcs])
