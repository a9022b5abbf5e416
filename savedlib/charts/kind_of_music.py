"""What kind of music: genres, record labels and the audio-feature profile (where the source has them)."""

from __future__ import annotations

import altair as alt

from savedlib import stats
from savedlib.charts.base import histogram, message, needs, ranked_bars
from savedlib.charts.theme import CATEGORY, COUNT_AXIS, HEIGHT, WIDTH
from savedlib.library import Library
from savedlib.text import plural

MUTED_LINE = "#bbbbbb"

NO_GENRES = (
    "Spotify keeps genres on artists, not tracks: savedlib.add_genres(sp, lib) asks for them",
    "(one request an artist for a Development Mode app), or read an Exportify file, which has them.",
)
NO_FEATURES = (
    "Spotify stopped sending audio features to new apps in November 2024.",
    "An Exportify file (exportify.net) still has them: savedlib.read_exportify(path).",
)


def top_genres(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` genres with the most saved tracks (a track counts for each genre of its artists)."""
    title = "Your top genres"
    if (early := needs(lib, title)) is not None:
        return early
    if lib.genres.empty:
        return message(title, "No genres in this library.", *NO_GENRES)
    data = stats.genre_counts(lib, n)
    tooltip = [
        alt.Tooltip("genre:N", title="Genre"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
        alt.Tooltip("share:Q", title="Share of the library", format=".0%"),
    ]
    x = alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS)
    subtitle = f"Saved tracks per genre; {lib.genre_coverage()}"
    return ranked_bars(data, x, "genre:N", tooltip, alt.Title(title, subtitle=subtitle))


def genres_over_time(lib: Library, n: int = 5) -> alt.Chart:
    """The share of each year's saves by the ``n`` leading genres (the rest together)."""
    title = "Your genres over the years"
    if (early := needs(lib, title, "added_at", "save dates", local_files=True)) is not None:
        return early
    if lib.genres.empty:
        return message(title, "No genres in this library.", *NO_GENRES)
    data = stats.genres_by_year(lib, n)
    order = [g for g in stats.genre_counts(lib, n)["genre"]] + ["other genres"]
    subtitle = f"Share of each year's saves (with a known genre) by genre; {lib.genre_coverage()}"
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year saved"),
            y=alt.Y("share:Q", title="Share of the year's saves", axis=alt.Axis(format="%")),
            color=alt.Color("genre:N", title="Genre", sort=order,
                            scale=alt.Scale(domain=order, range=[*CATEGORY[: len(order) - 1], MUTED_LINE])),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("genre:N", title="Genre"),
                     alt.Tooltip("tracks:Q", title="Tracks", format=","),
                     alt.Tooltip("share:Q", title="Share", format=".0%")],
        )
    )  # fmt: skip


def top_labels(lib: Library, n: int = 20) -> alt.Chart:
    """The ``n`` record labels with the most saved tracks."""
    title = "Your top record labels"
    if (early := needs(lib, title, "album_label", "record labels")) is not None:
        return early
    data = stats.label_counts(lib, n)
    known = int(lib.tracks["album_label"].notna().sum())
    subtitle = f"Saved tracks per label; labels known for {known:,} of {plural(len(lib.tracks), 'track')}"
    tooltip = [alt.Tooltip("label:N", title="Label"), alt.Tooltip("tracks:Q", title="Tracks", format=",")]
    x = alt.X("tracks:Q", title="Saved tracks", axis=COUNT_AXIS)
    return ranked_bars(data, x, "label:N", tooltip, alt.Title(title, subtitle=subtitle))


def audio_features(lib: Library) -> alt.Chart:
    """How danceable, energetic, happy (valence), acoustic ... the saved tracks are: one histogram each."""
    title = "What your music sounds like"
    if (early := needs(lib, title)) is not None:
        return early
    if lib.audio_features.empty:
        return message(title, "No audio features in this library.", *NO_FEATURES)
    data = stats.feature_histograms(lib)
    subtitle = f"Spotify's audio features, 0 to 1; known for {plural(len(lib.audio_features), 'track')}"
    tooltip = [
        alt.Tooltip("feature:N", title="Feature"),
        alt.Tooltip("start:Q", title="From"),
        alt.Tooltip("tracks:Q", title="Tracks", format=","),
    ]
    return (
        histogram(data, None, (0, 1), tooltip, y_title=None, width=WIDTH // 4 + 20, height=110)
        .facet(facet=alt.Facet("feature:N", title=None), columns=4)
        .properties(title=alt.Title(title, subtitle=subtitle))
    )
