"""Altair charts of a library: each function takes a ``Library`` and returns a chart.

Charts compose with ``|``, ``&`` and ``+``. They draw small summary tables
(``savedlib.stats``), never the raw rows, so they stay light at 50,000 tracks.
When the library lacks what a chart needs (an empty library, a Development
Mode app without popularity or markets), the chart says so in words.
Importing this module enables the ``"savedlib"`` Altair theme.
"""

from savedlib.charts import theme  # noqa: F401  (importing savedlib.charts enables its theme)
from savedlib.charts.base import message
from savedlib.charts.durations import duration_by_decade, duration_distribution, longest_and_shortest
from savedlib.charts.export import save
from savedlib.charts.kind_of_music import audio_features, genres_over_time, top_genres, top_labels
from savedlib.charts.markets import market_map, markets_per_track, unplayable_in
from savedlib.charts.playlists import playlists_per_song, saved_share_of_playlists, unsorted_per_month
from savedlib.charts.plays import (
    forgotten_favourites,
    listening_per_month,
    most_played_saved,
    save_to_first_play,
    saved_vs_played,
)
from savedlib.charts.popularity import (
    most_and_least_popular,
    popularity_by_release_year,
    popularity_distribution,
    popularity_over_time,
)
from savedlib.charts.saves import release_vs_save_year, saves_by_weekday_hour, saves_per_month
from savedlib.charts.top import top_albums, top_artists

ALL = (
    saves_per_month,
    saves_by_weekday_hour,
    release_vs_save_year,
    duration_distribution,
    duration_by_decade,
    longest_and_shortest,
    popularity_distribution,
    popularity_by_release_year,
    popularity_over_time,
    most_and_least_popular,
    market_map,
    markets_per_track,
    top_artists,
    top_albums,
    top_genres,
    genres_over_time,
    top_labels,
    audio_features,
)
"""Every chart that needs only the library, in the order the notebooks tell the story."""

WITH_HISTORY = (saved_vs_played, save_to_first_play, most_played_saved, forgotten_favourites)
"""Every chart of a library and its listening history (``savedlib.read_history``): ``chart(lib, history)``."""

WITH_PLAYLISTS = (playlists_per_song, saved_share_of_playlists, unsorted_per_month)
"""Every chart of a library with its playlists (``savedlib.add_playlists``, ``savedlib.read_playlists``)."""

__all__ = [
    "ALL",
    "WITH_HISTORY",
    "WITH_PLAYLISTS",
    "audio_features",
    "duration_by_decade",
    "duration_distribution",
    "forgotten_favourites",
    "genres_over_time",
    "listening_per_month",
    "longest_and_shortest",
    "market_map",
    "markets_per_track",
    "message",
    "most_and_least_popular",
    "most_played_saved",
    "playlists_per_song",
    "popularity_by_release_year",
    "popularity_distribution",
    "popularity_over_time",
    "release_vs_save_year",
    "save",
    "save_to_first_play",
    "saved_share_of_playlists",
    "saved_vs_played",
    "saves_by_weekday_hour",
    "saves_per_month",
    "top_albums",
    "top_artists",
    "top_genres",
    "top_labels",
    "unplayable_in",
    "unsorted_per_month",
]
