"""Summary tables of a library on its own: saves, durations, popularity, markets, artists and albums.

Every function takes a ``Library`` and returns a small DataFrame (tens to a few
thousand rows whatever the library's size), computed with vectorised pandas.
Charts never see the raw rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pycountry

from savedlib.frames.schema import WATCHED_FIELDS
from savedlib.library import Library
from savedlib.markets import SPOTIFY_MARKETS
from savedlib.matching import same_song  # noqa: F401 (the one name rule, at home in savedlib.matching)
from savedlib.text import number_repeats

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""The days of the week in the order the charts show them."""

FIELD_OF = {column: field for field, (column, _) in WATCHED_FIELDS.items()} | {
    "album_release_year": "album.release_date"
}
"""The Spotify field behind each column whose absence ``info["missing_fields"]`` explains."""


# --- what a library has ---------------------------------------------------------------


def why_missing(lib: Library, column: str, what: str, local_files: bool = False) -> str | None:
    """Why ``column`` has no value to show (a sentence), or None when some track has one.

    Local files count only when ``local_files`` (they have lengths, but no popularity or markets).
    """
    real = np.ones(len(lib.tracks), dtype=bool)
    if not local_files:
        real = ~lib.tracks["is_local"].fillna(False).to_numpy(dtype=bool)
    if lib.tracks.loc[real, column].notna().any():
        return None
    reason = (lib.info.get("missing_fields") or {}).get(FIELD_OF.get(column, column))
    if reason:
        return reason[0].upper() + reason[1:] + "."
    if not real.any() and len(lib.tracks):
        return f"Only local files here: Spotify has no {what} for them."
    return f"No track in this library has {what}."


def popularity_known(lib: Library) -> bool:
    """Whether any (non-local) track has Spotify's popularity score: the one answer every view uses."""
    return why_missing(lib, "popularity", "popularity scores") is None


def listeners_known(lib: Library) -> bool:
    """Whether any track has ListenBrainz listeners (``savedlib.add_open_data``)."""
    return "listeners" in lib.tracks and bool(lib.tracks["listeners"].notna().any())


def popularity_measure(lib: Library) -> str:
    """The column the popularity views show: Spotify's ``popularity`` where it was sent, else ListenBrainz
    ``listeners`` where open data has them (never passed off as Spotify's score), else ``popularity``."""
    return "listeners" if not popularity_known(lib) and listeners_known(lib) else "popularity"


def track_labels(tracks: pd.DataFrame, width: int = 48, numbered: bool = True) -> pd.Series:
    """ "Name · Artist" per track, shortened to ``width`` characters, on one line; ``numbered``, a label that
    two tracks share gets its number (" (2)"), so that a chart keyed on labels draws each track on its own row."""
    name = tracks["track_name"].fillna("(no name)").astype(str)
    artist = tracks["primary_artist"].fillna("unknown artist").astype(str)
    label = (name + " · " + artist).str.replace(r"\s+", " ", regex=True).str.strip()
    label = label.where(label.str.len() <= width, label.str.slice(0, width - 1) + "…")
    if not numbered:
        return label
    return number_repeats(label)


# --- when tracks were saved ------------------------------------------------------


def saves_per_month(lib: Library) -> pd.DataFrame:
    """``month`` (first day), ``saves`` that month, ``library_size`` at its end; months without saves included."""
    added = lib.tracks["added_at"].dropna()
    if added.empty:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "saves": [], "library_size": []})
    months = added.dt.tz_localize(None).dt.to_period("M")
    counts = months.value_counts().sort_index()
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    counts = counts.reindex(full, fill_value=0)
    return pd.DataFrame(
        {
            "month": full.to_timestamp().as_unit("us"),
            "saves": counts.to_numpy(dtype=np.int64),
            "library_size": counts.cumsum().to_numpy(dtype=np.int64),
        }
    )


