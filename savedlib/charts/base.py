"""What every chart shares: the message chart for missing data, and the checks that decide it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from savedlib import stats
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


def needs(
    lib: Library,
    title: str,
    column: str | None = None,
    what: str = "",
    local_files: bool = False,
) -> alt.Chart | None:
    """A message chart when the library is empty or lacks ``column``; None when the chart can be drawn."""
    if lib.tracks.empty:
        return message(title, *EMPTY)
    if column is not None:
        reason = stats.why_missing(lib, column, what, local_files)
        if reason:
            return message(title, f"No {what} to show.", reason)
    return None


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
