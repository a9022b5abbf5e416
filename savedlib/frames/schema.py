"""What the tables hold: the columns of ``Library.tracks``, its categories, and the fields Spotify may leave out."""

from __future__ import annotations

TRACK_URL = "https://open.spotify.com/track/"
#: The kinds of playlist entry that are songs (``playlist_items.kind``): only these match a saved item.
SONG_KINDS = ("track", "local file")
#: How a playlist entry was matched to a saved item, first rule first (``playlist_items.matched_by``).
MATCHED_BY = ("id", "relinked", "isrc", "names")

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
MARKET_REASON = "Spotify leaves available_markets out when a library is read with a market"

#: Known values of the categorical columns, in a sensible order; others Spotify
#: may add later are kept and sorted after these.
ALBUM_TYPES = ("album", "single", "compilation")
PRECISIONS = ("year", "month", "day")
RESTRICTIONS = ("market", "product", "explicit")
#: Columns stored as categories, with the values they always know.
CATEGORIES = {"restriction": RESTRICTIONS, "album_type": ALBUM_TYPES, "album_release_precision": PRECISIONS}

#: The columns of ``Library.tracks``, in order.
TRACK_COLUMNS = (
    "added_at", "track_id", "track_uri", "track_name", "track_url", "isrc", "duration_ms", "explicit",
    "popularity", "disc_number", "track_number", "is_local", "is_playable", "restriction", "linked_from_id",
    "preview_url", "artists", "artist_ids", "primary_artist", "primary_artist_id", "n_artists", "album_id",
    "album_uri", "album_name", "album_type", "album_total_tracks", "album_release_date",
    "album_release_precision", "album_released", "album_release_year", "album_label", "album_image_url",
    "album_artists", "n_markets",
)  # fmt: skip
