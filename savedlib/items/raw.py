"""Raw items: the bytes Spotify sent, decoded only when needed, and parsed into Arrow in one step."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.json as pajson

from savedlib.items.shape import JSON_SCHEMA


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
