"""Raw items → the three typed tables (``tracks``, ``artists``, ``markets``).

The items are converted to Arrow columns in one vectorised step (``ITEM_TYPE``
names the fields read), then every column is derived with Arrow compute or
NumPy: no per-row Python loop, so 50,000 items take well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.items import ITEM_TYPE, check_shape, find_type_error
from savedlib.markets import SPOTIFY_MARKETS

STRING = pd.StringDtype("pyarrow")
ARROW_TO_PANDAS = {pa.string(): STRING, pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}

TRACK_URL = "https://open.spotify.com/track/"

#: Fields Spotify may leave out, the column that shows it, and why it would be missing.
WATCHED_FIELDS = {
    "popularity": ("popularity", "Spotify does not send popularity to Development Mode apps (since February 2026)"),
    "available_markets": (
        "n_markets",
        "Spotify does not send available_markets to Development Mode apps (since February 2026)",
    ),
    "album.label": (
        "album_label",
        "the album object in /me/tracks carries no label (and Development Mode apps get none)",
    ),
    "external_ids.isrc": ("isrc", "Spotify sent no ISRC codes"),
    "preview_url": ("preview_url", "Spotify sends no 30-second previews to apps created since November 2024"),
    "album.release_date": ("album_release_date", "Spotify sent no album release dates"),
}
#: Known values of the categorical columns, in a sensible order; others Spotify
#: may add later are kept and sorted after these.
ALBUMARROW_TO_PANDAS = ("album", "single", "compilation")
PRECISIONS = ("year", "month", "day")
RESTRICTIONS = ("market", "product", "explicit")

MARKET_REASON = "Spotify leaves available_markets out when a library is read with a market"


def build_tables(
    items: Sequence[Any], market: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Convert raw items to ``(tracks, artists, markets, facts)``.

    ``facts`` holds what the conversion learned: ``skipped_null_tracks`` and
    ``missing_fields``. ``market`` says whether the items were read with one,
    which makes ``available_markets`` meaningless.
    """
    check_shape(items)
    try:
        array = pa.array(items, type=ITEM_TYPE) if len(items) else pa.array([], type=ITEM_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise ValueError(find_type_error(items) or f"items could not be read: {exc}") from None

    track = pc.struct_field(array, "track")
    kept = np.flatnonzero(track.is_valid().to_numpy(zero_copy_only=False))
    skipped = len(array) - kept.size
    if skipped:
        array = array.take(pa.array(kept))
        track = pc.struct_field(array, "track")

    added_at = _added_at(pc.struct_field(array, "added_at"), kept)
    album = pc.struct_field(track, "album")

    def t(*path: str) -> pa.Array:
        return pc.struct_field(track, list(path))

    uri = t("uri")
    is_local = pc.if_else(t("is_local").is_null(), pc.starts_with(uri.fill_null(""), "spotify:local:"), t("is_local"))
    not_local = pc.invert(is_local)

    def unless_local(values: pa.Array) -> pa.Array:
        return pc.if_else(not_local, values, pa.scalar(None, values.type))

    track_id = t("id")
    artists, artist_parent = _artist_table(t("artists"))
    n_artists = pc.list_value_length(t("artists"))
    release_date = pc.struct_field(album, "release_date")

    markets_list = t("available_markets")
    n_markets = unless_local(pc.list_value_length(markets_list).cast(pa.int64()))
    if market is not None:  # read with a market: Spotify leaves the lists out or empty
        n_markets = pa.nulls(len(track), pa.int64())

    columns = {
        "added_at": None,  # filled from pandas below
        "track_id": track_id,
        "track_uri": uri,
        "track_name": t("name"),
        "track_url": pc.binary_join_element_wise(pa.scalar(TRACK_URL), track_id, ""),
        "isrc": t("external_ids", "isrc"),
        "duration_ms": t("duration_ms"),
        "explicit": t("explicit"),
        "popularity": unless_local(t("popularity")),
        "disc_number": unless_local(t("disc_number")),
        "track_number": unless_local(t("track_number")),
        "is_local": is_local,
        "is_playable": t("is_playable"),
        "restriction": _categorical(t("restrictions", "reason"), RESTRICTIONS),
        "linked_from_id": t("linked_from", "id"),
        "preview_url": t("preview_url"),
        "artists": _join_names(t("artists"), n_artists),
        "artist_ids": None,  # list column, added below
        "primary_artist": _first(artists["artist_name"], artists["position"], artist_parent, len(track)),
        "primary_artist_id": _first(artists["artist_id"], artists["position"], artist_parent, len(track)),
        "n_artists": n_artists.cast(pa.int64()),
        "album_id": pc.struct_field(album, "id"),
        "album_uri": pc.struct_field(album, "uri"),
        "album_name": pc.struct_field(album, "name"),
        "album_type": _categorical(pc.utf8_lower(pc.struct_field(album, "album_type")), ALBUMARROW_TO_PANDAS),
        "album_total_tracks": unless_local(pc.struct_field(album, "total_tracks")),
        "album_release_date": release_date,
        "album_release_precision": _categorical(pc.struct_field(album, "release_date_precision"), PRECISIONS),
        "album_released": None,
        "album_release_year": None,
        "album_label": pc.struct_field(album, "label"),
        "album_image_url": _largest_image(pc.struct_field(album, "images")),
        "album_artists": _join_names(
            pc.struct_field(album, "artists"), pc.list_value_length(pc.struct_field(album, "artists"))
        ),
        "n_markets": n_markets,
    }
    arrow = {k: v for k, v in columns.items() if isinstance(v, pa.Array)}
    frame = pa.table(arrow).to_pandas(types_mapper=ARROW_TO_PANDAS.get)
    released, year = _released(release_date)
    computed = {
        "added_at": added_at,
        "artist_ids": pd.arrays.ArrowExtensionArray(_artist_ids(t("artists"))),
        "album_released": released,
        "album_release_year": year,
    }
    tracks = pd.DataFrame(
        {name: frame[name].array if name in arrow else computed.get(name, columns[name]) for name in columns},
        index=pd.RangeIndex(len(track), name="item"),
        copy=False,
    )

    artist_frame = pd.DataFrame(
        {
            "item": artist_parent.astype(np.int32),
            "position": artists["position"].astype(np.int16),
            "artist_id": pd.array(artists["artist_id"], dtype=STRING),
            "artist_name": pd.array(artists["artist_name"], dtype=STRING),
        },
        copy=False,
    )
    markets = _market_table(markets_list, n_markets)
    facts = {
        "skipped_null_tracks": int(skipped),
        "missing_fields": _missing_fields(tracks, market),
    }
    return tracks, artist_frame, markets, facts


def _added_at(values: pa.Array, kept: np.ndarray) -> pd.Series:
    """Parse ``added_at``; an unparseable value raises naming the item's position."""
    text = pd.Series(pd.arrays.ArrowExtensionArray(values))
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        k = bad[0]
        raise ValueError(f"item {kept[k]}: added_at {values[k].as_py()!r} is not an ISO 8601 timestamp")
    return parsed.astype("datetime64[us, UTC]")


def _artist_table(lists: pa.Array) -> tuple[dict[str, Any], np.ndarray]:
    """Flatten a list<artist> column: names, ids and positions with each row's parent index."""
    flat = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy()
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    starts = np.cumsum(lengths) - lengths
    position = np.arange(parent.size) - starts[parent]
    return {
        "artist_id": pc.struct_field(flat, "id"),
        "artist_name": pc.struct_field(flat, "name"),
        "position": position,
    }, parent


def _join_names(lists: pa.Array, lengths: pa.Array) -> pa.Array:
    """Artist names joined by ", " (NA for an empty or missing list)."""
    names = pc.list_flatten(lists)
    rebuilt = pa.ListArray.from_arrays(_offsets(lengths), pc.struct_field(names, "name").fill_null(""))
    joined = pc.binary_join(rebuilt, ", ")
    return pc.if_else(pc.greater(lengths.fill_null(0), 0), joined, pa.scalar(None, pa.string()))


def _offsets(lengths: pa.Array) -> pa.Array:
    counts = lengths.fill_null(0).to_numpy().astype(np.int32)
    return pa.array(np.concatenate([[0], np.cumsum(counts, dtype=np.int32)]))


def _artist_ids(lists: pa.Array) -> pa.Array:
    """``list<string>`` of artist ids per track (null ids of local files stay null inside)."""
    ids = pc.struct_field(pc.list_flatten(lists), "id")
    return pa.ListArray.from_arrays(_offsets(pc.list_value_length(lists)), ids)


def _first(values: pa.Array, position: np.ndarray, parent: np.ndarray, n: int) -> pa.Array:
    """The value at position 0 of each row's list, null where the list is empty."""
    first = np.flatnonzero(position == 0)
    index = np.full(n, -1, dtype=np.int64)
    index[parent[first]] = first
    return values.take(pa.array(index, mask=index < 0))


def _largest_image(images: pa.Array) -> pa.Array:
    """URL of the widest image per album (first listed where sizes are missing)."""
    flat = pc.list_flatten(images)
    parent = pc.list_parent_indices(images).to_numpy()
    n = len(images)
    if parent.size == 0:
        return pa.nulls(n, pa.string())
    width = pc.struct_field(flat, "width").fill_null(-1).to_numpy()
    order = np.lexsort((np.arange(parent.size), -width, parent))
    is_first = np.r_[True, parent[order][1:] != parent[order][:-1]]
    chosen = order[is_first]
    index = np.full(n, -1, dtype=np.int64)
    index[parent[chosen]] = chosen
    return pc.struct_field(flat, "url").take(pa.array(index, mask=index < 0))


def _released(release_date: pa.Array) -> tuple[pd.Series, pd.Series]:
    """Start of the release period as a date (NaT for ``"0000"`` or unknown) and its year."""
    text = pd.Series(pd.arrays.ArrowExtensionArray(release_date.cast(pa.string())))
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").astype("Int64")
    year = year.where(year > 0)
    length = text.str.len().to_numpy(dtype=float, na_value=0)
    padded = text + np.select([length == 4, length == 7], ["-01-01", "-01"], "")
    released = pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce").where(year.notna().to_numpy())
    return released.astype("datetime64[us]"), year.astype("Int64")


def _categorical(values: pa.Array, known: Sequence[str]) -> pd.Categorical:
    """A pandas categorical whose categories are ``known`` plus any other values, sorted.

    Fixed categories keep the dtype the same for every library, so tables
    concatenate and round-trip without surprises.
    """
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    dictionary = encoded.dictionary.to_pylist()
    categories = list(known) + sorted(set(dictionary) - set(known))
    lookup = {code: k for k, code in enumerate(categories)}
    remap = np.array([lookup[c] for c in dictionary] + [-1], dtype=np.int16)
    indices = encoded.indices
    indices = (indices.fill_null(len(dictionary)) if indices.null_count else indices).to_numpy()
    return pd.Categorical.from_codes(
        remap[indices], dtype=pd.CategoricalDtype(pd.Index(categories, dtype="str")), validate=False
    )


def _market_table(lists: pa.Array, counts: pa.Array) -> pd.DataFrame:
    """One row per (item, market): int32 item keys and a category of market codes.

    ``counts`` is ``n_markets``: rows whose count is null (local files, reads
    with a market, Development Mode) contribute nothing.
    """
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    wanted = counts.is_valid().to_numpy(zero_copy_only=False)
    market = _categorical(pc.list_flatten(lists), SPOTIFY_MARKETS)
    item = np.repeat(np.arange(len(lists), dtype=np.int32), lengths)
    if (lengths[~wanted] > 0).any():
        keep = np.repeat(wanted, lengths)
        item, market = item[keep], market[keep]
    return pd.DataFrame({"item": item, "market": market}, copy=False)


def _missing_fields(tracks: pd.DataFrame, market: str | None) -> dict[str, str]:
    """Fields no (non-local) track carried, with the reason a reader should see."""
    real = ~tracks["is_local"].to_numpy(dtype=bool, na_value=False)
    if not real.any():
        return {}
    missing = {}
    for field, (column, reason) in WATCHED_FIELDS.items():
        if not tracks[column].notna().to_numpy()[real].any():
            missing[field] = MARKET_REASON if (field == "available_markets" and market is not None) else reason
    return missing
