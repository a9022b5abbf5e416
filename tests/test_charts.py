"""Charts: their data checked against independent computations from the raw items; missing data; export."""

import dataclasses
from collections import Counter

import altair as alt
import numpy as np
import pandas as pd
import pytest

import savedlib
import savedlib.charts as charts
from savedlib.standin import with_market
from tests.conftest import data_of

N = 2500


@pytest.fixture(scope="module")
def items():
    return savedlib.demo_items(N)


@pytest.fixture(scope="module")
def lib(items):
    return savedlib.from_items(items)


@pytest.fixture(scope="module")
def real_tracks(items):
    """The non-local tracks of the raw items: the independent source of truth."""
    return [it["track"] for it in items if not it["track"]["is_local"]]


def spec_text(chart) -> str:
    return chart.to_json()


@pytest.mark.parametrize("function", charts.ALL, ids=lambda f: f.__name__)
def test_every_chart_builds_small_titled_and_composable(lib, function):
    chart = function(lib)
    spec = chart.to_dict()
    assert len(chart.to_json().encode()) <= 250 * 1024
    assert spec.get("title") or any(part.get("title") for part in spec.get("hconcat", []))
    assert alt.theme.active == "savedlib" and spec["config"]["font"].startswith("Inter")
    (chart | charts.message("x", "y")).to_dict()
    (charts.message("x", "y") & chart).to_dict()


def test_single_charts_layer_with_plus(lib):
    (charts.duration_distribution(lib) + charts.duration_distribution(lib)).to_dict()


def test_saves_per_month(lib, items):
    data = data_of(charts.saves_per_month(lib))
    months = Counter(it["added_at"][:7] for it in items)
    got = dict(zip(data["month"].dt.strftime("%Y-%m"), data["saves"], strict=True))
    assert {k: v for k, v in got.items() if v} == months
    assert data["library_size"].iloc[-1] == N and data["library_size"].is_monotonic_increasing
    assert (data["saves"] == 0).sum() == len(data) - len(months)  # empty months shown as zero


def test_weekday_hour_in_a_time_zone(lib, items):
    data = data_of(charts.saves_by_weekday_hour(lib, tz="Asia/Tokyo"))
    when = pd.to_datetime([it["added_at"] for it in items], utc=True).tz_convert("Asia/Tokyo")
    expect = Counter(zip(when.day_name(), when.hour, strict=True))
    got = {(str(d), int(h)): int(s) for d, h, s in zip(data["weekday"], data["hour"], data["saves"], strict=True)}
    assert len(got) == 168 and {k: v for k, v in got.items() if v} == dict(expect)


