"""What savedlib asks ListenBrainz: artists' genres and recordings' listen counts.

- ``GET /1/metadata/artist/?artist_mbids=a,b&inc=tag``: a list of artist objects
  (each with its ``artist_mbid``); ``tag.artist`` holds ``{tag, count, genre_mbid?}``
  and the tags with a ``genre_mbid`` are MusicBrainz genres. 100 artists a request.
- ``POST /1/popularity/recording`` with ``{"recording_mbids": [...]}`` (up to 1,000):
  a list in the same order, ``total_listen_count`` and ``total_user_count`` (null where unknown).
"""

from __future__ import annotations

from typing import Any

from savedlib.opendata.polite import Service

ARTISTS_PER_REQUEST, RECORDINGS_PER_REQUEST = 100, 1000


def artist_genres(lb: Service, mbids: list[str]) -> list[dict]:
    """Rows ``artist_mbid, genres, found`` (genres by votes, most first; ``found`` False: ListenBrainz
    does not know the artist)."""
    params = [("artist_mbids", ",".join(mbids)), ("inc", "tag")]
    body = lb.get("1/metadata/artist/", params, check=_artists_problem).body
    known = {}
    for artist in body:
        tags = ((artist.get("tag") or {}).get("artist")) or []
        genres = sorted((t for t in tags if t.get("genre_mbid") and t.get("tag")), key=lambda t: -(t.get("count") or 0))
        known[artist.get("artist_mbid")] = list(dict.fromkeys(t["tag"] for t in genres))
    return [{"artist_mbid": m, "genres": known.get(m, []), "found": m in known} for m in mbids]


def _artists_problem(body: Any) -> str | None:
    if not isinstance(body, list) or not all(isinstance(a, dict) for a in body):
        return "the artist metadata is not a list of artists"
    return None


def recording_popularity(lb: Service, mbids: list[str]) -> list[dict]:
    """Rows ``recording_mbid, listens, listeners`` (None where ListenBrainz has no count)."""

    def problem(body: Any) -> str | None:
        if not isinstance(body, list) or len(body) != len(mbids) or not all(isinstance(r, dict) for r in body):
            return f"the popularity answer does not hold the {len(mbids)} recordings asked for"
        return None

    body = lb.post("1/popularity/recording", {"recording_mbids": mbids}, check=problem).body
    return [
        {
            "recording_mbid": m,
            "listens": _count(r.get("total_listen_count")),
            "listeners": _count(r.get("total_user_count")),
        }
        for m, r in zip(mbids, body, strict=True)
    ]


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
