"""Everything that can go wrong in savedlib, as exceptions that say what to do next.

Every class but one derives from ``savedlib.Error``, so ``except savedlib.Error``
catches them all. The one is ``LoadInterrupted`` (Ctrl-C): a ``KeyboardInterrupt``
only, so that no ``except Exception`` swallows it. Load errors carry ``partial``:
the library as far as it was read (``None`` when nothing was), so a long read is
never thrown away. Messages never contain tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from savedlib.text import duration_words, local_time

if TYPE_CHECKING:
    from savedlib.library import Library


class Error(Exception):
    """The base of every savedlib exception."""


# --- loading ---------------------------------------------------------------------------


class LoadError(Error):
    """The library could not be read completely; ``partial`` holds what was."""

    partial: Library | None = None
    #: Raw pages read before the failure: ``{offset: [items]}``, for resuming.
    pages: dict[int, list[dict]] | None = None

    def with_partial(
        self,
        partial: Library | None,
        pages: dict[int, list[dict]] | None,
        kept: str | None = None,
        read: str | None = None,
    ) -> LoadError:
        """Attach what was read, and say so: ``read`` what it is (by default, the tracks read),
        ``kept`` where it was kept for the next call."""
        self.partial, self.pages = partial, pages
        if partial is not None:
            self.add_note(
                read
                or f"{len(partial):,} of {partial.info.get('total', '?'):,} tracks were read before this; "
                "they are in this error's .partial"
            )
        if kept:
            self.add_note(kept)
        return self


class RateLimited(LoadError):
    """Spotify asked to wait longer than ``max_wait`` allows, or said the app's daily quota is spent.

    ``retry_at`` (an aware datetime) says when savedlib can go on; ``daily_quota``
    is True when Spotify said the quota is spent.
    """

    def __init__(self, retry_after: float, max_wait: float, daily_quota: bool = False):
        self.retry_after = retry_after
        self.max_wait = max_wait
        self.daily_quota = daily_quota
        self.retry_at = datetime.now(UTC) + timedelta(seconds=retry_after)
        when = f"{local_time(self.retry_at)}, in {duration_words(retry_after)}"
        if daily_quota:
            message = (
                "Spotify says this app's daily request quota is spent (Development Mode apps get roughly "
                f"1,000-2,600 requests a day). savedlib can go on at {when}."
            )
        else:
            message = (
                f"Spotify asked savedlib to wait {duration_words(retry_after)} before its next request "
                f"(Retry-After: {retry_after:g} s), longer than max_wait={max_wait:g} s. "
                f"Try again at {local_time(self.retry_at)}, or pass a larger max_wait to wait it out."
            )
        super().__init__(message)

    def with_partial(
        self,
        partial: Library | None,
        pages: dict[int, list[dict]] | None,
        kept: str | None = None,
        read: str | None = None,
    ) -> LoadError:
        """Attach what was read, and say in the message what was kept and how to go on."""
        super().with_partial(partial, pages, None, read)
        if kept:
            self.args = (f"{self.args[0]} {kept}",)
        elif partial is not None:
            self.args = (
                f"{self.args[0]} The {len(partial):,} tracks read so far are in this error's .partial "
                "(load with snapshot=... to keep them for the next load).",
            )
        return self


class RequestFailed(LoadError):
    """A request kept failing (server errors, dropped connections, broken bodies)."""

    def __init__(self, what: str, attempts: int, problem: str):
        self.what, self.attempts, self.problem = what, attempts, problem
        super().__init__(
            f"{what} failed {attempts} times; last: {problem}. "
            "Spotify may be having trouble: try again in a few minutes."
        )


class PageFailed(RequestFailed):
    """A page of saved tracks kept failing; ``offset`` names it."""

    def __init__(self, offset: int, attempts: int, problem: str):
        self.offset = offset
        super().__init__(f"the page at offset {offset}", attempts, problem)


class SignInAgain(LoadError):
    """The sign-in is no longer valid (expired or revoked) and cannot be refreshed."""

    def __init__(self, detail: str, advice: str = "sign in to Spotify again, then load again"):
        super().__init__(f"{detail}: {advice}.")


class AccessDenied(LoadError):
    """Spotify refused access (403): a missing scope, or a person not added to a Development Mode app."""

    def __init__(self, message: str):
        hint = {
            "Insufficient client scope": "the sign-in lacks the scope user-library-read; sign in again with it",
        }.get(
            message,
            "if the app is in Development Mode, add this Spotify account to it in the Developer "
            "Dashboard (Users Management)",
        )
        super().__init__(f"Spotify refused access (403: {message}): {hint}.")


class RequestRejected(LoadError):
    """Spotify rejected the request itself (a 4xx other than 401, 403 and 429), e.g. a market it does
    not serve; ``status`` says which."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


