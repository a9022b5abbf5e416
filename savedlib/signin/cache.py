"""Where a sign-in is kept: a token file in the per-user cache directory, private from the start.

spotipy's own ``CacheFileHandler`` writes ``.cache`` into the working directory
(often a git checkout) and tightens its permissions only after writing it.
``TokenCache`` writes to ``~/.cache/savedlib/`` (or the platform's equivalent),
creates each file with mode 0600 in the same system call that creates it, and
replaces it atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from spotipy.cache_handler import CacheHandler

from savedlib.fetch.auth import ACCOUNT_ATTRIBUTE
from savedlib.files import atomic_write_text, cache_dir

#: The key under which the token file also records whose sign-in it is (not a secret): the same name
#: as the client attribute the loader reads.
ACCOUNT_KEY = ACCOUNT_ATTRIBUTE


def token_path(client_id: str) -> Path:
    safe = "".join(c for c in client_id if c.isalnum() or c in "-_") or "app"
    return cache_dir() / f"spotify-token-{safe}.json"


class TokenCache(CacheHandler):
    """A spotipy cache handler for one app's sign-in; its repr never shows the token."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"<TokenCache {self.path}{'' if self.path.exists() else ' (empty)'}>"

    def get_cached_token(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged cache is a missing sign-in: sign in again

    def save_token_to_cache(self, token_info: dict) -> None:
        account = self.account_id()  # spotipy saves fresh token info on every refresh: keep the account
        info = {**token_info, **({ACCOUNT_KEY: account} if account and ACCOUNT_KEY not in token_info else {})}
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(info))  # created 0600, replaced atomically

    def account_id(self) -> str | None:
        """The Spotify account this sign-in belongs to, once known."""
        return (self.get_cached_token() or {}).get(ACCOUNT_KEY)

    def remember_account(self, account_id: str) -> None:
        info = self.get_cached_token()
        if info is not None:
            self.save_token_to_cache({**info, ACCOUNT_KEY: account_id})

    def clear(self) -> bool:
        """Delete the sign-in; True if there was one."""
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
