"""The artists and albums you saved most."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import needs, ranked_bars
from savedlib.charts.theme import COUNT_AXIS
from savedlib.library import Library

ARTISTS_TITLE = "Your top artists"


def top_artists(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` artists with the most saved tracks (featured appearances count too)."""
    if (early := needs(lib, ARTISTS_TITLE)) is not None:
        return early
    data = stats.top_artists(lib, n)
    title = f"Your top {len(data)} artists" if len(data) > 1 else "Your top artist"
    subtitle = "By saved tracks, counting every artist credited on a track"
    tooltip = [alt.Tooltip("artist:N", title="Artist"), alt.Tooltip("tracks:Q", title="Saved tracks")]
    x = alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS)
    return ranked_bars(data, x, "artist:N", tooltip, alt.Title(title, subtitle=subtitle))


def top_albums(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` albums with the most saved tracks."""
    if (early := needs(lib, "Your top albums", column="album_id", what="albums")) is not None:
        return early
    data = stats.top_albums(lib, n)
    title = f"Your top {len(data)} albums" if len(data) > 1 else "Your top album"
    tooltip = [
        alt.Tooltip("album:N", title="Album"),
        alt.Tooltip("artist:N", title="Artist"),
        alt.Tooltip("tracks:Q", title="Saved tracks"),
        alt.Tooltip("album_tracks:Q", title="Tracks on the album"),
    ]
    x = alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS)
    return ranked_bars(data, x, "label:N", tooltip, alt.Title(title, subtitle="By saved tracks"))
