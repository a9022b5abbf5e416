"""``savedlib.explore``: filters, linked charts, numbers and a table that update together.

Charts are Altair ``JupyterChart`` widgets in offline mode: the save timeline
sends its brush back to Python (the only way a chart can drive a filter), and
the offline bundle (about 1 MB of JavaScript, once per chart widget) needs no
network, so the explorer works the same on Binder, on a laptop on a train, and
in the project's headless browser tests. Each filter change sends the browser
only small aggregated specs and one page of table rows, never the raw tracks.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections.abc import Iterator
from dataclasses import replace

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

import savedlib.charts as charts
from savedlib import stats
from savedlib.charts import durations, popularity, saves, top
from savedlib.charts.theme import PRIMARY, SECOND, WIDTH
from savedlib.explorer import table
from savedlib.explorer.filters import Filters, subset
from savedlib.history import History
from savedlib.library import Library

BRUSH = "brush"
NO_MATCH = ("No tracks match these filters.", "Widen a filter to see some again.")
#: The views' titles, for the message an emptied selection shows in their place.
TITLES = {
    "durations": durations.DISTRIBUTION_TITLE,
    "popularity": popularity.DISTRIBUTION_TITLE,
    "artists": top.ARTISTS_TITLE,
}


class Explorer:
    """The dashboard's handle: ``filters`` by name, the current ``result``, and the views shown.

    Display it in a notebook cell (it is the dashboard); set filter values from
    code (``ex.filters["popularity"].value = (60, 100)``) and read ``ex.result``.
    """

    def __init__(self, lib: Library, *, history: History | None = None, offline: bool = True):
        alt.JupyterChart.enable_offline(offline)
        self.lib = with_plays(lib, history) if history is not None else lib
        lib = self.lib
        self._filters = Filters(lib)
        self._popularity = stats.popularity_known(lib) or stats.listeners_known(lib)  # listeners: open data
        self.filters: dict[str, widgets.Widget] = self._filters.widgets
        self.keep = np.ones(len(lib.tracks), dtype=bool)
        self.views: dict[str, alt.TopLevelMixin] = {}
        self.timings: list[float] = []  # seconds each update took, for benchmarks
        self._holding = False
        self._page = 0
        self._order: np.ndarray = np.arange(len(lib.tracks))

        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.sort = widgets.Dropdown(
            options=list(table.sorts(lib.tracks)),
            value="Saved",
            description="Sort by",
            layout=widgets.Layout(width="220px"),
        )
        self.descending = widgets.ToggleButtons(
            options=[("newest / highest first", True), ("oldest / lowest first", False)], value=True
        )
        self.previous = widgets.Button(description="‹ previous", layout=widgets.Layout(width="110px"))
        self.next = widgets.Button(description="next ›", layout=widgets.Layout(width="110px"))
        self.page_label = widgets.Label()
        self.reset_button = widgets.Button(description="Reset filters", icon="undo")
        self.timeline = alt.JupyterChart(self._timeline_chart(), debounce_wait=50)
        self.linked = alt.JupyterChart(charts.message("", ""))
        self.widget = self._layout()

        for w in self.filters.values():
            w.observe(self._changed, names="value")
        self.sort.observe(self._resorted, names="value")
        self.descending.observe(self._resorted, names="value")
        self.previous.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(+1))
        self.reset_button.on_click(lambda _: self.reset())
        self.timeline.selections.observe(self._brushed, names=[BRUSH])
        self.update()

    # --- what code and tests read ------------------------------------------------------

    @property
    def result(self) -> pd.DataFrame:
        """The tracks that match the current filters (a copy of those rows of ``lib.tracks``; with a
        listening history also ``plays``, ``plays_after_save`` and ``last_played``)."""
        return self.lib.tracks.loc[self.keep]

    @property
    def count(self) -> int:
        return int(self.keep.sum())

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"<Explorer: {self.count:,} of {len(self.lib.tracks):,} tracks match>"

    @contextlib.contextmanager
    def hold(self) -> Iterator[Explorer]:
        """Change several filters, then update once: ``with ex.hold(): ...``."""
        self._holding = True
        try:
            yield self
        finally:
            self._holding = False
            self.update()

    def reset(self) -> None:
        with self.hold():
            self._filters.reset()

    # --- updating ------------------------------------------------------------------------

    def _changed(self, _change: dict) -> None:
        if not self._holding:
            self.update()

    def update(self) -> None:
        """Recompute the mask, numbers, linked charts and table from the filters."""
        start = time.perf_counter()
        self.keep = self._filters.mask()
        result = subset(self.lib, self.keep)
        self.summary.value = self._summary_html(result)
        self.views = self._views(result)
        self.linked.chart = alt.hconcat(*self.views.values(), spacing=30)
        self._page = 0
        self._order = table.order(result.tracks, table.sorts(self.lib.tracks)[self.sort.value], self.descending.value)
        self._render_table(result.tracks)
        self.timings.append(time.perf_counter() - start)

    def _views(self, result: Library) -> dict[str, alt.TopLevelMixin]:
        """The linked charts: lengths, and popularity (or top artists when Spotify sent no popularity)."""
        narrow = WIDTH // 2 - 40
        shown = ("durations", "popularity" if self._popularity else "artists")
        if result.tracks.empty:
            return {name: charts.message(TITLES[name], *NO_MATCH).properties(width=narrow) for name in shown}

        def sized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
            return chart.properties(width=narrow) if isinstance(chart, alt.Chart) else chart

        views = {"durations": sized(charts.duration_distribution(result, limit=10))}
        if self._popularity:
            views["popularity"] = sized(charts.popularity_distribution(result))
        else:
            views["artists"] = sized(charts.top_artists(result, n=10))
        return views

    def _render_table(self, tracks: pd.DataFrame | None = None) -> None:
        tracks = self.result if tracks is None else tracks
        self.table.value = table.render(tracks, self._order, self._page)
        n = len(tracks)
        first = self._page * table.PAGE + 1 if n else 0
        self.page_label.value = f"{first:,}-{min(n, (self._page + 1) * table.PAGE):,} of {n:,}"
        self.previous.disabled = self._page == 0
        self.next.disabled = (self._page + 1) * table.PAGE >= n

    def _resorted(self, _change: dict) -> None:
        tracks = self.result
        self._order = table.order(tracks, table.sorts(self.lib.tracks)[self.sort.value], self.descending.value)
        self._page = 0
        self._render_table(tracks)

    def _turn(self, step: int) -> None:
        self._page = max(0, self._page + step)
        self._render_table()

    def _brushed(self, change: dict) -> None:
        """The brush on the timeline sets the save-date filter (to whole months)."""
        value = getattr(change["new"], "value", None) or {}
        span = value.get("month")
        slider = self.filters["saved"]
        months = [v for _, v in slider.options]
        if not span:
            slider.index = (0, len(months) - 1)
            return
        lo, hi = (np.datetime64(int(ms), "ms").astype("datetime64[M]").astype(np.int64) for ms in span[:2])
        first = int(np.searchsorted(months, min(lo, hi), side="left"))
        last = int(np.searchsorted(months, max(lo, hi), side="right")) - 1
        slider.index = (min(first, len(months) - 1), max(min(last, len(months) - 1), 0))

    # --- building ------------------------------------------------------------------------

    def _timeline_chart(self) -> alt.TopLevelMixin:
        missing = charts.base.needs(self.lib, saves.PER_MONTH_TITLE, "added_at", "save dates", local_files=True)
        if missing is not None:
            return missing
        data = stats.saves_per_month(self.lib)
        brush = alt.selection_interval(name=BRUSH, encodings=["x"])
        return (
            alt.Chart(
                data,
                title=alt.Title("Saves per month", subtitle="Drag across the bars to filter by save date"),
                width=WIDTH + 260,
                height=110,
            )
            .mark_bar(color=PRIMARY)
            .encode(
                x=alt.X("month:T", title=None),
                y=alt.Y("saves:Q", title="Saves", axis=alt.Axis(tickMinStep=1)),
                color=alt.condition(brush, alt.value(PRIMARY), alt.value("#bbb")),
                tooltip=[alt.Tooltip("month:T", format="%B %Y", title="Month"), alt.Tooltip("saves:Q", title="Saves")],
            )
            .add_params(brush)
        )

    def _summary_html(self, result: Library) -> str:
        t = result.tracks
        total = len(self.lib.tracks)
        if t.empty:
            return f"<h3 style='margin:4px 0'>No tracks match</h3><p>0 of {total:,} tracks; widen a filter.</p>"
        numbers = result.summary()
        parts = [
            f"{numbers['artists']:,} artists",
            f"{numbers['hours of music']:,} hours",
            result.save_span(),
        ]
        if stats.popularity_known(result):
            parts.append(f"median popularity {t['popularity'].median():.0f}")
        if t["explicit"].notna().any():
            parts.append(f"{t['explicit'].mean():.0%} explicit")
        active = self._filters.describe()
        where = f"<br><span style='color:#666'>{html.escape('; '.join(active))}</span>" if active else ""
        return f"<h3 style='margin:4px 0'>{len(t):,} of {total:,} tracks</h3><span>{' · '.join(parts)}</span>{where}"

    def _layout(self) -> widgets.Widget:
        w = self.filters
        notes = [
            widgets.HTML(f"<small style='color:#666'>{html.escape(n)}</small>") for n in self._filters.notes.values()
        ]
        plays = [w["plays"], w["since_saved"]] if "plays" in w else []
        genres = [widgets.HTML("<b>Genres</b> (type to search, several at once)"), w["genres"]] if "genres" in w else []
        playlists = (
            [widgets.HTML("<b>Playlists</b> (several at once: Ctrl- or ⌘-click)"), w["playlists"], w["no_playlist"]]
            if "playlists" in w
            else []
        )
        left = widgets.VBox(
            [w["saved"], w["released"], w["duration"], w["popularity"], *plays], layout=widgets.Layout(width="50%")
        )
        right = widgets.VBox(
            [
                widgets.HTML("<b>Artists</b> (type to search, several at once)"),
                w["artists"],
                *genres,
                *playlists,
                w["album_type"],
                w["explicit"],
                widgets.HBox([w["market"], w["playable"]]),
            ],
            layout=widgets.Layout(width="45%"),
        )
        controls = widgets.HBox([self.sort, self.descending, self.previous, self.next, self.page_label])
        return widgets.VBox(
            [
                self.summary,
                widgets.HBox([left, right]),
                *notes,
                self.reset_button,
                self.timeline,
                self.linked,
                controls,
                self.table,
            ],
            layout=widgets.Layout(border_top=f"3px solid {SECOND}", padding="8px"),
        )


def with_plays(lib: Library, history: History) -> Library:
    """``lib`` whose tracks also say how often each was played (``stats.plays_per_track``)."""
    per_track = stats.plays_per_track(lib, history)
    tracks = lib.tracks.assign(**{c: per_track[c] for c in ("plays", "plays_after_save", "last_played")})
    return replace(lib, tracks=tracks)


def explore(lib: Library, *, history: History | None = None, offline: bool = True) -> Explorer:
    """An interactive explorer of ``lib`` for JupyterLab: display the returned object.

    With ``history`` (``savedlib.read_history``), a plays filter (how many, never
    played since saved) and a plays column join the others. ``offline=True``
    (the default) embeds the chart JavaScript so it works with no network;
    ``offline=False`` loads it from a CDN instead (lighter, needs internet).
    """
    return Explorer(lib, history=history, offline=offline)
