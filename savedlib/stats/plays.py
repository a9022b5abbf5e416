"""What you play of what you saved: the listening history joined to the library.

A music stream belongs to a saved item when its track URI is the item's (or
the one Spotify relinked it from, ``linked_from_id``). Streams with no URI
(the account data's one-year history, local files) match by track name and
artist name, by ``savedlib.matching.same_song`` (the one name rule). A stream
of 30 s or more is a play, as Spotify counts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from savedlib.history import PLAY_MS, History
from savedlib.library import Library
from savedlib.matching import same_song
from savedlib.stats.library import track_labels

TRACK = "spotify:track:"


def _coded(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A text column as (codes, distinct values): the history's are categories already."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    return column.cat.codes.to_numpy(), column.cat.categories


def play_matches(lib: Library, history: History) -> pd.DataFrame:
    """Every (music stream, saved item) pair that belongs together: ``stream`` (row of
    ``history.plays``), ``item``, and ``how`` ("uri", "relinked" or "name").

    The work is done on the distinct URIs and names (a few thousand), not on every stream.
    """
    t, p = lib.tracks, history.plays
    music = (p["kind"] == "track").to_numpy(dtype=bool, na_value=False)
    codes, uris = _coded(p["track_uri"])
    saved = pd.concat(
        [
            pd.DataFrame({"uri": t["track_uri"], "item": t.index, "how": "uri"}),
            pd.DataFrame({"uri": TRACK + t["linked_from_id"], "item": t.index, "how": "relinked"}),
        ]
    ).dropna(subset=["uri"])
    pairs = [_expand(music & (codes >= 0), codes, uris.get_indexer(saved["uri"]), saved)]
    nameless = music & (codes < 0)
    if nameless.any():
        pairs.append(_by_name(lib, p, nameless))
    out = pd.concat(pairs, ignore_index=True).drop_duplicates(["stream", "item"])
    return out.astype({"stream": np.int64, "item": np.int64, "how": "category"})


def _expand(wanted: np.ndarray, codes: np.ndarray, saved_codes: np.ndarray, saved: pd.DataFrame) -> pd.DataFrame:
    """Pairs for the streams in ``wanted`` whose code (of a distinct value) a saved item has."""
    table = pd.DataFrame({"code": saved_codes, "item": saved["item"].to_numpy(), "how": saved["how"].to_numpy()})
    table = table[table["code"] >= 0]
    streams = pd.DataFrame({"stream": np.flatnonzero(wanted), "code": codes[wanted]})
    return streams.merge(table, on="code")[["stream", "item", "how"]]


def _by_name(lib: Library, p: pd.DataFrame, nameless: np.ndarray) -> pd.DataFrame:
    """Streams without a URI (the one-year history, local files) matched by track and artist name."""
    name_codes, names = _coded(p["track_name"])
    artist_codes, artists = _coded(p["artist_name"])
    pair = name_codes.astype(np.int64) * (len(artists) + 1) + artist_codes  # one code per (name, artist)
    pair[(name_codes < 0) | (artist_codes < 0) | ~nameless] = -1
    distinct = np.unique(pair[pair >= 0])
    keys = same_song(
        pd.Series(names[distinct // (len(artists) + 1)]), pd.Series(artists[distinct % (len(artists) + 1)])
    )
    # Two spellings ("Song", "SONG ") are two pairs but one key: each pair's code is its key's.
    key_of_pair, distinct_keys = pd.factorize(keys)
    saved_keys = same_song(lib.tracks["track_name"], lib.tracks["primary_artist"])
    saved = pd.DataFrame({"key": saved_keys, "item": lib.tracks.index, "how": "name"}).dropna()
    saved_codes = pd.Index(distinct_keys).get_indexer(saved["key"])
    codes = np.full(len(pair), -1)
    codes[pair >= 0] = key_of_pair[np.searchsorted(distinct, pair[pair >= 0])]
    return _expand(codes >= 0, codes, saved_codes, saved)


def matching_summary(history: History, pairs: pd.DataFrame) -> dict:
    """How many music streams were matched to a saved item, and how."""
    music = int((history.plays["kind"] == "track").sum())
    matched = pairs["stream"].nunique()
    by = pairs.drop_duplicates("stream")["how"].value_counts()
    return {
        "music_streams": music,
        "matched": int(matched),
        "rate": round(matched / music, 4) if music else 0.0,
        **{f"by_{how}": int(by.get(how, 0)) for how in ("uri", "relinked", "name")},
    }


def plays_per_track(lib: Library, history: History) -> pd.DataFrame:
    """One row per saved item (index ``item``): ``streams``, ``plays`` (streams of 30 s or more),
    ``ms_played``, ``skips``, ``first_played`` and ``last_played`` (plays), ``plays_before_save``,
    ``plays_after_save`` and ``days_to_first_play`` (from the save to the first play after it; NA for a
    track saved after the history's last stream: the history cannot say what came after).

    ``.attrs["matching"]`` says how many music streams were matched to a saved item, and how.
    """
    pairs = play_matches(lib, history)
    p, n = history.plays, len(lib.tracks)
    rows, items = pairs["stream"].to_numpy(), pairs["item"].to_numpy()
    ts = _micros(p["ts"])[rows]
    ms = p["ms_played"].to_numpy(dtype=np.float64, na_value=0)[rows]
    play = ms >= PLAY_MS
    saved_at = _micros(lib.tracks["added_at"])
    known = saved_at != NAT
    after = play & (ts >= saved_at[items])

    def count(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(items, weights=weights, minlength=n).astype(np.int64)

    out = pd.DataFrame(
        {
            "streams": count(),
            "plays": count(play),
            "ms_played": count(ms),
            "skips": count(p["skipped"].to_numpy(dtype=bool, na_value=False)[rows]),
            "first_played": _when(_extreme(np.minimum, items[play], ts[play], n)),
            "last_played": _when(_extreme(np.maximum, items[play], ts[play], n)),
            "plays_before_save": pd.array(count(play & ~after), dtype="Int64"),
            "plays_after_save": pd.array(count(after), dtype="Int64"),
        },
        index=lib.tracks.index,
    ).astype({c: "Int64" for c in ("streams", "plays", "ms_played", "skips")})
    for column in ("plays_before_save", "plays_after_save"):
        out.loc[~known, column] = pd.NA  # account data: no save dates, so no before or after
    last_stream = _micros(p["ts"]).max(initial=NAT)
    out.loc[known & (saved_at > last_stream), "plays_after_save"] = pd.NA  # nothing after the save to count
    first_after = _extreme(np.minimum, items[after], ts[after], n)
    days = np.where((first_after != NAT) & known, (first_after - saved_at) / 86_400e6, np.nan)
    out["days_to_first_play"] = pd.array(np.round(days, 2), dtype="Float64")
    out.attrs["matching"] = matching_summary(history, pairs)
    return out


NAT = np.iinfo(np.int64).min


def _micros(times: pd.Series) -> np.ndarray:
    """Times as microseconds since 1970 (NaT as ``NAT``), for fast arithmetic."""
    return times.dt.as_unit("us").array.asi8


def _when(micros: np.ndarray) -> pd.arrays.DatetimeArray:
    return pd.array(micros.view("datetime64[us]")).tz_localize("UTC")  # NAT is NaT's own bit pattern


def _extreme(ufunc: np.ufunc, items: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per item, the least (``np.minimum``) or greatest (``np.maximum``) value; ``NAT`` where none."""
    start = np.iinfo(np.int64).max if ufunc is np.minimum else np.iinfo(np.int64).min + 1
    out = np.full(n, start, dtype=np.int64)
    ufunc.at(out, items, values)
    out[out == start] = NAT
    return out


# --- summaries the charts draw ---------------------------------------------------------------


def played_months(lib: Library | None, history: History) -> pd.DataFrame:
    """Hours listened per ``month`` and ``what`` ("saved tracks", "other tracks", "podcasts and
    audiobooks", "video"; all music is "tracks" without a library, ``lib=None``). Months without
    listening included."""
    p = history.plays
    spoken, video = p["kind"].isin(["episode", "audiobook"]).to_numpy(), (p["kind"] == "video").to_numpy()
    what = np.select([spoken, video], ["podcasts and audiobooks", "video"], "tracks")
    if lib is not None:
        saved = np.zeros(len(p), dtype=bool)
        saved[play_matches(lib, history)["stream"].to_numpy()] = True
        what = np.where(what == "tracks", np.where(saved, "saved tracks", "other tracks"), what)
    month = _micros(p["ts"]).astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)  # months since 1970
    hours = p["ms_played"].to_numpy(dtype=float, na_value=0) / 3_600_000
    frame = pd.DataFrame({"month": month, "what": what, "hours": hours})
    table = frame.groupby(["month", "what"])["hours"].sum().unstack(fill_value=0.0)
    if len(table):
        table = table.reindex(np.arange(table.index.min(), table.index.max() + 1), fill_value=0.0)
    table.index = table.index.to_numpy().astype("datetime64[M]").astype("datetime64[s]")
    out = table.stack().rename("hours").reset_index()
    out.columns = ["month", "what", "hours"]
    out["month"] = out["month"].astype("datetime64[s]")
    return out.astype({"what": str, "hours": float}).round({"hours": 3})


