"""Where each saved song lives: the playlists of each saved item, saved songs in no playlist, playlist songs
never saved, and how much of each playlist is saved. Vectorised over ``lib.playlist_items`` (matched to saved
items by ``savedlib.matching``'s one rule when the playlists were read)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from savedlib.frames.schema import SONG_KINDS
from savedlib.library import Library
from savedlib.matching import same_song

#: The buckets of "in how many playlists": the charts' and the explorer's.
BUCKETS = ("none", "1", "2–4", "5 or more")


def _songs(lib: Library) -> pd.DataFrame:
    """The entries that are songs (not episodes), with their playlist's name."""
    e = lib.playlist_items
    e = e[e["kind"].isin(SONG_KINDS)]
    names = lib.playlists.set_index("playlist")["name"]
    return e.assign(playlist_name=e["playlist"].map(names).astype("string"))


def _held(lib: Library) -> pd.DataFrame:
    """Which saved item each playlist holds: unique (``item``, ``playlist``) pairs of the matched entries."""
    e = lib.playlist_items
    return e.loc[e["item"].notna(), ["item", "playlist"]].drop_duplicates()


def playlist_counts(lib: Library) -> pd.Series:
    """For each saved item, how many playlists hold it (a song twice in one playlist counts once); 0 for none."""
    counts = np.bincount(_held(lib)["item"].to_numpy(dtype=np.int64), minlength=len(lib.tracks))
    return pd.Series(counts[: len(lib.tracks)], index=lib.tracks.index, name="playlists")


def in_playlists(lib: Library, playlists: Iterable[int]) -> pd.Series:
    """For each saved item, whether any of ``playlists`` (numbers of ``lib.playlists.playlist``) holds it:
    the explorer's "in playlist ..." filter. Unknown numbers hold nothing."""
    pairs = _held(lib)
    items = pairs.loc[pairs["playlist"].isin(list(playlists)), "item"].to_numpy(dtype=np.int64)
    keep = np.zeros(len(lib.tracks), dtype=bool)
    keep[items[items < len(keep)]] = True
    return pd.Series(keep, index=lib.tracks.index, name="in_playlists")


def playlists_of(lib: Library) -> pd.DataFrame:
    """One row per saved item: ``track_name``, ``artists``, ``playlists`` (how many) and ``names`` (theirs, "; ")."""
    songs = _songs(lib).dropna(subset=["item"]).drop_duplicates(["item", "playlist"]).sort_values("playlist")
    names = songs.groupby("item")["playlist_name"].agg("; ".join)
    t = lib.tracks
    return pd.DataFrame(
        {
            "track_name": t["track_name"],
            "artists": t["artists"],
            "playlists": playlist_counts(lib),
            "names": names.reindex(t.index.to_numpy()).to_numpy(),
        },
        index=t.index,
    ).astype({"names": "string"})


def unread_note(lib: Library) -> str | None:
    """Why the answers may miss playlists (some could not be read), in words; None when every one was."""
    p = lib.playlists
    unread = p[p["status"] != "read"]
    if unread.empty:
        return None
    why = ", ".join(f"{n} {s}" for s, n in unread["status"].value_counts(sort=False).items() if n)
    return f"{len(unread)} of {len(p)} playlists could not be read ({why}): their songs are not counted."


def in_no_playlist(lib: Library) -> pd.DataFrame:
    """The saved items in none of the playlists read (newest save first): what is left to sort."""
    t = lib.tracks[playlist_counts(lib).to_numpy() == 0]
    out = t[["added_at", "track_name", "artists", "album_name", "track_url"]].copy()
    out.attrs["note"] = unread_note(lib)
    return out


def never_saved(lib: Library) -> pd.DataFrame:
    """Songs in playlists that match no saved item, one row a song (by URI, else by ``matching.same_song``):
    ``track_name``, ``artist_name``, ``album_name``, ``uri``, ``playlists`` (how many) and ``names``; most
    playlists first."""
    songs = _songs(lib)
    songs = songs[songs["item"].isna()]
    key = songs["uri"].fillna(same_song(songs["track_name"].fillna(""), songs["artist_name"].fillna("")))
    grouped = songs.assign(key=key).groupby("key", sort=False)
    out = grouped.agg(
        track_name=("track_name", "first"),
        artist_name=("artist_name", "first"),
        album_name=("album_name", "first"),
        uri=("uri", "first"),
        playlists=("playlist", "nunique"),
        names=("playlist_name", lambda s: "; ".join(dict.fromkeys(s.dropna()))),
    )
    return out.sort_values(["playlists", "track_name"], ascending=[False, True]).reset_index(drop=True)


def playlist_coverage(lib: Library) -> pd.DataFrame:
    """Per playlist: ``name``, ``owner_id``, ``status``, ``songs``, ``saved`` (songs that are saved items) and
    ``share_saved`` (NA for a playlist not read or without songs)."""
    songs = _songs(lib)
    counts = songs.groupby("playlist").agg(songs=("kind", "size"), saved=("item", "count"))
    p = lib.playlists.set_index("playlist")
    out = p[["name", "owner_id", "status"]].join(counts).fillna({"songs": 0, "saved": 0})
    out = out.astype({"songs": "Int64", "saved": "Int64"})
    read = (out["status"] == "read") & (out["songs"] > 0)
    out["share_saved"] = (out["saved"] / out["songs"]).astype("Float64").where(read)
    return out.reset_index()


def saved_share_bins(lib: Library) -> pd.DataFrame:
    """Playlists read (with songs) by the share of their songs that are saved, counted in bins from ``start`` to
    ``end``: ten of 10 %, and 100 % in one of its own (1 to 1.02); ``playlists`` in each."""
    share = playlist_coverage(lib)["share_saved"].dropna().to_numpy(dtype=float)
    counts = np.bincount(np.minimum((share * 10).astype(int), 10), minlength=11)
    edges = [k / 10 for k in range(11)]
    return pd.DataFrame({"start": [*edges[:10], 1.0], "end": [*edges[1:], 1.02], "playlists": counts.astype(np.int64)})


def playlist_buckets(lib: Library) -> pd.DataFrame:
    """Saved items by how many playlists hold them: ``bucket`` (``BUCKETS``) and ``tracks``."""
    counts = playlist_counts(lib).to_numpy()
    bucket = np.digitize(counts, [1, 2, 5])  # 0 -> none, 1 -> 1, 2..4 -> 2–4, 5+ -> 5 or more
    tracks = np.bincount(bucket, minlength=len(BUCKETS))
    return pd.DataFrame({"bucket": list(BUCKETS), "tracks": tracks.astype(np.int64)})


def unsorted_per_month(lib: Library) -> pd.DataFrame:
    """Per month of saving: ``saves`` and ``unsorted`` (those saves in no playlist), months without saves included."""
    added = lib.tracks["added_at"]
    known = added.notna().to_numpy()
    if not known.any():
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "saves": [], "unsorted": []})
    months = added[known].dt.tz_localize(None).dt.to_period("M")
    none = playlist_counts(lib).to_numpy()[known] == 0
    full = pd.period_range(months.min(), months.max(), freq="M")
    saves = months.value_counts().reindex(full, fill_value=0)
    unsorted = months[none].value_counts().reindex(full, fill_value=0)
    return pd.DataFrame(
        {
            "month": full.to_timestamp().as_unit("us"),
            "saves": saves.to_numpy(dtype=np.int64),
            "unsorted": unsorted.to_numpy(dtype=np.int64),
        }
    )
