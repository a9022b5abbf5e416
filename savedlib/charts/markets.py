"""Where the saved tracks can play: a world map, markets per track, and what is blocked in one country."""

from __future__ import annotations

import base64
import functools
import json
from importlib import resources

import altair as alt

from savedlib import stats
from savedlib.charts.base import message, needs, text_table
from savedlib.charts.theme import COUNT_AXIS, HEIGHT, MUTED, PRIMARY, SCHEME, SECOND, WIDTH
from savedlib.library import Library
from savedlib.markets import check_market
from savedlib.text import plural

WHAT = "market availability"


@functools.cache
def countries() -> dict:
    """The world map shipped with savedlib: Natural Earth 1:110m countries (TopoJSON) with ISO codes."""
    return json.loads(resources.files("savedlib.charts").joinpath("data/countries-110m.json").read_text())


@functools.cache
def countries_url() -> str:
    """The map as a ``data:`` URL: one compact string in the spec (Vega's loader reads data URLs,
    offline as online), instead of 30,000 coordinates that ``to_json`` would put one per line."""
    raw = json.dumps(countries(), separators=(",", ":")).encode()
    return "data:application/json;base64," + base64.b64encode(raw).decode()


@functools.cache
def drawn_codes() -> frozenset[str]:
    return frozenset(g["properties"]["iso"] for g in countries()["objects"]["countries"]["geometries"])


def market_map(lib: Library) -> alt.Chart:
    """A world map: the share of the library that can play in each country."""
    title = "Where your music can play"
    if (early := needs(lib, title, "n_markets", WHAT)) is not None:
        return early
    data = stats.market_counts(lib)
    considered = int(lib.tracks["n_markets"].notna().sum())
    hidden = data[~data["market"].isin(drawn_codes())].sort_values("tracks", ascending=False)
    subtitle = [
        f"Share of your {plural(considered, 'track')} (local files aside) available in each country; "
        "grey: no Spotify there",
        f"{len(hidden)} markets are too small to draw at this scale, e.g. "
        + ", ".join(f"{n} ({s:.0%})" for n, s in zip(hidden["name"][:3], hidden["share"][:3], strict=False)),
    ]
    topo = alt.Data(url=countries_url(), format=alt.DataFormat(feature="countries", type="topojson"))
    return (
        alt.Chart(topo, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=340)
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .transform_lookup(lookup="properties.iso", from_=alt.LookupData(data, "market", ["name", "tracks", "share"]))
        .encode(
            color=alt.condition(
                "isValid(datum.tracks)",
                # The scale spans the data's own range: a few points between countries is the story.
                alt.Color(
                    "share:Q",
                    title="Share of your tracks",
                    scale=alt.Scale(scheme=SCHEME),
                    legend=alt.Legend(format=".1%"),
                ),
                alt.value(MUTED),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Country"),
                alt.Tooltip("tracks:Q", title="Your tracks available", format=","),
                alt.Tooltip("share:Q", title="Share of your tracks", format=".1%"),
            ],
        )
        .project("equalEarth")
    )


def markets_per_track(lib: Library) -> alt.Chart:
    """How many markets each saved track can play in: worldwide releases, regional ones, and none."""
    title = "In how many countries your tracks can play"
    if (early := needs(lib, title, "n_markets", WHAT)) is not None:
        return early
    data = stats.markets_histogram(lib)
    n = lib.tracks["n_markets"].dropna()
    subtitle = (
        f"{(n >= 0.95 * n.max()).mean():.0%} play (almost) everywhere; "
        f"{plural(int((n == 0).sum()), 'track')} can play nowhere any more"
    )
    return (
        alt.Chart(data, title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("label:O", title="Number of markets", sort=None),
            y=alt.Y("tracks:Q", title="Tracks", axis=COUNT_AXIS),
            color=alt.condition("datum.start == 0", alt.value(SECOND), alt.value(PRIMARY)),
            tooltip=[alt.Tooltip("label:N", title="Markets"), alt.Tooltip("tracks:Q", title="Tracks", format=",")],
        )
    )


def unplayable_in(lib: Library, market: str, n: int = 25) -> alt.Chart:
    """The saved tracks that cannot play in ``market`` (an ISO code such as ``"JP"``), the widest-released first."""
    market = check_market(market)
    name = stats.country_name(market)
    title = f"Saved tracks that cannot play in {name}"
    read_with = lib.info.get("market")
    if read_with is None:
        if (early := needs(lib, title, "n_markets", WHAT)) is not None:
            return early
    elif read_with != market:
        return message(
            title,
            f"This library was read with market {read_with}: it knows what plays there,",
            f"not in {market}. Load it with market={market!r} to see.",
        )
    elif (early := needs(lib, title)) is not None:
        return early
    data = stats.unplayable(lib, market)
    total = int((~lib.tracks["is_local"].fillna(False)).sum())
    if data.empty:
        return message(title, f"All {plural(total, 'track')} of your library can play in {name}.")
    shown = data.sort_values(["n_markets", "label"], ascending=[False, True], na_position="last").head(n)
    reasons = ", ".join(f"{count:,} {why}" for why, count in data["reason"].value_counts().items())
    subtitle = f"{len(data):,} of your {plural(total, 'track')} cannot play there ({reasons})" + (
        f"; the {len(shown)} most widely released shown" if len(data) > n else ""
    )
    shown = shown.assign(
        markets=shown["n_markets"].astype("Float64").astype(object).where(shown["n_markets"].notna(), "?")
    )
    return text_table(
        shown,
        {"label": ("Track · artist", 300), "album_name": ("Album", 200), "markets": ("Plays in (markets)", 110)},
        title=alt.Title(title, subtitle=subtitle),
    )
