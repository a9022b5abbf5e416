"""Property tests: for any items of the real shapes, the three tables agree with the items."""

from __future__ import annotations

import tempfile

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import savedlib
from savedlib.markets import SPOTIFY_MARKETS

ABSENT = object()  # a key left out, as Development Mode does

names = st.text(min_size=1, max_size=20)
ids = st.text(alphabet="0123456789abcdefABCDEF", min_size=22, max_size=22)
maybe_absent = lambda strategy: st.one_of(st.just(ABSENT), st.none(), strategy)  # noqa: E731


def _put(d: dict, key: str, value) -> None:
    if value is not ABSENT:
        d[key] = value


@st.composite
def artists(draw):
    return [{"id": draw(ids), "name": draw(names), "uri": "spotify:artist:x"} for _ in range(draw(st.integers(0, 4)))]


@st.composite
def tracks(draw):
    year = draw(st.integers(1, 2026))
    date = draw(st.sampled_from([f"{year:04d}", f"{year:04d}-03", f"{year:04d}-03-09", "0000", None]))
    album = {
        "album_type": draw(st.sampled_from(["album", "single", "compilation", "ALBUM", None])),
        "artists": draw(artists()),
        "id": draw(ids),
        "images": [
            {"url": draw(names), "height": h, "width": h}
            for h in draw(st.lists(st.one_of(st.none(), st.integers(1, 2000)), max_size=3))
        ],
        "name": draw(names),
        "total_tracks": draw(st.integers(1, 40)),
    }
    _put(album, "release_date", date)
    track = {
        "album": album,
        "artists": draw(artists()),
        "duration_ms": draw(st.integers(0, 5_000_000)),
        "explicit": draw(st.booleans()),
        "id": draw(ids),
        "name": draw(names),
        "uri": "spotify:track:x",
    }
    _put(track, "popularity", draw(maybe_absent(st.integers(0, 100))))
    _put(
        track,
        "available_markets",
        draw(st.one_of(st.just(ABSENT), st.lists(st.sampled_from(SPOTIFY_MARKETS), unique=True))),
    )
    _put(track, "is_local", draw(st.sampled_from([ABSENT, False])))
    return track


@st.composite
def items(draw):
    out = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["track"] * 8 + ["null", "local"]))
        when = draw(
            st.datetimes(
                min_value=pd.Timestamp("2008-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2026-12-31").to_pydatetime(),
            )
        )
        added_at = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        if kind == "null":
            out.append({"added_at": added_at, "track": None})
        elif kind == "local":
            name = draw(names)
            out.append(
                {
                    "added_at": added_at,
                    "track": {
                        "album": {"name": draw(names), "artists": [], "images": [], "id": None},
                        "artists": [{"id": None, "name": draw(names)}],
                        "available_markets": [],
                        "id": None,
                        "is_local": True,
                        "name": name,
                        "popularity": 0,
                        "uri": "spotify:local:a:b:c:1",
                        "duration_ms": 1000,
                        "explicit": False,
                    },
                }
            )
        else:
            out.append({"added_at": added_at, "track": draw(tracks())})
    return out


REFERENCE = savedlib.demo(60)


@given(items())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_tables_agree_with_items(raw):
    lib = savedlib.from_items(raw)
    kept = [it for it in raw if it["track"] is not None]
    t = lib.tracks

    # Nothing lost, nothing invented, order kept.
    assert len(t) == len(kept)
    assert t.index.tolist() == list(range(len(kept)))
    assert t["track_name"].tolist() == [it["track"]["name"] for it in kept]
    assert lib.info["skipped_null_tracks"] == len(raw) - len(kept)
    assert [ts.strftime("%Y-%m-%dT%H:%M:%SZ") for ts in t["added_at"]] == [it["added_at"] for it in kept]

    # The artists table is the artists lists, flattened in order.
    expect = [(k, p, a["name"]) for k, it in enumerate(kept) for p, a in enumerate(it["track"]["artists"])]
    got = list(zip(lib.artists["item"], lib.artists["position"], lib.artists["artist_name"], strict=True))
    assert got == expect
    assert t["n_artists"].tolist() == [len(it["track"]["artists"]) for it in kept]

    # The markets table holds each market of each non-local track once.
    expect_m = {
        (k, m)
        for k, it in enumerate(kept)
        if not it["track"].get("is_local")
        for m in it["track"].get("available_markets", [])
    }
    got_m = set(zip(lib.markets["item"].tolist(), lib.markets["market"].astype(str).tolist(), strict=True))
    assert got_m == expect_m and len(lib.markets) == len(expect_m)

    # A field not sent is NA, never 0 or False.
    for k, it in enumerate(kept):
        tr = it["track"]
        local = tr.get("is_local", False)
        assert pd.isna(t["popularity"].iloc[k]) == (local or tr.get("popularity") is None)
        assert pd.isna(t["n_markets"].iloc[k]) == (local or "available_markets" not in tr)

    # Dtypes never depend on the data.
    for name in ("tracks", "artists", "markets"):
        pd.testing.assert_series_equal(getattr(lib, name).dtypes, getattr(REFERENCE, name).dtypes, obj=name)


@given(items())
@settings(max_examples=40, deadline=None)
def test_parquet_and_csv_round_trip(raw):
    lib = savedlib.from_items(raw)
    with tempfile.TemporaryDirectory() as folder:
        back = savedlib.read_parquet(lib.to_parquet(folder + "/lib"))
        for name in ("tracks", "artists", "markets"):
            pd.testing.assert_frame_equal(getattr(back, name), getattr(lib, name))
        assert back.info == lib.info
        raw = pd.read_csv(lib.to_csv(folder + "/raw.csv", escape_formulas=False), keep_default_na=False, dtype=str)
        assert raw["track_name"].tolist() == lib.tracks["track_name"].tolist()
        names = lib.tracks["track_name"]
        risky = names.str.startswith(("=", "+", "-", "@", "\t", "\r")).to_numpy(dtype=bool)
        escaped = pd.read_csv(lib.to_csv(folder + "/people.csv"), keep_default_na=False, dtype=str)
        assert escaped["track_name"].tolist() == names.where(~risky, "'" + names).tolist()
