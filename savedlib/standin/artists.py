"""The stand-in's artists: who they are (the demo's, with its sparse genres) and the shape Spotify sends them in."""

from __future__ import annotations


def catalogue(items: list[dict], seed: int) -> dict[str, tuple[str, list[str]]]:
    """Artist id -> (name, genres) for everyone in ``items``: the demo's genres (sparse: half have none)."""
    from savedlib.demodata.genres import artist_genres
    from savedlib.library import from_items

    lib = from_items(items)
    artists = lib.artists.dropna(subset=["artist_id"]).drop_duplicates("artist_id")
    genres = artist_genres(lib, seed).groupby("artist_id")["genre"].agg(list).to_dict()
    return {a: (name, genres.get(a, [])) for a, name in zip(artists["artist_id"], artists["artist_name"], strict=True)}


def artist(artist_id: str, name: str, genres: list[str], shape: str) -> dict:
    """The full artist object (``GET /v1/artists/{id}``, ``shape`` "full"); Development Mode apps get no
    followers or popularity ("dev_old", before February 2026), and since then no genres either ("dev")."""
    artist = {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
        "followers": {"href": None, "total": sum(map(ord, artist_id)) * 37},
        "genres": genres,
        "href": f"https://api.spotify.com/v1/artists/{artist_id}",
        "id": artist_id,
        "images": [],
        "name": name,
        "popularity": sum(map(ord, artist_id)) % 101,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }
    if shape != "full":
        del artist["followers"], artist["popularity"]
    if shape == "dev":
        del artist["genres"]
    return artist
