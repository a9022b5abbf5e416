"""What savedlib asks MusicBrainz: which artist a Spotify artist page belongs to, and the recordings of ISRCs.

- ``GET /url?resource=...&resource=...&inc=artist-rels``: up to 100 Spotify artist
  pages in one look-up. One resource answers the URL object itself (or 404); several
  answer ``{"urls": [...]}``, leaving out the URLs MusicBrainz does not know.
- ``GET /recording?query=isrc:(A OR B ...)&limit=100&offset=``: the search API, about
  40 ISRCs a query, paging past 100 hits. Each hit lists its ``isrcs`` and its
  ``artist-credit``, so the hits are sorted back to the ISRCs asked about.
"""

from __future__ import annotations

from typing import Any

from savedlib.opendata.polite import Service

#: Spotify artist pages in one URL look-up (MusicBrainz takes up to 100 since February 2025).
URLS_PER_LOOKUP = 100
#: ISRCs in one recording search, and hits a page.
ISRCS_PER_SEARCH, HITS_PER_PAGE = 40, 100
SPOTIFY_ARTIST = "https://open.spotify.com/artist/{}"


def artist_page(spotify_id: str) -> str:
    """The Spotify page MusicBrainz links an artist to (no query string, no ``intl-xx`` part)."""
    return SPOTIFY_ARTIST.format(spotify_id)


def look_up_artists(mb: Service, ids: list[str]) -> list[dict] | None:
    """Rows ``spotify_artist_id, artist_mbid, artist_name`` for ``ids`` (``artist_mbid`` None: not in
    MusicBrainz); ``None`` when the server refused the URL as too long (HTTP 414)."""
    params = [("resource", artist_page(i)) for i in ids] + [("inc", "artist-rels"), ("fmt", "json")]
    answer = mb.get("url", params, check=_url_problem)
    if answer.status == 414:
        return None
    urls = [] if answer.body is None else answer.body.get("urls", [answer.body] if "resource" in answer.body else [])
    found = {u.get("resource"): _artist_of(u) for u in urls if isinstance(u, dict)}
    rows = []
    for i in ids:
        mbid, name = found.get(artist_page(i)) or (None, None)
        rows.append({"spotify_artist_id": i, "artist_mbid": mbid, "artist_name": name})
    return rows


def _url_problem(body: Any) -> str | None:
    if not isinstance(body, dict) or not ("urls" in body or "resource" in body):
        return "the URL look-up answered neither a URL nor a list of them"
    return None


def _artist_of(url: dict) -> tuple[str, str] | None:
    """The artist a URL entity belongs to: its artist relations, one not ended first (then the first)."""
    rels = [
        r for r in url.get("relations") or [] if r.get("target-type") == "artist" and isinstance(r.get("artist"), dict)
    ]
    if not rels:
        return None
    rel = sorted(rels, key=lambda r: bool(r.get("ended")))[0]
    return rel["artist"].get("id"), rel["artist"].get("name")


def search_isrcs(mb: Service, isrcs: list[str]) -> list[dict]:
    """Rows ``isrc, recordings`` for ``isrcs`` (each recording: ``recording_mbid``, ``artist_mbids``,
    ``artist_names``, in the order MusicBrainz ranks them); an ISRC without a recording gets ``[]``."""
    query = f"isrc:({' OR '.join(isrcs)})"
    wanted = {i.upper(): [] for i in isrcs}
    offset = 0
    while True:
        params = [("query", query), ("limit", str(HITS_PER_PAGE)), ("offset", str(offset)), ("fmt", "json")]
        body = mb.get("recording", params, check=_search_problem).body or {}
        hits = body.get("recordings") or []
        for hit in hits:
            recording = _recording(hit)
            for isrc in {str(i).upper() for i in hit.get("isrcs") or []} & wanted.keys():
                if recording["recording_mbid"] not in {r["recording_mbid"] for r in wanted[isrc]}:
                    wanted[isrc].append(recording)
        offset += len(hits)
        if not hits or offset >= int(body.get("count") or 0):
            break
    return [{"isrc": isrc, "recordings": recordings} for isrc, recordings in wanted.items()]


def _search_problem(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("recordings"), list) or "count" not in body:
        return "the recording search answered without 'count' and 'recordings'"
    return None


def _recording(hit: dict) -> dict:
    credits = [c for c in hit.get("artist-credit") or [] if isinstance(c, dict)]
    artists = [c.get("artist") or {} for c in credits]
    return {
        "recording_mbid": hit.get("id"),
        "artist_mbids": [a.get("id") for a in artists if a.get("id")],
        "artist_names": [a.get("name") or c.get("name") for a, c in zip(artists, credits, strict=True)],
    }
