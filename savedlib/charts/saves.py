"""When tracks were saved: month by month, by weekday and hour, and how old the music was."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import needs
from savedlib.charts.theme import COUNT_AXIS, HEIGHT, PRIMARY, SCHEME, SECOND, WIDTH
from savedlib.library import Library
from savedlib.text import plural

PER_MONTH_TITLE = "When you saved your tracks"


def saves_per_month(lib: Library) -> alt.LayerChart | alt.Chart:
    """Bars: tracks saved each month; line: the library's size as it grew."""
    title = PER_MONTH_TITLE
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    data = stats.saves_per_month(lib)
    first, last = data["month"].iloc[0], data["month"].iloc[-1]
    tooltip = [
        alt.Tooltip("month:T", title="Month", format="%B %Y"),
        alt.Tooltip("saves:Q", title="Tracks saved", format=","),
        alt.Tooltip("library_size:Q", title="Library size after", format=","),
    ]
    base = alt.Chart(data).encode(x=alt.X("month:T", title="Month saved"), tooltip=tooltip)
    bars = base.mark_bar(color=PRIMARY).encode(y=alt.Y("saves:Q", title="Tracks saved that month", axis=COUNT_AXIS))
    line = base.mark_line(color=SECOND).encode(
        y=alt.Y("library_size:Q", title="Library size (tracks)", axis=alt.Axis(titleColor=SECOND))
    )
    subtitle = (
        f"{plural(int(data['saves'].sum()), 'track')} saved from {first:%B %Y} to {last:%B %Y}; "
        "the line is the library's size"
    )
    return (
        alt.layer(bars, line)
        .resolve_scale(y="independent")
        .properties(title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
    )


def saves_by_weekday_hour(lib: Library, tz: str = "UTC") -> alt.Chart:
    """A calendar heat map: saves per weekday and hour of the day, in time zone ``tz``."""
    title = "When in the week you save music"
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    data = stats.saves_by_weekday_hour(lib, tz)
    busiest = data.loc[data["saves"].idxmax()]
    subtitle = f"Hours in {tz}; busiest: {busiest['weekday']}s at {int(busiest['hour']):02d}:00"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=7 * 26)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=f"Hour of the day ({tz})"),
            y=alt.Y("weekday:O", title=None, sort=list(stats.WEEKDAYS)),
            color=alt.Color("saves:Q", title="Tracks saved", scale=alt.Scale(scheme=SCHEME)),
            tooltip=[
                alt.Tooltip("weekday:N", title="Day"),
                alt.Tooltip("hour:O", title="Hour"),
                alt.Tooltip("saves:Q", title="Tracks saved", format=","),
            ],
        )
    )


def release_vs_save_year(lib: Library) -> alt.Chart:
    """How old is the music you save: release decade against the year it was saved."""
    title = "How old is the music you save?"
    if (early := needs(lib, title, "album_release_year", "release dates")) is not None:
        return early
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    data = stats.release_vs_save_year(lib)
    overall = (lib.tracks["added_at"].dt.year - lib.tracks["album_release_year"]).median()
    subtitle = (
        f"Tracks by the year you saved them and the decade they came out; median age at saving: {overall:.0f} years"
    )
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
        .mark_rect()
        .encode(
            x=alt.X("save_year:O", title="Year saved"),
            y=alt.Y("release_decade:O", title="Decade released", sort="descending"),
            color=alt.Color("tracks:Q", title="Tracks", scale=alt.Scale(scheme=SCHEME)),
            tooltip=[
                alt.Tooltip("save_year:O", title="Saved in"),
                alt.Tooltip("release_decade:O", title="Released in the decade of"),
                alt.Tooltip("tracks:Q", title="Tracks", format=","),
                alt.Tooltip("median_age:Q", title="Median age that year (years)", format=".0f"),
            ],
        )
    )
