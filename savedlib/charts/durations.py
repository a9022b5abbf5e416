"""How long the saved tracks are."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import histogram, needs, two_ends
from savedlib.charts.theme import PRIMARY, SECOND, WIDTH
from savedlib.library import Library
from savedlib.text import mmss

DISTRIBUTION_TITLE = "How long your tracks are"


def duration_distribution(lib: Library, limit: float = 12.0) -> alt.Chart:
    """Histogram of track lengths in minutes; tracks longer than ``limit`` share the last bar."""
    title = DISTRIBUTION_TITLE
    if (early := needs(lib, title, column="duration_ms", what="track lengths", local_files=True)) is not None:
        return early
    data = stats.duration_histogram(lib, limit=limit)
    longer = int(data.loc[data["open_ended"], "tracks"].sum())
    median = mmss(lib.tracks["duration_ms"].median())
    subtitle = f"Median {median}; {longer:,} tracks of {limit:g} minutes or more share the last bar"
    tooltip = [
        alt.Tooltip("start:Q", title="From (min)"),
        alt.Tooltip("end:Q", title="To (min)"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    return histogram(data, "Length (minutes)", (0, limit + 0.25), tooltip, alt.Title(title, subtitle=subtitle))


def duration_by_decade(lib: Library) -> alt.LayerChart | alt.Chart:
    """Track lengths by release decade: box from first to third quartile, whiskers 5th-95th percentile."""
    title = "Track lengths by the decade they came out"
    if (early := needs(lib, title, "album_release_year", "release dates")) is not None:
        return early
    data = stats.duration_by_decade(lib)
    y = alt.Y("label:O", title="Decade released", sort=alt.SortField("decade", order="descending"))
    tooltip = [
        alt.Tooltip("label:N", title="Decade"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
        alt.Tooltip("median:Q", title="Median (min)", format=".2f"),
        alt.Tooltip("q1:Q", title="First quartile (min)", format=".2f"),
        alt.Tooltip("q3:Q", title="Third quartile (min)", format=".2f"),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    whisker = base.mark_rule(color="#888").encode(x=alt.X("p05:Q", title="Length (minutes)"), x2="p95:Q")
    box = base.mark_bar(color=PRIMARY, size=14).encode(x="q1:Q", x2="q3:Q")
    median = base.mark_tick(color=SECOND, size=14, thickness=2).encode(x="median:Q")
    subtitle = "Boxes span the middle half of each decade's tracks; lines reach the 5th and 95th percentiles"
    return alt.layer(whisker, box, median).properties(
        title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=max(120, 26 * len(data))
    )


def longest_and_shortest(lib: Library, n: int = 10) -> alt.HConcatChart | alt.Chart:
    """The ``n`` longest and ``n`` shortest saved tracks."""
    title = "Your longest and shortest tracks"
    if (early := needs(lib, title, column="duration_ms", what="track lengths", local_files=True)) is not None:
        return early
    data = stats.extremes(lib, "duration_ms", n)
    data["minutes"] = data["value"] / 60_000
    data["length"] = data["value"].map(mmss)
    x = alt.X("minutes:Q", title="Length (minutes)")
    tooltip = [alt.Tooltip("label:N", title="Track"), alt.Tooltip("length:N", title="Length")]
    return two_ends(data, x, tooltip, ("Longest", "Shortest"), title, n)
