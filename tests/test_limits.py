"""Spotify's 2026 limits over real HTTP: header-less 429s, the daily quota, one account per snapshot,
what a stop keeps, and what a refresh costs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

import savedlib
from savedlib.standin import StandIn
from tests.conftest import assert_same_library, remove_anywhere, requests_of, save_at_top


def files_of(folder):
    return {p.relative_to(folder): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


# --- 429s without a usable Retry-After ---------------------------------------------------------


@pytest.mark.parametrize("how", ["missing", "zero"])
def test_headerless_429s_share_one_backoff_and_one_probe(how):
    with StandIn(n=2500, rate_limit=(20, 1.0), retry_after=how, latency=0.02) as api:
        lib = savedlib.load(api.client(), progress=False)
        stats = api.stats()
        assert_same_library(lib, savedlib.from_items(api.items))
    assert stats["statuses"]["429"] >= 8  # the window did fill, several times
    # After each pause one request probes; the others wait for its answer. Only requests already on their
    # way when the refusing began are refused together: none sent afterwards, but the probes.
    pauses = len(stats["refusal_bursts"])
    assert stats["inside_window"] <= pauses, stats
    assert all(burst == 1 for burst in stats["refusal_bursts"][1::2]), stats["refusal_bursts"]


def test_headerless_backoff_grows_and_a_success_resets_it():
    # The window stays full for 3 s: the probes find it full again and again, each wait twice the last.
    with StandIn(n=1000, rate_limit=(12, 3.0), retry_after="missing") as api:
        lib = savedlib.load(api.client(), progress=False, concurrency=4)
        stats = api.stats()
    assert len(lib) == 1000
    assert lib.info["waited_s"] >= 0.5 + 1 + 2 - 0.1  # 0.5 s, then 1 s, then 2 s before the window had room
    assert stats["inside_window"] <= len(stats["refusal_bursts"])


# --- the daily quota ------------------------------------------------------------------------


def test_daily_quota_stops_at_once_keeps_every_page_and_the_next_load_resumes(snap):
    with StandIn(n=5000, daily_quota=30, latency=0.01) as api:
        sp = api.client()
        started = datetime.now(UTC)
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.load(sp, snapshot=snap, progress=False)
        error = caught.value
        answered = api.stats()["statuses"]["200"]
        assert error.daily_quota and error.retry_after == 50_400
        assert abs(error.retry_at - (started + timedelta(seconds=50_400))) < timedelta(seconds=30)
        assert error.retry_at.tzinfo is not None
        text = str(error)
        assert "daily request quota is spent" in text and "1,000-2,600 requests a day" in text
        assert re.search(r"go on at \d\d:\d\d on \w{3} \d+ \w{3} \(\w+\), in 14 h 0 min", text), text
        kept = len(savedlib.open_snapshot(snap))
        assert f"The {kept:,} of 5,000 tracks read so far are kept in the snapshot {snap}" in text
        assert "the next load resumes from them" in text
        # Every page Spotify answered before the stop is kept: none thrown away (page 0 is the first answer).
        assert kept == 50 * answered == len(error.partial)
        # The next day: the quota is back, and the load resumes from what was kept.
        api.state.knobs.daily_quota = None
        lib, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
        assert lib.info["resumed_from_snapshot"] and n <= (5000 - kept) / 50 + 3


def test_daily_quota_without_a_snapshot_says_where_the_tracks_are():
    with StandIn(n=2000, daily_quota=10) as api:
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.load(api.client(), progress=False)
        answered = api.stats()["statuses"]["200"]
    error = caught.value
    assert error.daily_quota and "in this error's .partial" in str(error) and "snapshot=" in str(error)
    assert answered == 10 and len(error.partial) == 50 * answered  # every page answered before the stop


def test_a_long_retry_after_is_not_a_daily_quota():
    with StandIn(n=2000, rate_limit=(5, 30.0), retry_after=7200) as api:
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.load(api.client(), progress=False)
    assert not caught.value.daily_quota and "daily" not in str(caught.value)
    assert "max_wait=60" in str(caught.value)


# --- one account per snapshot -------------------------------------------------------------------


def me_requests(api) -> int:
    return api.stats()["endpoints"].get("me", {}).get("200", 0)


def test_a_snapshot_belongs_to_one_account(snap):
    with StandIn(n=300, account_id="alice") as alice:
        savedlib.load(alice.client(), snapshot=snap, progress=False)
        assert me_requests(alice) == 1  # the sign-in did not know the account: one request to ask
    meta = json.loads((snap / "snapshot.json").read_text())
    assert meta["account_id"] == "alice"
    before = files_of(snap)
    with StandIn(n=300, seed=5, account_id="bob") as bob:
        with pytest.raises(savedlib.SnapshotError, match=r"'alice'.*'bob'") as caught:
            savedlib.load(bob.client(), snapshot=snap, progress=False)
        assert bob.stats()["page_requests"] == 0  # refused before any page was read
    assert "another snapshot folder" in str(caught.value)
    assert files_of(snap) == before  # nothing changed


def test_the_sign_in_knows_the_account_so_no_extra_request(snap, tmp_path, monkeypatch):
    import requests

    from savedlib.signin import SignIn, TokenCache

    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "cache"))
    redirect = "http://127.0.0.1:8765/callback"
    with StandIn(n=200, account_id="carol") as api:
        where = {"accounts_url": api.url, "api_url": f"{api.url}/v1/"}
        flow = SignIn("savedlib-standin", redirect, **where)
        flow.finish(requests.get(flow.authorize_url(), allow_redirects=False, timeout=10).headers["Location"])
        assert me_requests(api) == 1  # the sign-in checks the account once
        sp = savedlib.connect("savedlib-standin", redirect, interactive=False, **where)  # the saved sign-in
        savedlib.load(sp, snapshot=snap, progress=False)
        savedlib.load(sp, snapshot=snap, progress=False)
        assert me_requests(api) == 1  # neither load asked again
        assert TokenCache(flow.cache.path).account_id() == "carol"
    assert json.loads((snap / "snapshot.json").read_text())["account_id"] == "carol"


def test_snapshots_from_before_take_the_account_on_their_next_load(snap):
    with StandIn(n=300, account_id="dave") as api:
        savedlib.load(api.client(), snapshot=snap, progress=False)
        meta = json.loads((snap / "snapshot.json").read_text())
        del meta["account_id"]  # as savedlib wrote it before accounts were recorded
        (snap / "snapshot.json").write_text(json.dumps(meta))
        lib = savedlib.load(api.client(), snapshot=snap, progress=False)
    assert len(lib) == 300 and json.loads((snap / "snapshot.json").read_text())["account_id"] == "dave"


# --- what a refresh and a resume cost -----------------------------------------------------------


def test_an_unchanged_refresh_costs_one_page_and_rewrites_no_data(snap):
    with StandIn(n=3000) as api:
        sp = api.client()
        first = savedlib.load(sp, snapshot=snap, progress=False)
        data = {p: v for p, v in files_of(snap).items() if p.parts[0].startswith("v")}
        lib, pages = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert pages == 1 and lib.info["requests"] == 2  # page 0, and the account check
        assert (
            lib.equals(first) and lib.info["refreshed_from_snapshot"] and lib.info["read_at"] >= first.info["read_at"]
        )
        assert {p: v for p, v in files_of(snap).items() if p.parts[0].startswith("v")} == data  # untouched
        reopened = savedlib.open_snapshot(snap)
        assert reopened.equals(first) and reopened.info["read_at"] == lib.info["read_at"]
        save_at_top(api, 3)  # the next change is still seen
        grown = savedlib.load(sp, snapshot=snap, progress=False)
        assert len(grown) == 3003 and (grown.changes["change"] == "added").sum() == 3


def test_a_resume_after_removals_keeps_the_pages_it_can_verify(snap):
    with StandIn(n=5000, daily_quota=60) as api:
        sp = api.client()
        with pytest.raises(savedlib.RateLimited):
            savedlib.load(sp, snapshot=snap, progress=False, concurrency=4)
        held = len(savedlib.open_snapshot(snap))
        assert held >= 2500
        api.state.knobs.daily_quota = None
        gone = remove_anywhere(api, 3, seed=4)
        lib, n = requests_of(api, lambda: savedlib.load(sp, snapshot=snap, progress=False))
        assert_same_library(lib, savedlib.from_items(api.items))
        # A few probes find how much of the held start is intact: far fewer requests than a full read.
        earliest = min(i for i, item in enumerate(savedlib.demo_items(5000)) if item in gone)
        assert n <= (5000 - min(held, earliest)) / 50 + 12, (n, held, earliest)
        assert n < 100
