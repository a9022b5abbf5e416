"""The open-data cache: every answer MusicBrainz and ListenBrainz gave, once, shared by every library.

Four folders of plain Parquet files under ``<cache>/opendata/`` (the user cache
folder; ``SAVEDLIB_CACHE_DIR`` moves it), each row with when it was read:

- ``spotify-artists/``: Spotify artist id → artist MBID (null: not in MusicBrainz), 90 days;
- ``isrcs/``: ISRC → its recordings (MBID and credited artists; empty: none), 90 days;
- ``artist-genres/``: artist MBID → genres (``found`` False: ListenBrainz does not know it), 90 days;
- ``recording-listens/``: recording MBID → listens and listeners (null: no count), 30 days.

Each write is a new file renamed into place (``savedlib.genres.cache.PartsCache``), so two
notebooks enriching at once lose nothing; ``pandas.read_parquet(folder)`` and DuckDB's
``read_parquet('<folder>/*.parquet')`` read them as they are.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pyarrow as pa

from savedlib.files import cache_dir
from savedlib.genres.cache import PartsCache

STAMP = ("read_at", pa.timestamp("us", tz="UTC"))
RECORDING = pa.struct(
    [("recording_mbid", pa.string()), ("artist_mbids", pa.list_(pa.string())), ("artist_names", pa.list_(pa.string()))]
)
SCHEMAS = {
    "spotify-artists": pa.schema([("spotify_artist_id", pa.string()), ("artist_mbid", pa.string()),
                                  ("artist_name", pa.string()), STAMP]),
    "isrcs": pa.schema([("isrc", pa.string()), ("recordings", pa.list_(RECORDING)), STAMP]),
    "artist-genres": pa.schema([("artist_mbid", pa.string()), ("genres", pa.list_(pa.string())),
                                ("found", pa.bool_()), STAMP]),
    "recording-listens": pa.schema([("recording_mbid", pa.string()), ("listens", pa.int64()),
                                    ("listeners", pa.int64()), STAMP]),
}  # fmt: skip
#: How long an answer is used without asking again: ids and genres change slowly, listens do not.
MAX_AGES = {"spotify-artists": 90, "isrcs": 90, "artist-genres": 90, "recording-listens": 30}


class OpenDataCache:
    """The four shelves: ``artists``, ``isrcs``, ``genres``, ``listens`` (each a ``PartsCache``)."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else cache_dir() / "opendata"
        shelf = {
            name: PartsCache(self.folder / name, schema, schema.names[0], timedelta(days=MAX_AGES[name]))
            for name, schema in SCHEMAS.items()
        }
        self.artists, self.isrcs = shelf["spotify-artists"], shelf["isrcs"]
        self.genres, self.listens = shelf["artist-genres"], shelf["recording-listens"]

    def __repr__(self) -> str:
        return f"<OpenDataCache {self.folder}>"
