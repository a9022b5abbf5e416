"""``savedlib.add_playlists`` over real HTTP against the stand-in, with real spotipy: what it reads, what it costs,
what it refuses to read, and how it stops and goes on."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import savedlib
from savedlib.playlists import entries as api_entries
from savedlib.standin import PlaylistChange, StandIn
from savedlib.standin.playlists import store

SCOPES = "user-library-read playlist-read-private playlist-read-collaborative"


@pytest.fixture(scope="module")
def lib():
    return savedlib.demo()


@pytest.fixture(scope="module")
def expected():
    return savedlib.demo(playlists=True)


def _pages(lib: savedlib.Library) -> int:
    """Σ⌈entries/50⌉ over the playlists that can be read."""
    p = lib.playlists
    return int(sum(math.ceil(n / 50) for n in p.loc[p["status"] == "read", "n_items"]))


def _item_requests(api) -> int:
    return sum((api.stats()["endpoints"].get("playlist_items") or {}).values())


@pytest.mark.parametrize("dev_mode", [True, False])
def test_reads_every_playlist_it_may_at_the_cost_promised(lib, expected, dev_mode):
    with StandIn(n=2500, dev_mode=dev_mode) as api:
        got = savedlib.add_playlists(api.client(scope=SCOPES), lib, progress=False)
        stats = api.stats()
    pd.testing.assert_frame_equal(got.playlists, expected.playlists)
    pd.testing.assert_frame_equal(got.playlist_items, expected.playlist_items)
    assert got.tracks is lib.tracks  # the saved library as it was
    pages = _pages(expected)
    assert got.info["playlists"]["requests"] == 1 + 1 + pages  # GET /me, one list page, the entries' pages
    # other people's and Spotify's playlists are listed, their entries never asked for: no 403 or 404 at all
    assert stats["endpoints"]["playlist_items"] == {"200": pages}
    assert got.info["playlists"]["status"] == {"read": 9, "someone else's": 1, "Spotify's": 1}


def test_an_unchanged_playlist_costs_nothing_on_refresh(lib, expected):
    with StandIn(n=2500) as api:
        sp = api.client(scope=SCOPES)
        first = savedlib.add_playlists(sp, lib, progress=False)
        with api.state.lock:
            api.state.playlist_store.change(PlaylistChange(after=0, playlist=3, add=2))  # "Chill" gains two songs
        again = savedlib.add_playlists(sp, first, progress=False)
    assert again.info["playlists"]["unchanged"] == 8
    assert again.info["playlists"]["requests"] == 1 + 1 + math.ceil(87 / 50)  # /me, the list, "Chill" only
    chill = again.playlists.loc[3]
    assert chill["n_items"] == 87 and chill["snapshot_id"] != first.playlists.loc[3, "snapshot_id"]
    kept = again.playlist_items[again.playlist_items["playlist"] != 3].reset_index(drop=True)
    before = first.playlist_items[first.playlist_items["playlist"] != 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before)


def test_a_sign_in_without_the_playlist_scopes_is_told_at_once(lib):
    with StandIn(n=300) as api:
        sp = api.client()  # only user-library-read, as savedlib asked before
        with pytest.raises(savedlib.SignInAgain, match=r"playlist-read-private.*sign in again"):
            savedlib.add_playlists(sp, lib, progress=False)
        assert api.stats()["api_requests"] == 0  # before any request
        assert len(savedlib.load(sp, progress=False)) == 300  # and it keeps working for load


def test_connect_asks_for_the_playlist_scopes_and_keeps_older_sign_ins():
    from savedlib.signin.flow import SCOPE

    assert set(SCOPE.split()) == set(SCOPES.split())


def test_the_daily_quota_stops_at_once_and_the_next_call_asks_only_for_what_is_missing(lib, expected):
    with StandIn(n=2500, daily_quota=20) as api:
        sp = api.client(scope=SCOPES)
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.add_playlists(sp, lib, progress=False, concurrency=4)
        partial = caught.value.partial
        assert caught.value.daily_quota and "add_playlists(sp, error.partial)" in str(caught.value)
        waiting = partial.playlists[partial.playlists["status"] == "not read yet"]
        assert 0 < len(waiting) < 9 and partial.info["playlists"]["complete"] is False
        api.new_day()
        asked_before = _item_requests(api)
        done = savedlib.add_playlists(sp, partial, progress=False)
        asked = _item_requests(api) - asked_before
    assert asked == sum(math.ceil(n / 50) for n in expected.playlists.loc[waiting.index, "n_items"])
    pd.testing.assert_frame_equal(done.playlist_items, expected.playlist_items)


@pytest.mark.parametrize("k", [0, 5])
def test_a_playlist_changing_under_the_read_comes_back_whole(lib, k):
    """Three songs go to the top of "Running" (k=0) between its pages (the pages disagree: it is read again),
    or of "Favourites of all time" (k=5) after the list and before its pages (they disagree with the list)."""
    change = PlaylistChange(after=3, playlist=k, add=3)
    with StandIn(n=2500, playlist_changes=[change], latency=0.01) as api:
        got = savedlib.add_playlists(api.client(scope=SCOPES), lib, progress=False, concurrency=2)
        entries = api.state.playlist_store.playlists[k]["entries"]
    row = got.playlists.loc[k]
    mine = got.playlist_items[got.playlist_items["playlist"] == k]
    assert row["status"] == "read" and row["n_items"] == len(entries) == len(mine)
    assert mine["uri"].tolist() == [e["item"]["uri"] for e in entries]  # as it is after the change, in order
    assert pd.isna(row["snapshot_id"])  # read after the listing: read again next time
    assert got.info["playlists"]["changed_during_read"] == [row["name"]]


def test_a_playlist_that_keeps_changing_is_marked_so(lib, expected):
    """ "Running" gains a song after every page served: its pages never agree, however often it is read again."""
    changes = [PlaylistChange(after=n, playlist=0, add=1) for n in range(1000)]
    with StandIn(n=2500, playlist_changes=changes) as api:
        got = savedlib.add_playlists(api.client(scope=SCOPES), lib, progress=False, concurrency=2)
    assert got.playlists.loc[0, "status"] == "changed during the read"
    assert not (got.playlist_items["playlist"] == 0).any()  # never a half-read playlist passed off as whole
    others = got.playlists.drop(index=0)
    assert others["status"].tolist() == expected.playlists.drop(index=0)["status"].tolist()


def test_a_list_of_playlists_that_keeps_changing_stops_the_read(lib):
    with StandIn(n=2500) as api:
        sp = api.client(scope=SCOPES)
        with api.state.lock:
            playlists = store(api.state)
            copies = [{**playlists.playlists[1], "id": f"{n:022d}"} for n in range(60)]  # the list: two pages
            playlists.playlists = [*playlists.playlists, *copies]
            listing = playlists.listing

            def changing(*args):
                """A playlist is deleted before every page of the list: its pages never agree on a total."""
                playlists.change(PlaylistChange(after=0, playlist=len(playlists.deleted), delete=True))
                return listing(*args)

            playlists.listing = changing
        with pytest.raises(savedlib.LibraryChanging, match="list of playlists kept changing"):
            savedlib.add_playlists(sp, lib, progress=False)


def test_a_playlist_deleted_after_the_list_is_marked_gone(lib):
    with StandIn(n=2500, playlist_changes=[PlaylistChange(after=0, playlist=1, delete=True)]) as api:
        got = savedlib.add_playlists(api.client(scope=SCOPES), lib, progress=False)
    assert got.playlists.loc[1, "status"] == "gone"
    assert got.info["playlists"]["status"]["gone"] == 1
    assert not (got.playlist_items["playlist"] == 1).any()


def test_older_answers_with_track_and_episodes_shaped_like_tracks():
    episode_as_track = {"uri": "spotify:episode:abc", "type": "episode", "name": "Ep", "artists": [], "album": {}}
    lines = [
        b'{"added_at": null, "track": {"uri": "spotify:track:0123456789012345678901", "type": "track", "name": "A",'
        b' "artists": [{"name": "B"}], "album": {"name": "C"}, "external_ids": {"isrc": "X"}}}',
        json.dumps({"added_at": "2020-01-01T00:00:00Z", "track": episode_as_track}).encode(),
        b'{"added_at": "2020-01-01T00:00:00Z", "is_local": true, "item": {"uri": "spotify:local:B:C:D:100",'
        b' "type": "track", "name": "D", "artists": [{"name": "B"}]}}',
        b'{"added_at": "2020-01-01T00:00:00Z", "item": null}',
    ]
    import numpy as np

    cols = api_entries.columns(api_entries.parse(lines, "test"), np.zeros(4, np.int32), np.arange(4, dtype=np.int32))
    assert cols["kind"].to_pylist() == ["track", "episode", "local file", "unknown"]
    assert cols["isrc"].to_pylist()[0] == "X" and cols["track_id"].to_pylist()[0] == "0123456789012345678901"
    assert cols["album_name"].to_pylist()[1] is None


def test_the_notebooks_switch_adds_playlists_in_one_line(tmp_path, monkeypatch, expected):
    from tests.test_signin import CLIENT, free_port, sent_back_to

    assert savedlib.open_library(mine=False, playlists=True).playlist_items.equals(expected.playlist_items)
    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "cache"))
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    with StandIn(n=2500, redirect_uris=(redirect,), dev_mode=True) as api:
        where = {"client_id": CLIENT, "redirect_uri": redirect, "accounts_url": api.url, "api_url": f"{api.url}/v1/"}
        flow = savedlib.signin.SignIn(**where)
        flow.finish(sent_back_to(flow))  # a sign-in made now: with the playlist scopes
        before = api.state.api_requests
        mine = savedlib.open_library(mine=True, playlists=True, progress=False, **where)
        pd.testing.assert_frame_equal(mine.playlist_items, expected.playlist_items)
        load_cost = api.state.api_requests - before - mine.info["playlists"]["requests"]
        api.state.knobs.daily_quota = api.state.api_requests + load_cost + 3  # the load, then three more requests
        with pytest.warns(UserWarning, match=r"quota.*add_playlists\(sp, error.partial\)"):
            some = savedlib.open_library(mine=True, playlists=True, progress=False, **where)
    assert "not read yet" in set(some.playlists["status"]) and len(some) == 2500  # what was read, not an error


def test_a_page_of_entries_that_is_not_entries_is_refused_by_name(lib):
    with StandIn(n=2500, dev_mode=True) as api:
        sp = api.client(scope=SCOPES)
        savedlib.add_playlists(sp, lib, progress=False)  # the store exists now
        with api.state.lock:
            running = api.state.playlist_store.playlists[0]
            running["entries"] = [*running["entries"][:60], {"added_at": None, "item": 5}, *running["entries"][61:]]
        with pytest.raises(
            savedlib.errors.RequestFailed, match=r"'Running' \(\w+\) at offset 50.*not a page of playlist"
        ) as caught:
            savedlib.add_playlists(sp, lib, progress=False, retries=1)
    partial = caught.value.partial.playlists  # never a half-read playlist passed off as whole
    assert partial.loc[0, "status"] == "not read yet" and 0 not in set(caught.value.partial.playlist_items["playlist"])
