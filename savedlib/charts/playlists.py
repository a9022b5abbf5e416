"""Where saved songs live: in how many playlists, how much of each playlist is saved, and what went unsorted."""

from __future__ import annotations

import altair as alt

from savedlib.charts.base import histogram, message, needs
from savedlib.charts.theme import COUNT_AXIS, HEIGHT, PRIMARY, SECOND, WIDTH
from savedlib.library import Library
from savedlib.stats import playlists as stats
from savedlib.text import plural

NO_PLAYLISTS = (
    "This library has no playlists beside it.",
    "Add them: savedlib.add_playlists(sp, lib), or savedlib.read_playlists('my_spotify_data.zip', lib).",
)


def _needs_playlists(lib: Library, title: str) -> alt.Chart | None:
    """A message when the library is empty or has no playlists read; None when the chart can be drawn."""
    if (early := needs(lib, title)) is not None:
        return early
    if not (lib.playlists["status"] == "read").any():
        return message(title, *NO_PLAYLISTS)
    return None


def _subtitle(lib: Library, text: str) -> list[str]:
    note = stats.unread_note(lib)
    return [text, note] if note else [text]


def playlists_per_song(lib: Library) -> alt.Chart:
    """Bars: saved songs in no playlist, in 1, in 2–4, in 5 or more."""
    title = "In how many of your playlists each saved song is"
    if (early := _needs_playlists(lib, title)) is not None:
        return early
    data = stats.playlist_buckets(lib)
    none = int(data["tracks"].iloc[0])
    text = f"{plural(none, 'saved track')} of {len(lib):,} in no playlist"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=_subtitle(lib, text)), width=WIDTH, height=HEIGHT)
        .mark_bar(color=PRIMARY)
        .encode(
            x=alt.X(
                "bucket:N", title="Playlists holding the song", sort=list(stats.BUCKETS), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("tracks:Q", title="Saved tracks", axis=COUNT_AXIS),
            tooltip=[
                alt.Tooltip("bucket:N", title="Playlists"),
                alt.Tooltip("tracks:Q", title="Saved tracks", format=","),
            ],
        )
    )


def saved_share_of_playlists(lib: Library) -> alt.Chart:
    """A histogram: playlists by the share of their songs that are saved (10 % bins, 100 % its own)."""
    title = "How much of each playlist you have saved"
    if (early := _needs_playlists(lib, title)) is not None:
        return early
    data = stats.saved_share_bins(lib)
    read = int(data["playlists"].sum())
    if not read:
        return message(title, "No playlist read has songs in it.")
    text = f"{plural(read, 'playlist')} read; {int(data['playlists'].iloc[-1]):,} wholly saved"
    tooltip = [
        alt.Tooltip("start:Q", title="Saved from", format=".0%"),
        alt.Tooltip("playlists:Q", title="Playlists", format=","),
    ]
    x_title = "Share of the playlist's songs that are saved"
    chart = histogram(data, x_title, (0, 1.02), tooltip, y_title="Playlists", y="playlists")
    return chart.properties(title=alt.Title(title, subtitle=_subtitle(lib, text)))


def unsorted_per_month(lib: Library) -> alt.LayerChart | alt.Chart:
    """Bars: saves each month; in front, those of them that went into no playlist."""
    title = "Saved songs that went into no playlist, by month saved"
    if (early := _needs_playlists(lib, title)) is not None:
        return early
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    data = stats.unsorted_per_month(lib)
    share = data["unsorted"].sum() / max(data["saves"].sum(), 1)
    text = f"{share:.0%} of the saves with a date are in no playlist; grey: all saves that month"
    tooltip = [
        alt.Tooltip("month:T", title="Month", format="%B %Y"),
        alt.Tooltip("saves:Q", title="Saved", format=","),
        alt.Tooltip("unsorted:Q", title="In no playlist", format=","),
    ]
    base = alt.Chart(data).encode(x=alt.X("month:T", title="Month saved"), tooltip=tooltip)
    every = base.mark_bar(color="#ddd").encode(y=alt.Y("saves:Q", title="Tracks saved", axis=COUNT_AXIS))
    unsorted = base.mark_bar(color=SECOND).encode(y="unsorted:Q")
    return alt.layer(every, unsorted).properties(
        title=alt.Title(title, subtitle=_subtitle(lib, text)), width=WIDTH, height=HEIGHT
    )
