"""Raw items → the three typed tables (``tracks``, ``artists``, ``markets``).

The items are converted to Arrow columns in one vectorised step (``ITEM_TYPE``
names the fields read), then every column is derived with Arrow compute or
NumPy: no per-row Python loop, so 50,000 items take well under a second.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.items import ITEM_TYPE, RawItem, check_shape, find_type_error, parse_raw, plain, prefixed
from savedlib.markets import SPOTIFY_MARKETS
from savedlib.tables import STRING, categorical, distinct, pandas_array

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
    "added_at": ("added_at", "Spotify sent no save dates"),
    "duration_ms": ("duration_ms", "Spotify sent no track lengths"),
    "id": ("track_id", "Spotify sent no track ids"),
    "artists.id": ("primary_artist_id", "Spotify sent no artist ids"),
    "album.id": ("album_id", "Spotify sent no album ids"),
}
#: Known values of the categorical columns, in a sensible order; others Spotify
#: may add later are kept and sorted after these.
ALBUM_TYPES = ("album", "single", "compilation")
PRECISIONS = ("year", "month", "day")
RESTRICTIONS = ("market", "product", "explicit")

MARKET_REASON = "Spotify leaves available_markets out when a library is read with a market"

#: The columns of ``Library.tracks``, in order.
TRACK_COLUMNS = (
    "added_at", "track_id", "track_uri", "track_name", "track_url", "isrc", "duration_ms", "explicit",
    "popularity", "disc_number", "track_number", "is_local", "is_playable", "restriction", "linked_from_id",
    "preview_url", "artists", "artist_ids", "primary_artist", "primary_artist_id", "n_artists", "album_id",
    "album_uri", "album_name", "album_type", "album_total_tracks", "album_release_date",
    "album_release_precision", "album_released", "album_release_year", "album_label", "album_image_url",
    "album_artists", "n_markets",
)  # fmt: skip


def build_tables(
    items: Sequence[Any], market: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Convert raw items to ``(tracks, artists, markets, facts)``.

    ``facts`` holds what the conversion learned: ``skipped_null_tracks``,
    ``skipped_non_tracks`` and ``missing_fields``. Items read with a market
    (``market`` given, or items that carry ``is_playable``) have no meaningful
    ``available_markets``.
    """
    array, kept, skipped = _to_arrow(items)
    tracks, artists, markets, facts = tables_from_array(array, kept, market=market)
    return tracks, artists, markets, {**skipped, **facts}


