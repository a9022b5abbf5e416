"""Each decision has one home that every caller uses: the same answer wherever it shows."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import stat

import numpy as np
import pytest

import savedlib
import savedlib.charts as charts
from savedlib import errors, stats
from savedlib.explorer import table
from savedlib.files import atomic_write, atomic_write_text
from savedlib.standin import with_market
from savedlib.text import mmss
from tests.conftest import saved


def test_every_exception_is_a_savedlib_error(monkeypatch):
    """All but Ctrl-C's: ``LoadInterrupted`` stays a KeyboardInterrupt only, so ``except Exception`` lets it by."""
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, BaseException)]
    assert len(classes) >= 12
    for cls in classes:
        assert issubclass(cls, savedlib.Error) != (cls is savedlib.LoadInterrupted), cls
    assert not issubclass(savedlib.LoadInterrupted, Exception)
    # ...and keeps its other bases
    assert issubclass(savedlib.SetupNeeded, ValueError) and issubclass(savedlib.LoadInterrupted, KeyboardInterrupt)
    assert issubclass(savedlib.RateLimited, savedlib.LoadError)
    with pytest.raises(savedlib.Error):
        savedlib.open_snapshot("/nonexistent/snapshot")
    monkeypatch.delenv("SPOTIPY_CLIENT_ID", raising=False)
    with pytest.raises(savedlib.Error, match="Create app"):
        savedlib.connect(interactive=False)


def test_modules_are_not_shadowed_by_functions():
    module = importlib.import_module("savedlib.library")
    assert inspect.ismodule(module) and module.from_items is savedlib.from_items
    for info in pkgutil.iter_modules(savedlib.__path__):
        module = importlib.import_module(f"savedlib.{info.name}")
        assert inspect.ismodule(module), info.name
        assert getattr(savedlib, info.name) is module, f"savedlib.{info.name} is not the module {info.name}"


def test_one_length_formatter_everywhere(track):
    assert mmss(239_600) == "3:59" and mmss(60_000) == "1:00" and mmss(3_725_000) == "1:02:05" and mmss(None) == ""
    lib = savedlib.from_items([saved(track, duration_ms=239_600)])
    subtitle = charts.duration_distribution(lib).to_dict()["title"]["subtitle"]
    assert "Median 3:59" in subtitle
    assert ">3:59<" in table.render(lib.tracks, np.arange(1), 0)
    longest = charts.longest_and_shortest(lib).hconcat[0].data
    assert longest["length"].tolist() == ["3:59"]


@pytest.mark.parametrize("read_with", [None, "JP"])
def test_one_answer_to_playable(read_with):
    items = savedlib.demo_items(600)
    if read_with:
        items = [with_market(i, "JP") for i in items]
    lib = savedlib.from_items(items, market=read_with)
    playable = stats.playable_in(lib, "JP")
    assert len(playable) == len(lib) and playable[lib.tracks["is_local"].to_numpy()].isna().all()
    blocked = (~playable).to_numpy(dtype=bool, na_value=False)
    assert 10 < blocked.sum() < len(lib) - 10
    assert stats.unplayable(lib, "JP").index.tolist() == lib.tracks.index[blocked].tolist()
    ex = savedlib.explore(lib)
    with ex.hold():
        ex.filters["market"].value = "JP"
        ex.filters["playable"].value = "blocked"
    assert ex.result.index.tolist() == lib.tracks.index[blocked].tolist()
    ex.filters["playable"].value = "playable"
    assert ex.count == int(playable.to_numpy(dtype=bool, na_value=False).sum())
    subtitle = charts.unplayable_in(lib, "JP").to_dict()["title"]["subtitle"]
    assert subtitle.startswith(f"{blocked.sum():,} of your")


def test_one_answer_to_popularity():
    full, dev = savedlib.demo(300), savedlib.demo(300, dev_mode=True)
    assert stats.popularity_known(full) and not stats.popularity_known(dev)
    for lib, known in ((full, True), (dev, False)):
        ex = savedlib.explore(lib)
        assert ("popularity" in ex.views) is known and ("artists" in ex.views) is not known
        assert (ex.filters["popularity"].layout.display != "none") is known
        assert all(ex.filters[name].layout.display != "none" for name in ("saved", "released", "duration", "artists"))
        assert ("median popularity" in ex.summary.value) is known
        assert ("No popularity scores to show" in charts.popularity_distribution(lib).to_json()) is not known


def test_one_atomic_write(tmp_path):
    target = tmp_path / "f.txt"
    atomic_write_text(target, "first")
    assert target.read_text() == "first" and stat.S_IMODE(target.stat().st_mode) == 0o600

    def broken(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, broken)
    assert target.read_text() == "first" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_from_items_takes_market_by_name(track):
    lib = savedlib.from_items(
        [saved(track, is_playable=False, restrictions={"reason": "market"}, available_markets=...)], market="DE"
    )
    assert lib.info["market"] == "DE" and "available_markets" in lib.info["missing_fields"]
    with pytest.raises(TypeError):
        savedlib.from_items([saved(track)], "DE")  # market is named, never positional
