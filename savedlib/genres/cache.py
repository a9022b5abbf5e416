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

import fcntl
import os
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from savedlib.files import atomic_write, cache_dir, fsync

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
        for _ in range(3):  # a merge may remove a file between listing and reading: list again
            try:
                tables = [pq.read_table(p, schema=SCHEMA) for p in sorted(self.folder.glob("part-*.parquet"))]
                break
            except FileNotFoundError:
                continue
        else:
            tables = []
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
        frame = frame.sort_values("read_at", kind="stable").drop_duplicates("artist_id", keep="last")
        return frame.reset_index(drop=True)

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
        name = f"part-{now:%Y%m%dT%H%M%S%f}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        atomic_write(self.folder / name, lambda tmp: pq.write_table(table, tmp))
        if len(list(self.folder.glob("part-*.parquet"))) > MERGE_AT:
            self.merge()

    def merge(self) -> None:
        """Merge the files into one (the newest answer per artist), under a lock; readers never miss one."""
        with self._lock():
            parts = sorted(self.folder.glob("part-*.parquet"))
            if len(parts) < 2:
                return
            tables = [pq.read_table(p, schema=SCHEMA) for p in parts]
            merged = pa.concat_tables(tables).to_pandas()
            merged = merged.sort_values("read_at", kind="stable").drop_duplicates("artist_id", keep="last")
            table = pa.Table.from_pandas(merged, schema=SCHEMA, preserve_index=False)
            name = f"part-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}-merged.parquet"
            atomic_write(self.folder / name, lambda tmp: pq.write_table(table, tmp))
            for p in parts:  # the merged file holds them all; new files written meanwhile are not in parts
                p.unlink(missing_ok=True)

    @contextmanager
    def _lock(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".merge.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fsync(self.folder / ".merge.lock")
                fcntl.flock(handle, fcntl.LOCK_UN)
