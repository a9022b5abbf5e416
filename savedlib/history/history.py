"""``savedlib.read_history``: Spotify's listening history (privacy download) as one typed table of streams."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.errors import HistoryError
from savedlib.files import atomic_write_text
from savedlib.history import files, streams
from savedlib.markets import SPOTIFY_MARKETS
from savedlib.tables import categorical, pandas_array, read_table, same_frame, write_table
from savedlib.text import utc_stamp

FORMAT, VERSION = "savedlib-history", 1
#: Spotify's threshold: a stream of at least 30 seconds counts as a play.
PLAY_MS = 30_000
REASONS_START = ("trackdone", "fwdbtn", "backbtn", "clickrow", "clickside", "playbtn", "appload", "remote",
                 "trackerror", "popup", "uriopen", "unknown")  # fmt: skip
REASONS_END = ("trackdone", "fwdbtn", "backbtn", "endplay", "logout", "remote", "unexpected-exit",
               "unexpected-exit-while-paused", "trackerror", "unknown")  # fmt: skip
CATEGORIES = {
    "kind": streams.KINDS,
    "conn_country": (*SPOTIFY_MARKETS, "ZZ"),
    "reason_start": REASONS_START,
    "reason_end": REASONS_END,
    "source": streams.SOURCES,
}


@dataclass(eq=False)
class History:
    """A listening history: ``plays`` has one row per stream, oldest first; ``info`` says what was read.

    No field that identifies a person or where they were (IP addresses, user
    names, user agents) is ever kept: ``info["dropped_fields"]`` names them.
    """

    plays: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.plays)

    def __repr__(self) -> str:
        p = self.plays
        if p.empty:
            return "<History: no streams>"
        played = int((p["ms_played"] >= PLAY_MS).sum())
        span = f"{p['ts'].iloc[0]:%Y-%m-%d} to {p['ts'].iloc[-1]:%Y-%m-%d}"
        return f"<History: {len(p):,} streams ({played:,} of 30 s or more), {span}; {self.info.get('source', '')}>"

    def equals(self, other: History) -> bool:
        return same_frame(self.plays, other.plays)

    def to_parquet(self, path: str | os.PathLike) -> Path:
        """Write to the folder ``path``: ``plays.parquet`` and ``history.json`` (read back by ``read_history``)."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        write_table(self.plays, folder / "plays.parquet")
        meta = {"format": FORMAT, "version": VERSION, "info": self.info}
        atomic_write_text(folder / "history.json", json.dumps(meta, indent=2, default=str))
        return folder


def read_history(path: str | os.PathLike) -> History:
    """Spotify's listening history from ``path``: the privacy download's zip, its extracted folder, one
    of its files, or a folder written by ``History.to_parquet``.

    Reads the extended streaming history (``Streaming_History_Audio_*.json``,
    older ``endsong_*.json``; video streams from ``Streaming_History_Video_*.json``,
    of the kind "video") and the one-year history of the account data
    (``StreamingHistory_music_*.json``, ``..._podcast_*``, older
    ``StreamingHistory*.json``). Where both cover the same time, the extended
    files win and nothing is counted twice. Other files are left out and
    listed in ``info["ignored"]``.
    """
    folder = Path(path)
    if (folder / "history.json").is_file():
        return _reopen(folder)
    return read_files(files.find(folder), f"Spotify's privacy download at {folder.name}")


def read_files(found: list[files.Found], source: str, read_at: str | None = None) -> History:
    """The history in ``found`` (the files of a download), ``info["source"]`` saying where it came from."""
    wanted = [f for f in found if f.kind in files.READ]
    if not wanted:
        raise HistoryError(_nothing_to_read(source, found))
    tables, read, dropped = [], [], set()
    for f in wanted:
        table, personal = _read_one(f)
        tables.append(table)
        dropped.update(personal)
        read.append({"file": f.name, "format": f.kind, "streams": table.num_rows})
    tables, covered = _without_covered(tables, [f["format"] for f in read])
    tables.sort(key=lambda t: pc.min(t.column("ts")).value or 0)  # in time order: most often already sorted then
    plays, facts = _assemble(pa.concat_tables(tables))
    facts["one_year_covered_by_extended"] = covered
    ignored = [{"file": f.name, "why": files.WHY_IGNORED.get(f.kind, f.kind)} for f in found if f not in wanted]
    info = {
        "source": source,
        "read_at": read_at or utc_stamp(),
        "files": read,
        "formats": sorted({f.kind for f in wanted}),
        "ignored": ignored,
        "dropped_fields": sorted(dropped),
        **facts,
    }
    return History(plays, info)


