"""The demo's draws as Spotify's JSON objects: a saved item, its track, album and artists, a local file."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from savedlib.demodata.generate import _Albums, _Artists, _Tracks


def item_object(i: int, tracks: _Tracks, artists: _Artists, artist: int, albums: _Albums, a: int) -> dict:
    """Saved item ``i`` in the exact ``/v1/me/tracks`` shape."""
    artist_list = [_artist(artists, artist)] + [
        _artist(artists, f) for f in tracks.featured[i, : tracks.n_feat[i]] if f != artist
    ]
    if tracks.local[i]:
        return _local_item(tracks.added_at[i], tracks.name[i], artist_list, albums.name[a], int(tracks.duration[i]))
    tid = tracks.ids[i]
    return {
        "added_at": tracks.added_at[i] + "Z",
        "track": {
            "album": _album(albums, a, artists),
            "artists": artist_list,
            "available_markets": albums.markets[a],
            "disc_number": int(tracks.disc_number[i]),
            "duration_ms": int(tracks.duration[i]),
            "explicit": bool(tracks.explicit[i]),
            "external_ids": {"isrc": tracks.isrc[i]},
            "external_urls": {"spotify": f"https://open.spotify.com/track/{tid}"},
            "href": f"https://api.spotify.com/v1/tracks/{tid}",
            "id": tid,
            "is_local": False,
            "name": str(tracks.name[i]),
            "popularity": int(tracks.popularity[i]),
            "preview_url": None,
            "track_number": int(tracks.track_number[i]),
            "type": "track",
            "uri": f"spotify:track:{tid}",
        },
    }


VARIOUS_ARTISTS = {
    "external_urls": {"spotify": "https://open.spotify.com/artist/0LyfQWJT6nXafLPZqxe9Of"},
    "href": "https://api.spotify.com/v1/artists/0LyfQWJT6nXafLPZqxe9Of",
    "id": "0LyfQWJT6nXafLPZqxe9Of",
    "name": "Various Artists",
    "type": "artist",
    "uri": "spotify:artist:0LyfQWJT6nXafLPZqxe9Of",
}


def _album(albums: _Albums, a: int, artists: _Artists) -> dict:
    """Album ``a`` as the track object carries it."""
    aid = albums.ids[a]
    kind = albums.kind[a]
    return {
        "album_type": kind,
        "artists": [dict(VARIOUS_ARTISTS)] if kind == "compilation" else [_artist(artists, albums.artist[a])],
        "available_markets": albums.markets[a],
        "external_urls": {"spotify": f"https://open.spotify.com/album/{aid}"},
        "href": f"https://api.spotify.com/v1/albums/{aid}",
        "id": aid,
        "images": _images(albums.image_hash[a], albums.image_kind[a]),
        "name": str(albums.name[a]),
        "release_date": albums.release_date[a],
        "release_date_precision": albums.precision[a],
        "total_tracks": int(albums.total_tracks[a]),
        "type": "album",
        "uri": f"spotify:album:{aid}",
    }


def _artist(artists: _Artists, k: int) -> dict:
    aid = artists.ids[k]
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{aid}"},
        "href": f"https://api.spotify.com/v1/artists/{aid}",
        "id": aid,
        "name": str(artists.names[k]),
        "type": "artist",
        "uri": f"spotify:artist:{aid}",
    }


def _images(digest: str, kind: float) -> list[dict]:
    base = "https://i.scdn.co/image/ab67616d0000"
    if kind < 0.02:
        return []
    if kind < 0.04:
        return [{"height": None, "url": f"{base}b273{digest}", "width": None}]
    return [
        {"height": 640, "url": f"{base}b273{digest}", "width": 640},
        {"height": 300, "url": f"{base}1e02{digest}", "width": 300},
        {"height": 64, "url": f"{base}4851{digest}", "width": 64},
    ]


def _local_item(added_at: str, title: str, artist_list: list[dict], album: str, duration_ms: int) -> dict:
    """A local file as Spotify sends it: null ids, empty lists, zeros, a form-encoded URI."""
    from urllib.parse import quote_plus

    artist = artist_list[0]["name"]
    uri = f"spotify:local:{quote_plus(artist)}:{quote_plus(album)}:{quote_plus(title)}:{duration_ms // 1000}"
    return {
        "added_at": added_at + "Z",
        "track": {
            "album": {
                "album_type": None,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": album,
                "release_date": None,
                "release_date_precision": None,
                "total_tracks": 0,
                "type": "album",
                "uri": None,
            },
            "artists": [{"external_urls": {}, "href": None, "id": None, "name": artist, "type": "artist", "uri": None}],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": duration_ms,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": title,
            "popularity": 0,
            "preview_url": None,
            "track_number": 0,
            "type": "track",
            "uri": uri,
        },
    }
