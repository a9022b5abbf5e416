"""What every chart shares: the message chart for missing data and the checks that decide it, ranked bars,
histograms and the text table."""

from __future__ import annotations

import altair as alt
import pandas as pd

from savedlib import stats
from savedlib.charts.theme import COUNT_AXIS, HEIGHT, PRIMARY, SECOND, WIDTH
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


def ranked_bars(
    data: pd.DataFrame,
    x: alt.X,
    y: str,
    tooltip: list[alt.Tooltip],
    title: str | alt.Title,
    *,
    color: str = PRIMARY,
    width: int = WIDTH,
    height: int | None = None,
    sort: alt.SortField | None = None,
) -> alt.Chart:
    """Horizontal bars, one row per ``y`` (a field such as ``"artist:N"``), the first row on top.

    The rows keep the table's order (``savedlib.stats`` ranks them) unless ``sort`` says otherwise;
    ``sort=None`` stops Vega-Lite from sorting the names alphabetically. ``height`` defaults to 20 pixels a row.
    Every top-n chart is drawn by this one function, so they all look alike.
    """
    return (
        alt.Chart(data, title=title, width=width, height=20 * len(data) if height is None else height)
        .mark_bar(color=color)
        .encode(x=x, y=alt.Y(y, title=None, sort=sort), tooltip=tooltip)
    )


def two_ends(
    data: pd.DataFrame, x: alt.X, tooltip: list[alt.Tooltip], headings: tuple[str, str], title: str, n: int
) -> alt.HConcatChart:
    """``stats.extremes`` side by side as ranked bars: the highest ``n`` (headed ``headings[0]``), the lowest.

    Both sides are ``22 * n`` pixels high, so that they line up even when a small library fills fewer rows.
    """
    sides = [
        ranked_bars(
            data[data["end"] == end],
            x,
            "label:N",
            tooltip,
            heading,
            color=color,
            width=WIDTH // 2 - 40,
            height=22 * n,
            sort=alt.SortField("rank"),
        )
        for end, heading, color in zip(("highest", "lowest"), headings, (PRIMARY, SECOND), strict=True)
    ]
    return alt.hconcat(*sides).properties(title=alt.Title(title))


def histogram(
    data: pd.DataFrame,
    x_title: str | None,
    domain: tuple[float, float],
    tooltip: list[alt.Tooltip],
    title: alt.Title | None = None,
    *,
    y_title: str | None = "Tracks",
    y: str = "tracks",
    width: int = WIDTH,
    height: int = HEIGHT,
    scale: str = "linear",
) -> alt.Chart:
    """Bars of ``y`` (the count column, ``tracks`` unless said) per bin from ``start`` to ``end`` over the x
    range ``domain``.

    The bins come already counted from ``savedlib.stats`` (``bin="binned"``), so the spec carries one row a bin,
    not one a track. Every histogram is drawn by this one function, so they look alike. ``scale="log"`` draws
    x on a log scale, its ticks in short form (1k, 10k).
    """
    log = scale == "log"
    x_scale = alt.Scale(type="log", domain=list(domain)) if log else alt.Scale(domain=list(domain))
    x_axis = alt.Axis(format="~s") if log else alt.Undefined
    return (
        alt.Chart(data, title=alt.Undefined if title is None else title, width=width, height=height)
        .mark_bar(color=PRIMARY)
        .encode(
            x=alt.X("start:Q", bin="binned", title=x_title, scale=x_scale, axis=x_axis),
            x2="end:Q",
            y=alt.Y(f"{y}:Q", title=y_title, axis=COUNT_AXIS),
            tooltip=tooltip,
        )
    )
