"""The artists and albums you saved most."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import needs
from savedlib.charts.theme import COUNT_AXIS, PRIMARY, WIDTH
from savedlib.library import Library

ARTISTS_TITLE = "Your top artists"


def top_artists(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` artists with the most saved tracks (featured appearances count too)."""
    if (early := needs(lib, ARTISTS_TITLE)) is not None:
        return early
    data = stats.top_artists(lib, n)
    title = f"Your top {len(data)} artists" if len(data) > 1 else "Your top artist"
    subtitle = "By saved tracks, counting every artist credited on a track"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=20 * len(data))
        .mark_bar(color=PRIMARY)
        .encode(
            x=alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS),
            y=alt.Y("artist:N", title=None, sort=None),
            tooltip=[alt.Tooltip("artist:N", title="Artist"), alt.Tooltip("tracks:Q", title="Saved tracks")],
        )
    )


def top_albums(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` albums with the most saved tracks."""
    if (early := needs(lib, "Your top albums", column="album_id", what="albums")) is not None:
        return early
    data = stats.top_albums(lib, n)
    title = f"Your top {len(data)} albums" if len(data) > 1 else "Your top album"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle="By saved tracks"), width=WIDTH, height=20 * len(data))
        .mark_bar(color=PRIMARY)
        .encode(
            x=alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS),
            y=alt.Y("label:N", title=None, sort=None),
            tooltip=[
                alt.Tooltip("album:N", title="Album"),
                alt.Tooltip("artist:N", title="Artist"),
                alt.Tooltip("tracks:Q", title="Saved tracks"),
                alt.Tooltip("album_tracks:Q", title="Tracks on the album"),
            ],
        )
    )
