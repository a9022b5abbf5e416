"""What you play of what you saved: the listening history (``savedlib.read_history``) beside the library."""

from __future__ import annotations

import altair as alt
import pandas as pd

from savedlib import stats
from savedlib.charts.base import message, needs, ranked_bars
from savedlib.charts.theme import COUNT_AXIS, HEIGHT, MUTED, PRIMARY, SECOND, WIDTH
from savedlib.history import History
from savedlib.library import Library
from savedlib.text import plural

COLORS = {
    "saved tracks": PRIMARY,
    "other tracks": SECOND,
    "tracks": PRIMARY,
    "podcasts and audiobooks": "#f28e2b",
    "video": "#b07aa1",
}


def _lacks(lib: Library, history: History, title: str) -> tuple[alt.Chart | None, pd.DataFrame | None]:
    """A message chart when there is nothing to join (and None), else (None, plays per saved track)."""
    if (early := needs(lib, title)) is not None:
        return early, None
    music = int((history.plays["kind"] == "track").sum())
    if not music:
        return message(title, "This listening history has no music streams.", _what_it_has(history)), None
    per_track = stats.plays_per_track(lib, history)
    if not per_track.attrs["matching"]["matched"]:
        return message(
            title,
            f"None of the history's {plural(music, 'music stream')} is of a saved track.",
            "Are the library and the history the same person's?",
        ), None
    return None, per_track


def _what_it_has(history: History) -> str:
    kinds = history.plays["kind"].value_counts()
    has = ", ".join(f"{n:,} {kind} streams" for kind, n in kinds.items() if n)
    return f"It has {has}." if has else "It is empty."


def _matched(per_track: pd.DataFrame) -> str:
    m = per_track.attrs["matching"]
    return f"{m['rate']:.0%} of {m['music_streams']:,} music streams are of saved tracks"


def listening_per_month(lib: Library | None, history: History) -> alt.Chart:
    """Hours listened each month, music apart from spoken word and video; with a library (``lib`` may be
    None), music split into saved tracks and other tracks."""
    title = "How much you listen, month by month"
    if history.plays.empty:
        return message(title, "This listening history is empty.")
    data = stats.played_months(lib, history)
    order = [w for w in COLORS if w in set(data["what"])]
    total = data["hours"].sum()
    subtitle = f"{total:,.0f} hours from {data['month'].min():%B %Y} to {data['month'].max():%B %Y}"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title="Month"),
            y=alt.Y("hours:Q", title="Hours", stack=True),
            color=alt.Color("what:N", title=None, sort=order,
                            scale=alt.Scale(domain=order, range=[COLORS[w] for w in order])),
            order=alt.Order("what:N", sort="descending"),
            tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("what:N", title="What"),
                     alt.Tooltip("hours:Q", title="Hours", format=",.1f")],
        )
    )  # fmt: skip


def saved_vs_played(lib: Library, history: History) -> alt.Chart:
    """The share of saved tracks never played, played once, a few times, often."""
    title = "Do you play what you save?"
    early, per_track = _lacks(lib, history, title)
    if early is not None:
        return early
    data = stats.played_how_often(per_track)
    never = data.loc[data["played"] == "never", "share"].iloc[0]
    subtitle = [f"Saved tracks by how often the history has them played (30 s or more); {never:.0%} never",
                _matched(per_track)]  # fmt: skip
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=4 * 34)
        .mark_bar()
        .encode(
            y=alt.Y("played:N", title="Played", sort=list(stats.PLAYED)),
            x=alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS),
            color=alt.condition("datum.played == 'never'", alt.value(MUTED), alt.value(PRIMARY)),
            tooltip=[alt.Tooltip("played:N", title="Played"), alt.Tooltip("tracks:Q", title="Tracks", format=","),
                     alt.Tooltip("share:Q", title="Share", format=".0%")],
        )
    )  # fmt: skip


def save_to_first_play(lib: Library, history: History) -> alt.Chart:
    """How long after saving a track it was first played."""
    title = "From saving to the first play"
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    early, per_track = _lacks(lib, history, title)
    if early is not None:
        return early
    data = stats.first_play_waits(per_track)
    quick = data["tracks"].iloc[:2].sum() / max(data["tracks"].sum(), 1)
    subtitle = [f"{quick:.0%} of saved tracks were played within a week of saving", _matched(per_track)]
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=len(data) * 30)
        .mark_bar()
        .encode(
            y=alt.Y("wait:N", title="First played", sort=list(stats.WAITS)),
            x=alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS),
            color=alt.condition(f"datum.wait == '{stats.WAITS[-1]}'", alt.value(MUTED), alt.value(PRIMARY)),
            tooltip=[alt.Tooltip("wait:N", title="First played"), alt.Tooltip("tracks:Q", title="Tracks", format=",")],
        )
    )


def most_played_saved(lib: Library, history: History, n: int = 20) -> alt.Chart:
    """The ``n`` saved tracks played most."""
    title = "Your most played saved tracks"
    early, per_track = _lacks(lib, history, title)
    if early is not None:
        return early
    data = stats.most_played(lib, per_track, n)
    if data.empty:
        return message(title, "No saved track was played for 30 seconds or more.")
    return _ranked(data, title, "By plays of 30 s or more", "plays:Q", "Plays")


def forgotten_favourites(lib: Library, history: History, n: int = 20) -> alt.Chart:
    """Saved tracks played most in the past and not at all in the history's last year."""
    title = "Forgotten favourites"
    early, _ = _lacks(lib, history, title)
    if early is not None:
        return early
    data = stats.forgotten(lib, history, n)
    if data.empty:
        return message(title, "Every saved track you played was played in the last year too.")
    subtitle = "Saved tracks you played most, and not once in the history's last year"
    return _ranked(data, title, subtitle, "plays:Q", "Plays before", last=True)


def _ranked(data: pd.DataFrame, title: str, subtitle: str, x: str, x_title: str, last: bool = False) -> alt.Chart:
    """Saved tracks ranked by ``x`` (with ``last``, their last play in the tooltip)."""
    tooltip = [alt.Tooltip("label:N", title="Track"), alt.Tooltip(x, title=x_title, format=",")]
    if last:
        data = data.assign(last_played=pd.to_datetime(data["last_played"]).dt.strftime("%Y-%m-%d"))
        tooltip.append(alt.Tooltip("last_played:N", title="Last played"))
    x_axis = alt.X(x, title=x_title, axis=COUNT_AXIS)
    title = alt.Title(title, subtitle=subtitle)
    return ranked_bars(data, x_axis, "label:N", tooltip, title, color=SECOND if last else PRIMARY)
