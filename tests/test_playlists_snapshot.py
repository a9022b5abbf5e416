"""Playlists kept in a snapshot, over real HTTP against the stand-in: a load after new saves keeps them
(matched again to the new library), ``add_playlists(sp, lib, snapshot=...)`` writes them into the snapshot
folder, and the next call reads only the playlists that changed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import savedlib
from savedlib.snapshot import Snapshot
from savedlib.snapshot.store import empty_changes
from savedlib.standin import PlaylistChange, StandIn
from tests.conftest import remove_anywhere, save_at_top

SCOPES = "user-library-read playlist-read-private playlist-read-collaborative"
READABLE = 9  # the demo's playlists whose entries can be read: its own eight and a collaborative one


def _item_requests(api) -> int:
    return sum((api.stats()["endpoints"].get("playlist_items") or {}).values())


def _fresh(sp, lib: savedlib.Library) -> savedlib.Library:
    """The playlists read anew for ``lib``'s tracks, matched by the one rule: what a kept copy must equal."""
    bare = savedlib.from_items([])
    plain = savedlib.library.Library(lib.tracks, lib.artists, lib.markets, lib.info) if len(lib) else bare
    return savedlib.add_playlists(sp, plain, progress=False)


@pytest.fixture
def api():
    with StandIn(n=2500) as server:
        yield server


def test_add_playlists_into_a_snapshot_and_open_it(api, snap):
    sp = api.client(scope=SCOPES)
    lib = savedlib.load(sp, snapshot=snap, progress=False)
    got = savedlib.add_playlists(sp, lib, snapshot=snap, progress=False)
    assert got.info["playlists"]["status"]["read"] == READABLE
    kept = savedlib.open_snapshot(snap)
    pd.testing.assert_frame_equal(kept.playlists, got.playlists)
    pd.testing.assert_frame_equal(kept.playlist_items, got.playlist_items)
    assert kept.tracks.equals(lib.tracks) and kept.changes.equals(lib.changes)  # the library as it was
    assert kept.info["playlists"]["requests"] == got.info["playlists"]["requests"]
    meta = json.loads((snap / "snapshot.json").read_text())
    assert meta["complete"] and meta["total"] == 2500 and meta["info"]["playlists"]["status"]["read"] == READABLE
    assert len(list(snap.glob("v*"))) == 1 and not list(snap.glob(".v*"))  # the older version removed


def test_the_next_call_reads_only_changed_playlists(api, snap):
    sp = api.client(scope=SCOPES)
    lib = savedlib.load(sp, snapshot=snap, progress=False)
    first = savedlib.add_playlists(sp, lib, snapshot=snap, progress=False)
    asked = _item_requests(api)
    again = savedlib.add_playlists(sp, savedlib.load(sp, snapshot=snap, progress=False), snapshot=snap, progress=False)
    assert _item_requests(api) == asked and again.info["playlists"]["unchanged"] == READABLE  # no entry page
    assert again.info["playlists"]["requests"] == 2  # GET /me and the one page of the list
    pd.testing.assert_frame_equal(again.playlist_items, first.playlist_items)
    # A library without playlists (read another way) gets the snapshot's as the held ones: still free.
    plain = savedlib.from_items(api.items)
    assert plain.playlists.empty
    savedlib.add_playlists(sp, plain, snapshot=snap, progress=False)
    assert _item_requests(api) == asked
    with api.state.lock:
        api.state.playlist_store.change(PlaylistChange(after=0, playlist=3, add=2))  # "Chill" gains two songs
    changed = savedlib.add_playlists(sp, plain, snapshot=snap, progress=False)
    assert _item_requests(api) - asked == 2  # "Chill", 87 entries: two pages, nothing else
    assert savedlib.open_snapshot(snap).playlists.loc[3, "n_items"] == 87 == changed.playlists.loc[3, "n_items"]


