"""One history file's JSON → an Arrow table of streams in savedlib's columns, without a Python object per field.

msgspec splits the file's JSON array into its records' bytes; Arrow's JSON
reader parses them against an explicit schema that names only the fields
savedlib keeps. The fields that identify a person and their whereabouts
(``ip_addr``, ``ip_addr_decrypted``, ``username``, ``user_agent_decrypted``)
are never in that schema, so they are never read into memory: only their
names are noted, so that ``History.info`` can say they were dropped.
"""

from __future__ import annotations

import io

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from savedlib.errors import HistoryError
from savedlib.items.uris import ids_of

_str, _int, _bool = pa.string(), pa.int64(), pa.bool_()

#: What savedlib reads of an extended streaming history record (Spotify's names).
EXTENDED = pa.schema(
    [(name, _str) for name in ("ts", "platform")]
    + [("ms_played", _int)]
    + [
        (name, _str)
        for name in (
            "conn_country",
            "master_metadata_track_name",
            "master_metadata_album_artist_name",
            "master_metadata_album_album_name",
            "spotify_track_uri",
            "episode_name",
            "episode_show_name",
            "spotify_episode_uri",
            "audiobook_title",
            "audiobook_uri",
            "audiobook_chapter_uri",
            "audiobook_chapter_title",
            "reason_start",
            "reason_end",
        )
    ]
    + [(name, _bool) for name in ("shuffle", "skipped", "offline", "incognito_mode")]
)
#: What savedlib reads of a one-year history record (music, podcast or audiobook files).
ONE_YEAR = pa.schema(
    [("endTime", _str), ("msPlayed", _int)]
    + [(n, _str) for n in ("artistName", "trackName", "podcastName", "episodeName", "audiobookName", "chapterName")]
)
#: Fields in Spotify's files that identify a person or where they were: never read, never kept.
PERSONAL = ("ip_addr", "ip_addr_decrypted", "username", "user_agent_decrypted")

#: savedlib's columns of a stream, in order (``kind`` and ``track_id`` are derived).
COLUMNS = (
    "ts", "ms_played", "kind", "track_uri", "track_id", "track_name", "artist_name", "album_name",
    "episode_uri", "episode_name", "show_name", "platform", "conn_country", "reason_start", "reason_end",
    "shuffle", "skipped", "offline", "incognito_mode", "source",
)  # fmt: skip
TYPES = {
    "ts": pa.timestamp("us", tz="UTC"),  # as the library's added_at: Parquet keeps it exactly
    "ms_played": _int,
    **{c: _bool for c in ("shuffle", "skipped", "offline", "incognito_mode")},
}
KINDS = ("track", "episode", "audiobook", "video", "unknown")
TRACK = "spotify:track:"
SOURCES = ("extended", "one-year")


def read(data: bytes, name: str, kind: str) -> tuple[pa.Table, list[str], str]:
    """One file's records parsed by Arrow against the schema of its ``kind`` ("unknown": from its first
    record; video files have the audio files' fields), the personal fields it had (by name), and its kind."""
    raw = records(data, name)
    kind = sniff(raw) if kind == "unknown" else kind
    schema = EXTENDED if kind in ("extended", "video") else ONE_YEAR
    return parse(raw, schema, name), personal_fields(raw), kind


def _check_first(first: msgspec.Raw, schema: pa.Schema, name: str) -> None:
    record = msgspec.json.decode(first)
    if not isinstance(record, dict) or not set(record) & {schema.names[0], schema.names[1]}:
        keys = ", ".join(sorted(record)[:6]) if isinstance(record, dict) else type(record).__name__
        raise HistoryError(f"{name} does not hold streams: its first record has {keys}, no {schema.names[0]}")


def records(data: bytes, name: str) -> list[msgspec.Raw]:
    """The records of one history file (a JSON array), each as its bytes; a clear error for anything else."""
    try:
        return msgspec.json.decode(data, type=list[msgspec.Raw])
    except msgspec.ValidationError:
        what = _describe(data)
        raise HistoryError(f"{name} is not a listening history file: it holds {what}, not a list of streams") from None
    except msgspec.DecodeError as exc:
        raise HistoryError(f"{name} is not valid JSON ({exc}): the file may be cut short; download it again") from None


def _describe(data: bytes) -> str:
    try:
        value = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return "something else"
    if isinstance(value, dict):
        return f"an object with the keys {', '.join(sorted(value)[:6])}"
    return f"a JSON {type(value).__name__}"


def sniff(raw: list[msgspec.Raw]) -> str:
    """What a file of an unknown name holds, from its first record: extended or one-year (and which)."""
    first = msgspec.json.decode(raw[0]) if raw else {}
    keys = set(first) if isinstance(first, dict) else set()
    if "endTime" in keys:
        return "one-year podcast" if "podcastName" in keys else "one-year music"
    return "extended"  # or nothing: parse() then says what it holds


def personal_fields(raw: list[msgspec.Raw]) -> list[str]:
    """Which personal fields the file's records have (a format has them in every record), by name only:
    their values are never read."""
    first = bytes(raw[0]) if raw else b""
    return [field for field in PERSONAL if b'"' + field.encode() + b'"' in first]


