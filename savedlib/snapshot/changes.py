"""What changed between two reads of a library: tracks added and removed, and when it was seen."""

from __future__ import annotations

import pandas as pd

from savedlib.items.identity import key
from savedlib.snapshot.store import CHANGE_COLUMNS


def record_changes(
    history: pd.DataFrame, previous: list[dict] | None, current: list[dict], seen_at: str
) -> pd.DataFrame:
    """``history`` plus the items added and removed between ``previous`` and ``current`` (none the first time)."""
    if previous is None:
        return history.astype(CHANGE_COLUMNS)
    before = {key(item): item for item in previous}
    after = {key(item): item for item in current}
    rows = [_row("added", after[k], seen_at) for k in after.keys() - before.keys()]
    rows += [_row("removed", before[k], seen_at) for k in before.keys() - after.keys()]
    if not rows:
        return history.astype(CHANGE_COLUMNS)
    new = pd.DataFrame(rows).astype(CHANGE_COLUMNS).sort_values(["change", "added_at"], ascending=[True, False])
    return pd.concat([history.astype(CHANGE_COLUMNS), new], ignore_index=True)


def _row(change: str, item: dict, seen_at: str) -> dict:
    track = item.get("track") or {}
    return {
        "change": change,
        "seen_at": pd.Timestamp(seen_at),
        "added_at": pd.Timestamp(item.get("added_at")),
        "track_id": track.get("id"),
        "track_uri": track.get("uri"),
        "track_name": track.get("name"),
        "artists": ", ".join(a.get("name") or "" for a in track.get("artists") or []) or None,
    }
