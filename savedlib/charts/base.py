"""What every chart shares: the message chart for missing data, and the checks that decide it."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from savedlib.charts.theme import WIDTH
from savedlib.library import Library

EMPTY = ("This library has no saved tracks yet.", "Save some songs on Spotify, then load it again.")


def message(title: str, *lines: str) -> alt.Chart:
    """A chart that says, in words, why there is nothing to draw."""
    data = pd.DataFrame({"line": range(len(lines)), "text": list(lines)})
    return (
        alt.Chart(data, title=alt.Title(title), width=WIDTH, height=max(60, 26 * len(lines)))
        .mark_text(size=14, align="center", baseline="middle", color="#555")
        .encode(y=alt.Y("line:O", axis=None), text=alt.Text("text:N"))
    )


def why_missing(lib: Library, field: str, column: str, what: str, local_files: bool = False) -> str | None:
    """Why ``column`` has nothing to draw, or None when it has values.

    Local files count only when ``local_files`` (they have lengths, but no popularity or markets).
    """
    real = np.ones(len(lib.tracks), dtype=bool)
    if not local_files:
        real = ~lib.tracks["is_local"].fillna(False).to_numpy(dtype=bool)
    if lib.tracks.loc[real, column].notna().any():
        return None
    reason = (lib.info.get("missing_fields") or {}).get(field)
    if reason:
        return reason[0].upper() + reason[1:] + "."
    if not real.any() and len(lib.tracks):
        return f"Only local files here: Spotify has no {what} for them."
    return f"No track in this library has {what}."


def needs(
    lib: Library,
    title: str,
    field: str | None = None,
    column: str | None = None,
    what: str = "",
    local_files: bool = False,
) -> alt.Chart | None:
    """A message chart when the library is empty or lacks ``column``; None when the chart can be drawn."""
    if lib.tracks.empty:
        if lib.info.get("filtered"):
            return message(title, "No tracks match these filters.", "Widen a filter to see some again.")
        return message(title, *EMPTY)
    if column is not None:
        reason = why_missing(lib, field or column, column, what, local_files)
        if reason:
            return message(title, f"No {what} to show.", reason)
    return None


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def text_table(data: pd.DataFrame, columns: dict[str, tuple[str, int]], title: alt.Title) -> alt.HConcatChart:
    """A small table drawn as text, one column per ``field: (heading, width in pixels)``."""
    rows = data.reset_index(drop=True).assign(row=lambda d: range(len(d)))
    parts = []
    for field, (heading, width) in columns.items():
        parts.append(
            alt.Chart(rows, title=alt.Title(heading, fontSize=12, fontWeight=600), width=width, height=20 * len(rows))
            .mark_text(align="left", baseline="middle", limit=width - 8)
            .encode(y=alt.Y("row:O", axis=None), text=alt.Text(f"{field}:N"), x=alt.value(0))
        )
    return alt.hconcat(*parts, spacing=8).properties(title=title)
