"""Shared test helpers: real recorded responses and hand-made items of each quirky shape."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from savedlib.demodata import demo_items

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def snap(tmp_path):
    """Where a test keeps its snapshot."""
    return tmp_path / "my-library"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def page() -> dict:
    """A real recorded ``/v1/me/tracks`` page (older shape: no ``is_local``, no release date)."""
    return load_fixture("saved-tracks-page.json")


@pytest.fixture
def track() -> dict:
    """A real recorded full track object (popularity 73, 57 markets, an ISRC)."""
    return load_fixture("track.json")


def saved(track: dict, added_at: str = "2024-05-01T12:00:00Z", **changes) -> dict:
    """A saved-track item around a deep copy of ``track``, with top-level track keys changed."""
    t = copy.deepcopy(track)
    for key, value in changes.items():
        if value is ...:
            t.pop(key, None)
        else:
            t[key] = value
    return {"added_at": added_at, "track": t}


def local_item(title: str = "Home Recording", artist: str = "Me") -> dict:
    """A local file as Spotify sends it."""
    return {
        "added_at": "2023-01-02T03:04:05Z",
        "track": {
            "album": {
                "album_type": None,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": "My Album",
                "release_date": None,
                "release_date_precision": None,
                "total_tracks": 0,
                "type": "album",
                "uri": None,
            },
            "artists": [{"external_urls": {}, "href": None, "id": None, "name": artist, "type": "artist", "uri": None}],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": 237000,
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
            "uri": f"spotify:local:{artist}:My+Album:{title.replace(' ', '+')}:237",
        },
    }


def api_library(n: int = 2500, **kwargs):
    """The demo library as the Web API serves it (the demo's genres come from elsewhere: add_genres)."""
    import savedlib

    return savedlib.from_items(demo_items(n, **kwargs))


def assert_same_library(got, want) -> None:
    """The tables are identical (``Library.equals``); when not, say where they differ."""
    differ = got.differences(want)
    for name in differ:  # the slow comparison says where
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), obj=name)
    assert not differ, f"{differ} differ"


def data_of(chart) -> pd.DataFrame | None:
    """The DataFrame a chart (or its first sub-chart with one) draws."""
    if isinstance(getattr(chart, "data", None), pd.DataFrame):
        return chart.data
    transforms = getattr(chart, "transform", None)
    for transform in transforms if isinstance(transforms, list) else []:  # a map joins its numbers with a lookup
        if isinstance(transform, alt.LookupTransform) and isinstance(transform["from"].data, pd.DataFrame):
            return transform["from"].data
    for attr in ("layer", "hconcat", "vconcat"):
        subs = getattr(chart, attr, None)
        for sub in subs if isinstance(subs, list) else []:
            found = data_of(sub)
            if found is not None:
                return found
    return None


# --- a stand-in's library, changed by hand ---------------------------------------------------


def requests_of(api, action):
    before = api.stats()["page_requests"]
    result = action()
    return result, api.stats()["page_requests"] - before


def save_at_top(api, n, seed=77, when="2026-11-28T00:00:00Z"):
    with api.state.lock:
        api.state.save_at_top(demo_items(n, seed=seed), when)


def remove_anywhere(api, n, seed=1):
    rng = random.Random(seed)
    with api.state.lock:
        size = len(api.state.items)
        return api.state.remove_at([rng.randrange(size - k) for k in range(n)])