def tables_from_array(
    array: pa.StructArray,
    kept: np.ndarray | None = None,
    *,
    market: str | None = None,
    reasons: dict[str, str] | None = None,
    pool: Executor | None = None,
    album: Future | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Items as one Arrow array of ``ITEM_TYPE``'s shape → ``(tracks, artists, markets, facts)``.

    Every source comes through here: Web API pages, and files (Exportify, the
    account data) laid out in the same shape. ``reasons`` says why a field is
    missing where the source, not Spotify, lacks it; with a reason for
    ``added_at``, missing save dates are NA instead of an error. Given a
    ``pool``, the album's columns and the save dates are worked out on it
    meanwhile (Arrow lets go of the interpreter while it computes); a reader
    that has them under way already (``album_side``, started as soon as it had
    the album's cells) passes that ``album`` future instead.
    """
    kept = np.arange(len(array)) if kept is None else kept
    reasons = reasons or {}
    track = pc.struct_field(array, "track")
    album_work = functools.partial(_album_side, array, kept, missing_allowed="added_at" in reasons)
    if album is None and pool is not None:
        album = pool.submit(album_work)
    read_with_market = _read_with_market(market, pc.struct_field(track, "is_playable"))
    columns = _track_columns(track, read_with_market)
    artists, parent = _artist_table(pc.struct_field(track, "artists"))
    artist_frame = _soon(pool, _artist_frame, artists, parent)
    markets = _soon(pool, _market_table, pc.struct_field(track, "available_markets"), columns["n_markets"])
    columns.update(_artist_columns(track, artists))
    columns.update(album_work() if album is None else album.result())
    facts = {"missing_fields": _missing_fields(columns, read_with_market, reasons)}
    tracks = _tracks_frame(columns, len(track))
    return tracks, artist_frame.result(), markets.result(), facts


def _soon(pool: Executor | None, fn: Callable[..., Any], *args: Any) -> Future:
    """``fn(*args)`` on the pool, if there is one; else done now."""
    if pool is not None:
        return pool.submit(fn, *args)
    done: Future = Future()
    done.set_result(fn(*args))
    return done


def _artist_frame(artists: dict[str, Any], parent: np.ndarray) -> pd.DataFrame:
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


def _to_arrow(items: Sequence[Any]) -> tuple[pa.StructArray, np.ndarray, dict[str, int]]:
    """The items as one Arrow array, the original positions kept, and how many were skipped:
    ``null`` tracks, and items that are not tracks (an episode in a list that mixes them)."""
    array = parse_raw(items) if items and all(isinstance(i, RawItem) for i in items) else None
    if array is None:
        array = _from_dicts([plain(i) if isinstance(i, RawItem) else i for i in items])
    track = pc.struct_field(array, "track")
    present = track.is_valid().to_numpy(zero_copy_only=False)
    kind = pc.struct_field(track, "type")
    a_track = pc.fill_null(pc.equal(kind, "track"), True).to_numpy(zero_copy_only=False)
    kept = np.flatnonzero(present & a_track)
    if kept.size < len(array):
        array = array.take(pa.array(kept))
    skipped = {"skipped_null_tracks": int((~present).sum()), "skipped_non_tracks": int((present & ~a_track).sum())}
    return array, kept, skipped


def _from_dicts(items: Sequence[Any]) -> pa.StructArray:
    """Decoded items (dicts) → Arrow, checked: a malformed item raises naming its position and field."""
    check_shape(items)
    try:
        return pa.array(items, type=ITEM_TYPE) if len(items) else pa.array([], type=ITEM_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise ValueError(find_type_error(items) or f"items could not be read: {exc}") from None


def _none_where(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` with nulls where ``mask`` is true."""
    if values.null_count == len(values):  # nothing to hide (a file without the column)
        return values
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def album_side(array: pa.StructArray, missing_allowed: bool = False) -> dict[str, Any]:
    """The album's columns and the save dates of items in ``ITEM_TYPE``'s shape, as ``tables_from_array``
    makes them: of the track they need only ``uri`` and ``is_local``, so a reader can start them early."""
    return _album_side(array, np.arange(len(array)), missing_allowed)


def _album_side(array: pa.StructArray, kept: np.ndarray, missing_allowed: bool) -> dict[str, Any]:
    """The album's columns and the save dates: they need nothing of the track's columns."""
    track = pc.struct_field(array, "track")
    columns = {k: _pandas(k, v) for k, v in _album_columns(pc.struct_field(track, "album"), _is_local(track)).items()}
    columns["added_at"] = _added_at(pc.struct_field(array, "added_at"), kept, missing_allowed)
    return columns


def _is_local(track: pa.Array) -> pa.Array:
    """A local file: as Spotify says, else (files people have) from its ``spotify:local:`` URI."""
    said = pc.struct_field(track, "is_local")
    if not said.null_count:
        return said
    uri = pc.struct_field(track, "uri")
    return pc.if_else(said.is_null(), pc.starts_with(uri.fill_null(""), "spotify:local:"), said)


def _track_columns(track: pa.Array, read_with_market: bool) -> dict[str, pa.Array]:
    """The track's own fields. Local files get NA for the placeholder zeros Spotify sends them."""

    def t(*path: str) -> pa.Array:
        return pc.struct_field(track, list(path))

    uri, track_id = t("uri"), t("id")
    is_local = _is_local(track)
    n_markets = pc.list_value_length(t("available_markets")).cast(pa.int64())
    if read_with_market:  # Spotify then leaves the lists out, or sends them empty
        n_markets = pa.nulls(len(track), pa.int64())
    return {
        "track_id": track_id,
        "track_uri": uri,
        "track_name": t("name"),
        "track_url": prefixed(track_id, TRACK_URL),
        "isrc": t("external_ids", "isrc"),
        "duration_ms": t("duration_ms"),
        "explicit": t("explicit"),
        "popularity": _none_where(is_local, t("popularity")),
        "disc_number": _none_where(is_local, t("disc_number")),
        "track_number": _none_where(is_local, t("track_number")),
        "is_local": is_local,
        "is_playable": t("is_playable"),
        "restriction": t("restrictions", "reason"),
        "linked_from_id": t("linked_from", "id"),
        "preview_url": t("preview_url"),
        "n_markets": _none_where(is_local, n_markets),
    }


def _artist_columns(track: pa.Array, artists: dict[str, Any]) -> dict[str, Any]:
    """The track's artists: names joined, ids as a list, the primary artist, how many."""
    lists = pc.struct_field(track, "artists")
    n_artists = pc.list_value_length(lists)
    return {
        "artists": _join_names(lists),
        "artist_ids": pd.arrays.ArrowExtensionArray(_artist_ids(lists)),
        "primary_artist": _first(artists["artist_name"], artists["first"]),
        "primary_artist_id": _first(artists["artist_id"], artists["first"]),
        "n_artists": n_artists.cast(pa.int64()),
    }


def _first(values: pa.Array, first: pa.Array) -> pa.Array:
    """Each track's first artist's ``values`` (all null when none is known: files without artist ids)."""
    if values.null_count == len(values):
        return pa.nulls(len(first), values.type)
    return values.take(first)


def _album_columns(album: pa.Array, is_local: pa.Array) -> dict[str, Any]:
    """The album's fields, its release date in three forms, its largest image and its artists."""

    def a(name: str) -> pa.Array:
        return pc.struct_field(album, name)

    released, year, precision = _released(a("release_date"), a("release_date_precision"))
    return {
        "album_id": a("id"),
        "album_uri": a("uri"),
        "album_name": a("name"),
        "album_type": pc.utf8_lower(a("album_type")),
        "album_total_tracks": _none_where(is_local, a("total_tracks")),
        "album_release_date": a("release_date"),
        "album_release_precision": precision,
        "album_released": released,
        "album_release_year": year,
        "album_label": a("label"),
        "album_image_url": _largest_image(a("images")),
        "album_artists": _join_names(a("artists")),
    }


#: Columns stored as categories, with the values they always know.
CATEGORIES = {"restriction": RESTRICTIONS, "album_type": ALBUM_TYPES, "album_release_precision": PRECISIONS}


def _tracks_frame(columns: dict[str, Any], n: int) -> pd.DataFrame:
    """One typed frame in ``TRACK_COLUMNS`` order, each Arrow column converted to its nullable pandas array."""
    return pd.DataFrame(
        {name: _pandas(name, columns[name]) for name in TRACK_COLUMNS}, index=pd.RangeIndex(n, name="item"), copy=False
    )


def _pandas(name: str, values: Any) -> Any:
    """A column of ``tracks`` as its pandas array: a category (``CATEGORIES``) or a nullable array."""
    if not isinstance(values, pa.Array):
        return values
    return categorical(values, CATEGORIES[name]) if name in CATEGORIES else pandas_array(values)


def _added_at(values: pa.Array, kept: np.ndarray, missing_allowed: bool = False) -> pd.Series:
    """Parse ``added_at``; an unparseable value raises naming the item's position (a missing one too,
    unless the source is known to have no save dates)."""
    try:  # Spotify's own form, read in Arrow; anything else (offsets, fractions) by pandas
        times = values.cast(pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pd.Series(pd.arrays.ArrowExtensionArray(values))
        parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
        bad = parsed.isna().to_numpy() & (text.notna().to_numpy() if missing_allowed else True)
    else:  # every date read: only a missing one can be wrong
        naive = times.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
        parsed = pd.Series(pd.DatetimeIndex(naive).tz_localize("UTC"))  # faster than to_pandas with a zone
        bad = values.is_null().to_numpy(zero_copy_only=False) if values.null_count and not missing_allowed else []
    bad = np.flatnonzero(bad)
    if bad.size:
        k = bad[0]
        raise ValueError(f"item {kept[k]}: added_at {values[k].as_py()!r} is not an ISO 8601 timestamp")
    return parsed.astype("datetime64[us, UTC]")


def _artist_table(lists: pa.Array) -> tuple[dict[str, Any], np.ndarray]:
    """Flatten a list<artist> column: names, ids and positions with each row's parent index."""
    flat = pc.list_flatten(lists)
    offsets = _list_offsets(lists).to_numpy()
    starts, lengths = offsets[:-1], np.diff(offsets)
    parent = pc.list_parent_indices(lists).to_numpy()
    position = np.arange(parent.size) - starts[parent]
    return {
        "artist_id": pc.struct_field(flat, "id"),
        "artist_name": pc.struct_field(flat, "name"),
        "position": position,
        "first": pa.array(starts, mask=lengths == 0),  # each row's first artist, null for none
    }, parent


def _join_names(lists: pa.Array) -> pa.Array:
    """Artist names joined by ", ", leaving out missing names (NA when no name is known)."""
    if lists.null_count == len(lists):  # a source without these lists (album artists in most files)
        return pa.nulls(len(lists), pa.large_string())
    names = pc.struct_field(pc.list_flatten(lists), "name")
    lengths = pc.list_value_length(lists)
    if names.null_count == 0 and pc.min(lengths.fill_null(0)).as_py() not in (0, None):  # the usual case, fast
        return pc.binary_join(pa.ListArray.from_arrays(_list_offsets(lists), names), pa.scalar(", ", names.type))
    known = names.is_valid().to_numpy(zero_copy_only=False)
    parent = pc.list_parent_indices(lists).to_numpy()
    counts = np.bincount(parent[known], minlength=len(lists))
    rebuilt = pa.ListArray.from_arrays(_offsets(pa.array(counts)), names.filter(pa.array(known)))
    joined = pc.binary_join(rebuilt, pa.scalar(", ", names.type))  # the names' own text type (files: large)
    return pc.if_else(pa.array(counts > 0), joined, pa.scalar(None, names.type))


def _list_offsets(lists: pa.Array) -> pa.Array:
    """The offsets of ``lists`` into ``pc.list_flatten(lists)`` (a missing list: none): its own, when it has
    no missing list and is not a slice, as files' lists are."""
    if not lists.null_count and not lists.offset and lists.offsets[0].as_py() == 0:
        return lists.offsets
    return _offsets(pc.list_value_length(lists))


def _offsets(lengths: pa.Array) -> pa.Array:
    counts = lengths.fill_null(0).to_numpy().astype(np.int32)
    return pa.array(np.concatenate([[0], np.cumsum(counts, dtype=np.int32)]))


def _artist_ids(lists: pa.Array) -> pa.Array:
    """``list<string>`` of artist ids per track (null ids of local files stay null inside)."""
    ids = pc.struct_field(pc.list_flatten(lists), "id").cast(pa.string())  # as the column's dtype says
    return pa.ListArray.from_arrays(_list_offsets(lists), ids)


def _largest_image(images: pa.Array) -> pa.Array:
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


def _released(release_date: pa.Array, precision: pa.Array) -> tuple[pd.Series, pa.Array, pa.Array]:
    """Start of the release period as a date (NaT for ``"0000"`` or unknown), its year, and its precision
    (as sent, else read from the date's form, as files need), each distinct date worked on once."""
    dates, rows = distinct(release_date.cast(pa.string()))
    released, year, form = _release_start(dates)
    if precision.null_count == len(precision):  # not sent (files): from the form, kept encoded (three words)
        precision = pa.DictionaryArray.from_arrays(rows, form)
    else:
        precision = pc.coalesce(precision, form.take(rows))
    released = released.take(rows).to_numpy(zero_copy_only=False)
    return pd.Series(released).astype("datetime64[us]"), year.take(rows), precision


_FORMS = pa.array(["year", "month", "day"])
_PADDING = pa.array(["-01-01", "-01", ""])
_FORM_OF_LENGTH = np.array([3, -1, -1, -1, 0, -1, -1, 1, -1, -1, 2, -1], dtype=np.int8)  # 3: empty; -1: other


def _release_start(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Each date's start (``1999`` is 1999-01-01), year and precision: read by Arrow's strict ISO cast
    when every date is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (as Spotify writes them), else part by part."""
    form = _FORM_OF_LENGTH[np.minimum(pc.binary_length(text).fill_null(0).to_numpy(), 11)]
    if (form < 0).any():
        return _release_start_by_parts(text)
    form = pa.array(form, mask=form == 3)  # an empty date: null, as a missing one
    padding = _PADDING.take(form)
    try:
        days = pc.binary_join_element_wise(text, padding.cast(text.type), "").cast(pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a date that is none (2019-02-30): the slow way
        return _release_start_by_parts(text)
    year = pc.year(days)
    known = pc.greater(year, 0)  # "0000": Spotify's way of saying it does not know
    released = pc.if_else(known, days.cast(pa.timestamp("us")), pa.scalar(None, pa.timestamp("us")))
    return released, pc.if_else(known, year, pa.scalar(None, pa.int64())), _FORMS.take(form)


def _release_start_by_parts(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    head = pc.utf8_slice_codeunits(text, 0, 4)
    digits = pc.fill_null(pc.and_(pc.utf8_is_digit(head), pc.equal(pc.utf8_length(head), 4)), False)
    year = pc.if_else(digits, head, pa.scalar(None, pa.string())).cast(pa.int64())
    year = pc.if_else(pc.greater(year, 0), year, pa.scalar(None, pa.int64()))
    length = pc.utf8_length(text)
    year_month = pc.equal(length, 4), pc.equal(length, 7)
    suffix = pc.case_when(pc.make_struct(*year_month), "-01-01", "-01")
    padded = pc.binary_join_element_wise(text, pc.fill_null(suffix, ""), "")
    released = pc.strptime(padded, format="%Y-%m-%d", unit="us", error_is_null=True)
    form = pc.make_struct(*year_month, pc.equal(length, 10))
    precision = pc.case_when(form, pa.scalar("year"), pa.scalar("month"), pa.scalar("day"))
    return pc.if_else(pc.is_valid(year), released, pa.scalar(None, released.type)), year, precision


def _market_table(lists: pa.Array, counts: pa.Array) -> pd.DataFrame:
    """One row per (item, market): int32 item keys and a category of market codes.

    ``counts`` is ``n_markets``: rows whose count is null (local files, reads
    with a market, Development Mode) contribute nothing.
    """
    if lists.null_count == len(lists) or counts.null_count == len(counts):  # files, Development Mode, a market
        return pd.DataFrame({"item": np.zeros(0, np.int32), "market": categorical(pa.nulls(0), SPOTIFY_MARKETS)})
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    wanted = counts.is_valid().to_numpy(zero_copy_only=False)
    market = categorical(pc.list_flatten(lists), SPOTIFY_MARKETS)
    item = np.repeat(np.arange(len(lists), dtype=np.int32), lengths)
    if (lengths[~wanted] > 0).any():
        keep = np.repeat(wanted, lengths)
        item, market = item[keep], market[keep]
    return pd.DataFrame({"item": item, "market": market}, copy=False)


def read_in_development_mode(info: dict) -> bool:
    """True when a library came from the Web API in the Development Mode shape (no popularity, for that reason)."""
    return (info.get("missing_fields") or {}).get("popularity") == WATCHED_FIELDS["popularity"][1]


def missing_fields(tracks: pd.DataFrame, market: str | None, reasons: dict[str, str] | None = None) -> dict:
    """Fields no (non-local) track of a ``tracks`` table carried, and why: ``info["missing_fields"]``."""
    wanted = {column for column, _ in WATCHED_FIELDS.values()} | {"is_local", "is_playable"}
    columns = {c: pa.array(tracks[c], from_pandas=True) for c in wanted}
    columns = {c: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v for c, v in columns.items()}
    return _missing_fields(columns, _read_with_market(market, columns["is_playable"]), reasons or {})


def _read_with_market(market: str | None, is_playable: pa.Array) -> bool:
    """Whether items were read with a market: one was given, or they carry ``is_playable`` (only then sent)."""
    return market is not None or is_playable.null_count < len(is_playable)


def _missing_fields(columns: dict[str, Any], read_with_market: bool, reasons: dict[str, str]) -> dict[str, str]:
    """Fields no (non-local) track carried, with the reason a reader should see (the source's own, if given)."""
    local = columns["is_local"].fill_null(False)
    if len(local) == 0 or pc.all(local).as_py():
        return {}
    real = None if not pc.any(local).as_py() else ~local.to_numpy(zero_copy_only=False)
    n_local = 0 if real is None else len(real) - int(np.count_nonzero(real))
    missing = {}
    for field, (column, reason) in WATCHED_FIELDS.items():
        known = _known(columns[column], real, n_local)
        if not known:
            reason = MARKET_REASON if field == "available_markets" and read_with_market else reason
            missing[field] = reasons.get(field, reason)
    return missing


def _known(values: Any, real: np.ndarray | None, n_local: int) -> bool:
    """Whether a column has a value in any of the ``real`` rows (all rows when None; the others are local files)."""
    if isinstance(values, pa.Array):  # counted, not looked at row by row, where counts settle it (they mostly do)
        held = len(values) - values.null_count
        if held == 0 or held > n_local:
            return held > 0
    return bool(np.any(_valid(values) if real is None else _valid(values) & real))


def _valid(values: Any) -> np.ndarray:
    """Where a column has a value: an Arrow column, or one the second thread already made a pandas array."""
    return values.is_valid().to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else ~pd.isna(values)


def genre_table(artists: pd.DataFrame, artist_genres: pd.DataFrame) -> pd.DataFrame:
    """One row per (item, genre): the union of the genres of each item's artists (``artists``: the
    library's long table; ``artist_genres``: ``artist_id``, ``genre``), each genre of an item once."""
    pairs = artists[["item", "artist_id"]].dropna().merge(artist_genres[["artist_id", "genre"]], on="artist_id")
    out = pairs[["item", "genre"]].drop_duplicates().sort_values(["item", "genre"], kind="stable")
    categories = pd.Index(sorted(out["genre"].astype(str).unique()), dtype="str")
    return pd.DataFrame(
        {"item": out["item"].to_numpy(dtype=np.int32), "genre": pd.Categorical(out["genre"], categories=categories)}
    )
