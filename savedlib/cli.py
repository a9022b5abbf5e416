"""The ``savedlib`` command: ``savedlib export SNAPSHOT --to csv|parquet|json OUT``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from savedlib.snapshot import SnapshotError, open_snapshot


def export(snapshot: str, to: str, out: str, escape_formulas: bool = True) -> Path:
    """Write a snapshot's library as CSV (Excel-friendly), an .xlsx workbook, a Parquet folder, or JSON records."""
    lib = open_snapshot(snapshot)
    target = Path(out)
    if to == "csv":
        return lib.to_csv(target, escape_formulas=escape_formulas)
    if to == "xlsx":
        return lib.to_excel(target)
    if to == "parquet":
        return lib.to_parquet(target)
    if to == "json":
        tracks = lib.tracks.copy()
        tracks["artist_ids"] = [list(ids) if ids is not None else None for ids in tracks["artist_ids"].tolist()]
        tracks.reset_index().to_json(target, orient="records", date_format="iso", force_ascii=False, indent=1)
        return target
    raise ValueError(f"unknown format {to!r}: use csv, xlsx, parquet or json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="savedlib", description="savedlib: your Spotify Liked Songs as data")
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser("export", help="write a snapshot's tracks as CSV, .xlsx, Parquet or JSON")
    ex.add_argument("snapshot", help="a snapshot folder (savedlib.load(sp, snapshot=...))")
    ex.add_argument("--to", choices=["csv", "xlsx", "parquet", "json"], required=True)
    ex.add_argument("out", help="the file (csv, xlsx, json) or folder (parquet) to write")
    ex.add_argument(
        "--raw",
        action="store_true",
        help="CSV for programs: names starting with = + - @ as they are (by default they get a leading ' "
        "so that Excel does not run them as formulas)",
    )
    args = parser.parse_args(argv)
    try:
        written = export(args.snapshot, args.to, args.out, escape_formulas=not args.raw)
    except SnapshotError as exc:
        print(f"savedlib: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
