"""``savedlib.add_playlists``: the person's playlists and their entries from the Web API, through ``load``'s sender.

``GET /v1/me/playlists`` lists every playlist (50 a page); ``GET
/v1/playlists/{id}/items`` (50 a page) is asked only for the playlists the
person owns or collaborates on: Spotify answers 403 to a Development Mode app
for other people's and 404 for its own (ids ``37i9...``), so those are listed
with their names and not asked. A playlist whose ``snapshot_id`` is the one
already held costs nothing. Cost: 1 (``GET /v1/me``, unless ``connect`` knows
the account) + ⌈playlists/50⌉ + Σ⌈entries/50⌉ over the playlists read.
"""

from __future__ import annotations

import html
import time
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm.auto import tqdm

from savedlib.errors import (
    AccessDenied,
    LibraryChanging,
    LoadError,
    RequestFailed,
    RequestRejected,
    SignInAgain,
    SourceError,
    stopped_with,
)
from savedlib.fetch.auth import ACCOUNT_ATTRIBUTE
from savedlib.fetch.parallel import run_all
from savedlib.fetch.sender import Answer, Sender, decode_json
from savedlib.fetch.session import DEFAULT_CONCURRENCY, Options
from savedlib.library import PLAYLIST_COLUMNS, PLAYLIST_ITEM_COLUMNS, Library
from savedlib.playlists import entries as api_entries
from savedlib.playlists.tables import frame, with_playlists
from savedlib.tables import stack
from savedlib.text import plural, utc_stamp

#: The scopes ``add_playlists`` needs beside ``user-library-read`` (``savedlib.connect`` asks for them).
PLAYLIST_SCOPES = ("playlist-read-private", "playlist-read-collaborative")
PAGE = 50
#: How often a playlist that changed under the read is read again before it is marked so.
ATTEMPTS = 3


class _EntryPage(msgspec.Struct):
    items: list[msgspec.Raw]
    total: int


def add_playlists(
    sp: Any,
    lib: Library,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool = True,
    max_wait: float = 60.0,
    retries: int = 5,
) -> Library:
    """``lib`` with the person's playlists (``lib.playlists``) and their entries (``lib.playlist_items``),
    each entry matched to the saved item it is.

    Parameters:
        sp: your ``spotipy.Spotify`` client, signed in with ``playlist-read-private`` and
            ``playlist-read-collaborative`` (``savedlib.connect()`` asks for both).
        lib: the saved library; its playlists, if it has them, are the held ones: a playlist whose
            ``snapshot_id`` has not changed is not read again.
        concurrency: requests at once (1-50), as for ``savedlib.load``.
        progress: show a progress bar.
        max_wait: the longest ``Retry-After`` (seconds) to wait out; a longer one stops with ``RateLimited``.
        retries: how often a request is retried after server errors or broken bodies.

    The daily quota (or a wait over ``max_wait``) stops at once with ``RateLimited``: its ``.partial`` has
    the playlists read so far, and ``add_playlists(sp, error.partial)`` asks only for the others.
    ``info["playlists"]`` counts what was read, kept, not readable (someone else's, Spotify's) and gone.
    """
    check_scopes(sp)
    options = Options(concurrency=concurrency, progress=progress, max_wait=max_wait, retries=retries)
    sender = Sender(sp, concurrency=concurrency, max_wait=max_wait, retries=retries)
    read = _Read(sender, options, held_entries(lib))
    try:
        read.run(getattr(sp, ACCOUNT_ATTRIBUTE, None))
    except (LoadError, KeyboardInterrupt) as error:
        raise _stopped(error, read.library(lib, complete=False)) from None
    finally:
        sender.cancel.set()
        sender.close()
        read.bar.close()
    return read.library(lib, complete=True)


def from_answers(lib: Library, listed: list[dict], entries: dict[str, list[dict]], me: str) -> Library:
    """What ``add_playlists`` makes of Spotify's answers, from answers in hand (the demo's): ``listed``, the
    playlist objects of ``GET /v1/me/playlists``; ``entries``, each playlist's entries by id. The same rules
    decide which playlists are read; a readable playlist missing from ``entries`` is marked gone."""
    read = _Read(None, Options(progress=False), held_entries(lib))
    read.me, read.listed = me, listed
    for k in read._plan():
        found = entries.get(listed[k]["id"])
        if found is None:
            read.status[k] = "gone"
            continue
        table = api_entries.parse([msgspec.json.encode(e) for e in found], "the playlists' entries")
        read.status[k], read.pages[k] = "read", {0: (len(found), table)}
    return read.library(lib, complete=True)


