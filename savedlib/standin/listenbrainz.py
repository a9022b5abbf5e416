"""The stand-in's ListenBrainz API: artist metadata with tags, and recording popularity.

As the server's code answers: ``GET /1/metadata/artist/?artist_mbids=a,b&inc=tag``
is a list of the artists it knows (each with ``artist_mbid``; ``tag.artist`` is
``[{tag, count, genre_mbid?}]`` with ``inc=tag``); ``POST /1/popularity/recording``
with ``{"recording_mbids": [...]}`` (at most 1,000) is a list in the same order,
``total_listen_count`` and ``total_user_count`` null where unknown. Errors are
``{"code": N, "error": "..."}``.
"""

from __future__ import annotations

import json
import uuid

from savedlib.standin.catalogue import Catalogue

MAX_ARTISTS, MAX_RECORDINGS = 1000, 1000


def error(status: int, message: str) -> tuple[int, dict]:
    return status, {"code": status, "error": message}


def answer(cat: Catalogue, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, object, str]:
    """``(status, body, endpoint)`` for a request to ``/1/<path>``."""
    if method == "GET" and path == "metadata/artist/":
        return (*_artists(cat, query), "metadata/artist")
    if method == "POST" and path == "popularity/recording":
        return (*_popularity(cat, body), "popularity/recording")
    return (*error(404, "Not found"), "other")


def _valid(mbids: list[str]) -> bool:
    try:
        return all(str(uuid.UUID(m)) == m.lower() for m in mbids)
    except ValueError:
        return False


def _artists(cat: Catalogue, query: dict[str, list[str]]) -> tuple[int, object]:
    mbids = [m for m in (query.get("artist_mbids") or [""])[0].split(",") if m]
    if not mbids or not _valid(mbids):
        return error(400, "artist_mbids must be a comma-separated list of valid MBIDs")
    if len(mbids) > MAX_ARTISTS:
        return error(400, f"Too many artist_mbids: at most {MAX_ARTISTS}")
    tags = "tag" in (query.get("inc") or [""])[0].split()
    found = []
    for m in dict.fromkeys(mbids):
        if m in cat.names:
            artist = {"artist_mbid": m, "name": cat.names[m], "type": "Person", "area": None, "begin_year": None,
                      "rels": {}}  # fmt: skip
            if tags:
                artist["tag"] = {"artist": [{**t, "artist_mbid": m} for t in cat.tags.get(m, [])]}
            found.append(artist)
    return 200, found


def _popularity(cat: Catalogue, body: bytes) -> tuple[int, object]:
    try:
        mbids = json.loads(body or b"{}").get("recording_mbids")
    except (ValueError, AttributeError):
        return error(400, "Cannot parse JSON document")
    if not isinstance(mbids, list) or not mbids or not _valid([str(m) for m in mbids]):
        return error(400, "recording_mbids must be a list of valid MBIDs")
    if len(mbids) > MAX_RECORDINGS:
        return error(400, f"Too many recording_mbids: at most {MAX_RECORDINGS}")
    rows = []
    for m in mbids:
        listens, users = cat.popularity.get(m, (None, None))
        rows.append({"recording_mbid": m, "total_listen_count": listens, "total_user_count": users})
    return 200, rows
