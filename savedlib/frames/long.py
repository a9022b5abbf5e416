"""The long tables: one row per (item, artist), per (item, market), per (item, genre)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.markets import SPOTIFY_MARKETS
from savedlib.tables import STRING, categorical


def list_offsets(lists: pa.Array) -> pa.Array:
    """The offsets of ``lists`` into ``pc.list_flatten(lists)`` (a missing list: none)."""
    counts = pc.list_value_length(lists).fill_null(0).to_numpy().astype(np.int32)
    return pa.array(np.concatenate([[0], np.cumsum(counts, dtype=np.int32)]))


def artist_parts(lists: pa.Array) -> tuple[dict[str, Any], np.ndarray]:
    """Flatten a list<artist> column: names, ids and positions with each row's parent index."""
    flat = pc.list_flatten(lists)
    offsets = list_offsets(lists).to_numpy()
    starts, lengths = offsets[:-1], np.diff(offsets)
    parent = pc.list_parent_indices(lists).to_numpy()
    position = np.arange(parent.size) - starts[parent]
    return {
        "artist_id": pc.struct_field(flat, "id"),
        "artist_name": pc.struct_field(flat, "name"),
        "position": position,
        "first": pa.array(starts, mask=lengths == 0),  # each row's first artist, null for none
    }, parent


def artist_table(artists: dict[str, Any], parent: np.ndarray) -> pd.DataFrame:
    """The long ``artists`` table: one row per (item, position)."""
    return pd.DataFrame(
        {
            "item": parent.astype(np.int32),
            "position": artists["position"].astype(np.int16),
            "artist_id": pd.array(artists["artist_id"], dtype=STRING),
            "artist_name": pd.array(artists["artist_name"], dtype=STRING),
        },
        copy=False,
    )


def market_table(lists: pa.Array, counts: pa.Array) -> pd.DataFrame:
    """One row per (item, market): int32 item keys and a category of market codes.

    ``counts`` is ``n_markets``: rows whose count is null (local files, items read
    with a market, Development Mode) contribute nothing.
    """
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    wanted = counts.is_valid().to_numpy(zero_copy_only=False)
    market = categorical(pc.list_flatten(lists), SPOTIFY_MARKETS)
    item = np.repeat(np.arange(len(lists), dtype=np.int32), lengths)
    if (lengths[~wanted] > 0).any():  # some rows' lists are not to be counted (3 million markets at 50,000 items)
        keep = np.repeat(wanted, lengths)
        item, market = item[keep], market[keep]
    return pd.DataFrame({"item": item, "market": market}, copy=False)


def genre_table(artists: pd.DataFrame, artist_genres: pd.DataFrame) -> pd.DataFrame:
    """One row per (item, genre): the union of the genres of each item's artists (``artists``: the
    library's long table; ``artist_genres``: ``artist_id``, ``genre``), each genre of an item once."""
    pairs = artists[["item", "artist_id"]].dropna().merge(artist_genres[["artist_id", "genre"]], on="artist_id")
    return item_genres(pairs["item"].to_numpy(), pairs["genre"].astype(str))


def item_genres(items: np.ndarray, genres: Any) -> pd.DataFrame:
    """One row per (item, genre) from pairs that may repeat (``genres``: Arrow or pandas, one per item
    in ``items``): each genre of an item once, by item then genre; the categories are the genres, sorted."""
    genre = categorical(genres if isinstance(genres, pa.Array) else pa.array(genres, from_pandas=True))
    n = max(len(genre.categories), 1)
    pairs = np.sort(items.astype(np.int64) * n + genre.codes)  # by item, then genre
    pairs = pairs[np.diff(pairs, prepend=-1) != 0]  # each once (np.unique hashes first: 20 times slower here)
    return pd.DataFrame(
        {
            "item": (pairs // n).astype(np.int32),
            "genre": pd.Categorical.from_codes(pairs % n, dtype=genre.dtype, validate=False),
        }
    )
