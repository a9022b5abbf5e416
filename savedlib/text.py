"""How savedlib writes values as text: timestamps, track lengths, waits. One home for each."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd


def utc_stamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as ``2026-11-01T12:00:00Z``, the form Spotify uses for ``added_at``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mmss(ms: float | None) -> str:
    """A length in milliseconds as ``m:ss``, cut to the whole second as Spotify's apps show it.

    239,600 ms is ``3:59``; a missing length is ``""``.
    """
    if ms is None or (isinstance(ms, float) and math.isnan(ms)):
        return ""
    try:
        seconds = int(ms) // 1000
    except (TypeError, ValueError):  # pandas.NA and friends
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_words(seconds: float) -> str:
    """A wait in plain words: ``45 s``, ``3 min 20 s``, ``13 h 52 min``."""
    if seconds < 120:
        return f"{seconds:g} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s"


def local_time(moment: datetime) -> str:
    """An aware moment in this machine's time zone, in words: ``14:35 on Wed 2 Dec (local time)``."""
    local = moment.astimezone()
    return f"{local:%H:%M} on {local:%a} {local.day} {local:%b} ({local.tzname() or 'local time'})"


def plural(n: int, word: str) -> str:
    """``1 track``, ``2,500 tracks``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def number_repeats(labels: pd.Series) -> pd.Series:
    """``labels`` with each repeat of a label numbered ("Chill", "Chill (2)"), so that equal labels stay apart."""
    repeat = labels.groupby(labels, sort=False).cumcount()
    return labels.where(repeat == 0, labels + " (" + (repeat + 1).astype(str) + ")")
