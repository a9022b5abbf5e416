"""The demo's artist genres: about half of its artists have some, the way Spotify's are sparse.

An artist's genres follow when the listener mostly saved them (indie then,
electronic later, hip hop lately), so that the genres tell a story over the
years. Drawn from their own random stream: the demo's items are not changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from savedlib.demodata import names
from savedlib.library import Library


def artist_genres(lib: Library, seed: int = 0) -> pd.DataFrame:
    """One row per (artist_id, genre) for about half of ``lib``'s artists (sorted by id: deterministic)."""
    a = lib.artists.dropna(subset=["artist_id"])
    first_save = (
        pd.DataFrame({"artist_id": a["artist_id"].to_numpy(), "at": lib.tracks["added_at"].to_numpy()[a["item"]]})
        .groupby("artist_id")["at"]
        .median()
        .sort_index()
    )
    ids = first_save.index.to_numpy()
    rng = np.random.Generator(np.random.PCG64(seed + 4242))
    years = first_save.dt.year.to_numpy() if len(ids) else np.array([], dtype=int)
    drift = np.where(rng.random(len(ids)) < 0.25, rng.integers(-1, 2, len(ids)), 0)  # now and then, an old love
    era = np.clip((years - 2018) * 3 // 8 + drift, 0, len(names.GENRES_BY_ERA) - 1)
    has = rng.random(len(ids)) < 0.5
    count = rng.integers(1, 4, len(ids))
    rows = []
    for k in np.flatnonzero(has):
        pool = names.GENRES_BY_ERA[era[k]]
        picks = rng.choice(len(pool), size=min(count[k], len(pool)), replace=False)
        rows += [(ids[k], pool[p]) for p in sorted(picks)]
    return pd.DataFrame(rows, columns=["artist_id", "genre"]).astype(str)


def coverage(lib: Library, genres: pd.DataFrame) -> dict[str, int]:
    """``info["genres"]``: how many of the library's artists (with an id) have genres, as after ``add_genres``."""
    artists = lib.artists["artist_id"].dropna().nunique()
    with_genres = genres["artist_id"].nunique()
    return {"artists": artists, "asked": artists, "with_genres": with_genres, "without_genres": artists - with_genres,
            "unknown": 0, "remaining": 0, "requests": 0}  # fmt: skip
