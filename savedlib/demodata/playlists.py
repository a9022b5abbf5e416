"""The demo's playlists, consistent with the demo library, in the Web API's shape and as the privacy files.

Saved songs in no playlist, songs in playlists never saved (drawn from the same
"never saved" tracks as the demo history), favourites in five or more, local
files, an episode, a saved song's other release (matched by ISRC) and a copy
known only by its names, a collaborative playlist of someone else, a followed
playlist of someone else (its entries unreadable: 403), one of Spotify's (404),
two playlists named "Chill", an empty one. ``privacy_files`` writes the owned
ones as ``PlaylistN.json`` in each shape those files have had.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re

import numpy as np

from savedlib.demodata.generate import END, demo_items

ME = "demolistener"
#: (name, owner, collaborative, share of the saved library, share of never-saved songs, description)
PLAN = [
    ("Running", ME, False, 0.05, 0.004, "Fast ones & loud ones"),
    ("Sunday morning", ME, False, 0.03, 0.002, "Coffee, paper, Sunday's slow start"),
    ("Road trip 2019", ME, False, 0.06, 0.0, ""),
    ("Chill", ME, False, 0.025, 0.0, ""),
    ("Chill", ME, False, 0.015, 0.004, "the other chill"),
    ("Favourites of all time", ME, False, 0.10, 0.0, "<3"),
    ("Listen later", ME, False, 0.01, 0.004, ""),
    ("Office party \N{MAN DANCING}", "sam.colleague", True, 0.02, 0.004, "Add yours!"),
    ("Indie finds", "maya", False, 0.01, 0.008, "Maya's picks"),
    ("Today's Top Hits", "spotify", False, 0.0, 0.02, "The hottest 50."),
    ("Empty for now", ME, False, 0.0, 0.0, ""),
]
SHAPES = ("2021-early", "2021-late", "2022", "2024", "2025-aug", "2025-dec", "2026")


def _user(user_id: str, name: str | None = None) -> dict:
    return {
        "display_name": name or user_id,
        "external_urls": {"spotify": f"https://open.spotify.com/user/{user_id}"},
        "href": f"https://api.spotify.com/v1/users/{user_id}",
        "id": user_id,
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def _id(text: str, length: int = 22) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return (digest + digest)[:length].replace("0", "A").replace("1", "b")


def snapshot_id(playlist: dict) -> str:
    """A snapshot id that changes whenever the playlist's name or entries change (as Spotify's does)."""
    uris = "|".join(str((e.get("item") or {}).get("uri")) for e in playlist["entries"])
    return "MTc" + hashlib.sha256((playlist["name"] + uris).encode()).hexdigest()[:29]


def entry(track: dict | None, added_at: str | None, by: str = ME) -> dict:
    """A playlist entry as ``GET /v1/playlists/{id}/items`` sends it to a new app in 2026 (``item``)."""
    return {
        "added_at": added_at,
        "added_by": _user(by),
        "is_local": bool(track and track.get("is_local")),
        "item": track,
        "primary_color": None,
        "video_thumbnail": {"url": None},
    }


def _episode() -> dict:
    eid = _id("episode")
    return {
        "type": "episode",
        "id": eid,
        "uri": f"spotify:episode:{eid}",
        "name": "Why we save songs",
        "duration_ms": 2_710_000,
        "release_date": "2025-03-04",
        "show": {"name": "Deep Cuts Radio", "id": _id("show"), "type": "show", "uri": f"spotify:show:{_id('show')}"},
    }


def _other_releases(saved: list[dict]) -> list[dict]:
    """A saved song's other release (another id, the same ISRC) and a copy with another id and no ISRC
    (matched only by its title, artist and album)."""
    a, b = copy.deepcopy(saved[0]), copy.deepcopy(saved[1])
    a["id"], b["id"] = _id("isrc copy"), _id("names copy")
    a["uri"], b["uri"] = f"spotify:track:{a['id']}", f"spotify:track:{b['id']}"
    b["external_ids"] = {}
    return [a, b]


def _dates(rng: np.random.Generator, saved_at: list[str]) -> list[str]:
    """When each song went into a playlist: some days after it was saved (never after the demo's end)."""
    end = np.datetime64(END, "s")
    out = []
    for when in saved_at:
        start = np.datetime64(when[:-1], "s") if when else end - np.timedelta64(900, "D")
        later = start + np.timedelta64(int(rng.integers(0, 200 * 86400)), "s")
        out.append(str(min(later, end)) + "Z")
    return out


def demo_playlists(items: list[dict], seed: int = 0) -> list[dict]:
    """The demo's playlists for the saved ``items`` (``demo_items(n, seed)``), each a playlist object of
    ``GET /v1/me/playlists`` plus its ``entries`` (those of ``GET /v1/playlists/{id}/items``)."""
    rng = np.random.default_rng(seed + 24)
    saved = [i for i in items if i.get("track")]
    songs = [i for i in saved if not i["track"]["is_local"]]
    local = [i for i in saved if i["track"]["is_local"]]
    others = [i["track"] for i in demo_items(max(len(items) // 2, 1), seed=seed + 7919) if not i["track"]["is_local"]]
    favourites = [songs[k] for k in rng.choice(len(songs), min(len(songs), max(3, len(songs) // 100)), replace=False)]
    playlists = []
    for k, (name, owner, collaborative, share, unsaved, description) in enumerate(PLAN):
        pick = [songs[j] for j in rng.choice(len(songs), min(len(songs), int(share * len(songs))), replace=False)]
        if share and name not in ("Indie finds",):
            pick += favourites
        dates = _dates(rng, [i["added_at"] for i in pick])
        tracks = [i["track"] for i in pick]
        stranger = [
            others[j] for j in rng.choice(len(others), min(len(others), int(unsaved * len(items))), replace=False)
        ]
        tracks += stranger
        dates += _dates(rng, [None] * len(stranger))
        if name == "Road trip 2019":
            dates[: len(dates) // 5] = [None] * (len(dates) // 5)  # very old entries: Spotify sends no date
        if name == "Listen later":
            tracks += [_episode(), *_other_releases([i["track"] for i in songs[:2]])]
            dates += _dates(rng, [None] * 3)
        if name == "Running":
            tracks += [i["track"] for i in local]
            dates += _dates(rng, [i["added_at"] for i in local])
        people = [ME, owner] if collaborative else [owner]
        entries = [entry(t, d, people[j % len(people)]) for j, (t, d) in enumerate(zip(tracks, dates, strict=True))]
        pid = "37i9dQZF1DXcBWIGoYBM5M" if owner == "spotify" else _id(f"{seed}:{k}:{name}")
        playlists.append(_playlist(pid, name, owner, collaborative, description, entries))
    return playlists


def _playlist(pid: str, name: str, owner: str, collaborative: bool, description: str, entries: list) -> dict:
    playlist = {
        "collaborative": collaborative,
        "description": html.escape(description),  # Spotify sends descriptions HTML-escaped
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{pid}"},
        "href": f"https://api.spotify.com/v1/playlists/{pid}",
        "id": pid,
        "images": [],
        "name": name,
        "owner": _user(owner, {"spotify": "Spotify", ME: "Demo Listener"}.get(owner)),
        "primary_color": None,
        "public": not collaborative,
        "type": "playlist",
        "uri": f"spotify:playlist:{pid}",
        "entries": entries,
    }
    playlist["snapshot_id"] = snapshot_id(playlist)
    return playlist


def many_playlists(items: list[dict], count: int, size: int, seed: int = 0) -> list[dict]:
    """``count`` playlists of ``size`` songs of ``items``, all the demo listener's (for benchmarks)."""
    rng = np.random.default_rng(seed)
    songs = [i["track"] for i in items if i.get("track")]
    out = []
    for k in range(count):
        picked = rng.integers(0, len(songs), size)
        entries = [entry(songs[j], "2025-01-01T00:00:00Z") for j in picked]
        out.append(_playlist(_id(f"many:{seed}:{k}"), f"Playlist {k + 1}", ME, False, "", entries))
    return out


# --- the privacy download's files --------------------------------------------------------


def _file_item(e: dict, shape: str) -> dict:
    """One entry as ``PlaylistN.json`` writes it in ``shape`` (``SHAPES``)."""
    item, year = e["item"] or {}, SHAPES.index(shape)
    track = episode = local = None
    if e["is_local"]:
        local = {"uri": item["uri"]}
    elif item.get("type") == "episode":
        episode = {"episodeName": item["name"], "showName": item["show"]["name"]}
        if year >= 1:
            episode["episodeUri"] = item["uri"]
    else:
        track = {
            "trackName": item["name"],
            "artistName": item["artists"][0]["name"],
            "albumName": item["album"]["name"],
        }
        if year >= 1:
            track["trackUri"] = item["uri"]
    out = {"track": track, "episode": episode, "localTrack": local}
    if year >= 3:
        out["audiobook"] = None
    if year >= 2:
        out["addedDate"] = (e["added_at"] or "2016-01-01")[:10]
    return out


def _file_playlist(p: dict, shape: str) -> dict:
    year = SHAPES.index(shape)
    out = {
        "name": p["name"],
        "lastModifiedDate": max([e["added_at"] or "2016-01-01" for e in p["entries"]] or ["2026-10-31"])[:10],
        "items": [_file_item(e, shape) for e in p["entries"]],
        "description": p["description"] or None,
        "numberOfFollowers": 0,
    }
    if year >= 4:
        out["collaborators"] = ["<anonymous-user>"] if p["collaborative"] else []
    return out


def _without_nulls(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _encode(document: dict, shape: str) -> bytes:
    """The file's text as Spotify's printer of that time wrote it."""
    if shape == "2026":  # null keys left out; non-ASCII as escaped (upper-case) surrogate pairs
        text = json.dumps(_without_nulls(document), indent=2, ensure_ascii=True)
        return re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text).encode()
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if shape == "2025-dec":  # another pretty-printer: "key" : value, [ {, [ ]
        text = re.sub(r'^(\s*"(?:[^"\\]|\\.)*"): ', r"\1 : ", text, flags=re.M).replace("[]", "[ ]")
    return text.encode()


def privacy_files(playlists: list[dict], shape: str = "2026", per_file: int = 10_000) -> dict[str, bytes]:
    """The person's own and collaborative playlists as ``Playlist1.json``, ``Playlist2.json`` ... in ``shape``;
    at most ``per_file`` items a file, a playlist never split. (Spotify's and followed ones are not in them.)"""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    kept = [p for p in playlists if p["owner"]["id"] == ME or p["collaborative"]]
    files, current, size = [], [], 0
    for p in kept:
        if current and size + len(p["entries"]) > per_file:
            files.append(current)
            current, size = [], 0
        current.append(_file_playlist(p, shape))
        size += len(p["entries"])
    files.append(current)
    return {f"Playlist{k + 1}.json": _encode({"playlists": f}, shape) for k, f in enumerate(files)}