def _read_one(f: files.Found) -> tuple[pa.Table, list[str]]:
    table, personal, kind = streams.read(f.read(), f.name, f.kind)
    if kind in ("extended", "video"):
        return streams.extended(table, video=kind == "video"), personal
    return streams.one_year(table, kind.removeprefix("one-year ")), personal


def _nothing_to_read(source: str, found: list[files.Found]) -> str:
    names = ", ".join(f.name for f in found[:8]) + (" ..." if len(found) > 8 else "")
    return (
        f"no listening history in {source}: it holds {names}. The extended streaming history is in files named "
        "Streaming_History_Audio_*.json (older: endsong_*.json) and Streaming_History_Video_*.json; the "
        "account data's last year in StreamingHistory_music_*.json"
    )


def _assemble(table: pa.Table) -> tuple[pd.DataFrame, dict]:
    """One typed frame, oldest first; one-year streams covered by the extended history and exact
    duplicates (the same stream in two files) left out, and counted. The work is done in Arrow,
    and the frame built once."""
    ts = table.column("ts").to_numpy()
    if (np.diff(ts.astype(np.int64)) < 0).any():
        table = table.take(pa.array(np.argsort(ts, kind="stable")))
        ts = table.column("ts").to_numpy()
    repeated = _repeats(table, ts)
    table = table.filter(pa.array(~repeated))
    frame = _frame(table.unify_dictionaries())
    facts = {
        "streams": len(frame),
        "first_play": _stamp(frame["ts"].min()),
        "last_play": _stamp(frame["ts"].max()),
        "duplicates_dropped": int(repeated.sum()),
    }
    return frame, facts


def _frame(table: pa.Table) -> pd.DataFrame:
    """The table as pandas: text as categories (each distinct text once), the rest nullable."""
    columns = {}
    for name in streams.COLUMNS:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            columns[name] = categorical(column.combine_chunks(), CATEGORIES.get(name, ()))
        else:
            columns[name] = pandas_array(column.combine_chunks())
    return pd.DataFrame(columns, copy=False)


def _without_covered(tables: list[pa.Table], formats: list[str]) -> tuple[list[pa.Table], int]:
    """The one-year streams inside the time the extended audio history covers left out (the extended
    files have them too, in more detail), and how many. Video files cover no audio: they do not count."""
    audio = [t for t, f in zip(tables, formats, strict=True) if f != "video"]
    extended = [t for t in audio if t.num_rows and _source(t) == "extended"]
    if not extended:
        return tables, 0
    first = min(pc.min(t.column("ts")).value for t in extended)
    last = max(pc.max(t.column("ts")).value for t in extended)
    first = first - first % 60_000_000  # one-year times are to the minute: from the extended history's first minute
    out, covered = [], 0
    for t in tables:
        if t.num_rows and _source(t) == "one-year":
            ts = t.column("ts").to_numpy().astype(np.int64)
            inside = (ts >= first) & (ts <= last)
            covered += int(inside.sum())
            t = t.filter(pa.array(~inside)) if inside.any() else t
        out.append(t)
    return out, covered


def _source(table: pa.Table) -> str:
    """Where a file's streams come from, "extended" or "one-year" (the same for every row of one file)."""
    return table.column("source")[0].as_py()


def _repeats(table: pa.Table, ts: np.ndarray) -> np.ndarray:
    """Rows that repeat an earlier row on every column kept (one file of a download repeating another: two short
    streams of one track that ended in the same second, one started by ``backbtn`` and one by ``trackdone``,
    are two streams). Only streams that ended in the same second can be the same: those few are compared."""
    same_second = np.zeros(len(ts), dtype=bool)
    equal = ts[1:] == ts[:-1]
    same_second[1:] |= equal
    same_second[:-1] |= equal
    rows = np.flatnonzero(same_second)
    repeated = np.zeros(len(ts), dtype=bool)
    if rows.size:
        keys = table.take(pa.array(rows)).to_pandas()
        repeated[rows[keys.duplicated().to_numpy()]] = True
    return repeated


def _stamp(value: Any) -> str | None:
    return None if pd.isna(value) else utc_stamp(value.to_pydatetime())


def _reopen(folder: Path) -> History:
    meta_file = folder / "history.json"
    try:
        meta = json.loads(meta_file.read_text())
        plays = read_table(folder / "plays.parquet")
    except (ValueError, OSError) as exc:
        raise HistoryError(f"{folder} is damaged or incomplete ({exc})") from None
    if meta.get("format") != FORMAT:
        raise HistoryError(f"{meta_file} was not written by savedlib's History.to_parquet")
    if meta.get("version", 0) > VERSION:
        raise HistoryError(f"{folder} was written by a newer savedlib: upgrade savedlib to open it")
    return History(plays, meta.get("info", {}))
