"""A local stand-in for Spotify's ``GET /v1/me/tracks``, ``/v1/artists`` and token endpoint, over real HTTP.

No machine here can reach Spotify, so tests, benchmarks and demos read from
this instead, through real spotipy. It serves the demo library by default and
can be made slow, rate-limited, flaky, or changing under the reader::

    with StandIn(n=5000, latency=0.05, rate_limit=(100, 30)) as api:
        lib = savedlib.load(api.client())
        print(api.stats())

``spawn(...)`` runs it in a separate process instead (for benchmarks, so the
server does not compete with the client for the GIL); ``python -m
savedlib.standin`` runs it from a shell.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request
from typing import Any

from savedlib.standin.playlists import PlaylistChange
from savedlib.standin.server import Server, start_process
from savedlib.standin.state import SCOPE, Change, Knobs, State, with_market

__all__ = ["SCOPE", "Change", "Knobs", "PlaylistChange", "StandIn", "spawn", "with_market"]


class _Handle:
    """What tests and demos do with a running stand-in, through its HTTP control API."""

    url: str

    def _post(self, path: str, form: dict | None = None) -> dict:
        data = urllib.parse.urlencode(form or {}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data, method="POST")) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        """Counters: page requests, statuses, requests inside a Retry-After window, ..."""
        with urllib.request.urlopen(self.url + "/_standin/stats") as r:
            return json.loads(r.read())

    def token_info(self, scope: str = SCOPE, lifetime: float | None = None) -> dict:
        """A fresh token pair, shaped like spotipy's cached token info."""
        form = {"scope": scope, **({"lifetime": lifetime} if lifetime is not None else {})}
        info = self._post("/_standin/token", form)
        info["expires_at"] = int(time.time() + info["expires_in"])
        return info

    def revoke_refresh_tokens(self) -> None:
        """Make every refresh token fail with ``invalid_grant`` (a revoked sign-in)."""
        self._post("/_standin/revoke")

    def new_day(self) -> None:
        """Start a new day: the daily request quota is whole again."""
        self._post("/_standin/new_day")

    def expire_tokens(self) -> None:
        """Expire every access token now, server side (the client does not know)."""
        self._post("/_standin/expire")

    def auth_manager(self, scope: str = SCOPE, lifetime: float | None = None):
        """A spotipy ``SpotifyPKCE`` auth manager signed in to the stand-in, refreshing against it."""
        from spotipy.cache_handler import MemoryCacheHandler
        from spotipy.oauth2 import SpotifyPKCE

        manager = SpotifyPKCE(
            client_id="savedlib-standin",
            redirect_uri="http://127.0.0.1:8765/callback",
            scope=scope,
            cache_handler=MemoryCacheHandler(self.token_info(scope, lifetime)),
            open_browser=False,
        )
        manager.OAUTH_TOKEN_URL = f"{self.url}/api/token"
        manager.OAUTH_AUTHORIZE_URL = f"{self.url}/authorize"
        return manager

    def client(self, *, static: bool = False, scope: str = SCOPE, lifetime: float | None = None, **kwargs: Any):
        """A ``spotipy.Spotify`` pointed at the stand-in (``sp.prefix``).

        By default it signs in with an auth manager that refreshes tokens;
        ``static=True`` gives a bare access token instead, as ``Spotify(auth=...)``.
        """
        import spotipy

        if static:
            sp = spotipy.Spotify(auth=self.token_info(scope, lifetime)["access_token"], **kwargs)
        else:
            sp = spotipy.Spotify(auth_manager=self.auth_manager(scope, lifetime), **kwargs)
        sp.prefix = f"{self.url}/v1/"
        return sp


class StandIn(_Handle):
    """The stand-in in a thread of this process; also a context manager.

    ``items`` defaults to the demo library (``n``, ``seed``); every other
    keyword is a ``Knobs`` field (latency, rate_limit, changes, dev_mode, ...).
    """

    def __init__(
        self,
        items: list[dict] | None = None,
        *,
        n: int = 2500,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        **knobs: Any,
    ):
        if items is None:
            from savedlib.demodata import demo_items

            items = demo_items(n, seed=seed)
        self.state = State(items, Knobs(**{"seed": seed, **knobs}))
        self._server = Server((host, port), self.state)
        self.url = self._server.url
        self._thread: threading.Thread | None = None

    @property
    def items(self) -> list[dict]:
        """The library as it stands now (it may have changed during a read)."""
        with self.state.lock:
            return list(self.state.items)

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, name="savedlib-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<StandIn of /v1/me/tracks on {self.url}: {len(self.state.items):,} saved tracks>"


class spawn(_Handle):
    """The stand-in in a separate Python process (``python -m savedlib.standin``)."""

    def __init__(
        self,
        *,
        n: int = 2500,
        seed: int = 0,
        latency: float = 0.0,
        dev_mode: bool = False,
        dev_genres: bool = False,
        rate_limit: tuple[int, float] | None = None,
        error_rate: float = 0.0,
        retry_after: str | int | None = None,
        daily_quota: int | None = None,
    ):
        args = [
            sys.executable,
            "-m",
            "savedlib.standin",
            "--port",
            "0",
            "--n",
            str(n),
            "--seed",
            str(seed),
            "--latency",
            str(latency),
            "--error-rate",
            str(error_rate),
        ]
        if dev_mode:
            args.append("--dev-mode")
        if dev_genres:
            args.append("--dev-genres")
        if rate_limit:
            args += ["--rate-limit", f"{rate_limit[0]}/{rate_limit[1]}"]
        if retry_after is not None:
            args += ["--retry-after", str(retry_after)]
        if daily_quota is not None:
            args += ["--daily-quota", str(daily_quota)]
        self._process, self.url = start_process(args, "the stand-in")

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self) -> spawn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
