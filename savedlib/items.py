"""Raw saved-track items: the shape savedlib reads, and checks of it.

An *item* is one element of a ``/v1/me/tracks`` page's ``items``:
``{"added_at": "2024-05-01T12:00:00Z", "track": {...}}``. ``ITEM_TYPE`` names
every field savedlib reads, as an Arrow type, so the whole list converts to
columns in one vectorised step (keys not named here are ignored).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

#: The most items Spotify sends in one page of ``/v1/me/tracks``.
PAGE_SIZE = 50

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


# --- raw items: the bytes Spotify sent, decoded only when needed ------------------------------


class _TrackKey(msgspec.Struct):
    uri: str | None = None
    id: str | None = None
    name: str | None = None


class _ItemKey(msgspec.Struct):
    added_at: str | msgspec.UnsetType | None = msgspec.UNSET
    track: _TrackKey | msgspec.UnsetType | None = msgspec.UNSET


class _Envelope(msgspec.Struct):
    items: list[msgspec.Raw]
    total: int


class _Keys(msgspec.Struct):
    items: list[_ItemKey]


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_KEYS = msgspec.json.Decoder(_Keys)
_ITEM_KEY = msgspec.json.Decoder(_ItemKey)
_JSON = msgspec.json.Decoder()


class RawItem(Mapping):
    """One saved item as Spotify sent it: its JSON bytes, its identity, and the rest decoded on demand.

    Reading a large library, savedlib needs only each item's identity (``key``);
    the tables are built by Arrow straight from the bytes, and snapshots store
    them as they are. Reading a field (``item["track"]``) decodes the item once.
    """

    __slots__ = ("_decoded", "has_track", "key", "raw")

    def __init__(self, raw: bytes, key: tuple, has_track: bool):
        self.raw, self.key, self.has_track = raw, key, has_track
        self._decoded: dict | None = None

    def decoded(self) -> dict:
        """The item as a plain dict (decoded once)."""
        if self._decoded is None:
            self._decoded = _JSON.decode(self.raw)
        return self._decoded

    def __getitem__(self, name: str) -> Any:
        return self.decoded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __repr__(self) -> str:
        return f"<RawItem {self.key!r}>"


def _keyed(raw: bytes, k: _ItemKey) -> RawItem | None:
    if k.track is msgspec.UNSET or k.added_at is msgspec.UNSET:
        return None
    t = k.track
    return RawItem(raw, ((t.uri or t.id) if t else None, t.name if t else None, k.added_at), t is not None)


def raw_item(raw: bytes) -> RawItem | None:
    """A ``RawItem`` from an item's JSON bytes, or None when they are not a saved-track object."""
    try:
        return _keyed(bytes(raw), _ITEM_KEY.decode(raw))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def raw_page(body: bytes) -> tuple[list[RawItem], int] | None:
    """A page's items as ``RawItem`` and its total, or None when the body is not such a page
    (the caller then decodes it in full, to say what is wrong). Two passes in C: one splits the
    items' bytes, one reads their identities."""
    try:
        envelope, keys = _ENVELOPE.decode(body), _KEYS.decode(body).items
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    items = [_keyed(bytes(raw), k) for raw, k in zip(envelope.items, keys, strict=True)]
    if any(item is None for item in items):
        return None
    return items, envelope.total  # type: ignore[return-value]


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


def parse_raw(items: Sequence[RawItem]) -> pa.StructArray | None:
    """Items still as the bytes Spotify sent → one Arrow array, parsed by Arrow's JSON reader (C++, no
    Python object per field, the GIL released); None when they do not fit ``ITEM_TYPE``."""
    lines = b"\n".join(i.raw.replace(b"\n", b" ").replace(b"\r", b" ") if b"\n" in i.raw else i.raw for i in items)
    options = pajson.ParseOptions(explicit_schema=JSON_SCHEMA, unexpected_field_behavior="ignore")
    try:
        table = pajson.read_json(io.BytesIO(lines), parse_options=options)
        array = table.to_struct_array().combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return array if len(array) == len(items) else None


def plain(item: Mapping) -> dict:
    """An item as a plain dict, whatever it was read as."""
    return item.decoded() if isinstance(item, RawItem) else dict(item)


def to_json(item: Mapping) -> str:
    """An item as JSON text: the bytes Spotify sent, when savedlib still has them."""
    return item.raw.decode() if isinstance(item, RawItem) else msgspec.json.encode(item).decode()


# --- identity: which saved item is which ------------------------------------------------------

#: A Spotify id (of a track, album or artist): 22 base-62 characters.
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


def ids_of(uris: pa.Array | None, prefix: str) -> pa.Array | None:
    """The id in each URI of the kind ``prefix`` names (``spotify:track:``), null for others: vectorised,
    for files that name tracks by URI only (Exportify, the account data, the listening history)."""
    if uris is None:
        return None
    starts = pc.starts_with(uris, prefix)
    kind = uris if pc.all(starts).as_py() else pc.if_else(starts, uris, pa.scalar(None, uris.type))
    large = pa.types.is_large_string(uris.type)  # kept large (files): no copy here, none for pandas later
    as_bytes = kind.view(pa.large_binary() if large else pa.binary())  # an ASCII prefix: cut as bytes
    return pc.binary_slice(as_bytes, len(prefix), 1 << 30).view(uris.type)  # what follows it is still UTF-8