def check_scopes(sp: Any) -> None:
    """``SignInAgain`` before any request when the client's sign-in lacks the playlist scopes (a sign-in
    made before savedlib asked for them). A bare token cannot tell: Spotify's 403 will."""
    cache = getattr(getattr(sp, "auth_manager", None), "cache_handler", None)
    info = cache.get_cached_token() if cache is not None else None
    if not info:
        return
    granted = set((info.get("scope") or "").split())
    missing = [s for s in PLAYLIST_SCOPES if s not in granted]
    if missing:
        raise SignInAgain(
            f"this sign-in was made without {' and '.join(missing)}, which reading your playlists needs "
            "(savedlib.load still works with it)",
            "sign in again to agree to it: savedlib.sign_out(), then savedlib.connect()",
        )


def held_entries(lib: Library) -> dict[str, tuple[str, pd.DataFrame]]:
    """The held playlists that were read whole, by id: their ``snapshot_id`` and entries."""
    p = lib.playlists
    whole = p[(p["status"] == "read") & p["playlist_id"].notna() & p["snapshot_id"].notna()]
    groups = dict(tuple(lib.playlist_items.groupby("playlist", sort=False)))
    empty = lib.playlist_items.iloc[:0]
    return {
        row.playlist_id: (row.snapshot_id, groups.get(row.playlist, empty))
        for row in whole[["playlist", "playlist_id", "snapshot_id"]].itertuples()
    }


def _stopped(error: BaseException, partial: Library) -> BaseException:
    """The error to raise: it carries ``partial`` (the playlists read so far) and says how to go on."""
    got = partial.info.get("playlists") or {}
    done = got.get("status", {}).get("read", 0)
    read = f"{plural(done, 'playlist')} read so far: in this error's .partial (the others marked 'not read yet')."
    kept = "savedlib.add_playlists(sp, error.partial) asks only for the playlists not read yet."
    return stopped_with(error, partial, f"reading playlists was interrupted. {read} {kept}", kept, read)


def _decode_entries(answer: Answer) -> dict | str:
    """A page of entries (parsed into Arrow columns here, in the thread that asked, while other pages are still
    on their way) and its ``total``, or what was wrong with the body."""
    try:
        page = msgspec.json.decode(answer.body, type=_EntryPage)
        table = api_entries.parse(page.items, "this page")
    except (msgspec.DecodeError, msgspec.ValidationError, SourceError) as exc:
        return f"Spotify answered 200 with a body that is not a page of playlist entries ({exc})"
    return {"total": page.total, "table": table}


def _decode_list(answer: Answer) -> dict | str:
    """A page of the list of playlists, or what was wrong with the body."""
    body = decode_json(answer)
    if isinstance(body, dict) and (not isinstance(body.get("items"), list) or not isinstance(body.get("total"), int)):
        return "the answer is JSON but not a page of playlists"
    return body


def _count(playlist: dict) -> int | None:
    """How many entries the listing says a playlist has: ``items.total`` (2026), else ``tracks.total``."""
    for key in ("items", "tracks"):
        total = playlist[key].get("total") if isinstance(playlist.get(key), dict) else None
        if isinstance(total, int):
            return total
    return None