def saves_by_weekday_hour(lib: Library, tz: str = "UTC") -> pd.DataFrame:
    """Saves per (``weekday``, ``hour``) in time zone ``tz``: all 7 × 24 cells, zeros included."""
    local = lib.tracks["added_at"].dropna().dt.tz_convert(tz)
    cell = local.dt.day_of_week.to_numpy(dtype=np.int64) * 24 + local.dt.hour.to_numpy(dtype=np.int64)
    counts = np.bincount(cell, minlength=7 * 24)
    return pd.DataFrame(
        {
            "weekday": pd.Categorical.from_codes(np.repeat(np.arange(7), 24), categories=list(WEEKDAYS)),
            "hour": np.tile(np.arange(24, dtype=np.int64), 7),
            "saves": counts.astype(np.int64),
        }
    )


def release_vs_save_year(lib: Library) -> pd.DataFrame:
    """Tracks per (``save_year``, ``release_decade``), and each save year's median ``age`` in years."""
    t = lib.tracks
    known = t["album_release_year"].notna() & t["added_at"].notna()
    save_year = t.loc[known, "added_at"].dt.year.astype(np.int64)
    release_year = t.loc[known, "album_release_year"].astype(np.int64)
    frame = pd.DataFrame(
        {"save_year": save_year, "release_decade": release_year // 10 * 10, "age": save_year - release_year}
    )
    out = frame.groupby(["save_year", "release_decade"]).size().rename("tracks").reset_index()
    median_age = frame.groupby("save_year")["age"].median().rename("median_age")
    return out.merge(median_age, on="save_year").astype({"tracks": np.int64})


# --- durations ---------------------------------------------------------------------


def duration_histogram(lib: Library, step: float = 0.25, limit: float = 12.0) -> pd.DataFrame:
    """Tracks per ``step``-minute bin from 0 to ``limit``; the last bin (``open_ended``) holds all longer tracks."""
    minutes = (lib.tracks["duration_ms"].dropna().to_numpy(dtype=float)) / 60_000
    starts = np.arange(0, limit + step / 2, step)
    counts, _ = np.histogram(minutes, bins=np.append(starts, np.inf))
    return pd.DataFrame(
        {
            "start": starts.round(4),
            "end": (starts + step).round(4),
            "tracks": counts.astype(np.int64),
            "open_ended": starts >= limit,
        }
    )


def duration_by_decade(lib: Library) -> pd.DataFrame:
    """Per release ``decade``: track count and duration quartiles, whiskers at the 5th and 95th percentiles (min)."""
    t = lib.tracks
    frame = pd.DataFrame(
        {
            "decade": (t["album_release_year"] // 10 * 10),
            "minutes": t["duration_ms"].astype("Float64") / 60_000,
        }
    ).dropna()
    grouped = frame.groupby("decade")["minutes"]
    out = grouped.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    out.columns = ["p05", "q1", "median", "q3", "p95"]
    out["tracks"] = grouped.size()
    out = out.reset_index()
    out["decade"] = out["decade"].astype(np.int64)
    out["label"] = out["decade"].astype(str) + "s"
    return out.astype({c: float for c in ("p05", "q1", "median", "q3", "p95")}).astype({"tracks": np.int64})


def extremes(lib: Library, column: str, n: int = 10) -> pd.DataFrame:
    """The ``n`` highest and ``n`` lowest tracks by ``column``: ``label``, ``value``, ``end`` ("highest"/"lowest")."""
    t = lib.tracks
    values = t[column].dropna()
    top = values.sort_values(ascending=False, kind="stable").head(n)
    bottom = values.drop(top.index, errors="ignore").sort_values(kind="stable").head(n)
    rows = []
    for end, part in (("highest", top), ("lowest", bottom)):
        rows.append(
            pd.DataFrame(
                {
                    "label": track_labels(t.loc[part.index]).to_numpy(),
                    "value": part.astype(float).to_numpy(),
                    "end": end,
                    "rank": np.arange(1, len(part) + 1),
                    "item": part.index.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


# --- popularity --------------------------------------------------------------------


def popularity_histogram(lib: Library, step: int = 5) -> pd.DataFrame:
    """Tracks per popularity bin (0-4, 5-9, ..., 95-100)."""
    values = lib.tracks["popularity"].dropna().to_numpy(dtype=np.int64)
    starts = np.arange(0, 100, step)
    counts = np.bincount(np.minimum(values // step, len(starts) - 1), minlength=len(starts))
    return pd.DataFrame({"start": starts, "end": starts + step, "tracks": counts.astype(np.int64)})


def listeners_histogram(lib: Library) -> pd.DataFrame:
    """Tracks per decade of ListenBrainz listeners (1-9, 10-99, 100-999 ...): the counts span five orders
    of magnitude, so the bins are even on a log scale."""
    values = lib.tracks["listeners"].dropna().to_numpy(dtype=np.float64)
    decade = np.floor(np.log10(np.maximum(values, 1))).astype(np.int64)
    counts = np.bincount(decade, minlength=max(int(decade.max(initial=0)) + 1, 1))
    starts = 10.0 ** np.arange(len(counts))
    return pd.DataFrame({"start": starts, "end": starts * 10, "tracks": counts.astype(np.int64)})


def popularity_by(lib: Library, by: str, column: str = "popularity") -> pd.DataFrame:
    """Quartiles of ``column`` (``popularity``, or ``listeners``) per ``by``: ``"release_year"`` or ``"save_month"``."""
    t = lib.tracks
    if by == "release_year":
        key = t["album_release_year"]
    elif by == "save_month":
        key = t["added_at"].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp().astype("datetime64[us]")
    else:
        raise ValueError(f"by must be 'release_year' or 'save_month', not {by!r}")
    frame = pd.DataFrame({by: key, "value": t[column].astype("Float64")}).dropna()
    grouped = frame.groupby(by)["value"]
    out = grouped.quantile([0.25, 0.5, 0.75]).unstack()
    out.columns = ["q1", "median", "q3"]
    out["tracks"] = grouped.size()
    out = out.reset_index().astype({"q1": float, "median": float, "q3": float, "tracks": np.int64})
    if by == "release_year":
        out[by] = out[by].astype(np.int64)
    return out


# --- markets -----------------------------------------------------------------------


def market_counts(lib: Library) -> pd.DataFrame:
    """Per Spotify market: ``tracks`` of the library available there, ``share`` of the library, country ``name``."""
    counted = lib.markets["market"].value_counts()
    codes = sorted(set(SPOTIFY_MARKETS) | set(counted.index[counted > 0]))
    tracks = counted.reindex(codes, fill_value=0).to_numpy(dtype=np.int64)
    considered = int(lib.tracks["n_markets"].notna().sum())
    return pd.DataFrame(
        {
            "market": codes,
            "name": [country_name(code) for code in codes],
            "tracks": tracks,
            "share": tracks / considered if considered else np.zeros(len(codes)),
        }
    )


def country_name(code: str) -> str:
    """A country's common name from its ISO alpha-2 code (Kosovo included)."""
    if code == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def markets_histogram(lib: Library, step: int = 10) -> pd.DataFrame:
    """Tracks per number-of-markets bin; tracks available nowhere get their own ``0`` bin."""
    n = lib.tracks["n_markets"].dropna().to_numpy(dtype=np.int64)
    top = max(int(n.max()) if n.size else 0, len(SPOTIFY_MARKETS))
    starts = np.arange(1, top + 1, step)
    counts = np.bincount((n[n > 0] - 1) // step, minlength=len(starts))[: len(starts)]
    return pd.DataFrame(
        {
            "start": np.r_[0, starts],
            "end": np.r_[0, np.minimum(starts + step - 1, top)],
            "tracks": np.r_[(n == 0).sum(), counts].astype(np.int64),
            "label": ["none"] + [f"{s}-{min(s + step - 1, top)}" for s in starts],
        }
    )


#: Spotify's restriction reasons, in words.
REASONS = {"market": "not available there", "product": "needs Premium", "explicit": "explicit content blocked"}
"""Spotify's restriction reasons, in words."""


def playable_in(lib: Library, market: str) -> pd.arrays.BooleanArray:
    """Whether each saved track can play in ``market``: True, False, or NA where unknown.

    From ``is_playable`` when the library was read with that market; from
    ``available_markets`` otherwise. Local files, and tracks whose markets
    Spotify did not send, are NA. A library read with another market cannot
    tell, and raises ``ValueError``.
    """
    t = lib.tracks
    local = t["is_local"].fillna(False).to_numpy(dtype=bool)
    read_with = lib.info.get("market")
    if read_with:
        if read_with != market:
            raise ValueError(
                f"this library was read with market {read_with!r}: it only knows what plays there, not in {market!r}"
            )
        playable = t["is_playable"].to_numpy(dtype=bool, na_value=False)
        unknown = t["is_playable"].isna().to_numpy() | local
        return pd.arrays.BooleanArray(playable, unknown)
    there = np.zeros(len(t), dtype=bool)
    m = lib.markets
    there[m["item"].to_numpy()[(m["market"] == market).to_numpy(dtype=bool, na_value=False)]] = True
    return pd.arrays.BooleanArray(there, t["n_markets"].isna().to_numpy() | local)


def unplayable(lib: Library, market: str) -> pd.DataFrame:
    """Saved tracks that cannot play in ``market``, with the ``reason`` (local files are left out)."""
    t = lib.tracks
    blocked = (~playable_in(lib, market)).to_numpy(dtype=bool, na_value=False)
    if lib.info.get("market"):
        reason = t["restriction"].astype(object).map(REASONS).fillna("not playable")
    else:
        nowhere = t["n_markets"].fillna(0).to_numpy() == 0
        reason = pd.Series(np.where(nowhere, "available nowhere", REASONS["market"]), index=t.index)
    out = t.loc[blocked, ["track_name", "primary_artist", "album_name", "n_markets", "track_url"]].copy()
    out.insert(0, "label", track_labels(t.loc[blocked]))
    out["reason"] = reason[blocked].astype(str).to_numpy()
    return out


# --- artists and albums --------------------------------------------------------------


def top_artists(lib: Library, n: int = 20) -> pd.DataFrame:
    """The ``n`` artists with the most saved tracks (any position on the track), ties by name."""
    a = lib.artists
    key = a["artist_id"].fillna("name:" + a["artist_name"].fillna(""))
    counts = (
        pd.DataFrame({"key": key, "artist": a["artist_name"]})
        .groupby("key")
        .agg(artist=("artist", "first"), tracks=("artist", "size"))
    )
    out = counts.sort_values(["tracks", "artist"], ascending=[False, True]).head(n).reset_index(drop=True)
    return out.astype({"artist": str, "tracks": np.int64})


def top_albums(lib: Library, n: int = 20) -> pd.DataFrame:
    """The ``n`` albums with the most saved tracks: ``album``, ``artist``, ``tracks``, ``album_tracks``."""
    t = lib.tracks
    known = t["album_id"].notna()
    grouped = (
        t[known]
        .groupby("album_id")
        .agg(
            album=("album_name", "first"),
            artist=("album_artists", "first"),
            tracks=("track_id", "size"),
            album_tracks=("album_total_tracks", "first"),
        )
    )
    out = grouped.sort_values(["tracks", "album"], ascending=[False, True]).head(n).reset_index(drop=True)
    out["label"] = (out["album"].astype(str) + " · " + out["artist"].fillna("").astype(str)).str.slice(0, 48)
    return out.astype({"tracks": np.int64})
