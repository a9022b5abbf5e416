"""The shape of a saved item: the fields savedlib reads, as Arrow types, and items made from files' columns.

An *item* is one element of a ``/v1/me/tracks`` page's ``items``:
``{"added_at": "2024-05-01T12:00:00Z", "track": {...}}``. ``ITEM_TYPE`` names
every field savedlib reads, as an Arrow type, so the whole list converts to
columns in one vectorised step (keys not named here are ignored).
"""

from __future__ import annotations

import pyarrow as pa

_str, _int, _bool = pa.string(), pa.int64(), pa.bool_()

ARTIST_TYPE = pa.struct([("id", _str), ("name", _str), ("uri", _str)])
IMAGE_TYPE = pa.struct([("url", _str), ("height", _int), ("width", _int)])
ALBUM_TYPE = pa.struct(
    [
        ("album_type", _str),
        ("total_tracks", _int),
        ("id", _str),
        ("uri", _str),
        ("name", _str),
        ("release_date", _str),
        ("release_date_precision", _str),
        ("images", pa.list_(IMAGE_TYPE)),
        ("artists", pa.list_(ARTIST_TYPE)),
        ("label", _str),
    ]
)
TRACK_TYPE = pa.struct(
    [
        ("id", _str),
        ("uri", _str),
        ("name", _str),
        ("duration_ms", _int),
        ("explicit", _bool),
        ("popularity", _int),
        ("disc_number", _int),
        ("track_number", _int),
        ("is_local", _bool),
        ("is_playable", _bool),
        ("restrictions", pa.struct([("reason", _str)])),
        ("linked_from", pa.struct([("id", _str), ("uri", _str)])),
        ("preview_url", _str),
        ("external_ids", pa.struct([("isrc", _str)])),
        ("available_markets", pa.list_(pa.dictionary(pa.int16(), _str))),
        ("artists", pa.list_(ARTIST_TYPE)),
        ("album", ALBUM_TYPE),
        ("type", _str),
    ]
)
ITEM_TYPE = pa.struct([("added_at", _str), ("track", TRACK_TYPE)])


def _narrowed(typ: pa.DataType) -> pa.DataType:
    """``typ`` with ``large_string`` read as ``string``: text the way pandas keeps it is taken as it is."""
    if pa.types.is_large_string(typ):
        return pa.string()
    if pa.types.is_list(typ):
        return pa.list_(_narrowed(typ.value_type))
    if pa.types.is_struct(typ):
        return pa.struct([pa.field(f.name, _narrowed(f.type)) for f in typ])
    return typ


def item_array(
    n: int,
    added_at: pa.Array | None = None,
    track: dict[str, pa.Array] | None = None,
    album: dict[str, pa.Array] | None = None,
) -> pa.StructArray:
    """``n`` items in ``ITEM_TYPE``'s shape from the columns a file has; every other field null.

    Files people have (Exportify CSVs, the account data) become items this way,
    so that they take the same road to the tables as the Web API's pages. Text may
    come as ``large_string`` (as pandas' parser gives it): kept, not copied, for the
    tables' pandas columns are ``large_string`` too; ``added_at`` may come parsed (``frames.dates.save_dates``).
    """

    nulls: dict[pa.DataType, pa.Array] = {}  # one all-null column per type, shared by the fields a file lacks

    def column(field: pa.Field, values: pa.Array | None) -> pa.Array:
        if values is None:  # text as large_string: the type the tables' pandas columns take without a cast
            kind = pa.large_string() if field.type == pa.string() else field.type
            if kind not in nulls:
                nulls[kind] = pa.nulls(n, kind)
            return nulls[kind]
        if _narrowed(values.type) == field.type or pa.types.is_timestamp(values.type):  # save dates read already
            return values
        return values.cast(field.type)

    def struct(typ: pa.StructType, values: dict[str, pa.Array]) -> pa.StructArray:
        return pa.StructArray.from_arrays([column(f, values.get(f.name)) for f in typ], names=[f.name for f in typ])

    album_array = struct(ALBUM_TYPE, album or {})
    track_array = struct(TRACK_TYPE, {**(track or {}), "album": album_array})
    return struct(ITEM_TYPE, {"track": track_array, **({"added_at": added_at} if added_at is not None else {})})


#: Keys Spotify stopped sending to Development Mode apps in February 2026.
DEV_MODE_REMOVED = {
    "track": ("available_markets", "linked_from", "popularity"),
    "album": ("album_group", "available_markets", "label", "popularity"),
}


def _plain_type(typ: pa.DataType) -> pa.DataType:
    """``typ`` without dictionary encoding, which Arrow's JSON reader cannot produce."""
    if pa.types.is_dictionary(typ):
        return typ.value_type
    if pa.types.is_list(typ):
        return pa.list_(_plain_type(typ.value_type))
    if pa.types.is_struct(typ):
        return pa.struct([pa.field(f.name, _plain_type(f.type)) for f in typ])
    return typ


#: ``ITEM_TYPE`` as Arrow's JSON reader produces it (market lists as plain strings).
JSON_SCHEMA = pa.schema([pa.field(f.name, _plain_type(f.type)) for f in ITEM_TYPE])


def to_dev_mode(item: dict) -> dict:
    """The same item as a 2026 Development Mode app receives it (keys absent, not null)."""
    track = item.get("track")
    if not isinstance(track, dict):
        return dict(item)
    track = {k: v for k, v in track.items() if k not in DEV_MODE_REMOVED["track"]}
    if isinstance(track.get("album"), dict):
        track["album"] = {k: v for k, v in track["album"].items() if k not in DEV_MODE_REMOVED["album"]}
    return {**item, "track": track}
