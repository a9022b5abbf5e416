"""How savedlib writes a file safely: one home for every caller.

A file is written under a temporary name in the same folder, flushed and
fsynced, then renamed over the real name. A crash at any moment leaves either
the old file or the new one, never half of either. Temporary files are created
with mode 0600 (``mkstemp``), so private data is private from the first byte.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    """savedlib's per-user cache folder: sign-ins, the artist cache (``SAVEDLIB_CACHE_DIR`` moves it)."""
    return Path(os.environ.get("SAVEDLIB_CACHE_DIR") or platformdirs.user_cache_dir("savedlib"))


def atomic_write(target: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file beside ``target``, fsync it, and rename it to ``target``."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        fsync(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(target: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def fsync(path: Path) -> None:
    """Push a file's bytes to the disk."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def fsync_tree(folder: Path) -> None:
    """fsync every file under ``folder`` (before renaming the folder into place)."""
    for file in folder.rglob("*"):
        if file.is_file():
            fsync(file)
