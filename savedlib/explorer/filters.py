"""The explorer's filters: one widget each, and one vectorised mask over the library.

Everything a filter compares against is turned into a NumPy array once, when
the explorer opens, so a change costs a few array comparisons even at 50,000
tracks. A filter left at its full range does not filter (tracks with unknown
values stay in); narrowing it keeps only tracks whose value is known and inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd

from savedlib import stats
from savedlib.library import Library
from savedlib.stats import playlists as where
from savedlib.text import number_repeats

ANY = "any"
ALBUM_CHOICES = [("albums", "album"), ("singles", "single"), ("compilations", "compilation")]


def full_width() -> widgets.Layout:
    """A layout of its own for each widget (a shared one would hide them all when one is hidden)."""
    return widgets.Layout(width="100%")


STYLE = {"description_width": "120px"}


@dataclass
class Columns:
    """The library's columns as plain arrays, ready for fast comparisons."""

    saved_month: np.ndarray  # float: months since 1970 of each save, NaN unknown
    release_year: np.ndarray  # float, NaN unknown
    minutes: np.ndarray  # float, NaN unknown
    popularity: np.ndarray  # float, NaN unknown (Spotify's score; else log10 of ListenBrainz listeners)
    album_type: np.ndarray  # object: "album", "single", "compilation" or None
    explicit: np.ndarray  # float: 1, 0 or NaN
    local: np.ndarray  # bool
    plays: np.ndarray  # float, NaN without a listening history
    plays_after_save: np.ndarray  # float, NaN unknown

    @classmethod
    def of(cls, lib: Library) -> Columns:
        t = lib.tracks
        saved = t["added_at"].dt.tz_localize(None).to_numpy()
        months = np.where(np.isnat(saved), np.nan, saved.astype("datetime64[M]").astype(np.int64))
        nothing = np.full(len(t), np.nan)
        return cls(
            saved_month=months,
            release_year=t["album_release_year"].to_numpy(dtype=float, na_value=np.nan),
            minutes=t["duration_ms"].to_numpy(dtype=float, na_value=np.nan) / 60_000,
            popularity=_popularity(lib),
            album_type=t["album_type"].astype(object).where(t["album_type"].notna(), None).to_numpy(),
            explicit=t["explicit"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
            local=t["is_local"].fillna(False).to_numpy(dtype=bool),
            plays=t["plays"].to_numpy(dtype=float, na_value=np.nan) if "plays" in t else nothing,
            plays_after_save=t["plays_after_save"].to_numpy(dtype=float, na_value=np.nan) if "plays" in t else nothing,
        )


def month_label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


class Filters:
    """The filter widgets by name (``saved``, ``released``, ``artists``, ``album_type``, ``explicit``,
    ``duration``, ``popularity``, ``market``, ``playable``; ``genres`` when the library has genres;
    ``playlists`` and ``no_playlist`` when it has playlists; with a listening history also ``plays`` and
    ``since_saved``) and the mask they select."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.cols = c = Columns.of(lib)
        self._market_items: dict[str, np.ndarray] = {}
        self._counts: np.ndarray | None = None  # how many playlists hold each track, once asked
        self.notes: dict[str, str] = {}
        lo, hi = _span(c.saved_month, (0, 0))
        months = np.arange(lo, hi + 1)
        minutes = c.minutes[~np.isnan(c.minutes)]
        self.widgets: dict[str, widgets.Widget] = {
            "saved": widgets.SelectionRangeSlider(
                options=[(month_label(m), int(m)) for m in months],
                index=(0, len(months) - 1),
                description="Saved",
                layout=full_width(),
                style=STYLE,
                continuous_update=False,
            ),
            "released": _range(widgets.IntRangeSlider, "Released", *_span(c.release_year, (1900, 2030))),
            "artists": widgets.TagsInput(
                value=[],
                allowed_tags=sorted(set(lib.artists["artist_name"].dropna().astype(str))),
                allow_duplicates=False,
                placeholder="type an artist's name",
                layout=full_width(),
            ),
            "album_type": _choice("Album type", [("any", ANY), *ALBUM_CHOICES]),
            "explicit": _choice("Lyrics", [("any", ANY), ("explicit", "explicit"), ("clean", "clean")]),
            "duration": _range(
                widgets.FloatRangeSlider,
                "Length (min)",
                0.0,
                float(np.ceil(minutes.max())) if minutes.size else 10.0,
                step=0.25,
                readout_format=".2f",
            ),
            "popularity": _range(widgets.IntRangeSlider, "Popularity", 0, 100),
        }
        if stats.popularity_measure(lib) == "listeners":
            top = int(np.ceil(np.nanmax(c.popularity))) if np.isfinite(c.popularity).any() else 1
            self.widgets["popularity"] = _range(widgets.IntRangeSlider, "Listeners 10^", 0, max(top, 1))
            self.notes["popularity"] = (
                "Spotify sent no popularity, so this filter uses ListenBrainz listeners (open data, "
                "savedlib.add_open_data) in powers of ten: 2-4 keeps tracks with 100 to 10,000 listeners."
            )
        elif not stats.popularity_known(lib):
            self.notes["popularity"] = (
                f"Popularity is hidden. {stats.why_missing(lib, 'popularity', 'popularity scores')}"
            )
            self.widgets["popularity"].layout.display = "none"
        if np.isnan(c.saved_month).all() and len(c.saved_month):
            reason = stats.why_missing(lib, "added_at", "save dates", local_files=True)
            self.notes["saved"] = f"Save dates are unknown. {reason}"
            self.widgets["saved"].disabled = True
        self.widgets["market"], self.widgets["playable"] = self._market_widgets()
        if "plays" in lib.tracks:
            self.widgets.update(self._plays_widgets())
        if not lib.playlists.empty:
            self.widgets.update(self._playlist_widgets())
        if not lib.genres.empty:
            self.widgets["genres"] = widgets.TagsInput(
                value=[],
                allowed_tags=sorted(set(lib.genres["genre"].astype(str))),
                allow_duplicates=False,
                placeholder="type a genre",
                layout=full_width(),
            )

    def _playlist_widgets(self) -> dict[str, widgets.Widget]:
        """ "In playlist ..." (the playlists read, one or several) and "in no playlist"; a note naming the
        playlists that could not be read, whose songs neither filter can see."""
        chosen = widgets.SelectMultiple(
            options=playlist_options(self.lib.playlists),
            value=(),
            description="In playlist",
            rows=min(6, max(len(self.lib.playlists), 2)),
            layout=full_width(),
            style=STYLE,
        )
        unsorted = _choice("Playlists", [("any", ANY), ("in no playlist", "none")])
        chosen.disabled = unsorted.disabled = not chosen.options
        note = where.unread_note(self.lib)
        if note:
            unread = self.lib.playlists.loc[self.lib.playlists["status"] != "read", "name"]
            self.notes["playlists"] = f"{note} Not read: {', '.join(unread.fillna('(no name)'))}."
        return {"playlists": chosen, "no_playlist": unsorted}

    def _plays_widgets(self) -> dict[str, widgets.Widget]:
        """Plays from the listening history: how many, and whether played since the save."""
        c = self.cols
        top = int(np.nanmax(c.plays)) if np.isfinite(c.plays).any() else 0
        since = _choice("Since saved", [("any", ANY), ("never played since saved", "never"), ("played", "played")])
        if np.isnan(c.plays_after_save).all():
            since.disabled = True
            self.notes["since_saved"] = "Without save dates, plays cannot be told apart as before or after the save."
        return {"plays": _range(widgets.IntRangeSlider, "Plays", 0, max(top, 1)), "since_saved": since}

    def _market_widgets(self) -> tuple[widgets.Dropdown, widgets.ToggleButtons]:
        lib = self.lib
        read_with = lib.info.get("market")
        if read_with:
            codes = [read_with] if read_with != "from_token" else []
            if read_with == "from_token":
                self.notes["market"] = "Read with market=from_token: playability refers to the account's country."
                codes = ["from_token"]
        elif lib.tracks["n_markets"].notna().any():
            codes = sorted(lib.markets["market"].cat.categories)
        else:
            codes = []
            self.notes["market"] = f"Market filters are off. {stats.why_missing(lib, 'n_markets', 'market lists')}"
        options = [("any country", ANY)] + [(f"{stats.country_name(c) if len(c) == 2 else c} ({c})", c) for c in codes]
        market = widgets.Dropdown(options=options, value=ANY, description="Country", style=STYLE, disabled=not codes)
        playable = widgets.ToggleButtons(
            options=[("playable there", "playable"), ("not playable there", "blocked")],
            value="playable",
            style=STYLE,
            disabled=not codes,
        )
        return market, playable

    # --- the mask -------------------------------------------------------------------

    def mask(self) -> np.ndarray:
        """Which tracks pass every filter, as one boolean array."""
        c, w = self.cols, self.widgets
        keep = np.ones(len(c.saved_month), dtype=bool)
        first, last = w["saved"].value
        options = [v for _, v in w["saved"].options]
        if (first, last) != (options[0], options[-1]):
            keep &= (c.saved_month >= first) & (c.saved_month <= last)
        keep &= _within(c.release_year, w["released"])
        keep &= _within(c.minutes, w["duration"])
        if w["popularity"].layout.display != "none":
            keep &= _within(c.popularity, w["popularity"])
        if w["album_type"].value != ANY:
            keep &= c.album_type == w["album_type"].value
        if w["explicit"].value != ANY:
            keep &= c.explicit == (1.0 if w["explicit"].value == "explicit" else 0.0)
        if w["artists"].value:
            keep &= self._by_artists(w["artists"].value)
        if "genres" in w and w["genres"].value:
            keep &= self._by_genres(w["genres"].value)
        if "playlists" in w:
            keep &= self._by_playlists(w["playlists"].value, w["no_playlist"].value)
        if w["market"].value != ANY:
            market = w["market"].value
            keep &= self._playable_in(market) if w["playable"].value == "playable" else self._blocked_in(market)
        if "plays" in w:
            keep &= _within(c.plays, w["plays"])
            if w["since_saved"].value != ANY:
                keep &= (c.plays_after_save == 0) if w["since_saved"].value == "never" else (c.plays_after_save > 0)
        return keep

    def _by_artists(self, names: list[str]) -> np.ndarray:
        a = self.lib.artists
        hit = a["artist_name"].isin(names).to_numpy(dtype=bool, na_value=False)
        keep = np.zeros(len(self.cols.saved_month), dtype=bool)
        keep[a["item"].to_numpy()[hit]] = True
        return keep

    def _by_genres(self, names: list[str]) -> np.ndarray:
        """Tracks with any of the genres ``names``."""
        g = self.lib.genres
        keep = np.zeros(len(self.cols.saved_month), dtype=bool)
        keep[g["item"].to_numpy()[g["genre"].isin(names).to_numpy(dtype=bool, na_value=False)]] = True
        return keep

    def _by_playlists(self, chosen: tuple[int, ...], unsorted: str) -> np.ndarray:
        """Tracks in any of the ``chosen`` playlists, and/or in none (``stats.playlists``' answers)."""
        keep = np.ones(len(self.cols.saved_month), dtype=bool)
        if chosen:
            keep &= where.in_playlists(self.lib, chosen).to_numpy()
        if unsorted != ANY:
            if self._counts is None:
                self._counts = where.playlist_counts(self.lib).to_numpy()
            keep &= self._counts == 0
        return keep

    def _playable_in(self, market: str) -> np.ndarray:
        """Tracks known to play in ``market`` (``stats.playable_in``), computed once per market."""
        if market not in self._market_items:
            self._market_items[market] = stats.playable_in(self.lib, market).to_numpy(dtype=bool, na_value=False)
        return self._market_items[market]

    def _blocked_in(self, market: str) -> np.ndarray:
        """Tracks known not to play in ``market``."""
        key = f"not {market}"
        if key not in self._market_items:
            self._market_items[key] = (~stats.playable_in(self.lib, market)).to_numpy(dtype=bool, na_value=False)
        return self._market_items[key]

    def reset(self) -> None:
        """Every filter back to its full range."""
        w = self.widgets
        w["saved"].index = (0, len(w["saved"].options) - 1)
        for name in ("released", "duration", "popularity"):
            w[name].value = (w[name].min, w[name].max)
        w["artists"].value = []
        if "genres" in w:
            w["genres"].value = []
        if "playlists" in w:
            w["playlists"].value = ()
        for name in ("album_type", "explicit", "market", "since_saved", "no_playlist"):
            if name in w:
                w[name].value = ANY
        if "plays" in w:
            w["plays"].value = (w["plays"].min, w["plays"].max)
        w["playable"].value = "playable"

    def describe(self) -> list[str]:
        """The active filters in words."""
        w, out = self.widgets, []
        options = [v for _, v in w["saved"].options]
        first, last = w["saved"].value
        if (first, last) != (options[0], options[-1]):
            out.append(f"saved {month_label(first)} to {month_label(last)}")
        for name, unit in (("released", ""), ("duration", " min"), ("popularity", "")):
            lo, hi = w[name].value
            if (lo, hi) != (w[name].min, w[name].max) and w[name].layout.display != "none":
                out.append(f"{name} {lo:g}-{hi:g}{unit}")
        if w["artists"].value:
            out.append("by " + ", ".join(w["artists"].value))
        if "genres" in w and w["genres"].value:
            out.append("genres " + ", ".join(w["genres"].value))
        for name in ("album_type", "explicit"):
            if w[name].value != ANY:
                out.append(w[name].value)
        if "playlists" in w and w["playlists"].value:
            labels = dict((v, label) for label, v in w["playlists"].options)
            out.append("in " + " or ".join(labels[v] for v in w["playlists"].value))
        if "playlists" in w and w["no_playlist"].value != ANY:
            out.append("in no playlist")
        if w["market"].value != ANY:
            out.append(f"{'playable' if w['playable'].value == 'playable' else 'not playable'} in {w['market'].value}")
        if "plays" in w:
            lo, hi = w["plays"].value
            if (lo, hi) != (w["plays"].min, w["plays"].max):
                out.append(f"played {lo}-{hi} times")
            if w["since_saved"].value != ANY:
                out.append("never played since saved" if w["since_saved"].value == "never" else "played since saved")
        return out


def playlist_options(playlists: pd.DataFrame) -> list[tuple[str, int]]:
    """The playlists one can choose (those read), as (label, number): two playlists with the same name stay
    two ("Chill", "Chill (2)"), in the order of ``lib.playlists``."""
    read = playlists[playlists["status"] == "read"]
    names = read["name"].fillna("(no name)").astype(str)
    labels = number_repeats(names).tolist()
    return list(zip(labels, read["playlist"].to_numpy(dtype=int).tolist(), strict=True))


def _span(values: np.ndarray, default: tuple[int, int]) -> tuple[int, int]:
    """The whole-number range of the known ``values``, or ``default`` when none is known."""
    known = values[~np.isnan(values)]
    return (int(known.min()), int(known.max())) if known.size else default


def _popularity(lib: Library) -> np.ndarray:
    """What the popularity filter compares: Spotify's score, or where Spotify sent none, log10 of the
    ListenBrainz listeners open data found (NaN unknown)."""
    if stats.popularity_measure(lib) == "listeners":
        listeners = lib.tracks["listeners"].to_numpy(dtype=float, na_value=np.nan)
        return np.log10(np.maximum(listeners, 1))
    return lib.tracks["popularity"].to_numpy(dtype=float, na_value=np.nan)


def _range(kind: type, description: str, lo: float, hi: float, **options: object) -> widgets.Widget:
    """A range slider that starts at its full range (which filters nothing)."""
    return kind(
        value=(lo, hi),
        min=lo,
        max=hi,
        description=description,
        layout=full_width(),
        style=STYLE,
        continuous_update=False,
        **options,
    )


def _choice(description: str, options: list[tuple[str, str]]) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(options=options, value=ANY, description=description, style=STYLE)


def _within(values: np.ndarray, slider: widgets.Widget) -> np.ndarray:
    lo, hi = slider.value
    if (lo, hi) == (slider.min, slider.max):
        return np.ones(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        return (values >= lo) & (values <= hi)


def subset(lib: Library, keep: np.ndarray) -> Library:
    """The library restricted to ``keep``: tracks and artists (markets stay out: the views do not use them)."""
    tracks = lib.tracks.loc[keep]
    artists = lib.artists.loc[keep[lib.artists["item"].to_numpy()]]
    return Library(tracks, artists, lib.markets.iloc[:0], lib.info)
