"""Access tokens from the person's own spotipy client, refreshed once for all workers.

spotipy's auth managers refresh only *before* expiry and hold no lock, so
parallel requests can refresh twice, and a token the server expires early
(``401 The access token expired``) is never refreshed. ``TokenSource`` fixes
both: it caches the token, refreshes under a lock, and only once per expiry.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from savedlib.errors import LoadError, SignInAgain

#: Refresh this many seconds before the advertised expiry (spotipy uses 60 too).
MARGIN = 60
#: The attribute of a spotipy client under which ``savedlib.connect`` records the signed-in
#: account's id, so that a load into a snapshot need not ask ``GET /v1/me`` for it.
ACCOUNT_ATTRIBUTE = "savedlib_account_id"


class TokenSource:
    def __init__(self, sp: Any):
        self._static: str | None = getattr(sp, "_auth", None)
        self._manager = getattr(sp, "auth_manager", None)
        self._lock = threading.Lock()
        self._token: str | None = self._static
        self._expires_at = float("inf") if self._static else 0.0
        self.refreshes = 0
        if self._static is None and self._manager is None:
            raise SignInAgain("this spotipy client has no access token or auth manager")

    def __repr__(self) -> str:  # never show the token
        kind = "static token" if self._static else type(self._manager).__name__
        return f"<TokenSource {kind}, {self.refreshes} refreshes>"

    def current(self) -> str:
        """A token that is not about to expire."""
        token = self._token
        if token is not None and time.time() < self._expires_at - MARGIN:
            return token
        with self._lock:
            if self._token is not None and time.time() < self._expires_at - MARGIN:
                return self._token
            self._load(force=self._token is not None)
            return self._token  # type: ignore[return-value]

    def refresh(self, failed: str) -> str:
        """Refresh after the server said ``failed`` expired; a no-op if another worker already did."""
        with self._lock:
            if self._token != failed:
                return self._token  # type: ignore[return-value]
            if self._static is not None:
                raise SignInAgain("the access token expired and a bare token cannot be refreshed")
            self._load(force=True)
            return self._token  # type: ignore[return-value]

    def _load(self, force: bool) -> None:
        manager = self._manager
        cache = getattr(manager, "cache_handler", None)
        info = cache.get_cached_token() if cache is not None else None
        if info is None and cache is not None:
            raise SignInAgain("not signed in yet", "finish signing in with the link savedlib.connect showed, then load")
        try:
            if (
                info is not None
                and hasattr(manager, "refresh_access_token")
                and (force or manager.is_token_expired(info))
            ):
                if not info.get("refresh_token"):
                    raise SignInAgain("the access token expired and there is no refresh token")
                info = manager.refresh_access_token(info["refresh_token"])
                self.refreshes += 1
            elif info is None:  # an auth manager without a cache, e.g. client credentials
                token = manager.get_access_token(as_dict=False)
                self._token, self._expires_at = token, time.time() + 3000
                return
        except SignInAgain:
            raise
        except Exception as exc:  # spotipy raises SpotifyOauthError; say it plainly, without secrets
            error = getattr(exc, "error", None) or type(exc).__name__
            if error in ("invalid_grant", "invalid_client"):
                raise SignInAgain(f"Spotify refused to refresh the sign-in ({error})") from None
            # An outage of the accounts service is not a dead sign-in: say so, keep the sign-in.
            raise LoadError(
                f"refreshing the access token failed ({str(error)[:80]}): Spotify's accounts "
                "service may be down; try again in a few minutes"
            ) from None
        self._token = info["access_token"]
        self._expires_at = float(info.get("expires_at") or time.time() + int(info.get("expires_in", 3600)))
