"""The columns of ``Library.tracks``: the track's own fields, its artists and its album, from Arrow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.frames.dates import UnreadableDate, release_dates, save_dates
from savedlib.frames.long import list_offsets
from savedlib.frames.schema import CATEGORIES, TRACK_COLUMNS, TRACK_URL
from savedlib.items.uris import prefixed
from savedlib.tables import categorical, pandas_array


def is_local(track: pa.Array) -> pa.Array:
    """A local file: as Spotify says, else (files people have) from its ``spotify:local:`` URI."""
    said = pc.struct_field(track, "is_local")
    if not said.null_count:
        return said
    uri = pc.struct_field(track, "uri")
    return pc.if_else(said.is_null(), pc.starts_with(uri.fill_null(""), "spotify:local:"), said)


def _none_where(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` with nulls where ``mask`` is true."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def track_columns(track: pa.Array, with_market: pa.Array) -> dict[str, pa.Array]:
    """The track's own fields. Local files get NA for the placeholder zeros Spotify sends them; an item read
    with a market (``with_market``) that came without its own market list has no market count."""

    def t(*path: str) -> pa.Array:
        return pc.struct_field(track, list(path))

    track_id, local = t("id"), is_local(track)
    n_markets = pc.list_value_length(t("available_markets")).cast(pa.int64())
    no_list = pc.fill_null(pc.equal(n_markets, 0), True)  # Spotify leaves the list out, or sends it empty
    return {
        "track_id": track_id,
        "track_uri": t("uri"),
        "track_name": t("name"),
        "track_url": prefixed(track_id, TRACK_URL),
        "isrc": t("external_ids", "isrc"),
        "duration_ms": t("duration_ms"),
        "explicit": t("explicit"),
        "popularity": _none_where(local, t("popularity")),
        "disc_number": _none_where(local, t("disc_number")),
        "track_number": _none_where(local, t("track_number")),
        "is_local": local,
        "is_playable": t("is_playable"),
        "restriction": t("restrictions", "reason"),
        "linked_from_id": t("linked_from", "id"),
        "preview_url": t("preview_url"),
        "n_markets": _none_where(pc.or_(local, pc.and_(with_market, no_list)), n_markets),
    }


def artist_columns(track: pa.Array, artists: dict[str, Any]) -> dict[str, Any]:
    """The track's artists (``artists``: ``long.artist_parts``): names joined, ids as a list, the primary
    artist, how many."""
    lists = pc.struct_field(track, "artists")
    ids = pc.struct_field(pc.list_flatten(lists), "id").cast(pa.string())  # as the column's dtype says
    return {
        "artists": join_names(lists),
        "artist_ids": pa.ListArray.from_arrays(list_offsets(lists), ids),
        "primary_artist": artists["artist_name"].take(artists["first"]),
        "primary_artist_id": artists["artist_id"].take(artists["first"]),
        "n_artists": pc.list_value_length(lists).cast(pa.int64()),
    }


def join_names(lists: pa.Array) -> pa.Array:
    """Artist names joined by ", ", leaving out missing names (NA when no name is known)."""
    names = pc.struct_field(pc.list_flatten(lists), "name")
    known = names.is_valid().to_numpy(zero_copy_only=False)
    parent = pc.list_parent_indices(lists).to_numpy()
    counts = np.bincount(parent[known], minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    named = pa.ListArray.from_arrays(pa.array(offsets), names.filter(pa.array(known)))
    joined = pc.binary_join(named, pa.scalar(", ", names.type))  # the names' own text type (files: large)
    return pc.if_else(pa.array(counts > 0), joined, pa.scalar(None, names.type))


def album_columns(album: pa.Array, local: pa.Array) -> dict[str, Any]:
    """The album's fields, its release date in three forms, its largest image and its artists."""

    def a(name: str) -> pa.Array:
        return pc.struct_field(album, name)

    released, year, precision = release_dates(a("release_date"), a("release_date_precision"))
    return {
        "album_id": a("id"),
        "album_uri": a("uri"),
        "album_name": a("name"),
        "album_type": pc.utf8_lower(a("album_type")),
        "album_total_tracks": _none_where(local, a("total_tracks")),
        "album_release_date": a("release_date"),
        "album_release_precision": precision,
        "album_released": released,
        "album_release_year": year,
        "album_label": a("label"),
        "album_image_url": largest_image(a("images")),
        "album_artists": join_names(a("artists")),
    }


def largest_image(images: pa.Array) -> pa.Array:
    """URL of the widest image per album (first listed where sizes are missing)."""
    flat = pc.list_flatten(images)
    parent = pc.list_parent_indices(images).to_numpy()
    n = len(images)
    if parent.size == 0:
        return pa.nulls(n, pa.large_string())
    width = pc.struct_field(flat, "width").fill_null(-1).to_numpy()
    order = np.lexsort((np.arange(parent.size), -width, parent))
    is_first = np.r_[True, parent[order][1:] != parent[order][:-1]]
    chosen = order[is_first]
    index = np.full(n, -1, dtype=np.int64)
    index[parent[chosen]] = chosen
    return pc.struct_field(flat, "url").take(pa.array(index, mask=index < 0))


def added_at(values: pa.Array, kept: np.ndarray, missing_allowed: bool = False) -> Any:
    """The save dates as a pandas column; one that is no date raises naming the item's position (a missing
    one too, unless the source is known to have no save dates)."""
    try:
        times = save_dates(values)
    except UnreadableDate as bad:
        raise ValueError(f"item {kept[bad.row]}: added_at {bad.text!r} is not an ISO 8601 timestamp") from None
    if times.null_count and not missing_allowed:
        k = int(np.flatnonzero(times.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(f"item {kept[k]}: added_at {values[k].as_py()!r} is not an ISO 8601 timestamp")
    return pandas_array(times)


def tracks_frame(columns: dict[str, Any], n: int) -> pd.DataFrame:
    """One typed frame in ``TRACK_COLUMNS`` order, each Arrow column converted to its pandas array: a
    category (``CATEGORIES``) or a nullable array."""

    def pandas(name: str, values: Any) -> Any:
        if not isinstance(values, pa.Array):
            return values
        return categorical(values, CATEGORIES[name]) if name in CATEGORIES else pandas_array(values)

    return pd.DataFrame(
        {name: pandas(name, columns[name]) for name in TRACK_COLUMNS}, index=pd.RangeIndex(n, name="item"), copy=False
    )