def parse(raw: list[msgspec.Raw], schema: pa.Schema, name: str) -> pa.Table:
    """The records parsed against ``schema`` by Arrow (unknown fields ignored, missing ones null)."""
    if not raw:
        return schema.empty_table()
    _check_first(raw[0], schema, name)
    lines = b"\n".join(raw)
    # Records as Spotify writes them span several lines: Arrow reads them so, one after the other.
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore", newlines_in_values=True)
    try:
        return pajson.read_json(io.BytesIO(lines), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _parse_slowly(raw, schema, name)


def _parse_slowly(raw: list[msgspec.Raw], schema: pa.Schema, name: str) -> pa.Table:
    """Records whose values do not fit the schema's types (a number as text, say): coerced one by one."""
    columns: dict[str, list] = {field.name: [] for field in schema}
    for k, record in enumerate(raw):
        value = msgspec.json.decode(record)
        if not isinstance(value, dict):
            raise HistoryError(f"{name}: record {k} is not an object")
        for field in schema:
            columns[field.name].append(_coerce(value.get(field.name), field.type))
    return pa.table({n: pa.array(v, type=schema.field(n).type) for n, v in columns.items()})


def _coerce(value: object, typ: pa.DataType) -> object:
    if value is None:
        return None
    try:
        if typ == _int:
            return int(float(value))
        if typ == _bool:
            return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, str) else str(value)


def extended(table: pa.Table, video: bool = False) -> pa.Table:
    """Extended-history records in savedlib's columns; those of a video file (``video``: music videos,
    video podcasts) all of the kind "video", whatever they name."""

    def c(name: str) -> pa.Array:
        return table.column(name).combine_chunks()

    audiobook = pc.or_(pc.is_valid(c("audiobook_uri")), pc.is_valid(c("audiobook_chapter_uri")))
    columns = {
        "ts": c("ts").cast(TYPES["ts"]),
        "ms_played": c("ms_played"),
        "track_uri": c("spotify_track_uri"),
        "track_name": c("master_metadata_track_name"),
        "artist_name": c("master_metadata_album_artist_name"),
        "album_name": c("master_metadata_album_album_name"),
        "episode_uri": pc.if_else(audiobook, c("audiobook_chapter_uri"), c("spotify_episode_uri")),
        "episode_name": pc.if_else(audiobook, c("audiobook_chapter_title"), c("episode_name")),
        "show_name": pc.if_else(audiobook, c("audiobook_title"), c("episode_show_name")),
        **{n: c(n) for n in ("platform", "conn_country", "reason_start", "reason_end")},
        **{n: c(n) for n in ("shuffle", "skipped", "offline", "incognito_mode")},
    }
    if video:
        kind = _coded(np.full(len(table), KINDS.index("video"), dtype=np.int8), KINDS)
    else:
        kind = _kind(columns["track_uri"], columns["episode_uri"], audiobook, columns["track_name"])
    return _standard(columns, kind, "extended", len(table))


def one_year(table: pa.Table, kind: str) -> pa.Table:
    """One-year records (``kind``: music, podcast or audiobook) in savedlib's columns."""

    def c(name: str) -> pa.Array:
        return table.column(name).combine_chunks()

    ts = pc.assume_timezone(pc.strptime(c("endTime"), format="%Y-%m-%d %H:%M", unit="us"), "UTC")
    columns = {
        "ts": ts,
        "ms_played": c("msPlayed"),
        "track_name": _unless(c("trackName"), "Unknown Track"),
        "artist_name": _unless(c("artistName"), "Unknown Artist"),
        "episode_name": pc.coalesce(c("episodeName"), c("chapterName")),
        "show_name": pc.coalesce(c("podcastName"), c("audiobookName")),
    }
    kinds = {"music": "track", "podcast": "episode", "audiobook": "audiobook"}
    code = KINDS.index(kinds[kind])
    return _standard(columns, _coded(np.full(len(table), code, dtype=np.int8), KINDS), "one-year", len(table))


def _unless(values: pa.Array, placeholder: str) -> pa.Array:
    """``values`` with Spotify's ``placeholder`` (for a track it no longer knows) as null: not one shared name."""
    return pc.if_else(pc.equal(values, placeholder), pa.scalar(None, values.type), values)


def _kind(track_uri: pa.Array, episode_uri: pa.Array, audiobook: pa.Array, track_name: pa.Array) -> pa.Array:
    is_track = pc.or_(pc.is_valid(track_uri), pc.is_valid(track_name)).to_numpy(zero_copy_only=False)
    is_episode = pc.is_valid(episode_uri).to_numpy(zero_copy_only=False)
    is_book = np.asarray(audiobook.to_numpy(zero_copy_only=False), dtype=bool)
    kinds = [KINDS.index(k) for k in ("audiobook", "episode", "track")]
    codes = np.select([is_book, is_episode, is_track], kinds, KINDS.index("unknown"))
    return _coded(codes.astype(np.int8), KINDS)


def _coded(codes: np.ndarray, values: tuple[str, ...]) -> pa.DictionaryArray:
    """A column of few values as codes into ``values``: no string per row (a category later)."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(values, _str))


def _standard(columns: dict[str, pa.Array], kind: pa.Array, source: str, n: int) -> pa.Table:
    """``columns`` completed to ``COLUMNS``: missing ones null, ``track_id`` from the URI, and every
    text dictionary-encoded (streams repeat a few thousand tracks: the text is kept once)."""
    out = {}
    for name in COLUMNS:
        typ = TYPES.get(name, _str)
        if name == "kind":
            out[name] = kind
        elif name == "source":
            out[name] = _coded(np.full(n, SOURCES.index(source), dtype=np.int8), SOURCES)
        elif name == "track_id":
            out[name] = _track_ids(out["track_uri"])
        else:
            values = columns.get(name)
            values = pa.nulls(n, typ) if values is None else _combined(values).cast(typ)
            out[name] = pc.dictionary_encode(values) if typ == _str else values
    return pa.table(out)


def _track_ids(uris: pa.DictionaryArray) -> pa.DictionaryArray:
    """The track id of each ``spotify:track:`` URI (null for others), worked out once per distinct URI."""
    return pa.DictionaryArray.from_arrays(uris.indices, ids_of(uris.dictionary, TRACK))


def _combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
