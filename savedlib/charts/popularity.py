"""How popular the saved tracks are (Spotify's 0-100 score; not sent to Development Mode apps)."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import histogram, needs, two_ends
from savedlib.charts.theme import HEIGHT, PRIMARY, SECOND, WIDTH
from savedlib.library import Library

WHAT = "popularity scores"


DISTRIBUTION_TITLE = "How popular your tracks are"


def _missing(lib: Library, title: str) -> alt.Chart | None:
    return needs(lib, title, "popularity", WHAT)


def popularity_distribution(lib: Library) -> alt.Chart:
    """Histogram of Spotify's popularity score (0-100) over the saved tracks."""
    title = DISTRIBUTION_TITLE
    if (early := _missing(lib, title)) is not None:
        return early
    data = stats.popularity_histogram(lib)
    median = lib.tracks["popularity"].median()
    subtitle = f"Spotify's popularity score, 0 (obscure) to 100 (a global hit); median {median:.0f}"
    tooltip = [
        alt.Tooltip("start:Q", title="From"),
        alt.Tooltip("end:Q", title="Below"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    return histogram(data, "Popularity", (0, 100), tooltip, alt.Title(title, subtitle=subtitle))


def _band(data, x: alt.X, x_title: str, title: str, subtitle: str) -> alt.LayerChart:
    tooltip = [
        alt.Tooltip(x.shorthand, title=x_title, **({"format": "%B %Y"} if x.shorthand.endswith(":T") else {})),
        alt.Tooltip("median:Q", title="Median popularity", format=".0f"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    band = base.mark_area(color=PRIMARY, opacity=0.25).encode(
        y=alt.Y("q1:Q", title="Popularity", scale=alt.Scale(domain=[0, 100])), y2="q3:Q"
    )
    line = base.mark_line(color=SECOND, point=alt.OverlayMarkDef(size=12)).encode(y="median:Q")
    return alt.layer(band, line).properties(title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)


def popularity_by_release_year(lib: Library) -> alt.LayerChart | alt.Chart:
    """Median popularity (line) and its middle half (band) by the year the album came out."""
    title = "Popularity by release year"
    if (early := _missing(lib, title)) is not None:
        return early
    if (early := needs(lib, title, "album_release_year", "release dates")) is not None:
        return early
    data = stats.popularity_by(lib, "release_year")
    x = alt.X("release_year:Q", title="Year released", axis=alt.Axis(format="d"))
    return _band(
        data,
        x,
        "Year released",
        title,
        "Line: median popularity of the tracks released that year; band: the middle half",
    )


def popularity_over_time(lib: Library) -> alt.LayerChart | alt.Chart:
    """Median popularity of the tracks saved each month: mainstream phases and deep dives."""
    title = "Popularity of what you saved, month by month"
    if (early := _missing(lib, title)) is not None:
        return early
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    data = stats.popularity_by(lib, "save_month")
    x = alt.X("save_month:T", title="Month saved")
    return _band(
        data, x, "Month saved", title, "Line: median popularity of the tracks saved that month; band: the middle half"
    )


def most_and_least_popular(lib: Library, n: int = 10) -> alt.HConcatChart | alt.Chart:
    """The ``n`` most and ``n`` least popular saved tracks."""
    title = "Your most and least popular tracks"
    if (early := _missing(lib, title)) is not None:
        return early
    data = stats.extremes(lib, "popularity", n)
    x = alt.X("value:Q", title="Popularity", scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("label:N", title="Track"), alt.Tooltip("value:Q", title="Popularity")]
    return two_ends(data, x, tooltip, ("Most popular", "Least popular"), title, n)
