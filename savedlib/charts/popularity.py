"""How popular the saved tracks are: Spotify's 0-100 score, or where Spotify sent none (Development Mode apps
since 2026) and open data has them, ListenBrainz listeners (``savedlib.add_open_data``), on a log scale and
named as what they are."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import histogram, needs, two_ends
from savedlib.charts.theme import HEIGHT, PRIMARY, SECOND, WIDTH
from savedlib.library import Library

WHAT = "popularity scores"
LISTENERS = "ListenBrainz listeners"
LISTENERS_TITLE = f"{LISTENERS} (log scale)"
LISTENERS_NOTE = "people who listened, counted by ListenBrainz (open data), not Spotify's score; log scale"


DISTRIBUTION_TITLE = "How popular your tracks are"


def _missing(lib: Library, title: str) -> alt.Chart | None:
    if stats.popularity_measure(lib) == "listeners":
        return needs(lib, title)
    return needs(lib, title, "popularity", WHAT)


def popularity_distribution(lib: Library) -> alt.Chart:
    """Histogram of Spotify's popularity score (0-100) over the saved tracks; of ListenBrainz listeners
    (by decade, a log scale) where Spotify sent no score and open data has listeners."""
    title = DISTRIBUTION_TITLE
    if (early := _missing(lib, title)) is not None:
        return early
    if stats.popularity_measure(lib) == "listeners":
        data = stats.listeners_histogram(lib)
        median = lib.tracks["listeners"].median()
        subtitle = [f"{LISTENERS} per track: {LISTENERS_NOTE}; median {median:,.0f}"]
        tooltip = [
            alt.Tooltip("start:Q", title="From", format=","),
            alt.Tooltip("end:Q", title="Below", format=","),
            alt.Tooltip("tracks:Q", title="Tracks", format=","),
        ]
        return histogram(data, LISTENERS_TITLE, (1, float(data["end"].max())), tooltip,
                         alt.Title(title, subtitle=subtitle), scale="log")  # fmt: skip
    data = stats.popularity_histogram(lib)
    median = lib.tracks["popularity"].median()
    subtitle = f"Spotify's popularity score, 0 (obscure) to 100 (a global hit); median {median:.0f}"
    tooltip = [
        alt.Tooltip("start:Q", title="From"),
        alt.Tooltip("end:Q", title="Below"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    return histogram(data, "Popularity", (0, 100), tooltip, alt.Title(title, subtitle=subtitle))


def _listeners_axis(channel: type[alt.X] | type[alt.Y], field: str) -> alt.X | alt.Y:
    """An axis of ListenBrainz listeners: a log scale, its ticks in short form (1k, 10k)."""
    return channel(field, title=LISTENERS_TITLE, scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"))


def _band(data, x: alt.X, x_title: str, title: str, tracks: str, listeners: bool = False) -> alt.LayerChart:
    """The median (line) and middle half (band) of popularity, or listeners, of ``tracks`` along ``x``."""
    what, note = (LISTENERS, f" ({LISTENERS_NOTE})") if listeners else ("popularity", "")
    subtitle = f"Line: median {what} of {tracks}; band: the middle half{note}"
    tooltip = [
        alt.Tooltip(x.shorthand, title=x_title, **({"format": "%B %Y"} if x.shorthand.endswith(":T") else {})),
        alt.Tooltip("median:Q", title=f"Median {what}", format=",.0f"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    y = (
        _listeners_axis(alt.Y, "q1:Q")
        if listeners
        else alt.Y("q1:Q", title="Popularity", scale=alt.Scale(domain=[0, 100]))
    )
    band = base.mark_area(color=PRIMARY, opacity=0.25).encode(y=y, y2="q3:Q")
    line = base.mark_line(color=SECOND, point=alt.OverlayMarkDef(size=12)).encode(y="median:Q")
    return alt.layer(band, line).properties(title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)


def popularity_by_release_year(lib: Library) -> alt.LayerChart | alt.Chart:
    """Median popularity (line) and its middle half (band) by the year the album came out."""
    title = "Popularity by release year"
    if (early := _missing(lib, title)) is not None:
        return early
    if (early := needs(lib, title, "album_release_year", "release dates")) is not None:
        return early
    measure = stats.popularity_measure(lib)
    data = stats.popularity_by(lib, "release_year", measure)
    x = alt.X("release_year:Q", title="Year released", axis=alt.Axis(format="d"))
    return _band(data, x, "Year released", title, "the tracks released that year", measure == "listeners")


def popularity_over_time(lib: Library) -> alt.LayerChart | alt.Chart:
    """Median popularity of the tracks saved each month: mainstream phases and deep dives."""
    title = "Popularity of what you saved, month by month"
    if (early := _missing(lib, title)) is not None:
        return early
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    measure = stats.popularity_measure(lib)
    data = stats.popularity_by(lib, "save_month", measure)
    x = alt.X("save_month:T", title="Month saved")
    return _band(data, x, "Month saved", title, "the tracks saved that month", measure == "listeners")


def most_and_least_popular(lib: Library, n: int = 10) -> alt.HConcatChart | alt.Chart:
    """The ``n`` most and ``n`` least popular saved tracks."""
    title = "Your most and least popular tracks"
    if (early := _missing(lib, title)) is not None:
        return early
    measure = stats.popularity_measure(lib)
    data = stats.extremes(lib, measure, n)
    if measure == "listeners":
        x = _listeners_axis(alt.X, "value:Q")
        tooltip = [alt.Tooltip("label:N", title="Track"), alt.Tooltip("value:Q", title=LISTENERS, format=",")]
        return two_ends(data, x, tooltip, ("Most listeners", "Fewest listeners"), f"{title} ({LISTENERS})", n)
    x = alt.X("value:Q", title="Popularity", scale=alt.Scale(domain=[0, 100]))
    tooltip = [alt.Tooltip("label:N", title="Track"), alt.Tooltip("value:Q", title="Popularity")]
    return two_ends(data, x, tooltip, ("Most popular", "Least popular"), title, n)
