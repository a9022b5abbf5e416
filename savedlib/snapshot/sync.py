"""A load into a snapshot: what the snapshot holds decides how to read, long reads keep checkpoints,
and the result is saved with what changed.

- An empty snapshot: a full read.
- An unfinished one (a load that stopped): resume, keeping the held pages page 0 shows are still valid.
- A complete one: refresh (``Refresher``), confirmed by one more request when probes were needed;
  anything that does not fit falls back to a full read.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from savedlib.errors import SnapshotError
from savedlib.fetch.session import Session
from savedlib.items.identity import shows
from savedlib.items.pages import PAGE_SIZE, Page
from savedlib.library import Library, from_items
from savedlib.snapshot.changes import record_changes
from savedlib.snapshot.grow import refreshed, with_held_playlists
from savedlib.snapshot.refresh import Inconsistent, Refresher
from savedlib.snapshot.store import Snapshot, Stored, empty_changes, with_changes

#: How many times a refresh is tried before reading everything.
REFRESH_ATTEMPTS = 3


def checkpoint_seconds() -> float:
    """How often a long read into a snapshot saves what it has (``SAVEDLIB_CHECKPOINT_SECONDS``)."""
    return float(os.environ.get("SAVEDLIB_CHECKPOINT_SECONDS", 20))


class Sync:
    """One load into the snapshot at ``path``, read with ``market``, for the Spotify account ``account_id``
    (None: not known yet, ask ``GET /v1/me`` once)."""

    def __init__(self, path: str | os.PathLike, market: str | None, account_id: str | None = None):
        self.store = Snapshot(path)
        self.account_id = account_id
        self.unchanged = False  # set by read(): the held library is the library now
        self.stored: Stored | None = self.store.read(typed=False) if self.store.exists() else None
        held_market = self.stored.meta.get("info", {}).get("market") if self.stored is not None else market
        if held_market != market:
            raise ValueError(
                f"{self.store.path} was read with market={held_market!r}, not {market!r}: "
                "use the same market, or another snapshot"
            )
        self._session: Session | None = None
        self._last_checkpoint = time.monotonic()

    @property
    def refreshing(self) -> bool:
        return self.stored is not None and self.stored.complete

    def attach(self, session: Session) -> None:
        """Keep what a long first read has, every ``checkpoint_seconds()``: even a crash then loses little."""
        self._session = session
        session.on_page.append(self._checkpoint)

    def _checkpoint(self, _page: Page) -> None:
        session = self._session
        if session is None or session.reader.rounds or time.monotonic() - self._last_checkpoint <= checkpoint_seconds():
            return
        pages, total = session.consistent_pages()
        if pages:
            self.keep(pages, total, {**session.info(total, complete=False), **self.info()})
        self._last_checkpoint = time.monotonic()

    def info(self) -> dict:
        """What the snapshot added to this load, for ``Library.info``."""
        if self.stored is None:
            return {}
        return {"refreshed_from_snapshot": True} if self.stored.complete else {"resumed_from_snapshot": True}

    # --- reading ---------------------------------------------------------------------------

    def read(self, session: Session) -> tuple[list[dict], int]:
        """The library's items and total, spending as few requests as the snapshot allows.

        Checks first that the snapshot belongs to the signed-in account. When the
        library is unchanged, ``unchanged`` is set and the items are not decoded.
        """
        self._check_account(session)
        stored = self.stored
        if stored is None:
            return session.reader.read()
        if not stored.complete:
            return session.reader.read(stored.items, stored.total)
        first = session.sender.page(0, PAGE_SIZE, session.options.market)
        if first.total == stored.total and shows(first.items, stored.items.first(len(first.items))):
            self.unchanged = True  # page 0 shows the same top and the same total: one request
            return [], first.total
        try:
            return self._refresh(session, stored.items.ordered(), first)
        except Inconsistent:
            return session.reader.read()  # the last resort: read everything

    def _check_account(self, session: Session) -> None:
        """A snapshot holds one account's library: refuse another's before anything is read or written."""
        if self.account_id is None:
            self.account_id = str(session.sender.get("me", {})["id"])
        held = self.stored.meta.get("account_id") if self.stored is not None else None
        if held is not None and held != self.account_id:
            raise SnapshotError(
                f"{self.store.path} holds the library of the Spotify account {held!r}, but this load is "
                f"signed in as {self.account_id!r}: use another snapshot folder for this account "
                "(nothing was changed)"
            )

    def _refresh(self, session: Session, held: list[dict], first: Page) -> tuple[list[dict], int]:
        refresher = Refresher(session.sender, session.options.market)
        for _ in range(REFRESH_ATTEMPTS):
            items, total = refresher.refresh(held, first)
            first = None
            if refresher.requests == 1:
                return items, total  # one answer showed everything: nothing else can have moved
            check = session.sender.page(0, PAGE_SIZE, session.options.market)  # confirm nothing moved meanwhile
            if check.total == total and shows(check.items, items):
                return items, total
            held = items
        raise Inconsistent("the library kept changing while it was refreshed")

    # --- writing ---------------------------------------------------------------------------

    def keep(self, pages: dict[int, list[dict]], total: int, info: dict) -> str:
        """Write the pages read so far as an unfinished snapshot, so the next load resumes from them;
        say what the snapshot now holds.

        A complete snapshot being refreshed is left as it is: it is still the better copy.
        """
        stored = self.stored
        if self.refreshing:
            read_at = stored.meta.get("info", {}).get("read_at", "its last load")
            return (
                f"The snapshot {self.store.path} still holds the whole library as read at {read_at} "
                f"({stored.total:,} tracks); the next load refreshes it."
            )
        held = {offset + i: item for offset, items in pages.items() for i, item in enumerate(items)}
        if not held:
            return "Nothing was read yet, so the snapshot was left as it was."
        changes = stored.changes if stored is not None else empty_changes()
        self.store.write(
            held, complete=False, total=total, info=info, changes=changes, library=None, account_id=self.account_id
        )
        return (
            f"The {len(held):,} of {total:,} tracks read so far are kept in the snapshot {self.store.path}: "
            "the next load resumes from them."
        )

    def library(self, items: list[dict], info: dict) -> Library:
        """The library this load read, with its ``info``: the held one when nothing changed, the held one with
        the new saves (and without the removed tracks) after a refresh, else the items converted."""
        if not self.refreshing:
            return from_items(items, **info)
        if self.unchanged:
            held = self.store.read_library(self.stored)
            return replace(held, info={**held.info, **info})
        try:
            held = self.store.read_library(self.stored)
        except SnapshotError:  # the held tables are damaged: the items read are enough
            return from_items(items, **info)
        return with_held_playlists(held, refreshed(held, self.stored.items.ordered(), items, info))

    def save(self, lib: Library, items: list[dict]) -> Library:
        """Record what changed since the snapshot, write the complete snapshot, and return ``lib`` with its changes.

        After an unchanged refresh only ``snapshot.json`` is updated (this load's info, the account).
        """
        stored = self.stored
        if self.unchanged:
            self.store.note(info=lib.info, account_id=self.account_id)
            return lib
        previous = stored.items.ordered() if self.refreshing else None
        history = stored.changes if stored is not None else empty_changes()
        lib = with_changes(lib, record_changes(history, previous, items, lib.info["read_at"]))
        self.store.write(
            dict(enumerate(items)),
            complete=True,
            total=lib.info["total"],
            info=lib.info,
            changes=lib.changes,
            library=lib,
            account_id=self.account_id,
        )
        return lib