class LibraryChanging(LoadError):
    """The library kept changing faster than it could be read consistently."""


class LoadInterrupted(KeyboardInterrupt):
    """The load was stopped (Ctrl-C / interrupt); ``partial`` has what was read.

    It is a ``KeyboardInterrupt`` and nothing else: the one savedlib exception that is
    not a ``savedlib.Error`` (nor an ``Exception``), so that ``except Exception`` or
    ``except savedlib.Error`` around a load never swallows Ctrl-C. Catch it by name.
    """

    partial: Library | None = None
    pages: dict[int, list[dict]] | None = None


def stopped_with(
    error: BaseException, partial: Library | None, interrupted: str, kept: str | None = None, read: str | None = None
) -> BaseException:
    """The error to raise when a long read stopped, carrying ``partial``: a ``LoadError`` with ``kept`` and ``read``
    as ``LoadError.with_partial`` says them, anything else (Ctrl-C) a ``LoadInterrupted`` saying ``interrupted``."""
    if isinstance(error, LoadError):
        return error.with_partial(partial, None, kept, read)
    stopped = LoadInterrupted(interrupted)
    stopped.partial = partial
    return stopped


# --- keeping a library ---------------------------------------------------------------------


class SnapshotError(Error):
    """A snapshot cannot be used as it is; the message names the file and what to do."""


# --- files people already have ---------------------------------------------------------


class SourceError(Error, ValueError):
    """A file cannot be read as a library (not an Exportify CSV, not Spotify's account data ...),
    or a library lacks what a step needs (``add_genres`` on a source without artist ids)."""


class HistoryError(Error, ValueError):
    """A listening history cannot be read as it is; the message names the file and what is wrong."""


# --- signing in ----------------------------------------------------------------------------


class SetupNeeded(Error, ValueError):
    """No Spotify app is configured yet; the message says how to create one."""


class SignInError(Error):
    """Signing in did not work; the message says why and what to do."""


# --- genres and open music data ------------------------------------------------------------


class GenresUnavailable(Error):
    """Spotify sends this app no artist genres (Development Mode, since February 2026)."""

    def __init__(self, artist_id: str | None = None):
        about = f" (the artist {artist_id} came without a 'genres' key)" if artist_id else ""
        super().__init__(
            "Spotify sends no genres to Development Mode apps since February 2026"
            f"{about}, so asking it artist by artist would spend the daily quota for nothing; nothing was "
            "recorded as 'without genres'. Get genres from open music data instead: "
            "lib = savedlib.add_open_data(lib) (MusicBrainz and ListenBrainz, no key, no quota), "
            "or read an Exportify file, which carries them (savedlib.read_exportify)."
        )


class OpenDataFailed(Error):
    """MusicBrainz or ListenBrainz could not be read (unreachable, busy answer after answer, broken answers).

    ``partial`` is the library with what was found before the stop (``None`` when nothing was
    asked yet); every answer is kept in the cache, so the next ``add_open_data`` resumes from there.
    """

    partial: Library | None = None

    def __init__(self, service: str, message: str):
        self.service = service
        super().__init__(f"{service}: {message}")
