"""Which saved item a song found elsewhere is: the one rule every join to the saved library uses.

A playlist entry, or a stream without a URI, is the saved item with the same
track URI (or id); else the saved item Spotify relinked from that id; else the
one with the same ISRC, where both have one; else, by names, the one with the
same title and primary artist (ignoring case and outer spaces), and the same
album too where both sides name one (the only way for files that carry no URI).

Streams of the listening history (``savedlib.stats.plays``) take the steps a stream can: its track URI, the
id Spotify relinked from, then ``same_song`` (title and primary artist). Streams carry no ISRC, and the
one-year history names no album, so neither is compared there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from savedlib.frames.schema import MATCHED_BY, SONG_KINDS


def same_song(names: pd.Series, artists: pd.Series) -> pd.Series:
    """One key per (title, artist) that ignores case and outer spaces (NA where either is missing): the names
    rule, also how a stream without a URI finds its saved track and how two saves of one recording find each other."""
    return _fold(names) + "\x1f" + _fold(artists)


def _fold(values: pd.Series) -> pd.Series:
    """Text without case or outer spaces: the one fold of every name compared."""
    return values.astype("string").str.casefold().str.strip()


def _lookup(keys: pd.Series, items: np.ndarray, wanted: pd.Series) -> np.ndarray:
    """For each of ``wanted``, the first item (newest save) whose key equals it; -1 where none or NA."""
    present = keys.notna().to_numpy()
    index = pd.Index(keys[present].to_numpy(dtype=object, na_value=None))
    first = ~index.duplicated()
    found = pd.Index(index[first]).get_indexer(wanted.to_numpy(dtype=object, na_value=None))
    chosen = items[present][first]
    out = np.where(found >= 0, chosen[np.maximum(found, 0)] if len(chosen) else -1, -1)
    return np.where(wanted.isna().to_numpy(), -1, out)


def _by_names(entries: pd.DataFrame, tracks: pd.DataFrame, todo: np.ndarray) -> np.ndarray:
    """The names rule for the rows ``todo`` of ``entries``: title and primary artist, and the album where both
    sides have one. The first saved item that fits (the newest save); -1 where none does."""
    out = np.full(len(entries), -1, dtype=np.int64)
    if not todo.any() or tracks.empty:
        return out
    want = entries[todo]
    left = pd.DataFrame(
        {
            "row": np.flatnonzero(todo),
            "key": same_song(want["track_name"], want["artist_name"]).to_numpy(dtype=object),
            "album": _fold(want["album_name"]).to_numpy(dtype=object, na_value=None),
        }
    ).dropna(subset=["key"])
    right = pd.DataFrame(
        {
            "item": np.arange(len(tracks)),
            "key": same_song(tracks["track_name"], tracks["primary_artist"]).to_numpy(dtype=object),
            "saved_album": _fold(tracks["album_name"]).to_numpy(dtype=object, na_value=None),
        }
    ).dropna(subset=["key"])
    pairs = left.merge(right, on="key")
    fits = pairs["album"].isna() | pairs["saved_album"].isna() | (pairs["album"] == pairs["saved_album"])
    best = pairs[fits].groupby("row")["item"].min()
    out[best.index.to_numpy()] = best.to_numpy()
    return out


def match(entries: pd.DataFrame, tracks: pd.DataFrame) -> tuple[pd.Series, pd.Categorical]:
    """The saved item (the row of ``tracks``) each of ``entries`` is, and by which rule, first rule first.

    ``entries`` has ``uri``, ``track_id``, ``isrc``, ``track_name``, ``artist_name``, ``album_name`` and
    ``kind`` (only tracks and local files are matched, never an episode). Returns an ``Int64`` series
    (NA: no saved item) and the rule of each match (``MATCHED_BY``).
    """
    n = len(entries)
    item = np.full(n, -1, dtype=np.int64)
    how = np.full(n, -1, dtype=np.int8)
    songs = entries["kind"].isin(SONG_KINDS).to_numpy() if n else np.zeros(0, dtype=bool)
    rows = np.arange(len(tracks), dtype=np.int64)
    steps = [
        ("uri", tracks["track_uri"]),
        ("track_id", tracks["linked_from_id"]),
        ("isrc", tracks["isrc"]),
    ]
    for rule, (column, keys) in enumerate(steps):
        todo = songs & (item < 0)
        if not todo.any():
            break
        found = _lookup(keys.reset_index(drop=True), rows, entries[column].reset_index(drop=True))
        hit = todo & (found >= 0)
        item[hit], how[hit] = found[hit], rule
    found = _by_names(entries.reset_index(drop=True), tracks.reset_index(drop=True), songs & (item < 0))
    hit = found >= 0
    item[hit], how[hit] = found[hit], len(steps)
    matched = pd.array(np.where(item >= 0, item, 0), dtype="Int64")
    matched[item < 0] = pd.NA
    rule = pd.Categorical.from_codes(how, dtype=pd.CategoricalDtype(pd.Index(MATCHED_BY, dtype="str")))
    return pd.Series(matched, index=entries.index, name="item"), rule
