"""The artist cache: each artist Spotify was asked about, once, shared by every library and snapshot.

A folder of plain Parquet files (``<cache>/artists/part-*.parquet``; the cache
folder is ``~/.cache/savedlib`` on Linux, ``SAVEDLIB_CACHE_DIR`` moves it), one
row per answer: ``artist_id``, ``name``, ``genres`` (a list), ``found`` (False
when Spotify does not know the id) and ``read_at``. Each write adds a new file
under a temporary name and renames it into place, so two notebooks enriching
at once lose nothing and never see half a file; readers take each artist's
newest answer. Now and then the files are merged into one, under a lock.
``pandas.read_parquet(folder)`` and DuckDB's ``read_parquet('<folder>/*.parquet')``
read it as it is.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from savedlib.files import atomic_write, cache_dir

try:
    import fcntl
except ImportError:  # Windows: no file locks; the files are then never merged
    fcntl = None

SCHEMA = pa.schema(
    [
        ("artist_id", pa.string()),
        ("name", pa.string()),
        ("genres", pa.list_(pa.string())),
        ("found", pa.bool_()),
        ("read_at", pa.timestamp("us", tz="UTC")),
    ]
)
#: An answer younger than this is used without asking Spotify again.
MAX_AGE = timedelta(days=90)
#: Merge the files into one when there are more than this many.
MERGE_AT = 32


class ArtistCache:
    """The cache folder; ``read()`` gives the newest answer per artist, ``add()`` records answers."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else cache_dir() / "artists"

    def __repr__(self) -> str:
        return f"<ArtistCache {self.folder}>"

    def read(self) -> pd.DataFrame:
        """Every artist's newest answer (one row per ``artist_id``)."""
        with self._lock(shared=True):  # a merge (which removes files) waits until this read is done
            tables = [pq.read_table(p, schema=SCHEMA) for p in sorted(self.folder.glob("part-*.parquet"))]
        return _newest(tables).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)

    def fresh(self, ids: Iterable[str], max_age: timedelta = MAX_AGE) -> pd.DataFrame:
        """The answers about ``ids`` younger than ``max_age``."""
        frame = self.read()
        young = frame["read_at"] >= pd.Timestamp(datetime.now(UTC) - max_age)
        return frame[young & frame["artist_id"].isin(list(ids))].reset_index(drop=True)

    def add(self, rows: list[dict]) -> None:
        """Record answers (``artist_id``, ``name``, ``genres``, ``found``); each write is a new file."""
        if not rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        table = pa.Table.from_pylist([{**row, "read_at": now} for row in rows], schema=SCHEMA)
        self._write(table, now)
        if len(list(self.folder.glob("part-*.parquet"))) > MERGE_AT:
            self.merge()

    def merge(self) -> None:
        """Merge the files into one (the newest answer per artist), under a lock no reader holds.
        Where the platform has no file locks (Windows), files are not merged: nothing is lost either way."""
        if fcntl is None:
            return
        with self._lock(shared=False):
            parts = sorted(self.folder.glob("part-*.parquet"))
            if len(parts) < 2:
                return
            self._write(_newest([pq.read_table(p, schema=SCHEMA) for p in parts]), datetime.now(UTC), "merged")
            for p in parts:  # the merged file holds them all; files written meanwhile are not in parts
                p.unlink(missing_ok=True)

    def _write(self, table: pa.Table, now: datetime, kind: str = "") -> None:
        name = f"part-{now:%Y%m%dT%H%M%S%f}-{os.getpid()}-{kind or uuid.uuid4().hex[:8]}.parquet"
        atomic_write(self.folder / name, lambda tmp: pq.write_table(table, tmp))

    @contextmanager
    def _lock(self, shared: bool):
        """Readers share the lock; a merge holds it alone."""
        if fcntl is None or not self.folder.is_dir():
            yield
            return
        with open(self.folder / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _newest(tables: list[pa.Table]) -> pa.Table:
    """One row per artist: its newest answer."""
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    frame = table.to_pandas().sort_values("read_at", kind="stable").drop_duplicates("artist_id", keep="last")
    return pa.Table.from_pandas(frame.reset_index(drop=True), schema=SCHEMA, preserve_index=False)