def test_a_load_after_new_saves_keeps_the_playlists_matched_again(api, snap):
    sp = api.client(scope=SCOPES)
    lib = savedlib.load(sp, snapshot=snap, progress=False)
    first = savedlib.add_playlists(sp, lib, snapshot=snap, progress=False)
    same = savedlib.load(sp, snapshot=snap, progress=False)  # nothing changed: one request, playlists as they were
    pd.testing.assert_frame_equal(same.playlist_items, first.playlist_items)

    save_at_top(api, 30)
    asked = _item_requests(api)
    grown = savedlib.load(sp, snapshot=snap, progress=False)
    assert _item_requests(api) == asked and len(grown) == 2530  # a load reads no playlist
    pd.testing.assert_frame_equal(grown.playlists, first.playlists)
    matched = first.playlist_items["item"].notna()
    assert (grown.playlist_items.loc[matched, "item"] == first.playlist_items.loc[matched, "item"] + 30).all()
    fresh = _fresh(sp, grown)
    pd.testing.assert_frame_equal(grown.playlist_items, fresh.playlist_items)  # as if read anew for this library
    assert grown.info["playlists"]["matched"] == first.info["playlists"]["matched"]
    reopened = savedlib.open_snapshot(snap)
    pd.testing.assert_frame_equal(reopened.playlist_items, grown.playlist_items)

    gone = remove_anywhere(api, 40, seed=4)
    shrunk = savedlib.load(sp, snapshot=snap, progress=False)
    pd.testing.assert_frame_equal(shrunk.playlist_items, _fresh(sp, shrunk).playlist_items)
    removed = {i["track"]["uri"] for i in gone}
    lost = first.playlist_items["uri"].isin(removed) & matched
    now = shrunk.playlist_items.loc[lost]
    assert lost.any() and now["item"].isna().sum() > len(now) / 2  # unsaved since: most now match no saved song
    other = now.dropna(subset=["item"])  # the rest: another saved release of the same song (ISRC, names)
    assert not shrunk.tracks.loc[other["item"].astype(int), "track_uri"].isin(removed).any()
    assert (other["matched_by"] != "id").all()


def test_a_quota_stop_keeps_what_was_read_in_the_snapshot(snap):
    with StandIn(n=2500) as api:
        sp = api.client(scope=SCOPES)
        lib = savedlib.load(sp, snapshot=snap, progress=False)
        api.state.knobs.daily_quota = api.state.api_requests + 10  # the list, then a few playlists' pages
        with pytest.raises(savedlib.RateLimited) as caught:
            savedlib.add_playlists(sp, lib, snapshot=snap, progress=False, concurrency=4)
        assert "kept in the snapshot" in " ".join(getattr(caught.value, "__notes__", []))
        kept = savedlib.open_snapshot(snap)
        waiting = kept.playlists["status"] == "not read yet"
        assert waiting.any() and (kept.playlists["status"] == "read").any()
        api.new_day()
        asked = _item_requests(api)
        done = savedlib.add_playlists(sp, lib, snapshot=snap, progress=False)  # lib has none: the snapshot's held
        pages = sum(-(-n // 50) for n in done.playlists.loc[waiting, "n_items"])
        assert _item_requests(api) - asked == pages
        pd.testing.assert_frame_equal(done.playlist_items, savedlib.demo(playlists=True).playlist_items)


def test_bad_snapshots_are_refused_and_left_as_they_are(api, snap, tmp_path, monkeypatch):
    sp = api.client(scope=SCOPES)
    with pytest.raises(savedlib.SnapshotError, match="not a savedlib snapshot"):
        savedlib.add_playlists(sp, savedlib.demo(), snapshot=tmp_path / "nothing-here", progress=False)
    half = Snapshot(tmp_path / "half")
    half.write({}, complete=False, total=10, info={}, changes=empty_changes(), library=None)  # a load that stopped
    with pytest.raises(savedlib.SnapshotError, match="no whole library yet"):
        savedlib.add_playlists(sp, savedlib.demo(), snapshot=half.path, progress=False)
    assert api.stats()["api_requests"] == 0  # refused before any request
    lib = savedlib.load(sp, snapshot=snap, progress=False)
    with StandIn(n=2500, account_id="someone-else") as other:
        with pytest.raises(savedlib.SnapshotError, match="someone-else"):
            savedlib.add_playlists(other.client(scope=SCOPES), lib, snapshot=snap, progress=False)
    assert savedlib.open_snapshot(snap).playlists.empty  # nothing written

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the plug pulled while the tables are written

    monkeypatch.setattr(savedlib.Library, "to_parquet", crash)
    with pytest.raises(KeyboardInterrupt):
        savedlib.add_playlists(sp, lib, snapshot=snap, progress=False)
    monkeypatch.undo()
    assert savedlib.open_snapshot(snap).equals(lib) and not list(snap.glob(".v*"))
    assert len(savedlib.load(sp, snapshot=snap, progress=False)) == 2500  # still a whole snapshot
