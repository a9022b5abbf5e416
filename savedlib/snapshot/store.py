"""A snapshot on disk: the raw items, the typed tables and the history of changes, written atomically.

Layout of a snapshot folder::

    SNAPSHOT/
      snapshot.json            what is here: format, version, complete or not, total, when, which data folder
      v000003/                 the current data (older versions are removed after each commit)
        items.parquet          the raw saved items, one per row: position, json (as Spotify sent them)
        changes.parquet        every addition and removal seen so far, with when it was seen
        library/               the typed tables (Library.to_parquet): tracks, artists, markets, info.json

A save writes a new ``vNNNNNN`` folder completely, then replaces ``snapshot.json``
(temporary file, then rename) to point at it: a crash at any moment leaves the
previous snapshot intact. Reading checks every file and names the one that is
damaged; a snapshot written by a newer savedlib is refused. Snapshots hold no tokens.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from savedlib.errors import SnapshotError
from savedlib.files import atomic_write_text, fsync_tree
from savedlib.items.raw import RawItem, raw_item, to_json
from savedlib.library import Library, read_parquet
from savedlib.text import utc_stamp

FORMAT = "savedlib-snapshot"
VERSION = 1
CHANGE_COLUMNS = {
    "change": pd.StringDtype("pyarrow"),
    "seen_at": "datetime64[us, UTC]",
    "added_at": "datetime64[us, UTC]",
    "track_id": pd.StringDtype("pyarrow"),
    "track_uri": pd.StringDtype("pyarrow"),
    "track_name": pd.StringDtype("pyarrow"),
    "artists": pd.StringDtype("pyarrow"),
}


def with_changes(lib: Library, changes: pd.DataFrame) -> Library:
    """The one place a library gets its history of changes."""
    return replace(lib, changes=changes)


def empty_changes() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in CHANGE_COLUMNS.items()})


class HeldItems(Mapping):
    """A snapshot's raw items by position (offset at read time), as ``RawItem``: read from the file and
    decoded only when asked for, so an unchanged refresh reads and decodes the first page's worth and no
    more (at 50,000 tracks the whole file is some 170 MB of JSON). Valid until the snapshot is next
    written (which removes the file it reads)."""

    HEAD = 64  # more than a page: what an unchanged refresh compares

    def __init__(self, positions: list[int], file: Path):
        self._positions, self._file = positions, file
        self._index = {p: i for i, p in enumerate(positions)}
        self._items: dict[int, RawItem] = {}
        self._head: pa.Array | None = None
        self._all: pa.Array | None = None
        self._ordered: list[RawItem] | None = None

    def _texts(self, upto: int) -> pa.Array:
        """The ``json`` column as bytes, at least its first ``upto`` rows."""
        if self._all is not None or (self._head is not None and upto <= len(self._head)):
            return self._all if self._all is not None else self._head
        try:
            if upto <= self.HEAD:
                with pq.ParquetFile(self._file) as file:
                    batch = next(file.iter_batches(batch_size=self.HEAD, columns=["json"]), None)
                self._head = (batch.column(0) if batch is not None else pa.array([], pa.string())).cast(pa.binary())
                return self._head
            self._all = pq.read_table(self._file, columns=["json"]).column("json").combine_chunks().cast(pa.binary())
            return self._all
        except Exception as exc:  # pyarrow raises several kinds for damaged files
            raise SnapshotError(f"{self._file} is damaged ({exc}); the snapshot was left as it is") from None

    def _item(self, i: int, text: bytes | None = None) -> RawItem:
        item = self._items.get(i)
        if item is None:
            item = raw_item(text if text is not None else self._texts(i + 1)[i].as_py())
            if item is None:
                raise SnapshotError(f"{self._file} holds a damaged item at position {self._positions[i]}")
            self._items[i] = item
        return item

    def __getitem__(self, position: int) -> RawItem:
        return self._item(self._index[position])

    def __iter__(self) -> Iterator[int]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def first(self, n: int) -> list[RawItem]:
        """The first ``n`` items in position order."""
        return [self._item(i) for i in range(min(n, len(self._positions)))]

    def ordered(self) -> list[RawItem]:
        """Every item, in position order (the same list each time: a refresh asks three times)."""
        if self._ordered is None:
            texts = self._texts(len(self._positions)).to_pylist()
            self._ordered = [self._item(i, texts[i]) for i in range(len(self._positions))]
            self._all = self._head = None  # each item holds its own bytes now
        return self._ordered


@dataclass
class Stored:
    """What a snapshot holds: raw items by position, whether complete, and the history of changes."""

    items: Mapping[int, dict]  # position (offset at read time) -> raw item
    complete: bool
    total: int
    meta: dict = field(default_factory=dict)
    changes: pd.DataFrame = field(default_factory=empty_changes)
    library: Library | None = None


class Snapshot:
    """One snapshot folder."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.meta_file = self.path / "snapshot.json"

    def __repr__(self) -> str:
        return f"<Snapshot {self.path}>"

    def exists(self) -> bool:
        return self.meta_file.exists()

    # --- reading ------------------------------------------------------------------------

    def read_meta(self) -> dict:
        try:
            meta = json.loads(self.meta_file.read_text())
        except FileNotFoundError:
            raise SnapshotError(f"{self.meta_file} not found: {self.path} is not a savedlib snapshot") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise SnapshotError(
                f"{self.meta_file} is damaged ({exc}); the snapshot was left as it is. "
                "Move it aside to start a new one."
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise SnapshotError(f"{self.meta_file} is not a savedlib snapshot description")
        if meta.get("version", 0) > VERSION:
            raise SnapshotError(
                f"{self.path} was written by a newer savedlib (snapshot format {meta['version']}; "
                f"this one reads {VERSION}): upgrade savedlib to use it"
            )
        return meta

    def read(self, typed: bool = True) -> Stored:
        """Everything the snapshot holds; ``typed=False`` skips the typed tables (for a refresh)."""
        meta = self.read_meta()
        data = self.path / meta["data"]
        items_file = data / "items.parquet"
        try:
            positions = pq.read_table(items_file, columns=["position"]).column("position").to_pylist()
            items = HeldItems(positions, items_file)
        except FileNotFoundError:
            raise SnapshotError(f"{items_file} is missing: the snapshot is incomplete") from None
        except Exception as exc:  # pyarrow raises several kinds for damaged files
            raise SnapshotError(
                f"{items_file} is damaged or not Parquet ({exc}); the snapshot was left as it is. "
                "Move it aside to start a new one."
            ) from None
        changes = self._read_changes(data / "changes.parquet")
        library = self._read_library(meta, changes) if typed and meta.get("complete") else None
        if meta.get("complete") and len(items) != meta.get("total"):
            raise SnapshotError(
                f"{items_file} holds {len(items):,} items but {self.meta_file} says "
                f"{meta.get('total'):,}: the snapshot is inconsistent"
            )
        return Stored(items, bool(meta.get("complete")), int(meta.get("total", 0)), meta, changes, library)

    def read_whole(self) -> Stored:
        """Everything the snapshot holds, its typed library included; ``SnapshotError`` when it holds no whole
        library yet (a load that stopped)."""
        stored = self.read()
        if not stored.complete:
            raise SnapshotError(
                f"{self.path} holds no whole library yet: finish it with savedlib.load(sp, snapshot=...) first"
            )
        return stored

    def read_library(self, stored: Stored) -> Library:
        """The typed library of a complete snapshot already read with ``typed=False``."""
        return self._read_library(stored.meta, stored.changes)

    def _read_library(self, meta: dict, changes: pd.DataFrame) -> Library:
        try:
            library = read_parquet(self.path / meta["data"] / "library")
        except (FileNotFoundError, ValueError) as exc:
            raise SnapshotError(f"{exc}; the snapshot was left as it is") from None
        # snapshot.json has the newest info: a refresh that found nothing new writes only that.
        return with_changes(replace(library, info={**library.info, **meta.get("info", {})}), changes)

    @staticmethod
    def _read_changes(file: Path) -> pd.DataFrame:
        try:
            frame = pq.read_table(file).to_pandas()
        except FileNotFoundError:
            return empty_changes()
        except Exception as exc:
            raise SnapshotError(f"{file} is damaged or not Parquet ({exc})") from None
        return frame.astype(CHANGE_COLUMNS)

    # --- writing ------------------------------------------------------------------------

    def write(
        self,
        items: Mapping[int, dict],
        *,
        complete: bool,
        total: int,
        info: dict,
        changes: pd.DataFrame,
        library: Library | None,
        account_id: str | None = None,
    ) -> None:
        """Write a new version of the snapshot, then switch to it in one rename."""
        previous = self.read_meta() if self.exists() else None  # refuses to overwrite a damaged snapshot
        account_id = account_id or (previous or {}).get("account_id")
        meta = {
            "complete": complete,
            "total": total,
            "items": len(items),
            **({"account_id": account_id} if account_id else {}),
            "info": info,
        }
        self._commit(previous, lambda folder: _write_data(folder, items, changes, library), meta)

    def replace_library(self, library: Library, previous: dict) -> None:
        """A new version of this complete snapshot (``previous``: its meta, from ``read_whole``) with ``library``
        as its typed tables (and its ``info`` as the snapshot's): the raw items and the history of changes stay
        as they are (linked, not rewritten). For what is added beside the saved library, such as the playlists."""
        held = self.path / previous["data"]

        def fill(folder: Path) -> None:
            for name in ("items.parquet", "changes.parquet"):
                if (held / name).exists():
                    _link_or_copy(held / name, folder / name)
            library.to_parquet(folder / "library")

        keep = {k: v for k, v in previous.items() if k not in ("format", "version", "data", "written_at")}
        self._commit(previous, fill, {**keep, "info": library.info})

    def _commit(self, previous: dict | None, fill: Callable[[Path], None], fields: dict) -> None:
        """Fill a staging folder, rename it to the next ``vNNNNNN``, point ``snapshot.json`` (with ``fields``)
        at it in one atomic replace, then remove older versions: a crash at any moment leaves a whole snapshot."""
        self.path.mkdir(parents=True, exist_ok=True)
        number = int(previous["data"][1:]) + 1 if previous else 1
        name = f"v{number:06d}"
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.path))
        try:
            fill(staging)
            fsync_tree(staging)
            staging.rename(self.path / name)
            meta = {"format": FORMAT, "version": VERSION, "data": name, **fields, "written_at": utc_stamp()}
            atomic_write_text(self.meta_file, json.dumps(meta, indent=2, default=str))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for old in self.path.glob("v[0-9]*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        for stale in self.path.glob(".v[0-9]*"):  # staging folders of writes that crashed
            shutil.rmtree(stale, ignore_errors=True)

    def note(self, **fields: object) -> None:
        """Update ``snapshot.json`` alone (a refresh that found nothing new), atomically; the data stays."""
        meta = {**self.read_meta(), **fields, "written_at": utc_stamp()}
        atomic_write_text(self.meta_file, json.dumps(meta, indent=2, default=str))


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (data files are never edited in place, only removed), or a copy
    where the file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_data(folder: Path, items: Mapping[int, dict], changes: pd.DataFrame, library: Library | None) -> None:
    """The data files of one snapshot version: raw items, the history of changes, the typed tables."""
    positions = sorted(items)
    texts = pa.array([to_json(items[p]) for p in positions], pa.string())
    table = pa.table({"position": pa.array(positions, pa.int64()), "json": texts})
    pq.write_table(table, folder / "items.parquet", compression="zstd")
    pq.write_table(
        pa.Table.from_pandas(changes.astype(CHANGE_COLUMNS), preserve_index=False), folder / "changes.parquet"
    )
    if library is not None:
        library.to_parquet(folder / "library")
