"""A local stand-in of MusicBrainz (``/ws/2/``) and ListenBrainz (``/1/``) over real HTTP, rate limits enforced.

No machine here can reach the real services, so tests, benchmarks and notebooks ask this::

    with OpenDataStandIn(n=2500, musicbrainz_rate=50) as api:
        lib = savedlib.add_open_data(lib, **api.options())
        print(api.stats())

MusicBrainz's limit, on average ``musicbrainz_rate`` requests a second: a token bucket
refilled at that rate and holding two (so that network jitter never punishes a client
that spaces its requests evenly, while one that goes faster is caught at once); a request
finding no token is answered 503, as the real service answers every request over its rate.
ListenBrainz's: a fixed window of
``listenbrainz_limit`` = (requests, seconds), announced in ``X-RateLimit-*`` headers
and answered 429 above it. ``musicbrainz_faults`` / ``listenbrainz_faults`` map a
request's number (from 1) to ``"503"``, ``"429"``, ``"truncated"`` (cut short of its
Content-Length), ``"cut"`` (a complete but broken body), ``"drop"`` (no answer) or
``"html"`` (a 502 page); ``max_url`` refuses longer request lines with 414.
``python -m savedlib.standin.opendata`` runs it in its own process (``spawn_open_data``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from savedlib.standin import listenbrainz, musicbrainz
from savedlib.standin.catalogue import Catalogue, build
from savedlib.standin.server import Server, start_process

JSON = "application/json; charset=utf-8"


@dataclass
class OpenKnobs:
    """How the stand-in behaves: its limits, its faults, its speed."""

    musicbrainz_rate: float = 1.0  # requests a second (MusicBrainz: 1)
    listenbrainz_limit: tuple[int, float] = (30, 10.0)  # requests per fixed window (ListenBrainz's code default)
    max_url: int | None = None  # a longer request line is refused with 414
    musicbrainz_faults: dict[int, str] = field(default_factory=dict)
    listenbrainz_faults: dict[int, str] = field(default_factory=dict)
    latency: float = 0.0


class OpenState:
    """The catalogue, the limits' clocks and the counters (guarded by ``lock``)."""

    def __init__(self, catalogue: Catalogue, knobs: OpenKnobs):
        self.catalogue, self.knobs, self.lock = catalogue, knobs, threading.Lock()
        self.counts = {s: Counter() for s in ("musicbrainz", "listenbrainz")}
        self.agents: set[str] = set()
        self.tokens, self.last_mb = 2.0, None
        self.min_gap = None
        self.mb_times: list[float] = []  # arrivals, for the mean rate
        self.window = (0.0, 0)  # ListenBrainz: when the window started, requests in it
        self.asked: dict[str, list[int]] = {"resources": [], "isrcs": [], "artist_mbids": [], "recording_mbids": []}

    def stats(self) -> dict:
        return {
            "musicbrainz": dict(self.counts["musicbrainz"]),
            "listenbrainz": dict(self.counts["listenbrainz"]),
            "user_agents": sorted(self.agents),
            "musicbrainz_min_gap": self.min_gap,
            "musicbrainz_mean_rate": _mean_rate(self.mb_times),
            "asked": {k: list(v) for k, v in self.asked.items()},
        }

    def admit_mb(self) -> bool:
        """MusicBrainz's rate: a token bucket (two at most) refilled at ``musicbrainz_rate`` a second."""
        now = time.monotonic()
        if self.last_mb is not None:
            gap = now - self.last_mb
            self.min_gap = gap if self.min_gap is None else min(self.min_gap, gap)
            self.tokens = min(2.0, self.tokens + gap * self.knobs.musicbrainz_rate)
        self.last_mb = now
        self.mb_times.append(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def admit_lb(self) -> tuple[bool, dict]:
        """ListenBrainz's fixed window, and the headers that announce it."""
        limit, seconds = self.knobs.listenbrainz_limit
        now = time.time()
        start, used = self.window
        if now - start >= seconds:
            start, used = now, 0
        used += 1
        self.window = (start, used)
        reset_in = max(seconds - (now - start), 0.0)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset-In": str(math.ceil(reset_in)),  # whole seconds, rounded up
            "X-RateLimit-Reset": str(int(start + seconds)),
        }
        return used <= limit, headers


def _mean_rate(times: list[float]) -> float | None:
    """Requests a second over a run of arrivals (None for fewer than two)."""
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None


class OpenHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._route("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._route("POST", self.rfile.read(length) if length else b"")

    def _route(self, method: str, body: bytes) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        state = self.server.state
        if parts.path == "/_standin/stats":
            with state.lock:
                self._send(200, state.stats())
            return
        service = "musicbrainz" if parts.path.startswith("/ws/2/") else "listenbrainz"
        if not parts.path.startswith(("/ws/2/", "/1/")):
            self._send(404, {"error": "Not Found"})
            return
        if state.knobs.latency:
            time.sleep(state.knobs.latency)
        with state.lock:
            state.agents.add(self.headers.get("User-Agent") or "")
            counts = state.counts[service]
            counts["requests"] += 1
            fault = (
                state.knobs.musicbrainz_faults if service == "musicbrainz" else state.knobs.listenbrainz_faults
            ).get(counts["requests"])
            if service == "musicbrainz":
                admitted, headers = state.admit_mb(), {}
            else:
                admitted, headers = state.admit_lb()
        if self._refused(service, admitted, fault, headers):
            return
        with state.lock:
            if service == "musicbrainz":
                status, payload, endpoint = musicbrainz.answer(state.catalogue, parts.path[len("/ws/2/") :], query)
                self._note_mb(state, endpoint, query)
            else:
                status, payload, endpoint = listenbrainz.answer(state.catalogue, method, parts.path[3:], query, body)
                self._note_lb(state, endpoint, query, body)
            state.counts[service][f"{endpoint} {status}"] += 1
        self._send(status, payload, headers, fault)

    def _refused(self, service: str, admitted: bool, fault: str | None, headers: dict) -> bool:
        """Answer a refusal (over the limit, or a busy fault) and count it; False when the request goes on."""
        state = self.server.state
        status = None
        if service == "musicbrainz" and (not admitted or fault == "503"):
            status, payload = 503, musicbrainz.error(musicbrainz.OVER if not admitted else musicbrainz.BUSY)
        elif service == "listenbrainz" and (not admitted or fault == "429"):
            status, payload = 429, {"code": 429, "error": "Too many requests. Please wait and try again."}
        elif len(self.requestline) > (state.knobs.max_url or 1 << 30):
            status, payload = 414, None
        if status is None:
            return False
        with state.lock:
            state.counts[service][str(status)] += 1
            if not admitted:
                state.counts[service]["over the limit"] += 1
        if payload is None:
            self._raw(414, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>", "text/html")
        else:
            self._send(status, payload, headers)
        return True

    @staticmethod
    def _note_mb(state: OpenState, endpoint: str, query: dict) -> None:
        if endpoint == "url":
            state.asked["resources"].append(len(query.get("resource", [])))
        elif endpoint == "recording" and (query.get("offset") or ["0"])[0] == "0":
            state.asked["isrcs"].append((query.get("query") or [""])[0].count(" OR ") + 1)

    @staticmethod
    def _note_lb(state: OpenState, endpoint: str, query: dict, body: bytes) -> None:
        if endpoint == "metadata/artist":
            state.asked["artist_mbids"].append(len((query.get("artist_mbids") or [""])[0].split(",")))
        elif endpoint == "popularity/recording":
            with contextlib.suppress(ValueError, AttributeError):
                state.asked["recording_mbids"].append(len(json.loads(body).get("recording_mbids") or []))

    def _send(self, status: int, payload: Any, headers: dict | None = None, fault: str | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        if fault == "html":
            self._raw(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        elif fault == "truncated":  # the promised length, half the bytes, then the connection closes
            self._raw(status, body, JSON, headers, cut=len(body) // 2)
        elif fault == "cut":
            self._raw(status, body[: len(body) // 2], JSON, headers)
        else:
            self._raw(status, body, JSON, headers)

    def _raw(self, status: int, body: bytes, kind: str, headers: dict | None = None, cut: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.close_connection = True


class _Running:
    """What tests, benchmarks and notebooks do with a running stand-in."""

    url: str

    @property
    def musicbrainz_url(self) -> str:
        return f"{self.url}/ws/2"

    @property
    def listenbrainz_url(self) -> str:
        return self.url

    def options(self) -> dict:
        """``add_open_data``'s keyword arguments for this stand-in: where it is, and its MusicBrainz rate."""
        return {
            "musicbrainz_url": self.musicbrainz_url,
            "listenbrainz_url": self.listenbrainz_url,
            "musicbrainz_rate": self.musicbrainz_rate,
        }

    def stats(self) -> dict:
        """Requests and answers per service, the User-Agents seen, what each request asked about."""
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/_standin/stats") as r:
            return json.loads(r.read())


class OpenDataStandIn(_Running):
    """The stand-in in a thread of this process (a context manager). ``items`` default to the demo library's."""

    def __init__(self, items: list[dict] | None = None, *, n: int = 2500, seed: int = 0, port: int = 0, **knobs: Any):
        if items is None:
            from savedlib.demodata import demo_items

            items = demo_items(n, seed=seed)
        self.state = OpenState(build(items, seed), OpenKnobs(**knobs))
        self.musicbrainz_rate = self.state.knobs.musicbrainz_rate
        self._server = Server(("127.0.0.1", port), self.state, OpenHandler)
        self.url = self._server.url

    @property
    def catalogue(self) -> Catalogue:
        return self.state.catalogue

    def __enter__(self) -> OpenDataStandIn:
        threading.Thread(target=self._server.serve_forever, name="savedlib-opendata", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class spawn_open_data(_Running):
    """The stand-in in its own process (for benchmarks: the server does not share the client's GIL)."""

    def __init__(self, *, n: int = 2500, seed: int = 0, musicbrainz_rate: float = 1.0, latency: float = 0.0):
        args = [sys.executable, "-m", "savedlib.standin.opendata", "--n", str(n), "--seed", str(seed),
                "--musicbrainz-rate", str(musicbrainz_rate), "--latency", str(latency)]  # fmt: skip
        self.musicbrainz_rate = musicbrainz_rate
        self._process, self.url = start_process(args, "the open-data stand-in")

    def __enter__(self) -> spawn_open_data:
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    """Serve from a shell; the first line printed is the base URL."""
    parser = argparse.ArgumentParser(prog="python -m savedlib.standin.opendata")
    parser.add_argument("--n", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--musicbrainz-rate", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    api = OpenDataStandIn(n=args.n, seed=args.seed, port=args.port, musicbrainz_rate=args.musicbrainz_rate,
                          latency=args.latency)  # fmt: skip
    print(api.url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        api._server.serve_forever()


if __name__ == "__main__":
    main()
