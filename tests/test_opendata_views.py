"""Listeners where Spotify sent no popularity: the charts and the explorer label them as what they are."""

from __future__ import annotations

import json

import numpy as np
import pytest

import savedlib
from savedlib import charts
from savedlib.demodata import demo_items
from savedlib.opendata import OpenDataCache, add_open_data
from savedlib.standin.opendata import OpenDataStandIn


@pytest.fixture(scope="module")
def enriched(tmp_path_factory):
    lib = savedlib.from_items(demo_items(800, dev_mode=True))
    with OpenDataStandIn(items=demo_items(800), musicbrainz_rate=50.0, listenbrainz_limit=(100, 1.0)) as api:
        cache = OpenDataCache(tmp_path_factory.mktemp("opendata"))
        return add_open_data(lib, cache=cache, progress=False, **api.options())


def spec(chart) -> str:
    return json.dumps(chart.to_dict())


def test_the_popularity_histogram_shows_listeners_on_a_log_scale(enriched):
    chart = charts.popularity_distribution(enriched)
    text = spec(chart)
    assert "ListenBrainz listeners" in text and "not Spotify's score" in text and '"type": "log"' in text
    data = savedlib.stats.listeners_histogram(enriched)
    assert data["tracks"].sum() == enriched.tracks["listeners"].notna().sum()
    assert (data["end"] / data["start"] == 10).all()


def test_the_other_popularity_charts_use_listeners_too(enriched):
    assert "ListenBrainz listeners" in spec(charts.most_and_least_popular(enriched))
    assert "ListenBrainz listeners" in spec(charts.popularity_by_release_year(enriched))
    assert "ListenBrainz listeners" in spec(charts.popularity_over_time(enriched))


def test_a_library_without_popularity_or_listeners_still_says_why():
    lib = savedlib.from_items(demo_items(100, dev_mode=True))
    assert "No popularity scores to show" in spec(charts.popularity_distribution(lib))


def test_the_genre_charts_name_their_source(enriched):
    assert "MusicBrainz genres via ListenBrainz" in spec(charts.top_genres(enriched))


def test_the_explorer_filters_by_listeners(enriched):
    ex = savedlib.explore(enriched)
    w = ex.filters["popularity"]
    assert w.description == "Listeners 10^"
    assert "ListenBrainz listeners" in " ".join(ex._filters.notes.values())  # shown under the filters
    w.value = (3, w.max)
    listeners = ex.result["listeners"].to_numpy(dtype=float, na_value=np.nan)
    assert len(ex.result) and (listeners >= 1000).all()
