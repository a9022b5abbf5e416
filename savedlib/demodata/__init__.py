"""The built-in demo library: realistic, deterministic, no Spotify account needed."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

from savedlib.demodata.generate import END, demo_items
from savedlib.demodata.genres import artist_genres, coverage
from savedlib.demodata.history import download_files, in_memory_zip, write_download
from savedlib.demodata.playlists import ME, demo_playlists, privacy_files
from savedlib.frames.long import genre_table
from savedlib.history import History
from savedlib.history.files import in_zip
from savedlib.history.history import read_files
from savedlib.library import Library, from_items
from savedlib.playlists.web import from_answers

__all__ = [
    "demo",
    "demo_history",
    "demo_items",
    "demo_playlists",
    "write_demo_download",
    "write_demo_exportify",
    "write_demo_playlists",
]

#: When the demo library was "read": fixed, so the same arguments give the same library.
DEMO_READ_AT = "2026-11-01T00:00:00Z"


def demo(n: int = 2500, seed: int = 0, dev_mode: bool = False, playlists: bool = False) -> Library:
    """A deterministic demo library of ``n`` saved tracks spanning ten years up to {end}.

    It is built from raw items in the exact ``/v1/me/tracks`` shape
    (``demo_items``), so it goes through the same code as a real library. About
    half of its artists have genres (``lib.genres``), as after ``savedlib.add_genres``.
    ``dev_mode=True`` gives the 2026 Development Mode shape (no popularity, no markets).
    ``playlists=True`` adds the demo listener's playlists (``lib.playlists``, ``lib.playlist_items``), as
    ``savedlib.add_playlists`` reads them from the stand-in.
    """
    items = demo_items(n, seed=seed, dev_mode=dev_mode)
    shape = "development mode" if dev_mode else "full"
    lib = from_items(items, source=f"demo (n={n}, seed={seed}, {shape} shape)", read_at=DEMO_READ_AT, total=len(items))
    genres = artist_genres(lib, seed)
    lib.info["genres"] = coverage(lib, genres)
    lib = replace(lib, genres=genre_table(lib.artists, genres))
    if playlists:
        made = demo_playlists(items, seed)
        listed = [{**p, "items": {"total": len(p["entries"])}} for p in made]  # as GET /v1/me/playlists lists them
        lib = from_answers(lib, listed, {p["id"]: p["entries"] for p in made}, ME)
        lib.info["playlists"]["source"] = "demo"
    return lib


demo.__doc__ = demo.__doc__.format(end=str(END)[:10])


def demo_history(seed: int = 0, n: int = 2500, streams: int = 60_000) -> History:
    """A deterministic listening history of ten years for ``demo(n, seed)``: ``streams`` streams of its
    tracks (some saved tracks never played, old favourites forgotten), of tracks never saved, podcasts
    and an audiobook. It is read by the real reader from Spotify's own file shapes (``write_demo_download``)."""
    found = []
    for name, files in download_files(n, streams, seed).items():
        found += in_zip(zipfile.ZipFile(in_memory_zip(files)), f"{name}/")
    return read_files(found, f"demo history (n={n}, streams={streams:,}, seed={seed})", DEMO_READ_AT)


def write_demo_download(
    folder: str | Path, seed: int = 0, n: int = 2500, streams: int = 60_000, zipped: bool = True
) -> Path:
    """Write the demo's privacy download into ``folder`` as Spotify sends it: ``my_spotify_data.zip``
    (the extended streaming history) and ``my_spotify_data (1).zip`` (account data); ``zipped=False``
    writes their folders instead. ``savedlib.read_history(folder)`` reads it."""
    return write_download(folder, n, streams, seed, zipped)


def write_demo_exportify(
    path: str | Path, n: int = 2500, seed: int = 0, flavour: str = "exportify.net", language: str = "en"
) -> Path:
    """Write ``demo(n, seed)`` as an Exportify exporter writes Liked Songs: ``flavour`` "exportify.net", or
    "watsonbox" with its headers in ``language``; with made-up record labels and audio features.
    ``savedlib.read_exportify(path)`` reads it."""
    from savedlib.demodata.exportify import write_exportify

    return write_exportify(path, demo(n, seed), flavour, language, seed)


def write_demo_playlists(folder: str | Path, n: int = 2500, seed: int = 0, shape: str = "2026") -> list[Path]:
    """Write the demo listener's own playlists into ``folder`` as the privacy download's ``PlaylistN.json``
    files, in ``shape`` (when the download was made: "2021-early", "2021-late", "2022", "2024", "2025-aug",
    "2025-dec" or "2026"). ``savedlib.read_playlists(folder, savedlib.demo(n, seed))`` reads them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in privacy_files(demo_playlists(demo_items(n, seed=seed), seed), shape).items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths
