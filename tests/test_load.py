"""savedlib.load against the stand-in: real HTTP, real spotipy, every way a read goes wrong."""

import logging
import os
import signal
import threading
import time

import pytest

import savedlib
from savedlib.standin import Change, StandIn
from savedlib.standin.state import with_market
from tests.conftest import api_library, assert_same_library


@pytest.fixture(scope="module")
def demo():
    return api_library(2500)


def test_whole_library_exactly_with_one_extra_request(demo):
    with StandIn(n=2500) as api:
        lib = savedlib.load(api.client(), progress=False)
        stats = api.stats()
    assert_same_library(lib, demo)
    assert stats["page_requests"] == 2500 // 50 + 1  # every page once, plus page 0 again to confirm
    assert stats["max_in_flight"] > 1  # pages after the first were read in parallel
    info = lib.info
    assert info["complete"] and not info["changed_during_read"] and info["total"] == 2500
    assert info["requests"] == 51 and info["retries"] == 0 and info["rate_limited"] == 0
    assert info["market"] is None and info["elapsed_s"] > 0 and info["source"].startswith("Spotify Web API at")


@pytest.mark.parametrize("n", [0, 1, 50, 51])
def test_small_libraries(n):
    with StandIn(n=n) as api:
        lib = savedlib.load(api.client(), progress=False)
        assert len(lib) == n
        assert api.stats()["page_requests"] == (1 if n <= 50 else 3)
    assert_same_library(lib, api_library(n))


def test_development_mode_shape():
    with StandIn(n=500, dev_mode=True) as api:
        lib = savedlib.load(api.client(), progress=False)
    assert_same_library(lib, api_library(500, dev_mode=True))
    assert {"popularity", "available_markets"} <= set(lib.info["missing_fields"])


def test_market_with_unplayable_tracks():
    with StandIn(n=1000) as api:
        lib = savedlib.load(api.client(), market="JP", progress=False)
        want = savedlib.from_items([with_market(i, "JP") for i in api.items], market="JP")
    assert_same_library(lib, want)
    t = lib.tracks
    assert (~t["is_playable"]).sum() > 20 and (t["restriction"] == "market").sum() > 20
    assert t["linked_from_id"].notna().any()
    assert lib.info["market"] == "JP" and t["n_markets"].isna().all()


def test_from_token_market_uses_account_country():
    with StandIn(n=300, country="SE") as api:
        lib = savedlib.load(api.client(), market="from_token", progress=False)
        want = savedlib.from_items([with_market(i, "SE") for i in api.items], market="from_token")
    assert_same_library(lib, want)


def test_library_changing_during_the_read():
    with StandIn(n=2500, changes=[Change(after=8, save=25, remove=10)]) as api:
        lib = savedlib.load(api.client(), progress=False)
        final = savedlib.from_items(api.items)
        stats = api.stats()
    assert stats["saved_during_read"] == 25 and stats["removed_during_read"] == 10
    assert len(lib) == 2515
    assert_same_library(lib, final)  # exactly the library as it stands at the end, each item once
    assert lib.info["changed_during_read"] and lib.info["rounds"] >= 2
    # The pages read before the change are kept; what follows the first changed position is read again.
    assert stats["page_requests"] <= 2 * 51 + 12


@pytest.mark.parametrize(
    "change", [Change(after=1, save=60), Change(after=30, remove=40), Change(after=49, save=1, remove=1)]
)
def test_other_changes(change):
    with StandIn(n=2500, changes=[change]) as api:
        lib = savedlib.load(api.client(), progress=False)
        assert_same_library(lib, savedlib.from_items(api.items))


def test_library_changing_twice():
    # The first change comes during the parallel read; the second right after the confirming re-read of
    # page 0 (request 61 of a 3,000-track library), so while the first one is being repaired.
    with StandIn(n=3000, changes=[Change(after=5, save=3, remove=2), Change(after=62, save=2, remove=4)]) as api:
        lib = savedlib.load(api.client(), progress=False)
        assert api.stats()["saved_during_read"] == 5 and api.stats()["removed_during_read"] == 6
        assert_same_library(lib, savedlib.from_items(api.items))
    assert len(lib) == 2999 and lib.info["rounds"] >= 3


def test_tight_rate_limit_no_request_inside_retry_after(demo):
    with StandIn(n=2500, rate_limit=(12, 1.0)) as api:
        lib = savedlib.load(api.client(), concurrency=8, progress=False)
        stats = api.stats()
    assert_same_library(lib, demo)
    assert stats["statuses"]["429"] >= 1 and lib.info["rate_limited"] == stats["statuses"]["429"]
    assert stats["early_requests"] == 0  # after a 429, every worker waited out the Retry-After
    assert lib.info["waited_s"] >= 1


@pytest.mark.parametrize("how", ["missing", "zero", "lowercase"])
def test_retry_after_missing_zero_or_lowercase(how):
    with StandIn(n=600, rate_limit=(6, 0.5), retry_after=how) as api:
        lib = savedlib.load(api.client(), progress=False)
        assert len(lib) == 600 and api.stats()["statuses"]["429"] >= 1


def test_retry_after_longer_than_max_wait_stops_with_partial():
    with StandIn(n=2500, rate_limit=(10, 30.0), retry_after=3600) as api:
        started = time.monotonic()
        with pytest.raises(savedlib.RateLimited, match=r"wait 1 h 0 min .*Retry-After: 3600 s.*max_wait=60") as caught:
            savedlib.load(api.client(), progress=False)
        assert time.monotonic() - started < 5  # stops at once, does not sleep for an hour
    error = caught.value
    assert error.retry_after == 3600
    assert error.partial is not None and 50 <= len(error.partial) < 2500
    assert error.partial.info["complete"] is False
    assert sum(len(items) for items in error.pages.values()) == len(error.partial)
    assert "tracks were read before this" in "\n".join(error.__notes__)


def test_token_expiring_every_few_requests_is_refreshed(demo):
    with StandIn(n=2500, expire_every=7) as api:
        lib = savedlib.load(api.client(), progress=False)
        stats = api.stats()
    assert_same_library(lib, demo)
    assert lib.info["refreshes"] >= 51 // 7 - 1
    # Each expiry is refreshed once for all workers, not once per worker.
    assert lib.info["refreshes"] <= stats["statuses"].get("401", 0)
    assert lib.info["refreshes"] < stats["page_requests"] / 5


def test_token_refreshed_before_it_expires():
    with StandIn(n=300) as api:
        sp = api.client(lifetime=30)  # inside spotipy's 60-second margin: refresh before the first request
        lib = savedlib.load(sp, progress=False)
        assert len(lib) == 300 and lib.info["refreshes"] == 1 and api.stats()["statuses"] == {"200": 7}


def test_static_token_that_expires_asks_to_sign_in_again():
    with StandIn(n=2500, expire_every=10) as api:
        with pytest.raises(savedlib.SignInAgain, match="bare token cannot be refreshed: sign in to Spotify again"):
            savedlib.load(api.client(static=True), progress=False)


def test_revoked_sign_in():
    with StandIn(n=300) as api:
        sp = api.client()
        api.expire_tokens()
        api.revoke_refresh_tokens()
        with pytest.raises(savedlib.SignInAgain, match=r"refused to refresh the sign-in \(invalid_grant\)"):
            savedlib.load(sp, progress=False)


def test_five_percent_server_errors(demo):
    with StandIn(n=2500, error_rate=0.05, rng_seed=3) as api:
        lib = savedlib.load(api.client(), progress=False)
        stats = api.stats()
    assert_same_library(lib, demo)
    errors = sum(v for k, v in stats["statuses"].items() if k.startswith("5"))
    assert errors >= 1 and lib.info["retries"] == errors


def test_broken_bodies_and_dropped_connections_are_retried():
    with StandIn(n=500, faults={2: "html", 4: "truncated", 6: "drop", 8: "502"}) as api:
        lib = savedlib.load(api.client(), progress=False)
    assert len(lib) == 500 and lib.info["retries"] == 4


def test_a_page_that_keeps_failing_is_named():
    with StandIn(n=500, faults={k: "html" for k in range(2, 40)}) as api:
        with pytest.raises(
            savedlib.PageFailed,
            match=r"page at offset \d+ failed 3 times; last: Spotify answered "
            r"200 with an HTML page instead of JSON",
        ) as caught:
            savedlib.load(api.client(), progress=False, retries=2)
    assert caught.value.partial is not None and len(caught.value.partial) >= 50


def test_invalid_market_fails_before_any_request():
    with StandIn(n=100) as api:
        sp = api.client()
        for market in ("XX", "us", "USA", "", 42):
            with pytest.raises(ValueError, match="invalid market"):
                savedlib.load(sp, market=market, progress=False)
        assert api.stats()["page_requests"] == 0


def test_unlaunched_market_is_rejected_clearly():
    with StandIn(n=100) as api, pytest.raises(savedlib.RequestRejected, match="Unlaunched market"):
        savedlib.load(api.client(), market="RU", progress=False)


def test_missing_scope():
    with StandIn(n=100) as api, pytest.raises(savedlib.AccessDenied, match="lacks the scope user-library-read"):
        savedlib.load(api.client(scope="playlist-read-private"), progress=False)


def test_progress_bar(capsys):
    with StandIn(n=300) as api:
        savedlib.load(api.client(), progress=True)
        assert "Reading saved tracks" in capsys.readouterr().err
        savedlib.load(api.client(), progress=False)
        assert capsys.readouterr().err == ""


def test_ctrl_c_stops_promptly_with_partial():
    """Ctrl-C stops a load at once, through any ``except Exception`` (or ``except savedlib.Error``) around it."""
    swallowed = []
    with StandIn(n=5000, latency=0.05) as api:
        sp = api.client()
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        started = time.monotonic()
        with pytest.raises(savedlib.LoadInterrupted) as caught:
            try:
                savedlib.load(sp, concurrency=2, progress=False)
            except Exception as error:  # a notebook's catch-all: it must not catch Ctrl-C
                swallowed.append(error)
        assert time.monotonic() - started < 1.5
    assert swallowed == []
    assert isinstance(caught.value, KeyboardInterrupt) and not isinstance(caught.value, Exception | savedlib.Error)
    assert caught.value.partial is not None and 0 < len(caught.value.partial) < 5000


