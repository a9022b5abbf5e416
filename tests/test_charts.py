"""Charts: their data checked against independent computations from the raw items; missing data; export."""

import dataclasses
from collections import Counter

import altair as alt
import numpy as np
import pandas as pd
import pytest

import savedlib
import savedlib.charts as charts
from savedlib.charts.base import histogram, ranked_bars
from savedlib.charts.theme import HEIGHT, PRIMARY, SECOND, WIDTH
from savedlib.demodata.exportify import write_exportify
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
    beside = (chart | charts.message("x", "y")).to_dict()["hconcat"]
    below = (charts.message("x", "y") & chart).to_dict()["vconcat"]
    assert beside[-1]["mark"]["type"] == below[0]["mark"]["type"] == "text"  # the message, where it was put
    assert spec["title"] in [part.get("title") for part in beside + below]  # and the chart beside it, whole


def test_single_charts_layer_with_plus(lib):
    spec = (charts.duration_distribution(lib) + charts.duration_distribution(lib, limit=8)).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "bar"]
    assert [layer["encoding"]["x"]["scale"]["domain"] for layer in spec["layer"]] == [[0, 12.25], [0, 8.25]]
    rows = [len(spec["datasets"][layer["data"]["name"]]) for layer in spec["layer"]]
    assert rows == [12 * 4 + 1, 8 * 4 + 1]  # quarter-minute bins and the open-ended last one, each layer its own


def test_ranked_bars_keep_the_tables_order():
    data = pd.DataFrame({"name": ["b", "c", "a"], "plays": [9, 5, 1], "rank": [0, 1, 2]})
    tooltip = [alt.Tooltip("name:N", title="Name")]
    spec = ranked_bars(data, alt.X("plays:Q", title="Plays"), "name:N", tooltip, alt.Title("T", subtitle="s")).to_dict()
    assert spec["mark"] == {"type": "bar", "color": PRIMARY}
    assert spec["encoding"]["y"] == {"field": "name", "type": "nominal", "title": None, "sort": None}
    assert spec["encoding"]["x"] == {"field": "plays", "type": "quantitative", "title": "Plays"}
    assert spec["encoding"]["tooltip"] == [{"field": "name", "type": "nominal", "title": "Name"}]
    assert (spec["width"], spec["height"], spec["title"]) == (WIDTH, 60, {"text": "T", "subtitle": "s"})
    assert [row["name"] for row in spec["datasets"][spec["data"]["name"]]] == ["b", "c", "a"]
    other = ranked_bars(
        data, alt.X("plays:Q"), "name:N", tooltip, "T", color=SECOND, width=100, height=50, sort=alt.SortField("rank")
    ).to_dict()
    assert other["mark"]["color"] == SECOND and other["encoding"]["y"]["sort"] == {"field": "rank"}
    assert (other["width"], other["height"], other["title"]) == (100, 50, "T")


def test_histogram_draws_counted_bins():
    data = pd.DataFrame({"start": [0.0, 0.5], "end": [0.5, 1.0], "tracks": [3, 4]})
    spec = histogram(data, "Share", (0, 1), [alt.Tooltip("tracks:Q")]).to_dict()
    assert spec["mark"] == {"type": "bar", "color": PRIMARY} and "title" not in spec
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert (x["field"], x["bin"], x["title"], x["scale"]) == ("start", "binned", "Share", {"domain": [0, 1]})
    assert spec["encoding"]["x2"] == {"field": "end"}
    assert (y["field"], y["title"], y["axis"]["format"]) == ("tracks", "Tracks", ",d")
    assert (spec["width"], spec["height"]) == (WIDTH, HEIGHT)
    assert [row["tracks"] for row in spec["datasets"][spec["data"]["name"]]] == [3, 4]
    small = histogram(data, None, (0, 1), [], alt.Title("T"), y_title=None, width=90, height=40).to_dict()
    assert (small["title"], small["width"], small["height"]) == ({"text": "T"}, 90, 40)
    assert small["encoding"]["x"]["title"] is None and small["encoding"]["y"]["title"] is None


@pytest.fixture(scope="module")
def exportify_lib(tmp_path_factory):
    """The demo read back from an Exportify file: genres, record labels and audio features, as such files have."""
    return savedlib.read_exportify(write_exportify(tmp_path_factory.mktemp("exportify") / "liked.csv", savedlib.demo()))


@pytest.mark.parametrize(
    ("function", "source", "y", "rows"),
    [(charts.top_artists, "lib", "artist", 20), (charts.top_albums, "lib", "label", 20),
     (charts.top_genres, "exportify_lib", "genre", 20), (charts.top_labels, "exportify_lib", "label", 10),
     (charts.longest_and_shortest, "lib", "label", 10), (charts.most_and_least_popular, "lib", "label", 10)],
    ids=lambda v: getattr(v, "__name__", None),
)  # fmt: skip
def test_ranked_charts_draw_their_rows_in_order(request, function, source, y, rows):
    """Top 20 (the demo has ten record labels), or 10 at each end."""
    spec = function(request.getfixturevalue(source)).to_dict()
    for part in spec.get("hconcat", [spec]):
        assert part["mark"]["type"] == "bar" and part["encoding"]["y"]["field"] == y
        drawn = spec["datasets"][part["data"]["name"]]
        assert len(drawn) == rows and part["height"] == (20 if "hconcat" not in spec else 22) * rows
        x = part["encoding"]["x"]["field"]
        if part["encoding"]["y"]["sort"] is None:  # drawn in the table's order: the largest first, each once
            assert [row[x] for row in drawn] == sorted((row[x] for row in drawn), reverse=True)
            assert len({row[y] for row in drawn}) == rows


def test_longest_tracks_each_have_a_row(lib):
    """Two tracks with one "name · artist" label would share a row and stack their bars: each is numbered."""
    spec = charts.longest_and_shortest(lib).to_dict()
    drawn = spec["datasets"][spec["hconcat"][0]["data"]["name"]]
    assert len({row["label"] for row in drawn}) == len(drawn)  # the demo saved "Blue Memory" twice


@pytest.mark.parametrize(
    ("function", "column", "bins"),
    [(charts.duration_distribution, "duration_ms", 12 * 4 + 1), (charts.popularity_distribution, "popularity", 20)],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_histograms_draw_one_row_a_bin(lib, function, column, bins):
    spec = function(lib).to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["x"]["bin"] == "binned"
    drawn = spec["datasets"][spec["data"]["name"]]
    assert len(drawn) == bins and sum(row["tracks"] for row in drawn) == lib.tracks[column].notna().sum()


def test_audio_features_one_histogram_a_feature(exportify_lib):
    spec = charts.audio_features(exportify_lib).to_dict()
    assert spec["spec"]["mark"]["type"] == "bar" and spec["spec"]["encoding"]["x"]["bin"] == "binned"
    drawn = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    per_feature = drawn.groupby("feature")["tracks"].agg(["size", "sum"])
    assert len(per_feature) >= 5 and (per_feature["size"] == 20).all()
    assert (per_feature["sum"] == len(exportify_lib.audio_features)).all()


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
