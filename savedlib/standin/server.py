"""The stand-in behind real HTTP: ``GET /v1/me/tracks``, ``/v1/me``, ``/v1/artists``, ``POST /api/token``
and a control API.

Control endpoints (loopback only, not Spotify's): ``GET /_standin/stats`` gives
the counters, ``POST /_standin/token`` issues a token pair for tests and demos.
"""

from __future__ import annotations

import json
import subprocess
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from savedlib.items.uris import SPOTIFY_ID
from savedlib.standin import playlists
from savedlib.standin.state import SCOPE

JSON = "application/json; charset=utf-8"


def _page_params(query: dict[str, list[str]]) -> tuple[dict, str | None]:
    """``limit``, ``offset`` and ``market`` of a page request, or Spotify's message for a bad one."""
    params = {"market": (query.get("market") or [None])[0], "limit": 20, "offset": 0}
    try:
        params["limit"] = int((query.get("limit") or ["20"])[0])
        if not 1 <= params["limit"] <= 50:
            raise ValueError
    except ValueError:
        return params, "Invalid limit"
    try:
        params["offset"] = int((query.get("offset") or ["0"])[0])
        if params["offset"] < 0:
            raise ValueError
    except ValueError:
        return params, "Invalid offset"
    return params, None


def start_process(args: list[str], what: str) -> tuple[subprocess.Popen, str]:
    """Start a stand-in in its own process (``args``); the first line it prints is its base URL."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(f"{what} did not start: {line!r}")
    return process, line.strip()


class Server(ThreadingHTTPServer):
    """A stand-in's server: ``handler`` (the Web API's by default) answers, reading ``state``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: Any, handler: type[BaseHTTPRequestHandler] | None = None):
        super().__init__(address, handler or Handler)
        self.state = state

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Spotify serves
    # Headers and body go out in two writes; with Nagle's algorithm the second, if small, waits for
    # the client's delayed ACK (40 ms on Linux loopback): no real server stalls like that.
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args) -> None:  # quiet: tests and notebooks read stdout
        pass

    # --- plumbing -------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str = JSON, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), headers=headers)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        self._json(status, {"error": {"status": status, "message": message}}, headers)

    # --- routes ---------------------------------------------------------------

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/v1/me/tracks":
            self._saved_tracks(parse_qs(parts.query, keep_blank_values=True))
        elif parts.path in ("/v1/me", "/v1/me/"):
            self._me()
        elif parts.path == "/v1/artists":
            self._several_artists(parse_qs(parts.query, keep_blank_values=True))
        elif parts.path.startswith("/v1/artists/") and parts.path.count("/") == 3:
            self._one_artist(parts.path.rsplit("/", 1)[1])
        elif parts.path == "/v1/me/playlists" or (
            parts.path.startswith("/v1/playlists/") and parts.path.endswith("/items") and parts.path.count("/") == 4
        ):
            playlists.serve(self, parts.path, parse_qs(parts.query, keep_blank_values=True))
        elif parts.path == "/authorize":
            self._authorize({k: v[0] for k, v in parse_qs(parts.query).items()})
        elif parts.path == "/_standin/stats":
            with self.server.state.lock:
                self._json(200, self.server.state.stats())
        else:
            self._error(404, "Service not found")

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode()) if length else {}
        if parts.path == "/api/token":
            self._token(form)
        elif parts.path == "/_standin/token":
            scopes = frozenset((form.get("scope") or [SCOPE])[0].split())
            lifetime = float(form["lifetime"][0]) if "lifetime" in form else None
            with self.server.state.lock:
                access, refresh = self.server.state.issue(scopes, lifetime)
                life = self.server.state.knobs.token_lifetime if lifetime is None else lifetime
            self._json(
                200,
                {
                    "access_token": access,
                    "refresh_token": refresh,
                    "token_type": "Bearer",
                    "expires_in": life,
                    "scope": " ".join(sorted(scopes)),
                },
            )
        elif parts.path == "/_standin/revoke":
            with self.server.state.lock:
                self.server.state.revoke_refresh_tokens()
            self._json(200, {})
        elif parts.path == "/_standin/new_day":
            with self.server.state.lock:
                self.server.state.api_requests = 0
            self._json(200, {})
        elif parts.path == "/_standin/expire":
            with self.server.state.lock:
                self.server.state.expire_tokens()
            self._json(200, {})
        else:
            self._error(404, "Service not found")

    def _authorize(self, query: dict[str, str]) -> None:
        """Spotify's consent page, answered at once: back to the app with a code (or an error)."""
        with self.server.state.lock:
            location, error = self.server.state.authorize(query)
        if error:
            self._send(400, f"<html><body><h1>{error}</h1></body></html>".encode(), "text/html")
            return
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _me(self) -> None:
        """``GET /v1/me``: the account's profile (Development Mode apps get no country, email or product)."""
        state = self.server.state
        if not self._admitted(time.time()):
            return
        profile = {
            "display_name": state.knobs.display_name,
            "id": state.knobs.account_id,
            "type": "user",
            "uri": f"spotify:user:{state.knobs.account_id}",
        }
        if not state.knobs.dev_mode:
            profile.update(country=state.knobs.country, product="premium")
        with state.lock:
            state.count("me", 200)
        self._json(200, profile)

    def _one_artist(self, artist_id: str) -> None:
        """``GET /v1/artists/{id}``: the artist, 404 for an id Spotify does not know, 400 for a malformed one."""
        state = self.server.state
        if not self._artist_admitted("artist"):
            return
        if not SPOTIFY_ID.fullmatch(artist_id):
            self._count_error("artist", 400, "invalid id")
            return
        with state.lock:
            (artist,) = state.artists([artist_id], "single")
            state.count("artist", 200 if artist else 404)
        if artist is None:
            self._error(404, "non existing id")
        else:
            self._json(200, artist)

    def _several_artists(self, query: dict[str, list[str]]) -> None:
        """``GET /v1/artists?ids=``: up to 50 artists, ``null`` for ids Spotify does not know; refused in
        Development Mode since 2026."""
        state = self.server.state
        if not self._artist_admitted("artists"):
            return
        ids = [i for i in (query.get("ids") or [""])[0].split(",") if i]
        if state.knobs.dev_mode:
            status = state.knobs.batch_refusal
            self._count_error("artists", status, "This endpoint is not available in Development Mode")
        elif not ids or not all(SPOTIFY_ID.fullmatch(i) for i in ids):
            self._count_error("artists", 400, "invalid id")
        elif len(ids) > 50:
            self._count_error("artists", 400, "Too many ids requested")
        else:
            with state.lock:
                artists = state.artists(ids, "batch")
                state.count("artists", 200)
            self._json(200, {"artists": artists})

    def _artist_admitted(self, endpoint: str) -> bool:
        """The latency, the checks every request meets, and now and then a server error (``error_rate``)."""
        state = self.server.state
        if state.knobs.latency:
            time.sleep(state.knobs.latency)
        with state.lock:
            state.artist_arrivals += 1
            fault = state.knobs.artist_faults.get(state.artist_arrivals)
        if fault:
            self._fault(fault, endpoint)
            return False
        if not self._admitted(time.time(), endpoint):
            return False
        return not self._random_error(endpoint)

    def _random_error(self, endpoint: str) -> bool:
        """Now and then (``error_rate``) a server error instead of the answer; True when one was sent."""
        state = self.server.state
        with state.lock:
            fail = state.knobs.error_rate and state.rng.random() < state.knobs.error_rate
            kind = state.rng.choice(["500", "502", "503", "504"])
        if fail:
            self._fault(kind, endpoint)
        return bool(fail)

    def _count_error(self, endpoint: str, status: int, message: str) -> None:
        with self.server.state.lock:
            self.server.state.count(endpoint, status)
        self._error(status, message)

    def _admitted(self, arrived: float, endpoint: str = "me") -> bool:
        """The checks every API request meets first: the token, the daily quota, the rate limit.
        False when one refused the request (the answer is sent)."""
        state = self.server.state
        with state.lock:
            state.note_arrival(arrived)
            problem = state.check_token(self.headers.get("Authorization"))
            quota = state.quota_spent() if problem is None else False
            wait = state.rate_limited(arrived) if problem is None and not quota else None
            if quota:
                state.count(endpoint, 429)
                state.note_refusal(arrived)
            elif wait is not None:
                headers, seconds = state.retry_after_header(wait)
                state.advertise(time.time(), seconds)
                state.count(endpoint, 429)
                state.note_refusal(arrived)
            elif problem:
                state.count(endpoint, problem[0])
        if problem:
            self._error(*problem)
        elif quota:
            retry = {"Retry-After": str(state.knobs.quota_retry_after)}
            body = {"error": {"status": 429, "message": "API rate limit exceeded", "reason": "QUOTA_EXCEEDED"}}
            self._json(429, body, retry)
        elif wait is not None:
            self._error(429, "API rate limit exceeded", headers)
        return not (problem or quota or wait is not None)

    def _token(self, form: dict[str, list[str]]) -> None:
        grant = (form.get("grant_type") or [""])[0]
        state = self.server.state
        if grant == "authorization_code":
            with state.lock:
                tokens, problem = state.exchange({k: v[0] for k, v in form.items()})
            if tokens is None:
                self._json(400, {"error": "invalid_grant", "error_description": problem})
            else:
                self._json(200, tokens)
            return
        if grant != "refresh_token":
            self._json(400, {"error": "unsupported_grant_type", "error_description": f"grant_type {grant!r}"})
            return
        with state.lock:
            access = state.refresh((form.get("refresh_token") or [""])[0])
            life = state.knobs.token_lifetime
            scope = " ".join(sorted(state.tokens[access].scopes)) if access else SCOPE
        if access is None:
            self._json(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"})
            return
        self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": int(life), "scope": scope})

    def _saved_tracks(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        now = time.time()
        with state.lock:
            state.page_requests += 1
            number = state.page_requests
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            if state.knobs.latency:
                time.sleep(state.knobs.latency)
            self._answer_page(number, query, now)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _answer_page(self, number: int, query: dict[str, list[str]], arrived: float) -> None:
        state = self.server.state
        fault = state.knobs.faults.get(number)
        if fault:
            self._fault(fault)
            return
        params, problem = _page_params(query)
        if not self._admitted(arrived, "tracks"):
            return
        if problem is None:
            with state.lock:
                market, market_error = state.check_market(params["market"])
            problem = market_error
        if problem:
            self._count(400)
            self._error(400, problem)
            return
        if self._random_error("tracks"):
            return
        with state.lock:
            items, total = state.page(params["offset"], params["limit"], market)
            state.statuses[200] += 1
        self._send(200, self._envelope(items, total, params["offset"], params["limit"], params["market"]))

    def _envelope(self, items: list[bytes], total: int, offset: int, limit: int, market: str | None) -> bytes:
        """The seven-key paging object, with the already-encoded items spliced in."""
        base = f"{self.server.url}/v1/me/tracks?"

        def link(at: int) -> str:
            params = {"offset": at, "limit": limit, **({"market": market} if market else {})}
            return base + urlencode(params)

        head = {"href": link(offset), "items": None}
        tail = {
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }
        head_json = json.dumps(head)[: -len("null}")]  # '{"href": "...", "items": '
        return b"".join([head_json.encode(), b"[", b", ".join(items), b"], ", json.dumps(tail)[1:].encode()])

    def _count(self, status: int, endpoint: str = "tracks") -> None:
        with self.server.state.lock:
            if endpoint == "tracks":
                self.server.state.statuses[status] += 1
            else:
                self.server.state.count(endpoint, status)

    def _fault(self, kind: str, endpoint: str = "tracks") -> None:
        """A broken answer of the kinds seen from Spotify and the proxies in front of it."""
        if kind == "drop":
            self._count(0, endpoint)
            self.close_connection = True
            self.connection.close()
            return
        if kind == "html":
            self._count(200, endpoint)
            self._send(200, b"<html><body><h1>Service temporarily unavailable</h1></body></html>", "text/html")
            return
        if kind == "short":  # a batch answer without the artists asked for
            self._count(200, endpoint)
            self._send(200, b'{"artists": []}')
            return
        if kind == "truncated":
            self._count(200, endpoint)
            self._send(200, b'{"href": "x", "items": [{"added_at": "2024-01-01T00:00:00Z", "track": {"alb')
            return
        status = int(kind)
        self._count(status, endpoint)
        if status == 503 and len(self.path) % 2:  # sometimes plain text, as seen
            self._send(503, b"upstream connect error or disconnect/reset before headers", "text/plain")
        else:
            messages = {400: "Bad request", 403: "Forbidden", 404: "Not found", 500: "Server error.",
                        502: "Bad gateway.", 503: "Service unavailable", 504: "Gateway timeout"}  # fmt: skip
            self._error(status, messages.get(status, "Server error."))