def test_load_interrupted_is_a_keyboard_interrupt_only():
    """The one savedlib exception that is not a ``savedlib.Error``: ``except Exception`` lets it through."""
    assert issubclass(savedlib.LoadInterrupted, KeyboardInterrupt)
    assert not issubclass(savedlib.LoadInterrupted, Exception | savedlib.Error)
    stop = savedlib.LoadInterrupted("stopped")
    stop.partial = savedlib.from_items([])
    with pytest.raises(savedlib.LoadInterrupted) as caught:
        try:
            raise stop
        except Exception:
            pytest.fail("except Exception caught Ctrl-C")
    assert caught.value.partial is stop.partial


def test_no_secret_in_outputs_logs_or_errors(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with StandIn(n=600, expire_every=5, faults={3: "500"}) as api:
        sp = api.client()
        lib = savedlib.load(sp, progress=True)
        secrets = {
            sp.auth_manager.cache_handler.get_cached_token()["access_token"],
            sp.auth_manager.cache_handler.get_cached_token()["refresh_token"],
        }
        with pytest.raises(savedlib.SignInAgain) as caught:
            savedlib.load(api.client(static=True), progress=False)
    texts = [
        repr(lib),
        str(lib.info),
        caplog.text,
        capsys.readouterr().err,
        str(caught.value),
        repr(caught.value),
        str(caught.value.partial.info) if caught.value.partial else "",
    ]
    for secret in secrets:
        assert all(secret not in text for text in texts)
    assert all("standin-" not in text for text in texts)  # no token of any kind


@pytest.mark.parametrize("concurrency", [0, 51, 2.5])
def test_bad_concurrency(concurrency):
    with pytest.raises(ValueError, match="concurrency"):
        savedlib.load(object(), concurrency=concurrency)


def test_redaction_of_spotipy_logs():
    from savedlib.redact import redact

    line = (
        "Sending POST request to https://x/api/token with Headers: {'Authorization': 'Basic c2VjcmV0'} and Body: "
        "{'refresh_token': 'AQxyz', 'grant_type': 'refresh_token', 'code': 'abc', 'code_verifier': 'v1'}"
    )
    cleaned = redact(line)
    for secret in ("c2VjcmV0", "AQxyz", "'abc'", "v1"):
        assert secret not in cleaned
    assert "grant_type': 'refresh_token'" in cleaned and "https://x/api/token" in cleaned


@pytest.mark.parametrize(
    "changes",
    [
        # a removal, then a save and a removal together (the total does not move)
        [Change(after=2, remove=1), Change(after=5, save=1, remove=1)],
        # found by review: three changes, the last one while the repair's probes run
        [Change(after=6, save=1), Change(after=4, save=1, remove=1), Change(after=10, remove=1)],
        # 60 saved, then one of the new tracks removed while the repair reads the top
        [Change(after=1, save=60), Change(after=8, at=(55,))],
    ],
)
def test_changes_racing_the_repair(changes):
    with StandIn(n=300, rng_seed=170, changes=changes) as api:
        lib = savedlib.load(api.client(), progress=False, concurrency=1)
        assert all(c.after < api.stats()["pages_served"] for c in changes)  # every change was inside the read
        assert_same_library(lib, savedlib.from_items(api.items))


def test_random_changes_during_reads():
    """Seeded scenarios: whatever changes during a read, the result is the library as the read ends."""
    import random

    judged = 0
    for seed in range(40):
        r = random.Random(seed)
        changes = [
            Change(after=r.randint(1, 12), save=r.choice([0, 1, 2, 60]), remove=r.choice([0, 1, 2, 5]))
            for _ in range(r.randint(1, 3))
        ]
        with StandIn(n=r.choice([120, 300, 520]), rng_seed=seed, changes=changes) as api:
            try:
                lib = savedlib.load(api.client(), progress=False, concurrency=r.choice([1, 2, 4]))
            except savedlib.LibraryChanging:
                continue
            if any(c.after >= api.stats()["pages_served"] for c in changes):
                continue  # a change after the read's last answer is not part of the read
            judged += 1
            assert_same_library(lib, savedlib.from_items(api.items))
    assert judged >= 15


def test_null_tracks_with_the_same_time_do_not_look_like_a_change():
    items = savedlib.demo_items(300)
    for k in (100, 200):
        items[k] = {"added_at": items[150]["added_at"], "track": None}
    with StandIn(items) as api:
        lib = savedlib.load(api.client(), progress=False)
        assert len(lib) == 298 and lib.info["skipped_null_tracks"] == 2
        assert api.stats()["page_requests"] == 7


def test_missing_retry_after_with_max_wait_zero_backs_off():
    with StandIn(n=300, rate_limit=(5, 2.0), retry_after="missing") as api:
        lib = savedlib.load(api.client(), progress=False, max_wait=0)
        assert len(lib) == 300
        assert api.stats()["statuses"]["429"] < 30  # a growing backoff, not a busy loop