#: How often a saved track was played, in words, in order.
PLAYED = ("never", "once", "2 to 9 times", "10 times or more")
"""How often saved tracks were played, the buckets of ``played_how_often``."""


def played_how_often(per_track: pd.DataFrame) -> pd.DataFrame:
    """Saved tracks by how often they were played: ``played`` (``PLAYED``), ``tracks``, ``share``."""
    plays = per_track["plays"].to_numpy(dtype=np.int64, na_value=0)
    group = np.select([plays == 0, plays == 1, plays < 10], [0, 1, 2], 3)
    counts = np.bincount(group, minlength=4)
    return pd.DataFrame({"played": list(PLAYED), "tracks": counts, "share": counts / max(counts.sum(), 1)})


WAITS = ("the same day", "within a week", "within a month", "within a year", "later", "not since saving")
"""How long after saving a track was first played, the buckets of ``first_play_waits``."""


def first_play_waits(per_track: pd.DataFrame) -> pd.DataFrame:
    """Saved tracks by how long after saving they were first played: ``wait`` (``WAITS``), ``tracks``.
    Tracks whose plays since saving are unknown (no save date, saved after the history ends) are left out."""
    days = per_track["days_to_first_play"].to_numpy(dtype=float, na_value=np.nan)
    group = np.select([days < 1, days < 7, days < 31, days < 366, days >= 366], [0, 1, 2, 3, 4], 5)
    counts = np.bincount(group[per_track["plays_after_save"].notna().to_numpy()], minlength=len(WAITS))
    return pd.DataFrame({"wait": list(WAITS), "tracks": counts})