def test_release_vs_save_year(lib, real_tracks, items):
    data = data_of(charts.release_vs_save_year(lib))
    expect = Counter()
    for it in items:
        date = it["track"]["album"].get("release_date")
        if it["track"]["is_local"] or not date or date.startswith("0000"):
            continue
        expect[(int(it["added_at"][:4]), int(date[:4]) // 10 * 10)] += 1
    got = {
        (int(a), int(b)): int(c)
        for a, b, c in zip(data["save_year"], data["release_decade"], data["tracks"], strict=True)
    }
    assert got == dict(expect)


def test_duration_distribution(lib, items):
    data = data_of(charts.duration_distribution(lib, limit=12))
    minutes = pd.Series([it["track"]["duration_ms"] / 60000 for it in items])
    bins = pd.cut(minutes.clip(upper=12), bins=np.append(np.arange(0, 12.25, 0.25), np.inf), right=False)
    assert data["tracks"].tolist() == bins.value_counts(sort=False).tolist()
    assert (
        data["tracks"].sum() == N and data["open_ended"].iloc[-1] and data["tracks"].iloc[-1] == (minutes >= 12).sum()
    )


def test_duration_by_decade(lib, items):
    data = data_of(charts.duration_by_decade(lib)).set_index("decade")
    rows = [
        (int(it["track"]["album"]["release_date"][:4]) // 10 * 10, it["track"]["duration_ms"] / 60000)
        for it in items
        if (it["track"]["album"].get("release_date") or "0000")[:4] != "0000"
    ]
    frame = pd.DataFrame(rows, columns=["decade", "minutes"])
    for decade, group in frame.groupby("decade"):
        assert data.loc[decade, "tracks"] == len(group)
        assert data.loc[decade, "median"] == pytest.approx(np.percentile(group["minutes"], 50))
        assert data.loc[decade, "q1"] == pytest.approx(np.percentile(group["minutes"], 25))


def test_longest_and_shortest(lib, items):
    data = data_of(charts.longest_and_shortest(lib, n=5).hconcat[0])
    longest = sorted((it["track"]["duration_ms"] for it in items), reverse=True)[:5]
    assert (data["value"].tolist()) == longest
    shortest = data_of(charts.longest_and_shortest(lib, n=5).hconcat[1])
    assert shortest["value"].max() <= min(longest)


def test_popularity_charts(lib, real_tracks):
    pops = pd.Series([t["popularity"] for t in real_tracks])
    hist = data_of(charts.popularity_distribution(lib))
    assert hist["tracks"].tolist() == [int(((pops // 5).clip(upper=19) == k).sum()) for k in range(20)]
    by_year = data_of(charts.popularity_by_release_year(lib)).set_index("release_year")
    years = pd.Series([t["album"]["release_date"][:4] for t in real_tracks]).astype(int)
    frame = pd.DataFrame({"year": years, "pop": pops})
    frame = frame[frame["year"] > 0]
    assert by_year["median"].to_dict() == pytest.approx(frame.groupby("year")["pop"].median().to_dict())
    extremes = data_of(charts.most_and_least_popular(lib, n=3).hconcat[0])
    assert extremes["value"].tolist() == sorted(pops, reverse=True)[:3]


def test_market_map_counts_from_raw_items(lib, real_tracks):
    data = data_of(charts.market_map(lib)).set_index("market")
    expect = Counter(m for t in real_tracks for m in t["available_markets"])
    for market, count in expect.items():
        assert data.loc[market, "tracks"] == count
    assert data.loc["JP", "share"] == pytest.approx(expect["JP"] / len(real_tracks))
    assert data.loc["XK", "name"] == "Kosovo"
    assert "iso" in charts.markets.countries()["objects"]["countries"]["geometries"][0]["properties"]


def test_markets_per_track(lib, real_tracks):
    data = data_of(charts.markets_per_track(lib))
    lengths = np.array([len(t["available_markets"]) for t in real_tracks])
    assert data.loc[data["label"] == "none", "tracks"].item() == (lengths == 0).sum()
    assert data["tracks"].sum() == len(real_tracks)
    assert data.loc[data["label"] == "181-185", "tracks"].item() == ((lengths >= 181) & (lengths <= 185)).sum()


def test_unplayable_in_from_available_markets(lib, real_tracks):
    chart = charts.unplayable_in(lib, "JP", n=10)
    blocked = [t for t in real_tracks if "JP" not in t["available_markets"]]
    assert f"{len(blocked):,} of your {len(real_tracks):,} tracks cannot play there" in spec_text(chart)
    table = savedlib.stats.unplayable(lib, "JP")
    assert len(table) == len(blocked)
    assert set(table["track_url"].str.rsplit("/", n=1).str[1]) == {t["id"] for t in blocked}


def test_unplayable_in_when_read_with_that_market(items):
    jp = savedlib.from_items([with_market(it, "JP") for it in items], market="JP")
    table = savedlib.stats.unplayable(jp, "JP")
    assert len(table) == int((~jp.tracks["is_playable"] & ~jp.tracks["is_local"]).sum()) > 0
    assert set(table["reason"]) == {"not available there"}
    assert "was read with market JP" in spec_text(charts.unplayable_in(jp, "US"))
    with pytest.raises(ValueError, match="invalid market"):
        charts.unplayable_in(jp, "Japan")


def test_top_artists_and_albums(lib, items):
    artists = Counter(a["id"] or "name:" + a["name"] for it in items for a in it["track"]["artists"])
    data = data_of(charts.top_artists(lib, n=10))
    assert data["tracks"].tolist() == [c for _, c in artists.most_common(10)]
    albums = Counter(it["track"]["album"]["id"] for it in items if it["track"]["album"]["id"])
    data = data_of(charts.top_albums(lib, n=10))
    assert data["tracks"].tolist() == [c for _, c in albums.most_common(10)]


@pytest.mark.parametrize("function", charts.ALL, ids=lambda f: f.__name__)
def test_development_mode_says_what_is_missing(function):
    lib = savedlib.demo(300, dev_mode=True)
    text = spec_text(function(lib))
    if function.__module__.endswith(("popularity", "markets")) or function.__name__ == "top_labels":
        assert "Development Mode apps" in text
    elif function.__name__ == "audio_features":
        assert "Spotify stopped sending audio features to new apps in November 2024" in text
    else:
        assert "Development Mode" not in text and data_of(function(lib)) is not None


@pytest.mark.parametrize("function", charts.ALL, ids=lambda f: f.__name__)
def test_empty_library_says_so(function):
    text = spec_text(function(savedlib.from_items([])))
    assert "This library has no saved tracks yet." in text


@pytest.mark.parametrize("function", charts.ALL, ids=lambda f: f.__name__)
def test_one_track_library_draws(function):
    lib = savedlib.demo(1)
    chart = function(lib)
    data = data_of(chart)
    assert data is not None and len(data) >= 1
    chart.to_dict()


@pytest.mark.parametrize("function", charts.ALL, ids=lambda f: f.__name__)
def test_some_save_dates_missing_still_draws_the_rest(lib, function):
    tracks = lib.tracks.copy()
    tracks.loc[tracks.index[::10], "added_at"] = pd.NaT  # a source may know some save dates and not others
    data = data_of(function(dataclasses.replace(lib, tracks=tracks)))
    if data is not None and "saves" in data:
        assert data["saves"].sum() == tracks["added_at"].notna().sum()


def test_only_local_files():
    from tests.conftest import local_item

    lib = savedlib.from_items([local_item()])
    assert "Only local files here" in spec_text(charts.popularity_distribution(lib))
    assert "Only local files here" in spec_text(charts.market_map(lib))
    assert data_of(charts.duration_distribution(lib))["tracks"].sum() == 1


def test_unplayable_everywhere_playable():
    lib = savedlib.from_items(
        [
            {
                "added_at": "2024-01-01T00:00:00Z",
                "track": {
                    "id": "a" * 22,
                    "uri": "spotify:track:" + "a" * 22,
                    "name": "x",
                    "available_markets": ["JP", "US"],
                    "artists": [{"id": "b", "name": "B"}],
                    "album": {"id": "c", "name": "C"},
                },
            }
        ]
    )
    assert "All 1 track of your library can play in Japan." in spec_text(charts.unplayable_in(lib, "JP"))


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_export_offline(tmp_path, lib, suffix):
    path = charts.save(charts.market_map(lib) & charts.saves_per_month(lib), tmp_path / f"chart{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    else:
        text = data.decode()
        assert text.lstrip().startswith("<svg") and "Where your music can play" in text
        assert text.count("<path") > 150  # the countries were drawn from the shipped map


def test_export_refuses_unknown_format(tmp_path, lib):
    with pytest.raises(ValueError, match=r"cannot save a chart as \.gif"):
        charts.save(charts.saves_per_month(lib), tmp_path / "x.gif")