def prefixed(values: pa.Array, prefix: str) -> pa.Array:
    """``prefix`` + each value (null stays null): ids → URIs or links. Inserting a slice is one pass,
    about twice as fast as ``binary_join_element_wise``."""
    return pc.binary_replace_slice(values, 0, 0, prefix)


def key(item: Mapping) -> tuple:
    """Identity of a saved item: which track, saved when (local files have no id, but a URI)."""
    if isinstance(item, RawItem):
        return item.key
    track = item.get("track") or {}
    return (track.get("uri") or track.get("id"), track.get("name"), item.get("added_at"))


def shows(page_items: Sequence[Mapping], held: Sequence[Mapping]) -> bool:
    """True when ``page_items`` are the same saves, in the same order, as the first of ``held``: the one
    check that says a library has not moved."""
    return [key(i) for i in page_items] == [key(i) for i in held[: len(page_items)]]


def has_track(item: Mapping) -> bool:
    """False for an item whose track is ``null`` (Spotify sends such items)."""
    return item.has_track if isinstance(item, RawItem) else item.get("track") is not None


@dataclass
class Page:
    """One answer of ``/me/tracks``: its items and total, and when it was asked for and answered."""

    offset: int
    items: list[dict]
    total: int
    sent: float = 0.0
    received: float = 0.0


def new_on_top(first: Page, held: list[dict], read: Callable[[int], Page]) -> tuple[list[dict], int, int]:
    """Saving puts tracks on top: the items above the newest one still ``held``, where ``held`` now
    starts (its first items may be gone), and the latest total seen. Reads more pages from the top
    (``read(offset)``) when a whole page is new."""
    where = {key(item): i for i, item in enumerate(held) if has_track(item)}
    page, top = first, []
    while True:
        for j, item in enumerate(page.items):
            i = where.get(key(item))
            if i is not None:
                return top + page.items[:j], i, page.total
        top.extend(page.items)
        if len(page.items) < PAGE_SIZE:  # reached the end: nothing held is left
            return top, len(held), page.total
        page = read(page.offset + PAGE_SIZE)


def concat(pages: dict[int, Page] | dict[int, list[dict]]) -> list[dict]:
    """The items of ``pages`` (``Page`` objects, or raw ``{offset: items}``) in offset order."""
    return [item for offset in sorted(pages) for item in getattr(pages[offset], "items", pages[offset])]


# --- Development Mode ---------------------------------------------------------------------


def to_dev_mode(item: dict) -> dict:
    """The same item as a 2026 Development Mode app receives it (keys absent, not null)."""
    track = item.get("track")
    if not isinstance(track, dict):
        return dict(item)
    track = {k: v for k, v in track.items() if k not in DEV_MODE_REMOVED["track"]}
    if isinstance(track.get("album"), dict):
        track["album"] = {k: v for k, v in track["album"].items() if k not in DEV_MODE_REMOVED["album"]}
    return {**item, "track": track}


# --- checks -----------------------------------------------------------------------------


def check_shape(items: Sequence[Any]) -> None:
    """Cheap checks Arrow cannot make: each item is a dict with ``added_at`` and ``track``.

    (Arrow reads an absent ``track`` as null, which would skip the item silently.)
    """
    for position, item in enumerate(items):
        if type(item) is not dict or "track" not in item or "added_at" not in item:
            raise ValueError(f"item {position}: {_shape_problem(item)}")


def _shape_problem(item: Any) -> str:
    if not isinstance(item, dict):
        return f"expected a saved-track object (a dict with 'added_at' and 'track'), got {type(item).__name__}"
    missing = [k for k in ("added_at", "track") if k not in item]
    return f"not a saved-track object: no {' or '.join(repr(k) for k in missing)} key"


def find_type_error(items: Iterable[Any]) -> str | None:
    """Walk the items against ``ITEM_TYPE`` and describe the first value of the wrong type.

    The slow path, run only when the vectorised conversion has failed, so the
    error can name the item and the field.
    """
    for position, item in enumerate(items):
        problem = _check(item, ITEM_TYPE, "")
        if problem:
            return f"item {position}: {problem}"
    return None


_PY_TYPES = {pa.string(): (str,), pa.int64(): (int,), pa.bool_(): (bool,)}


def _check(value: Any, typ: pa.DataType, path: str) -> str | None:
    if value is None:
        return None
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_struct(typ):
        if not isinstance(value, dict):
            return f"{path or 'item'} should be an object, got {type(value).__name__} {value!r:.60}"
        for field in typ:
            problem = _check(value.get(field.name), field.type, f"{path}.{field.name}" if path else field.name)
            if problem:
                return problem
        return None
    if pa.types.is_list(typ):
        if not isinstance(value, list):
            return f"{path} should be a list, got {type(value).__name__} {value!r:.60}"
        for k, element in enumerate(value):
            problem = _check(element, typ.value_type, f"{path}[{k}]")
            if problem:
                return problem
        return None
    expected = _PY_TYPES[typ]
    ok = isinstance(value, expected) and not (typ == pa.int64() and isinstance(value, bool))
    if typ == pa.int64() and isinstance(value, float) and value.is_integer():
        ok = True
    if not ok:
        return f"{path} should be {typ}, got {type(value).__name__} {value!r:.60}"
    return None
