"""Which MusicBrainz recording a saved track is: its ISRC's, and when there are several, the one by its artists.

The rule, in order:

1. An ISRC with one recording: that recording.
2. An ISRC with several: the one whose credited artists share the most with the
   track's, counted by artist MBID (the track's Spotify artists' MBIDs, found by their
   Spotify pages), and where no MBID is shared, by name (ignoring case). A tie goes to
   the recording MusicBrainz's search ranked first.
3. Several recordings and not one credited artist in common: none (the ISRC is shared
   by recordings of other artists, and a guess would be wrong as often as right).
4. No ISRC, or an ISRC MusicBrainz does not know: none.

Vectorised with pandas: one row per (track, candidate recording), scored, the best kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def candidates(isrcs: pd.DataFrame) -> pd.DataFrame:
    """One row per (isrc, recording): ``isrc, rank, recording_mbid, artist_mbids, artist_names``."""
    rows = isrcs[["isrc", "recordings"]].explode("recordings").dropna(subset=["recordings"])
    if rows.empty:
        columns = ["isrc", "rank", "recording_mbid", "artist_mbids", "artist_names"]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rec = pd.DataFrame(rows["recordings"].tolist(), index=rows.index)
    out = pd.concat([rows[["isrc"]], rec], axis=1).reset_index(drop=True)
    out["rank"] = out.groupby("isrc").cumcount()
    return out


def choose(tracks: pd.DataFrame, artists: pd.DataFrame, isrcs: pd.DataFrame) -> pd.Series:
    """The recording MBID of each item (NA where none is chosen), by the rule above.

    ``tracks``: ``item, isrc``; ``artists``: ``item, artist_mbid, artist_name`` (the library's
    long table with MBIDs); ``isrcs``: the cache's ``isrc, recordings``.
    """
    cand = candidates(isrcs)
    pairs = tracks[["item", "isrc"]].dropna().merge(cand, on="isrc")
    if pairs.empty:
        return pd.Series(pd.NA, index=tracks["item"], dtype="string")
    pairs["several"] = pairs.groupby("item")["recording_mbid"].transform("size") > 1
    pairs["by_mbid"] = _shared(pairs, artists, "artist_mbids", "artist_mbid", str)
    by_name = _shared(pairs, artists, "artist_names", "artist_name", lambda s: str(s).casefold())
    pairs["by_name"] = np.where(pairs["by_mbid"] > 0, 0, by_name)  # names count only where no MBID is shared
    pairs = pairs[~pairs["several"] | (pairs["by_mbid"] > 0) | (pairs["by_name"] > 0)]
    order = ["item", "by_mbid", "by_name", "rank"]  # MBIDs shared, then names shared, then MusicBrainz's rank
    best = pairs.sort_values(order, ascending=[True, False, False, True]).drop_duplicates("item")
    chosen = best.set_index("item")["recording_mbid"].astype("string")
    return chosen.reindex(tracks["item"])


def _shared(pairs: pd.DataFrame, artists: pd.DataFrame, credited: str, own: str, key) -> np.ndarray:
    """For each (item, recording) row: how many of the recording's credited artists are the item's."""
    rows = pairs[["item", credited]].reset_index(names="row").explode(credited).dropna(subset=[credited])
    theirs = artists[["item", own]].dropna()
    if rows.empty or theirs.empty:
        return np.zeros(len(pairs), dtype=np.int64)
    rows["key"] = rows[credited].map(key)
    theirs = theirs.assign(key=theirs[own].map(key))[["item", "key"]].drop_duplicates()
    hits = rows.merge(theirs, on=["item", "key"]).groupby("row").size()
    return hits.reindex(range(len(pairs)), fill_value=0).to_numpy()
