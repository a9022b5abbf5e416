"""What a library holds beyond single tracks: the same recording saved twice, genres, labels, audio features."""

from __future__ import annotations

import numpy as np
import pandas as pd

from savedlib.library import Library
from savedlib.matching import same_song
from savedlib.stats.library import track_labels

#: Two saves of one recording may differ this much in length (releases are mastered apart).
SAME_LENGTH_MS = 2000


def duplicates(lib: Library) -> pd.DataFrame:
    """Groups of saved items that are the same recording (the single, the album, the deluxe edition):
    the same ISRC, or, where an ISRC is missing, the same title and primary artist (without case) with
    lengths within 2 s. One row per item in a group: ``group``, ``item``, ``label``, ``album_name``,
    ``isrc``, ``duration_ms``, ``added_at``; groups in order of their newest save."""
    t = lib.tracks
    edges = [_same_isrc(t), _same_name(t)]
    pairs = np.concatenate([e for e in edges if e.size], axis=0) if any(e.size for e in edges) else np.zeros((0, 2))
    group = _components(len(t), pairs.astype(np.int64))
    sizes = np.bincount(group, minlength=len(t))
    members = np.flatnonzero(sizes[group] > 1)
    out = t.iloc[members][["album_name", "isrc", "duration_ms", "added_at"]].copy()
    out.insert(0, "label", track_labels(t.iloc[members], numbered=False).to_numpy())
    out.insert(0, "item", t.index[members])
    out.insert(0, "group", group[members])
    out = out.sort_values(["group", "added_at"], ascending=[True, False], kind="stable")
    first = out.groupby("group")["added_at"].transform("max")
    out = out.assign(_first=first).sort_values(["_first", "group", "added_at"], ascending=[False, True, False])
    out["group"] = pd.factorize(out["group"])[0] + 1
    return out.drop(columns="_first").reset_index(drop=True)


def _same_isrc(t: pd.DataFrame) -> np.ndarray:
    known = t["isrc"].notna().to_numpy()
    rows = np.flatnonzero(known)
    order = rows[np.argsort(t["isrc"].to_numpy(dtype=object)[rows], kind="stable")]
    isrc = t["isrc"].to_numpy(dtype=object)[order]
    same = np.flatnonzero(isrc[1:] == isrc[:-1])
    return np.stack([order[same], order[same + 1]], axis=1)


def _same_name(t: pd.DataFrame) -> np.ndarray:
    """Neighbours by (title, artist) whose lengths are within ``SAME_LENGTH_MS``, one of them without an ISRC."""
    key = same_song(t["track_name"], t["primary_artist"]).to_numpy(dtype=object, na_value=None)
    length = t["duration_ms"].to_numpy(dtype=float, na_value=np.nan)
    rows = np.flatnonzero(np.array([k is not None for k in key]) & ~np.isnan(length))
    order = rows[np.lexsort((length[rows], key[rows].astype(str)))]
    close = (key[order][1:] == key[order][:-1]) & (np.diff(length[order]) <= SAME_LENGTH_MS)
    no_isrc = t["isrc"].isna().to_numpy()[order]
    edge = np.flatnonzero(close & (no_isrc[1:] | no_isrc[:-1]))
    return np.stack([order[edge], order[edge + 1]], axis=1)


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected groups of ``n`` rows joined by ``pairs``: each row's group is its smallest member.

    Union-find over the pairs alone (the duplicates, a few), then each paired row's root; other rows
    are their own group."""
    parent = np.arange(n)

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in pairs:
        ra, rb = root(int(a)), root(int(b))
        parent[max(ra, rb)] = min(ra, rb)
    paired = np.unique(pairs)
    group = np.arange(n)
    group[paired] = [root(int(k)) for k in paired]
    return group


# --- genres and labels ------------------------------------------------------------------------


def genre_counts(lib: Library, n: int = 20) -> pd.DataFrame:
    """The ``n`` genres with the most saved tracks: ``genre``, ``tracks``, ``share`` (of all tracks)."""
    counts = lib.genres["genre"].astype(str).value_counts()
    out = counts.head(n).rename_axis("genre").reset_index(name="tracks")
    out["share"] = out["tracks"] / max(len(lib.tracks), 1)
    return out.astype({"tracks": np.int64})


def genres_by_year(lib: Library, n: int = 6) -> pd.DataFrame:
    """Per save ``year`` and genre (the ``n`` leading ones, the rest "other genres"): ``tracks`` and
    ``share`` of that year's saves with a known genre."""
    leading = genre_counts(lib, n)["genre"].tolist()
    g = lib.genres.assign(genre=lib.genres["genre"].astype(str))
    g["genre"] = g["genre"].where(g["genre"].isin(leading), "other genres")
    year = lib.tracks["added_at"].dt.year.to_numpy(dtype=float, na_value=np.nan)[g["item"].to_numpy()]
    frame = pd.DataFrame({"year": year, "genre": g["genre"].to_numpy(), "item": g["item"].to_numpy()}).dropna()
    frame = frame.drop_duplicates(["year", "genre", "item"])
    out = frame.groupby(["year", "genre"]).size().rename("tracks").reset_index()
    per_year = frame.groupby("year")["item"].nunique()
    out["share"] = out["tracks"] / out["year"].map(per_year)
    return out.astype({"year": np.int64, "tracks": np.int64})


def label_counts(lib: Library, n: int = 20) -> pd.DataFrame:
    """The ``n`` record labels with the most saved tracks: ``label``, ``tracks``."""
    counts = lib.tracks["album_label"].dropna().astype(str).value_counts().head(n)
    return counts.rename_axis("label").reset_index(name="tracks").astype({"tracks": np.int64})


def feature_histograms(lib: Library, bins: int = 20) -> pd.DataFrame:
    """Per audio feature scaled 0-1 (danceability ... valence) plus tempo: ``feature``, ``start``, ``end``,
    ``tracks``."""
    f = lib.audio_features
    rows = []
    for name in ("danceability", "energy", "valence", "acousticness", "speechiness", "instrumentalness", "liveness"):
        values = f[name].to_numpy(dtype=float, na_value=np.nan)
        counts, edges = np.histogram(values[~np.isnan(values)], bins=bins, range=(0, 1))
        rows.append(pd.DataFrame({"feature": name, "start": edges[:-1], "end": edges[1:], "tracks": counts}))
    return pd.concat(rows, ignore_index=True).astype({"tracks": np.int64})


#: What a library can have, and the column (or table) that shows it.
HAS = {
    "save dates": "added_at",
    "track lengths": "duration_ms",
    "release dates": "album_release_year",
    "popularity": "popularity",
    "markets": "n_markets",
    "ISRC codes": "isrc",
    "artist ids": "primary_artist_id",
    "record labels": "album_label",
}


def what_it_has(lib: Library) -> pd.Series:
    """The share of tracks with each kind of data (save dates, popularity, genres, audio features ...):
    what a source gives, side by side with another's."""
    t = lib.tracks
    n = max(len(t), 1)
    shares = {name: float(t[column].notna().sum()) / n for name, column in HAS.items()}
    shares["genres"] = lib.genres["item"].nunique() / n
    shares["audio features"] = len(lib.audio_features) / n
    return pd.Series(shares, name=lib.info.get("format", "Web API"), dtype=float).round(2)
