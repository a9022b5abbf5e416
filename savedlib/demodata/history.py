"""A deterministic listening history for the demo library, written as Spotify's own privacy-download files.

The streams are drawn from the demo library's tracks (some saved tracks never
played, favourites played hundreds of times, old favourites forgotten), from
tracks that were never saved, and from podcasts and an audiobook; with skips,
incognito days, several platforms and countries. They are written in the
exact shapes of Spotify's files (the older ``endsong_0.json`` for the first
years, ``Streaming_History_Audio_*.json`` after, a video podcast's file, the account
data's one-year files), personal fields included with made-up values (IP
addresses from the documentation range), so that the real reader, and its
privacy rule, are what the demo exercises.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np

from savedlib.demodata.generate import END, demo_items

START = np.datetime64("2015-06-01T00:00:00", "s")
SHORT_PLATFORMS = np.array(["android", "ios", "osx", "windows", "linux"], dtype=object)
LONG_PLATFORMS = np.array(
    ["Android OS 9 API 28 (samsung, SM-G960F)", "iOS 13.4 (iPhone11,8)", "OS X 10.13.3 [x86 8]",
     "Windows 10 (10.0.17763; x64)", "web_player windows 10;chrome 95.0.4638.69;desktop"],
    dtype=object,
)  # fmt: skip
PLATFORM_SWITCH = np.datetime64("2023-10-19T00:00:00", "s")  # Spotify's platform names became short
OLD_FORMAT_UNTIL = np.datetime64("2018-01-01T00:00:00", "s")  # streams before this go to endsong_0.json
COUNTRIES = np.array(["DE", "DE", "DE", "DE", "DE", "DE", "FR", "ES", "US", "JP", "ZZ"], dtype=object)
SHOWS = [("Deep Cuts Radio", 40), ("The Saved Track", 25), ("Field Recordings", 12)]
BOOK = ("The Long Playlist", 12)
VIDEO_SHOW = ("Studio Sessions", 30)  # a video podcast: its streams come in Streaming_History_Video_*.json


@dataclass
class Catalogue:
    """Everything that can be played: tracks (saved or not), with what a stream record names."""

    uri: np.ndarray  # object, None for local files
    name: np.ndarray
    artist: np.ndarray
    album: np.ndarray
    duration: np.ndarray  # ms
    saved_at: np.ndarray  # datetime64[s]; NaT for tracks never saved
    local_uri: np.ndarray  # object: a local file's spotify:local: URI, None for others


def catalogue(n_tracks: int, seed: int) -> Catalogue:
    """The demo library's tracks (the saved ones) and as many again half as often played, never saved."""
    saved, other = demo_items(n_tracks, seed=seed), demo_items(max(n_tracks // 2, 1), seed=seed + 7919)
    rows = [(item, True) for item in saved] + [(item, False) for item in other if not item["track"]["is_local"]]

    def column(get, dtype=object) -> np.ndarray:
        return np.array([get(item["track"]) for item, _ in rows], dtype=dtype)

    saved_at = np.array(
        [np.datetime64(item["added_at"][:-1], "s") if was else np.datetime64("NaT", "s") for item, was in rows]
    )
    return Catalogue(
        uri=column(lambda t: None if t["is_local"] else t["uri"]),
        name=column(lambda t: t["name"]),
        artist=column(lambda t: t["artists"][0]["name"]),
        album=column(lambda t: t["album"]["name"]),
        duration=column(lambda t: t["duration_ms"], np.int64),
        saved_at=saved_at,
        local_uri=column(lambda t: t["uri"] if t["is_local"] else None),
    )


def _stream_times(rng: np.random.Generator, n: int) -> np.ndarray:
    """When ``n`` streams ended: a steady habit, slowly growing, with a daily rhythm."""
    days = int((END - START).astype("timedelta64[D]").astype(np.int64))
    trend = np.linspace(0.7, 1.3, days) * (1 + 0.3 * np.sin(np.arange(days) / 58.0))
    day = rng.choice(days, size=n, p=trend / trend.sum())
    hourly = np.array([3, 2, 1, 0.5, 0.3, 0.3, 1, 3, 5, 5, 4, 4, 5, 5, 4, 4, 5, 6, 7, 8, 8, 7, 6, 4], dtype=float)
    hour = rng.choice(24, size=n, p=hourly / hourly.sum())
    return START + (day * 86400 + hour * 3600 + rng.integers(0, 3600, n)).astype("timedelta64[s]")


def _track_streams(rng: np.random.Generator, cat: Catalogue, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which track each of ``n`` music streams played, and when (``datetime64[s]``), oldest first.

    Most streams are of tracks already saved, recent saves more than old ones, a few favourites
    again and again (some of them forgotten in the last year); some are of a track saved soon
    after (discovery); the rest of tracks never saved.
    """
    ts = np.sort(_stream_times(rng, n))
    saved = np.flatnonzero(~np.isnat(cat.saved_at))
    saved = saved[np.argsort(cat.saved_at[saved], kind="stable")]
    times = cat.saved_at[saved]
    others = np.flatnonzero(np.isnat(cat.saved_at))
    other_weight = rng.lognormal(0, 1.2, others.size)
    track = others[rng.choice(others.size, size=n, p=other_weight / other_weight.sum())]
    u = rng.random(n)
    # Already saved: how long ago the track was saved, mostly recently.
    age = np.where(rng.random(n) < 0.6, rng.exponential(120, n), rng.uniform(0, 3650, n))
    target = ts - (age * 86400).astype(np.int64).astype("timedelta64[s]")
    k = np.searchsorted(times, target, side="right") - 1 - rng.integers(0, 6, n)
    pick = (u < 0.62) & (k >= 0)
    track[pick] = saved[np.clip(k[pick], 0, None)]
    # Favourites: one in ten saved tracks, played again and again; some forgotten in the last year.
    favourite = saved[rng.random(saved.size) < 0.1]
    forgotten = rng.random(favourite.size) < 0.25
    f_times = cat.saved_at[favourite]
    f_k = np.searchsorted(f_times, ts, side="right")
    chosen = favourite[(rng.random(n) * np.maximum(f_k, 1)).astype(np.int64).clip(0, max(favourite.size - 1, 0))]
    quiet = np.isin(chosen, favourite[forgotten]) & (ts > END - np.timedelta64(400, "D"))
    fav = (u >= 0.62) & (u < 0.82) & (f_k > 0) & ~quiet
    track[fav] = chosen[fav]
    # Discovery: a track saved within the next two months.
    soon = np.searchsorted(times, ts + np.timedelta64(60, "D"), side="right") - 1
    found = (u >= 0.82) & (u < 0.88) & (soon >= 0) & (times[np.clip(soon, 0, None)] > ts)
    track[found] = saved[soon[found]]
    return track, ts


@dataclass
class Streams:
    """The demo's streams as columns, oldest first."""

    ts: np.ndarray
    kind: np.ndarray  # "track", "episode", "audiobook", "unknown"
    track: np.ndarray  # index into the catalogue, -1 for others
    show: np.ndarray  # object: show or book title
    episode: np.ndarray  # object: episode or chapter title
    ms_played: np.ndarray
    skipped: np.ndarray
    reason_start: np.ndarray
    reason_end: np.ndarray
    platform: np.ndarray
    country: np.ndarray
    shuffle: np.ndarray
    offline: np.ndarray
    incognito: np.ndarray


def _spoken(rng: np.random.Generator, n_episodes: int, n_book: int) -> tuple[np.ndarray, ...]:
    """Podcast and audiobook streams: (ts, kind, show, episode, length in ms)."""
    recent = END - np.timedelta64(4 * 365, "D")
    ts = recent + rng.integers(0, (END - recent).astype(np.int64), n_episodes + n_book).astype("timedelta64[s]")
    kind = np.array(["episode"] * n_episodes + ["audiobook"] * n_book, dtype=object)
    shows = [(title, k) for title, count in SHOWS for k in range(count)]
    picks = rng.integers(0, len(shows), n_episodes)
    show = np.array([shows[p][0] for p in picks] + [BOOK[0]] * n_book, dtype=object)
    chapters = rng.integers(1, BOOK[1] + 1, n_book)
    episode = np.array([f"Episode {shows[p][1] + 1}" for p in picks] + [f"Chapter {c}" for c in chapters], dtype=object)
    length = rng.integers(10 * 60_000, 50 * 60_000, n_episodes + n_book)
    return ts, kind, show, episode, length


def demo_streams(n_tracks: int = 2500, streams: int = 60_000, seed: int = 0) -> tuple[Catalogue, Streams]:
    """The demo library's catalogue and ``streams`` streams over ten years, deterministic for ``seed``."""
    rng = np.random.Generator(np.random.PCG64(seed + 1))
    cat = catalogue(n_tracks, seed)
    n_spoken = streams * 15 // 1000
    n_book = max(streams // 400, 1)
    n_music = streams - n_spoken - n_book
    track, ts = _track_streams(rng, cat, n_music)
    s_ts, s_kind, s_show, s_episode, s_length = _spoken(rng, n_spoken, n_book)
    ts = np.concatenate([ts, s_ts])
    kind = np.concatenate([np.full(n_music, "track", dtype=object), s_kind])
    track = np.concatenate([track, np.full(s_ts.size, -1)])
    length = np.concatenate([cat.duration[track[:n_music]], s_length])
    unknown = rng.random(ts.size) < 0.002  # a stream Spotify knows nothing about
    kind[unknown], track[unknown] = "unknown", -1
    order = np.argsort(ts, kind="stable")
    return cat, _details(rng, ts[order], kind[order], track[order], length[order],
                         np.concatenate([np.full(n_music, None, dtype=object), s_show])[order],
                         np.concatenate([np.full(n_music, None, dtype=object), s_episode])[order])  # fmt: skip


def _details(rng, ts, kind, track, length, show, episode) -> Streams:
    """How each stream went: how long, skipped or not, where, on what, in incognito or not."""
    n = ts.size
    skip = (rng.random(n) < 0.22) & (kind == "track")
    done = rng.random(n) < 0.85
    ms = np.where(skip, rng.integers(400, 29_000, n), np.where(done, length, (length * rng.uniform(0.2, 1, n))))
    day = ts.astype("datetime64[D]").astype(np.int64)
    incognito_days = np.unique(day)[rng.random(np.unique(day).size) < 0.02]
    device = rng.integers(0, 5, n)
    platform = np.where(ts < PLATFORM_SWITCH, LONG_PLATFORMS[device], SHORT_PLATFORMS[device]).astype(object)
    skipped = np.where(ts < np.datetime64("2018-06-01", "s"), None, skip).astype(object)
    return Streams(
        ts=ts,
        kind=kind,
        track=track,
        show=show,
        episode=episode,
        ms_played=ms.astype(np.int64),
        skipped=skipped,
        reason_start=rng.choice(np.array(["trackdone", "clickrow", "fwdbtn", "playbtn", "appload"], dtype=object), n,
                                p=[0.55, 0.2, 0.15, 0.05, 0.05]),
        reason_end=np.where(skip, "fwdbtn", np.where(done, "trackdone", "endplay")).astype(object),
        platform=platform,
        country=COUNTRIES[rng.integers(0, COUNTRIES.size, n)],
        shuffle=rng.random(n) < 0.4,
        offline=rng.random(n) < 0.05,
        incognito=np.isin(day, incognito_days),
    )  # fmt: skip


# --- Spotify's files -----------------------------------------------------------------------------


def _episode_uri(show: str, episode: str) -> str:
    return f"spotify:episode:demo{zlib.crc32(f'{show}/{episode}'.encode()):018d}"


def _record(cat: Catalogue, s: Streams, k: int, old: bool) -> dict:
    """Stream ``k`` as an extended-history record, in Spotify's key order (older files: older keys)."""
    t, kind = int(s.track[k]), s.kind[k]
    track = kind == "track"
    stamp = str(s.ts[k]) + "Z"
    offline_at = int(s.ts[k].astype(np.int64)) - int(s.ms_played[k]) // 1000
    record = {"ts": stamp}
    if old:
        record["username"] = "demolistener"
    record |= {"platform": s.platform[k], "ms_played": int(s.ms_played[k]), "conn_country": s.country[k]}
    record |= {"ip_addr_decrypted" if old else "ip_addr": f"192.0.2.{k % 250 + 1}"}
    if old:
        record["user_agent_decrypted"] = "unknown"
    record |= {
        "master_metadata_track_name": cat.name[t] if track else None,
        "master_metadata_album_artist_name": cat.artist[t] if track else None,
        "master_metadata_album_album_name": cat.album[t] if track else None,
        "spotify_track_uri": cat.uri[t] if track else None,
        "episode_name": s.episode[k] if kind == "episode" else None,
        "episode_show_name": s.show[k] if kind == "episode" else None,
        "spotify_episode_uri": _episode_uri(s.show[k], s.episode[k]) if kind == "episode" else None,
    }
    if not old:
        book = kind == "audiobook"
        record |= {
            "audiobook_title": s.show[k] if book else None,
            "audiobook_uri": "spotify:show:demobook0000000000000001" if book else None,
            "audiobook_chapter_uri": f"spotify:episode:demochapter{s.episode[k][8:]:0>10}" if book else None,
            "audiobook_chapter_title": s.episode[k] if book else None,
        }
    record |= {
        "reason_start": s.reason_start[k],
        "reason_end": s.reason_end[k],
        "shuffle": bool(s.shuffle[k]),
        "skipped": s.skipped[k] if s.skipped[k] is None else bool(s.skipped[k]),
        "offline": bool(s.offline[k]),
        "offline_timestamp": offline_at * (1000 if old else 1) if s.offline[k] else 0,
        "incognito_mode": bool(s.incognito[k]),
    }
    return record


def _pretty(records: list) -> bytes:
    """JSON as Spotify writes these files now: an array, two-space indents."""
    return msgspec.json.format(msgspec.json.encode(records), indent=2)


def extended_files(cat: Catalogue, s: Streams, per_file: int = 15_000) -> dict[str, bytes]:
    """The extended streaming history, named and shaped as Spotify sends it."""
    folder = "Spotify Extended Streaming History/"
    old = s.ts < OLD_FORMAT_UNTIL
    earlier = np.flatnonzero(old)
    out = {
        folder + f"endsong_{n}.json": _pretty([_record(cat, s, k, True) for k in earlier[start : start + per_file]])
        for n, start in enumerate(range(0, max(earlier.size, 1), per_file))
    }
    new = np.flatnonzero(~old)
    for n, start in enumerate(range(0, new.size, per_file)):
        chunk = new[start : start + per_file]
        first, last = (int(str(s.ts[chunk[i]])[:4]) for i in (0, -1))
        years = f"{first}" if first == last else f"{first}-{last}"
        out[folder + f"Streaming_History_Audio_{years}_{n}.json"] = _pretty([_record(cat, s, k, False) for k in chunk])
    video = _video_streams(max(s.ts.size // 1000, 1))
    years = f"{str(video.ts[0])[:4]}-{str(video.ts[-1])[:4]}"
    records = [_record(cat, video, k, False) for k in range(video.ts.size)]
    out[folder + f"Streaming_History_Video_{years}.json"] = _pretty(records)
    return out


def _video_streams(n: int) -> Streams:
    """``n`` streams of a video podcast in the last three years, oldest first (their own generator: the
    audio streams stay as they are)."""
    rng = np.random.Generator(np.random.PCG64(n + 104_729))
    start = END - np.timedelta64(3 * 365, "D")
    ts = np.sort(start + rng.integers(0, (END - start).astype(np.int64), n).astype("timedelta64[s]"))
    episode = np.array([f"Episode {k}" for k in rng.integers(1, VIDEO_SHOW[1] + 1, n)], dtype=object)
    length = rng.integers(15 * 60_000, 70 * 60_000, n)
    show = np.full(n, VIDEO_SHOW[0], dtype=object)
    return _details(rng, ts, np.full(n, "episode", dtype=object), np.full(n, -1), length, show, episode)


def account_files(cat: Catalogue, s: Streams) -> dict[str, bytes]:
    """The account data's last year of listening (and a file that is not listening data)."""
    folder = "Spotify Account Data/"
    last_year = np.flatnonzero(s.ts >= END - np.timedelta64(365, "D"))

    def minute(k: int) -> str:
        return str(s.ts[k].astype("datetime64[m]")).replace("T", " ")

    music = [
        {"endTime": minute(k), "artistName": cat.artist[s.track[k]], "trackName": cat.name[s.track[k]],
         "msPlayed": int(s.ms_played[k])}
        for k in last_year if s.kind[k] == "track"
    ]  # fmt: skip
    podcast = [
        {"endTime": minute(k), "podcastName": s.show[k], "episodeName": s.episode[k], "msPlayed": int(s.ms_played[k])}
        for k in last_year
        if s.kind[k] == "episode"
    ]
    user = {"username": "demolistener", "email": "listener@example.com", "country": "DE", "birthdate": "1990-01-01"}
    return {
        folder + "StreamingHistory_music_0.json": _pretty(music),
        folder + "StreamingHistory_podcast_0.json": _pretty(podcast),
        folder + "Userdata.json": _pretty(user),
    }


def your_library(cat: Catalogue) -> bytes:
    """``YourLibrary.json`` of the account data: the saved tracks as Spotify lists them there (no dates)."""
    saved = np.flatnonzero(~np.isnat(cat.saved_at))
    saved = saved[np.argsort(-cat.saved_at[saved].astype(np.int64), kind="stable")]
    tracks = [
        {"artist": cat.artist[k], "album": cat.album[k], "track": cat.name[k], "uri": cat.uri[k] or cat.local_uri[k]}
        for k in saved
    ]
    empty: list = []
    return _pretty({"tracks": tracks, "albums": empty, "shows": empty, "episodes": empty, "bannedTracks": empty,
                    "artists": empty, "bannedArtists": empty, "other": empty})  # fmt: skip


def download_files(n_tracks: int = 2500, streams: int = 60_000, seed: int = 0) -> dict[str, dict[str, bytes]]:
    """The demo's privacy download as Spotify sends it: two zips (name -> {path in the zip: bytes})."""
    cat, s = demo_streams(n_tracks, streams, seed)
    account = {**account_files(cat, s), "Spotify Account Data/YourLibrary.json": your_library(cat)}
    return {"my_spotify_data.zip": extended_files(cat, s), "my_spotify_data (1).zip": account}


def write_download(
    folder: str | Path, n_tracks: int = 2500, streams: int = 60_000, seed: int = 0, zipped: bool = True
) -> Path:
    """Write the demo's privacy download into ``folder``: Spotify's two zips, or (``zipped=False``) their
    contents extracted side by side. ``savedlib.read_history(folder)`` reads either."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, files in download_files(n_tracks, streams, seed).items():
        if zipped:
            with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
                for path, data in files.items():
                    archive.writestr(path, data)
        else:
            for path, data in files.items():
                (folder / path).parent.mkdir(parents=True, exist_ok=True)
                (folder / path).write_bytes(data)
    return folder


def in_memory_zip(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    buffer.seek(0)
    return buffer
