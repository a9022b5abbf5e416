"""The stand-in's MusicBrainz web service (``/ws/2/``): URL look-ups with artist relations, and recording search.

Shapes as MusicBrainz's documentation and its server's tests show them: one
``resource`` answers the URL entity itself (404 ``Not Found`` when unknown), several
answer ``{"url-count", "url-offset", "urls"}`` sorted by resource with unknown URLs
left out, and at most 100 are read (more are silently dropped). ``inc`` given twice
is a 400. The recording search reads ``isrc:(A OR B ...)``, pages with ``limit``
(1-100, default 25) and ``offset``, and answers ``{created, count, offset, recordings}``.
"""

from __future__ import annotations

import re

from savedlib.standin.catalogue import Catalogue

MAX_RESOURCES = 100
ISRC_QUERY = re.compile(r"^\s*isrc:\(?\s*([A-Za-z0-9]+(?:\s+OR\s+[A-Za-z0-9]+)*)\s*\)?\s*$")
BUSY = "The MusicBrainz web server is currently busy. Please try again later."
OVER = (
    "Your requests are exceeding the allowable rate limit. Please see "
    "https://wiki.musicbrainz.org/MusicBrainz_API/Rate_Limiting for more information."
)


def error(message: str) -> dict:
    return {"error": message, "help": "For usage, please see: https://musicbrainz.org/development/mmd"}


def answer(cat: Catalogue, path: str, query: dict[str, list[str]]) -> tuple[int, dict, str]:
    """``(status, body, endpoint)`` for a request to ``/ws/2/<path>``."""
    if len(query.get("inc", [])) > 1:
        return 400, error("Invalid inc: give inc once, its values joined with '+'"), "bad"
    if path == "url":
        return (*_urls(cat, query), "url")
    if path == "recording":
        return (*_search(cat, query), "recording")
    return 404, error("Not Found"), "other"


def _urls(cat: Catalogue, query: dict[str, list[str]]) -> tuple[int, dict]:
    resources = query.get("resource", [])[:MAX_RESOURCES]
    if not resources:
        return 400, error("Missing parameter: resource")
    rels = "artist-rels" in (query.get("inc") or [""])[0].split("+")
    found = [_url(cat, r, rels) for r in sorted(set(resources)) if r in cat.urls]
    if len(resources) == 1:
        return (200, found[0]) if found else (404, error("Not Found"))
    return 200, {"url-count": len(found), "url-offset": 0, "urls": found}


def _url(cat: Catalogue, resource: str, rels: bool) -> dict:
    artist_mbid, name = cat.urls[resource]
    url = {"id": f"u-{artist_mbid}", "resource": resource}
    if rels:
        url["relations"] = [
            {
                "type": "free streaming",
                "type-id": "769085a1-c2f7-4c24-a532-2375a77693bd",
                "target-type": "artist",
                "direction": "backward",
                "ended": False,
                "begin": None,
                "end": None,
                "attributes": [],
                "source-credit": "",
                "target-credit": "",
                "artist": {"id": artist_mbid, "name": name, "sort-name": name, "disambiguation": "", "type": None},
            }
        ]
    return url


def _search(cat: Catalogue, query: dict[str, list[str]]) -> tuple[int, dict]:
    match = ISRC_QUERY.match((query.get("query") or [""])[0])
    try:
        limit = int((query.get("limit") or ["25"])[0])
        offset = int((query.get("offset") or ["0"])[0])
        if not 1 <= limit <= 100 or offset < 0:
            raise ValueError
    except ValueError:
        return 400, error("Invalid limit or offset")
    if match is None:
        return 400, error("The stand-in's search understands isrc:(A OR B ...) queries only")
    isrcs = [i.upper() for i in match.group(1).split() if i != "OR"]
    hits = {h["id"]: h for i in isrcs for h in cat.recordings.get(i, [])}
    ranked = list(hits.values())  # in the order the ISRCs were asked, then MusicBrainz's own per ISRC
    page = ranked[offset : offset + limit]
    return 200, {"created": "2026-08-01T00:00:00.000Z", "count": len(ranked), "offset": offset, "recordings": page}
