"""The stand-in's playlists: ``GET /v1/me/playlists`` and ``GET /v1/playlists/{id}/items`` by 2026's rules.

Development Mode rules (``reference: playlists.md``): the list holds every
playlist (50 a page, the count as ``items.total``; ``tracks`` too for older
apps); the entries (50 a page, the track or episode under ``item``; ``track``
too for older apps) only of playlists the account owns or collaborates on:
403 ``Forbidden`` for other people's, 404 for Spotify's own (ids ``37i9``) and
for a playlist deleted since. ``snapshot_id`` changes whenever a playlist does.
Both need the scope ``playlist-read-private``. ``PlaylistChange`` makes a
playlist change (or vanish) during a read.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from savedlib.demodata.playlists import demo_playlists, entry, snapshot_id

SCOPE = "playlist-read-private"


@dataclass
class PlaylistChange:
    """After ``after`` entry pages were served, ``add`` songs (from the library) go to the top of the playlist
    ``playlist`` (its number in the list), or it is deleted (``delete``)."""

    after: int
    playlist: int
    add: int = 1
    delete: bool = False


class Playlists:
    """The account's playlists and their entries, changing as ``changes`` say. Called under the state's lock."""

    def __init__(self, playlists: list[dict], me: str, changes: list[PlaylistChange], items: list[dict]):
        self.playlists, self.me, self.items = playlists, me, items
        self.pending = sorted(changes, key=lambda c: c.after)
        self.deleted: set[str] = set()
        self.entry_pages = 0
        self.cache: dict[tuple[int, bool], bytes] = {}

    def listing(self, offset: int, limit: int, base: str, dev_mode: bool) -> dict:
        """One page of ``GET /v1/me/playlists``."""
        shown = [p for p in self.playlists if p["id"] not in self.deleted]
        page = [_listed(p, base, dev_mode) for p in shown[offset : offset + limit]]
        return _envelope(f"{base}/v1/me/playlists", page, offset, limit, len(shown))

    def entries(self, playlist_id: str, offset: int, limit: int, base: str, dev_mode: bool) -> tuple[int, Any]:
        """``(status, body)`` of one page of ``GET /v1/playlists/{id}/items``, by Development Mode's rules."""
        self.entry_pages += 1
        self._apply_changes()
        playlist = next((p for p in self.playlists if p["id"] == playlist_id), None)
        if playlist is None or playlist_id in self.deleted or playlist["owner"]["id"] == "spotify":
            return 404, "Resource not found"
        if playlist["owner"]["id"] != self.me and not playlist["collaborative"]:
            return 403, "Forbidden"
        page = [self._encoded(e, dev_mode) for e in playlist["entries"][offset : offset + limit]]
        envelope = _envelope(f"{base}/v1/playlists/{playlist_id}/items", [], offset, limit, len(playlist["entries"]))
        head, tail = json.dumps(envelope, ensure_ascii=False).encode().split(b'"items": []', 1)
        return 200, head + b'"items": [' + b", ".join(page) + b"]" + tail  # entries encoded once, spliced in

    def _encoded(self, e: dict, dev_mode: bool) -> bytes:
        """An entry's JSON, made once (older apps also get the track or episode under ``track``)."""
        key = (id(e), dev_mode)
        if key not in self.cache:
            self.cache[key] = json.dumps(e if dev_mode else {**e, "track": e["item"]}, ensure_ascii=False).encode()
        return self.cache[key]

    def _apply_changes(self) -> None:
        while self.pending and self.pending[0].after < self.entry_pages:
            self.change(self.pending.pop(0))

    def change(self, change: PlaylistChange) -> None:
        """Make ``change`` now: songs added at the top (a new ``snapshot_id``), or the playlist deleted."""
        playlist = self.playlists[change.playlist]
        if change.delete:
            self.deleted.add(playlist["id"])
            return
        songs = [i["track"] for i in self.items[: change.add] if i.get("track")]
        playlist["entries"] = [entry(t, "2026-11-01T00:00:00Z") for t in songs] + playlist["entries"]
        playlist["snapshot_id"] = snapshot_id(playlist)


def store(state: Any) -> Playlists:
    """The state's playlists, made on first use: ``knobs.playlists``, or the demo's for the library served."""
    if getattr(state, "playlist_store", None) is None:
        knobs = state.knobs
        chosen = knobs.playlists if knobs.playlists is not None else demo_playlists(state.items, knobs.seed)
        chosen = [dict(p) for p in chosen]  # its own playlists: a change replaces their entries, never edits them
        state.playlist_store = Playlists(chosen, knobs.account_id, list(knobs.playlist_changes), list(state.items))
    return state.playlist_store


def _listed(playlist: dict, base: str, dev_mode: bool) -> dict:
    """A playlist as the list shows it: no entries, their count as ``items`` (and ``tracks`` for older apps)."""
    shown = {k: v for k, v in playlist.items() if k != "entries"}
    count = {"href": f"{base}/v1/playlists/{playlist['id']}/items", "total": len(playlist["entries"])}
    shown["items"] = count
    if not dev_mode:
        shown["tracks"] = {**count, "href": f"{base}/v1/playlists/{playlist['id']}/tracks"}
    return shown


def _envelope(url: str, items: list, offset: int, limit: int, total: int) -> dict:
    def link(at: int) -> str:
        return f"{url}?{urlencode({'offset': at, 'limit': limit})}"

    return {
        "href": link(offset),
        "items": items,
        "limit": limit,
        "next": link(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }


def paging(query: dict[str, list[str]]) -> tuple[int, int, str | None]:
    """``offset``, ``limit`` (1 to 50, default 20) of a request, or Spotify's message for a bad one."""
    try:
        limit = int((query.get("limit") or ["20"])[0])
        offset = int((query.get("offset") or ["0"])[0])
    except ValueError:
        return 0, 0, "Invalid limit"
    if not 1 <= limit <= 50:
        return 0, 0, "Invalid limit"
    if offset < 0:
        return 0, 0, "Invalid offset"
    return offset, limit, None


def serve(handler: Any, path: str, query: dict[str, list[str]]) -> None:
    """Answer ``GET /v1/me/playlists`` or ``GET /v1/playlists/{id}/items`` on ``handler`` (the server's)."""
    state = handler.server.state
    endpoint = "playlists" if path == "/v1/me/playlists" else "playlist_items"
    if state.knobs.latency:
        time.sleep(state.knobs.latency)
    if not handler._admitted(time.time(), endpoint):  # the token, the daily quota, the rate limit
        return
    offset, limit, problem = paging(query)
    with state.lock:
        token = state.tokens.get((handler.headers.get("Authorization") or "").partition(" ")[2])
        if problem is None and (token is None or SCOPE not in token.scopes):
            status, body = 403, "Insufficient client scope"
        elif problem is not None:
            status, body = 400, problem
        elif endpoint == "playlists":
            status, body = 200, store(state).listing(offset, limit, handler.server.url, state.knobs.dev_mode)
        else:
            playlist_id = path.split("/")[3]
            status, body = store(state).entries(playlist_id, offset, limit, handler.server.url, state.knobs.dev_mode)
        state.count(endpoint, status)
    if status == 200:
        handler._send(200, body) if isinstance(body, bytes) else handler._json(200, body)
    else:
        handler._error(status, body)