class _Read:
    """One reading of the playlists: the listing, then every page of entries wanted, kept as they come."""

    def __init__(self, sender: Sender | None, options: Options, held: dict[str, tuple[str, pd.DataFrame]]):
        self.sender, self.options, self.held = sender, options, held
        self.started = time.monotonic()
        self.me: str | None = None
        self.listed: list[dict] | None = None
        self.nulls = 0
        self.status: dict[int, str] = {}  # playlist number -> status, once settled
        self.pages: dict[int, dict[int, tuple[int, pa.Table]]] = {}  # playlist -> offset -> (total, entries)
        self.reused: dict[int, pd.DataFrame] = {}
        self.changed: set[int] = set()  # read again after a change: the listed snapshot id is stale
        self.bar = tqdm(desc="Reading playlists", unit=" pages", disable=not options.progress)

    # --- the listing -------------------------------------------------------------------

    def run(self, me: str | None) -> None:
        """Read the listing, then the pages wanted, again (up to ``ATTEMPTS`` times) for playlists that changed."""
        self.me = me
        self._list()
        todo = self._plan()
        for _ in range(ATTEMPTS):
            self._read(todo)
            todo = self._unsettled(todo)
            if not todo:
                return
        for k in todo:
            self.status[k], self.pages[k] = "changed during the read", {}

    def _list(self) -> None:
        """Every playlist of ``GET /v1/me/playlists`` (and the account's id, unless known), in order;
        read again (up to ``ATTEMPTS`` times) if the list changed between its pages."""
        for _ in range(ATTEMPTS):
            pages = self._list_once()
            if len({p["total"] for p in pages.values()}) == 1:
                found = [p for o in sorted(pages) for p in pages[o]["items"]]
                self.nulls = sum(not isinstance(p, dict) for p in found)  # Spotify sends null for some
                self.listed = [p for p in found if isinstance(p, dict)]
                return
        raise LibraryChanging("your list of playlists kept changing while it was read: try again in a moment")

    def _list_once(self) -> dict[int, dict]:
        """The listing's pages by offset: the first (with ``GET /v1/me`` beside it), then the rest at once."""
        pages: dict[int, dict] = {}

        def take(result: tuple[Any, dict]) -> None:
            if result[0] == "me":
                self.me = result[1].get("id")
            else:
                pages[result[0]] = result[1]

        first = [lambda: (0, self._list_page(0))] + ([lambda: ("me", self.sender.get("me", {}))] if not self.me else [])
        run_all(first, take, concurrency=self.options.concurrency, cancel=self.sender.cancel)
        rest = [lambda o=o: (o, self._list_page(o)) for o in range(PAGE, pages[0]["total"], PAGE)]
        run_all(rest, take, concurrency=self.options.concurrency, cancel=self.sender.cancel)
        return pages

    def _list_page(self, offset: int) -> dict:
        """One page of ``GET /v1/me/playlists``."""
        failed = lambda n, why: RequestFailed(f"the list of playlists at offset {offset}", n, why)  # noqa: E731
        return self.sender.get("me/playlists", {"offset": offset, "limit": PAGE}, decode=_decode_list, failed=failed)

    def _plan(self) -> dict[int, list[int]]:
        """Which pages to ask for: every page of each playlist the person may read and does not hold as is."""
        todo = {}
        for k, p in enumerate(self.listed or []):
            owner = (p.get("owner") or {}).get("id")
            if owner == "spotify" or str(p.get("id", "")).startswith("37i9"):
                self.status[k] = "Spotify's"
            elif owner != self.me and not p.get("collaborative"):
                self.status[k] = "someone else's"
            elif p.get("snapshot_id") and self.held.get(p.get("id"), (None,))[0] == p.get("snapshot_id"):
                self.status[k], self.reused[k] = "read", self.held[p["id"]][1]
            else:
                n = _count(p)
                if n == 0:
                    self.status[k], self.pages[k] = "read", {}
                else:
                    todo[k] = list(range(0, max(n or 1, 1), PAGE))  # an unknown count: one page, then as it says
        return todo

    # --- the entries -------------------------------------------------------------------

    def _read(self, todo: dict[int, list[int]]) -> None:
        """Ask for the pages ``todo`` (offsets by playlist) at once, each kept as it comes."""
        calls = [lambda k=k, o=o: self._entries(k, o) for k, offsets in todo.items() for o in offsets]
        self.bar.total = (self.bar.total or 0) + len(calls)
        self.bar.refresh()
        run_all(calls, self._take, concurrency=self.options.concurrency, cancel=self.sender.cancel)

    def _entries(self, k: int, offset: int) -> tuple[int, int, Any]:
        """One page of a playlist's entries; a 404 (gone since the listing) or a 403 (someone else's) is an answer."""
        playlist = self.listed[k]
        name = f"the playlist {playlist.get('name')!r} ({playlist.get('id')}) at offset {offset}"
        failed = lambda n, why: RequestFailed(name, n, why)  # noqa: E731
        params = {"offset": offset, "limit": PAGE, "additional_types": "track,episode"}
        try:
            return k, offset, self.sender.get(f"playlists/{playlist['id']}/items", params, _decode_entries, failed)
        except RequestRejected as exc:
            if exc.status == 404:
                return k, offset, "gone"
            raise
        except AccessDenied:
            if (playlist.get("owner") or {}).get("id") != self.me:
                return k, offset, "someone else's"
            raise

    def _take(self, result: tuple[int, int, Any]) -> None:
        """Keep one answer: a page of entries, or why the playlist cannot be read (it is settled so)."""
        k, offset, body = result
        self.bar.update(1)
        if isinstance(body, str):
            self.status[k], self.pages[k] = body, {}
        elif self.status.get(k) is None:
            self.pages.setdefault(k, {})[offset] = (body["total"], body["table"])

    def _unsettled(self, todo: dict[int, list[int]]) -> dict[int, list[int]]:
        """The pages still wanted: a playlist whose pages agree on one total and cover it is settled; one whose
        pages disagree changed under the read and is read again whole, at the newest total."""
        again = {}
        for k in todo:
            if self.status.get(k) is not None:
                continue
            state, offsets, stale = self._settle(k)
            if state == "changed" or stale:
                self.changed.add(k)
            if state == "changed":
                self.pages[k] = {}
            elif state == "read":
                self.status[k] = "read"
            if offsets:
                again[k] = offsets
        return again

    def _settle(self, k: int) -> tuple[str, list[int], bool]:
        """Whether playlist ``k``'s pages in hand make it whole ("read"), are consistent but short of some pages
        ("short"), or disagree ("changed"); the offsets to ask for next; and whether consistent pages say another
        count than the listing (changed since it: the listed snapshot id is stale)."""
        pages = self.pages.get(k, {})
        totals = {page[0] for page in pages.values()}
        want = range(0, max(totals), PAGE) if totals else range(0)
        if len(totals) > 1 or any(pages[o][1].num_rows != min(PAGE, max(totals) - o) for o in pages if o in want):
            last = pages[max(pages)][0] if pages else 0
            return "changed", list(range(0, max(last, 1), PAGE)), False
        listed = _count(self.listed[k])
        stale = bool(totals) and listed is not None and max(totals) != listed
        if missing := [o for o in want if o not in pages]:
            return "short", missing, stale
        return "read", [], stale

    # --- the tables --------------------------------------------------------------------

    def library(self, lib: Library, complete: bool) -> Library:
        """``lib`` with the playlists read (those not settled yet marked "not read yet")."""
        if self.listed is None:
            return lib
        for k in list(self.pages):
            if self.status.get(k) is None and k not in self.changed:
                state, _, stale = self._settle(k)  # a stop leaves some playlists whole: they count as read
                if stale:
                    self.changed.add(k)
                if state == "read":
                    self.status[k] = "read"
        rows = [self._row(k, p) for k, p in enumerate(self.listed)]
        playlists = frame(pd.DataFrame(rows).to_dict("series") if rows else {}, PLAYLIST_COLUMNS, len(rows))
        return with_playlists(lib, playlists, self._entries_table(), self._info(complete))

    def _row(self, k: int, p: dict) -> dict:
        """Playlist ``k`` (``p``, as listed) as a row of the playlists table."""
        status = self.status.get(k, "not read yet")
        whole = status == "read" and k not in self.changed
        pages = self.pages.get(k) or {}
        n = next(iter(pages.values()))[0] if pages and status == "read" else _count(p)
        owner = p.get("owner") or {}
        return {
            "playlist": np.int32(k),
            "playlist_id": p.get("id"),
            "name": p.get("name"),
            "owner_id": owner.get("id"),
            "collaborative": p.get("collaborative"),
            "public": p.get("public"),
            "n_items": n,
            "snapshot_id": p.get("snapshot_id") if whole else None,
            "last_modified": pd.NaT,
            "description": html.unescape(p["description"]) if p.get("description") else None,
            "status": status,
        }

    def _entries_table(self) -> pd.DataFrame:
        """Entries of every playlist read: those asked for now (each page parsed as it came), and those held as
        they were."""
        read = [k for k in sorted(self.pages) if self.status.get(k) == "read"]
        tables, playlist, position = [api_entries.ENTRY_SCHEMA.empty_table()], [], []
        for k in read:
            for offset in sorted(self.pages[k]):
                table = self.pages[k][offset][1]
                tables.append(table)
                playlist.append(np.full(table.num_rows, k, np.int32))
                position.append(np.arange(offset, offset + table.num_rows, dtype=np.int32))
        join = lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int32)  # noqa: E731
        table = pa.concat_tables(tables)
        columns = api_entries.columns(table, join(playlist), join(position))
        fresh = frame(columns, PLAYLIST_ITEM_COLUMNS, table.num_rows)
        kept = [e.assign(playlist=np.int32(k)) for k, e in self.reused.items()]
        return stack([fresh, *kept]).sort_values(["playlist", "position"], kind="stable") if kept else fresh

    def _info(self, complete: bool) -> dict:
        """``info["playlists"]``: where the playlists came from, whether whole, and what the read cost."""
        if self.sender is None:
            return {"source": "answers in hand", "complete": complete, "unchanged": len(self.reused)}
        f = self.sender.figures
        return {
            "source": f"Spotify Web API at {self.sender.prefix}",
            "account_id": self.me,
            "read_at": utc_stamp(),
            "complete": complete,
            "unchanged": len(self.reused),
            "null_playlists": self.nulls,
            "changed_during_read": sorted(self.listed[k].get("name") or "" for k in self.changed),
            "requests": f.requests,
            "retries": f.retries,
            "rate_limited": f.rate_limited,
            "elapsed_s": round(time.monotonic() - self.started, 3),
        }
