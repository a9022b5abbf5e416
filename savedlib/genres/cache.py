"""The artist cache (and the folder-of-Parquet-files cache it is made of): each artist Spotify was asked
about, once, shared by every library and snapshot.

A folder of plain Parquet files (``<cache>/artists/part-*.parquet``; the cache
folder is ``~/.cache/savedlib`` on Linux, ``SAVEDLIB_CACHE_DIR`` moves it), one
row per answer: ``artist_id``, ``name``, ``genres`` (a list), ``found`` (False
when Spotify does not know the id), ``genres_key`` (whether the answer carried
a ``genres`` key at all: earlier versions did not record it, so their answers
without genres count as unknown and are asked again) and ``read_at``. Each write adds a new file
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
        ("genres_key", pa.bool_()),
        ("read_at", pa.timestamp("us", tz="UTC")),
    ]
)
#: An answer younger than this is used without asking Spotify again.
MAX_AGE = timedelta(days=90)
#: Merge the files into one when there are more than this many.
MERGE_AT = 32


class PartsCache:
    """A folder of Parquet files, one per write, read as one table: the newest row per ``key``.

    Each write adds a new file under a temporary name renamed into place, so two
    processes writing at once lose nothing and never see half a file; now and then
    the files are merged into one under a lock no reader holds. ``schema`` is the
    files' columns (``read_at`` among them); files written before a column existed read it as null.
    """

    def __init__(self, folder: str | os.PathLike, schema: pa.Schema, key: str, max_age: timedelta):
        self.folder, self.schema, self.key, self.max_age = Path(folder), schema, key, max_age

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.folder}>"

    def read(self) -> pd.DataFrame:
        """Every key's newest row."""
        with self._lock(shared=True):  # a merge (which removes files) waits until this read is done
            tables = [pq.read_table(p, schema=self.schema) for p in sorted(self.folder.glob("part-*.parquet"))]
        return self._newest(tables).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)

    def fresh(self, keys: Iterable[str], max_age: timedelta | None = None) -> pd.DataFrame:
        """The rows about ``keys`` younger than ``max_age`` (by default the cache's own)."""
        frame = self.read()
        young = frame["read_at"] >= pd.Timestamp(datetime.now(UTC) - (max_age or self.max_age))
        return frame[young & frame[self.key].isin(list(keys))].reset_index(drop=True)

    def add(self, rows: list[dict], read_at: datetime | None = None) -> None:
        """Record rows (every column but ``read_at``: now, unless given); each write is a new file."""
        if not rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        table = pa.Table.from_pylist([{**row, "read_at": read_at or now} for row in rows], schema=self.schema)
        self._write(table, now)
        if len(list(self.folder.glob("part-*.parquet"))) > MERGE_AT:
            self.merge()

    def merge(self) -> None:
        """Merge the files into one (the newest row per key), under a lock no reader holds.
        Where the platform has no file locks (Windows), files are not merged: nothing is lost either way."""
        if fcntl is None:
            return
        with self._lock(shared=False):
            parts = sorted(self.folder.glob("part-*.parquet"))
            if len(parts) < 2:
                return
            merged = self._newest([pq.read_table(p, schema=self.schema) for p in parts])
            self._write(merged, datetime.now(UTC), "merged")
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

    def _newest(self, tables: list[pa.Table]) -> pa.Table:
        """One row per key: its newest."""
        table = pa.concat_tables(tables) if tables else self.schema.empty_table()
        frame = table.to_pandas().sort_values("read_at", kind="stable").drop_duplicates(self.key, keep="last")
        return pa.Table.from_pandas(frame.reset_index(drop=True), schema=self.schema, preserve_index=False)


class ArtistCache(PartsCache):
    """The artist cache; ``read()`` gives the newest answer per artist, ``add()`` records answers."""

    def __init__(self, folder: str | os.PathLike | None = None):
        super().__init__(folder if folder is not None else cache_dir() / "artists", SCHEMA, "artist_id", MAX_AGE)

    def fresh(self, ids: Iterable[str], max_age: timedelta | None = None) -> pd.DataFrame:
        """The answers about ``ids`` younger than ``max_age``; an answer without genres written before savedlib
        recorded whether it carried a ``genres`` key (``genres_key`` null) is not one: it is asked again."""
        frame = super().fresh(ids, max_age)
        empty = frame["genres"].map(len, na_action="ignore").fillna(0).eq(0)
        unsure = frame["found"].fillna(False).astype(bool) & empty & frame["genres_key"].isna()
        return frame[~unsure].reset_index(drop=True)
