"""The library with what the open-data cache knows about it: MBIDs, genres, listens, and ``info`` in words."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from savedlib.frames.long import genre_table
from savedlib.genres.enrich import coverage
from savedlib.library import Library
from savedlib.opendata.wanted import Known
from savedlib.text import plural

#: What ``info["genres"]["source"]`` and the genre charts name.
GENRES_SOURCE = "MusicBrainz genres via ListenBrainz"


def with_open_data(lib: Library, now: Known, requests: dict[str, int], genres: bool | None) -> Library:
    """A new library: ``lib`` with what the cache knows about it (``now``; ``genres``: as ``add_open_data``'s)."""
    tracks = lib.tracks.copy()
    tracks["recording_mbid"] = now.recordings.to_numpy()
    counts = now.listens.set_index("recording_mbid")
    for column in ("listens", "listeners"):
        tracks[column] = tracks["recording_mbid"].map(counts[column]).astype("Int64")
    pairs, coverage = _genres(now)
    info = {**lib.info, "open_data": _facts(lib, now, tracks, requests)}
    changed = replace(lib, tracks=tracks, artists=now.artists)
    if genres or (genres is None and lib.genres.empty):
        info["genres"] = {"source": GENRES_SOURCE, **coverage, "requests": sum(requests.values())}
        table = genre_table(lib.artists.astype({"artist_id": object}), pairs.astype({"artist_id": object}))
        return replace(changed, genres=table, info=info)
    info["open_data"]["notes"].append(
        "The library's own genres were kept (add_open_data(lib, genres=True) replaces them)."
    )
    return replace(changed, info=info)


def _genres(now: Known) -> tuple[pd.DataFrame, dict]:
    """Pairs ``artist_id, genre`` (Spotify ids), and the coverage in ``info["genres"]``'s words."""
    in_mb = now.asked.dropna(subset=["artist_mbid"])
    with_genres = now.genres[now.genres["genres"].map(len) > 0]
    pairs = (
        in_mb[["spotify_artist_id", "artist_mbid"]]
        .merge(with_genres[["artist_mbid", "genres"]], on="artist_mbid")
        .explode("genres")
        .rename(columns={"spotify_artist_id": "artist_id", "genres": "genre"})[["artist_id", "genre"]]
    )
    return pairs, coverage(
        len(now.ids), len(now.asked), len(in_mb), int(pairs["artist_id"].nunique())
    )  # found: in MusicBrainz


def _facts(lib: Library, now: Known, tracks: pd.DataFrame, requests: dict[str, int]) -> dict:
    """``info["open_data"]``: requests, what was found, and sentences for what could not be and why."""
    ids, isrcs = now.ids, now.isrc
    source = lib.info.get("source") or "this library"
    notes = []
    if not ids:
        notes.append(
            f"{source} has no Spotify artist ids (current exportify.net files and Spotify's account data carry "
            "none), so MusicBrainz cannot be asked which artists they are: no genres from open data."
        )
    if isrcs.isna().all():
        notes.append(
            f"{source} has no ISRCs (exportify.net files and Spotify's account data carry none), so its tracks "
            "cannot be matched to MusicBrainz recordings: no listening counts."
        )
    with_mbid = now.artists.dropna(subset=["artist_mbid"])["artist_id"].nunique()
    return {
        "musicbrainz_requests": requests.get("musicbrainz", 0),
        "listenbrainz_requests": requests.get("listenbrainz", 0),
        "artists": len(ids),
        "artists_in_musicbrainz": int(with_mbid),
        "tracks_with_isrc": int(isrcs.notna().sum()),
        "tracks_with_recording": int(tracks["recording_mbid"].notna().sum()),
        "tracks_with_listeners": int(tracks["listeners"].notna().sum()),
        "summary": (
            f"{with_mbid:,} of {plural(len(ids), 'artist')} found in MusicBrainz; "
            f"{int(tracks['recording_mbid'].notna().sum()):,} of {plural(len(tracks), 'track')} matched to a "
            f"recording, {int(tracks['listeners'].notna().sum()):,} with ListenBrainz listeners"
        ),
        "notes": notes,
    }
