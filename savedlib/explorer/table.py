"""The explorer's table: the matching tracks, sorted and paged, as escaped HTML with links.

Only one page (25 rows) ever goes to the browser, whatever the library's size.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from savedlib.text import mmss

#: Sort keys offered, label -> column.
SORTS = {
    "Saved": "added_at",
    "Track": "track_name",
    "Artist": "primary_artist",
    "Album": "album_name",
    "Released": "album_release_year",
    "Length": "duration_ms",
    "Popularity": "popularity",
}
PAGE = 25

STYLE = """<style>
.savedlib-table {border-collapse: collapse; font-size: 13px; width: 100%}
.savedlib-table th {text-align: left; border-bottom: 1px solid #999; padding: 4px 8px}
.savedlib-table td {border-bottom: 1px solid #eee; padding: 3px 8px; max-width: 320px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap}
.savedlib-table td.num {text-align: right; font-variant-numeric: tabular-nums}
</style>"""


def order(tracks: pd.DataFrame, by: str, descending: bool) -> np.ndarray:
    """Row positions sorted by column ``by`` (missing values last), stable."""
    values = tracks[by]
    key = values.astype(str).str.casefold() if values.dtype == "string" else values
    return np.asarray(
        key.reset_index(drop=True).sort_values(ascending=not descending, na_position="last", kind="stable").index
    )


def sorts(tracks: pd.DataFrame) -> dict[str, str]:
    """The sort keys a table of ``tracks`` offers (plays too, when a listening history was given)."""
    return {**SORTS, **({"Plays": "plays"} if "plays" in tracks.columns else {})}


def render(tracks: pd.DataFrame, positions: np.ndarray, page: int) -> str:
    """One page of rows as an HTML table; every value escaped, track names linked to open.spotify.com.
    With a ``plays`` column (a listening history), a Plays column too."""
    rows = tracks.iloc[positions[page * PAGE : (page + 1) * PAGE]]
    if rows.empty:
        return STYLE + '<p class="savedlib-empty">No tracks match these filters.</p>'
    plays = "plays" in rows.columns
    body = [_row(r, plays) for r in rows.itertuples(index=False)]
    headings = ["Saved", "Track", "Artists", "Album", "Released", "Length", "Popularity"] + (["Plays"] if plays else [])
    head = "".join(f"<th>{h}</th>" for h in headings)
    return f'{STYLE}<table class="savedlib-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _row(r: object, plays: bool) -> str:
    name = _text(r.track_name)
    link = (
        f'<a href="{html.escape(r.track_url)}" target="_blank" rel="noopener">{name}</a>'
        if isinstance(r.track_url, str)
        else name
    )
    saved = "" if pd.isna(r.added_at) else f"{r.added_at:%Y-%m-%d}"
    cells = [
        f"<td>{saved}</td><td>{link}</td><td>{_text(r.artists)}</td><td>{_text(r.album_name)}</td>",
        f'<td class="num">{_text(r.album_release_year)}</td><td class="num">{mmss(r.duration_ms)}</td>',
        f'<td class="num">{_text(r.popularity)}</td>',
        f'<td class="num">{_text(r.plays)}</td>' if plays else "",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return html.escape(str(value)).replace("\n", " ")