def most_played(lib: Library, per_track: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` saved tracks played most: ``label``, ``plays``, ``hours``, ``item``."""
    top = per_track["plays"].astype("Float64").fillna(0).sort_values(ascending=False, kind="stable").head(n)
    top = top[top > 0]
    return pd.DataFrame(
        {
            "label": track_labels(lib.tracks.loc[top.index]).to_numpy(),
            "plays": top.to_numpy(dtype=np.int64),
            "hours": (per_track.loc[top.index, "ms_played"].to_numpy(dtype=float) / 3_600_000).round(1),
            "item": top.index.to_numpy(),
        }
    )


def forgotten(lib: Library, history: History, n: int = 20, quiet_days: int = 365) -> pd.DataFrame:
    """Saved tracks played most before the last ``quiet_days`` of the history and not since:
    ``label``, ``plays``, ``last_played``, ``item``."""
    pairs = play_matches(lib, history)
    rows, items = pairs["stream"].to_numpy(), pairs["item"].to_numpy()
    ts = _micros(history.plays["ts"])[rows]
    play = history.plays["ms_played"].to_numpy(dtype=np.int64, na_value=0)[rows] >= PLAY_MS
    items, ts = items[play], ts[play]
    cutoff = (ts.max() if ts.size else 0) - quiet_days * 86_400_000_000
    plays = np.bincount(items, minlength=len(lib.tracks))
    last = _extreme(np.maximum, items, ts, len(lib.tracks))
    quiet = np.flatnonzero((plays > 0) & (last <= cutoff))
    order = quiet[np.lexsort((-last[quiet], -plays[quiet]))][:n]
    return pd.DataFrame(
        {
            "label": track_labels(lib.tracks.iloc[order]).to_numpy(),
            "plays": plays[order].astype(np.int64),
            "last_played": _when(last[order]),
            "item": lib.tracks.index[order].to_numpy(),
        }
    )
