"""Genres from the Web API: ``add_genres`` asks Spotify about each artist once, and the artist cache remembers."""

from savedlib.genres.cache import ArtistCache
from savedlib.genres.enrich import add_genres

__all__ = ["ArtistCache", "add_genres"]
