"""Finding the listening-history files in what Spotify's privacy download gives: a zip, a folder, a file.

File names, as Spotify writes them (checked against public tools that read them):

- Extended streaming history, folder ``Spotify Extended Streaming History/``:
  ``Streaming_History_Audio_<years>_<n>.json`` (older downloads ``endsong_<n>.json``);
  video streams in ``Streaming_History_Video_<years>.json`` (older ``endvideo.json``).
- Account data, folder ``Spotify Account Data/`` (older ``MyData/``): the last
  year in ``StreamingHistory_music_<n>.json`` (older ``StreamingHistory<n>.json``),
  ``StreamingHistory_podcast_<n>.json`` and ``StreamingHistory_audiobook_<n>.json``.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from savedlib.errors import HistoryError

#: File name patterns → what the file holds.
KINDS = [
    (re.compile(r"^Streaming_History_Audio_.*\.json$", re.I), "extended"),
    (re.compile(r"^endsong(_\d+)?\.json$", re.I), "extended"),
    (re.compile(r"^Streaming_History_Video_.*\.json$", re.I), "video"),
    (re.compile(r"^endvideo(_\d+)?\.json$", re.I), "video"),
    (re.compile(r"^StreamingHistory_music_\d+\.json$", re.I), "one-year music"),
    (re.compile(r"^StreamingHistory\d+\.json$", re.I), "one-year music"),
    (re.compile(r"^StreamingHistory_podcast_\d+\.json$", re.I), "one-year podcast"),
    (re.compile(r"^StreamingHistory_audiobook_\d+\.json$", re.I), "one-year audiobook"),
]
READ = {"extended", "video", "one-year music", "one-year podcast", "one-year audiobook", "unknown"}
WHY_IGNORED = {"other": "not listening history"}


@dataclass
class Found:
    """One file of a download: its name, what it holds, and how to read its bytes."""

    name: str  # the path inside the zip or folder, for messages and info
    kind: str
    source: Path | zipfile.ZipFile
    member: str | None = None

    def read(self) -> bytes:
        if isinstance(self.source, zipfile.ZipFile):
            return self.source.read(self.member)
        return self.source.read_bytes()


def kind_of(name: str) -> str:
    """What a file holds, from its name: one of ``KINDS``' kinds, or ``"other"``."""
    base = PurePosixPath(name).name
    return next((kind for pattern, kind in KINDS if pattern.match(base)), "other")


def find(path: str | os.PathLike) -> list[Found]:
    """Every file of the download at ``path`` (a zip, a folder, or one file), with what it holds.

    Raises ``HistoryError`` for a path that does not exist or an empty zip or folder.
    """
    path = Path(path)
    if not path.exists():
        raise HistoryError(f"{path} does not exist")
    if path.is_dir():  # zips inside count too: Spotify sends the two parts as two zips
        found = []
        for p in sorted(_files(path)):
            inside = in_zip(zipfile.ZipFile(p), f"{p.relative_to(path)}/") if zipfile.is_zipfile(p) else None
            found += inside if inside is not None else [Found(str(p.relative_to(path)), kind_of(p.name), p)]
    elif zipfile.is_zipfile(path):
        found = in_zip(zipfile.ZipFile(path))
    else:  # one file, named as the person pleases: its records will say what it is
        kind = kind_of(path.name)
        return [Found(path.name, "unknown" if kind == "other" else kind, path)]
    if not found:
        raise HistoryError(f"{path} is empty: no files in it")
    return found


def in_zip(archive: zipfile.ZipFile, prefix: str = "") -> list[Found]:
    """The files of a zip (an open file or one in memory)."""
    names = [n for n in archive.namelist() if not n.endswith("/") and not _hidden(n)]
    return [Found(prefix + n, kind_of(n), archive, n) for n in sorted(names)]


def _files(folder: Path) -> Iterator[Path]:
    for p in folder.rglob("*"):
        if p.is_file() and not _hidden(str(p.relative_to(folder))):
            yield p


def _hidden(name: str) -> bool:
    """macOS and editors leave these in zips and folders: never Spotify's."""
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)
