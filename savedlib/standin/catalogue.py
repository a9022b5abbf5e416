"""The open-data stand-in's world: what MusicBrainz and ListenBrainz know about the demo library's music.

Deterministic for a library and seed, and as uneven as the real services:

- 85% of the Spotify artists are in MusicBrainz, linked to their Spotify page;
  the demo's genres are their genre votes (about half have some), beside a tag that
  is no genre ("seen live");
- 88% of the ISRCs have one recording, 6% have two (the second credited to another
  artist, ranked first now and then), 6% none; a recording's credits name the
  track's artists (those not linked to Spotify under an MBID of their own);
- 90% of the recordings have ListenBrainz listen and listener counts, spread over
  five orders of magnitude.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from savedlib.demodata.genres import artist_genres
from savedlib.library import from_items

SPOTIFY_ARTIST = "https://open.spotify.com/artist/{}"


def mbid(kind: str, key: str) -> str:
    """A stable MBID for anything in the stand-in's world."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"savedlib-standin:{kind}:{key}"))


@dataclass
class Catalogue:
    """MusicBrainz and ListenBrainz as the stand-in serves them."""

    urls: dict[str, tuple[str, str]] = field(default_factory=dict)  # Spotify artist page -> (artist MBID, name)
    recordings: dict[str, list[dict]] = field(default_factory=dict)  # ISRC -> recordings (search hits)
    tags: dict[str, list[dict]] = field(default_factory=dict)  # artist MBID -> [{tag, count, genre_mbid?}]
    names: dict[str, str] = field(default_factory=dict)  # artist MBID -> name
    popularity: dict[str, tuple[int, int]] = field(default_factory=dict)  # recording MBID -> (listens, listeners)


def build(items: list[dict], seed: int = 0) -> Catalogue:
    """The stand-in's world for the library of ``items``."""
    lib = from_items(items)
    rng = np.random.Generator(np.random.PCG64(seed + 2026))
    cat = Catalogue()
    artists = lib.artists.dropna(subset=["artist_id"]).drop_duplicates("artist_id").sort_values("artist_id")
    linked = {}
    for spotify_id, name in zip(artists["artist_id"], artists["artist_name"], strict=True):
        if rng.random() < 0.85:
            linked[spotify_id] = mbid("artist", spotify_id)
            cat.urls[SPOTIFY_ARTIST.format(spotify_id)] = (linked[spotify_id], name)
            cat.names[linked[spotify_id]] = name
    for spotify_id, genres in artist_genres(lib, seed).groupby("artist_id")["genre"]:
        if spotify_id in linked:
            votes = rng.integers(1, 40, len(genres))
            cat.tags[linked[spotify_id]] = [
                {"tag": g, "count": int(v), "genre_mbid": mbid("genre", g)} for g, v in zip(genres, votes, strict=True)
            ]
    for m in cat.names:
        if rng.random() < 0.2:
            cat.tags.setdefault(m, []).append({"tag": "seen live", "count": int(rng.integers(1, 5))})
    _recordings(cat, lib, linked, rng)
    return cat


def _recordings(cat: Catalogue, lib, linked: dict[str, str], rng: np.random.Generator) -> None:
    """Recordings for the library's ISRCs, and their listening counts."""
    t = lib.tracks.dropna(subset=["isrc"]).drop_duplicates("isrc")
    credits = lib.artists.groupby("item")[["artist_id", "artist_name"]].agg(list)
    for item, isrc, title, length in zip(t.index, t["isrc"], t["track_name"], t["duration_ms"], strict=True):
        draw = rng.random()
        if draw < 0.06:
            cat.recordings[isrc] = []
            continue
        ids, names = credits.loc[item] if item in credits.index else ([], [])
        credited = [(linked.get(i) or mbid("unlinked", str(n)), n) for i, n in zip(ids, names, strict=True)]
        own = _hit(mbid("recording", isrc), title, length, isrc, credited)
        cat.recordings[isrc] = [own]
        if draw < 0.12:  # the same ISRC on another artist's recording (a karaoke version, a mistake)
            other = _hit(
                mbid("recording", "other:" + isrc), title, length, isrc, [(mbid("artist", "karaoke"), "Karaoke Stars")]
            )
            cat.recordings[isrc] = [other, own] if draw < 0.09 else [own, other]
    for hits in cat.recordings.values():
        for hit in hits:
            if rng.random() < 0.9:
                listeners = int(np.exp(rng.normal(4.5, 2.0))) + 1
                cat.popularity[hit["id"]] = (int(listeners * (1 + np.exp(rng.normal(1.0, 0.8)))), listeners)


def _hit(recording: str, title, length, isrc: str, artists: list[tuple[str, str]]) -> dict:
    """A recording as MusicBrainz's search answers it."""
    return {
        "id": recording,
        "score": 100,
        "title": str(title),
        "length": None if pd.isna(length) else int(length),
        "video": None,
        "artist-credit": [
            {"name": name, "joinphrase": "", "artist": {"id": a, "name": name, "sort-name": name}}
            for a, name in artists
        ],
        "isrcs": [isrc],
        "releases": [],
        "tags": [],
    }
