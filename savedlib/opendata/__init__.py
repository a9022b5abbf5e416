"""Open music data for any library: MusicBrainz ids, genres and ListenBrainz listening counts (``add_open_data``)."""

from savedlib.opendata.cache import OpenDataCache
from savedlib.opendata.enrich import LISTENBRAINZ_URL, MUSICBRAINZ_URL, add_open_data
from savedlib.opendata.match import choose
from savedlib.opendata.polite import user_agent

__all__ = ["LISTENBRAINZ_URL", "MUSICBRAINZ_URL", "OpenDataCache", "add_open_data", "choose", "user_agent"]
