"""One polite HTTP client per open-data service: a gate that never goes faster than the service allows.

MusicBrainz allows one request per second on average per address and answers
503 to *every* request above it; ListenBrainz announces a fixed window in
``X-RateLimit-Remaining`` / ``X-RateLimit-Reset-In`` and answers 429 over it.
Each ``Service`` sends one request at a time: its gate spaces the requests'
departures by ``interval`` and waits out a spent ListenBrainz window; a 503 or
429 backs off (doubling) and, after ``busy_stops`` in a row, stops with
``OpenDataFailed``. Every request carries the User-Agent MusicBrainz asks for.
Dropped connections, 5xx and truncated or broken bodies are retried a few
times; an unreachable service fails within seconds.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import certifi
import urllib3

from savedlib.errors import OpenDataFailed

try:
    import fcntl
except ImportError:  # Windows: the gate holds within one process only
    fcntl = None

#: The project's address (``pyproject.toml``'s ``[project.urls]``, the one the Binder link uses).
PROJECT_URL = "https://github.com/savedlib/savedlib"
TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)


def user_agent() -> str:
    """``savedlib/<version> ( <project URL> )``: the form MusicBrainz asks every client to send."""
    import savedlib  # here, not at the top: the package imports this module

    return f"savedlib/{savedlib.__version__} ( {PROJECT_URL} )"


class Gate:
    """When the next request to a service may leave: ``interval`` apart, and not before a time a busy answer set.

    With a ``path`` (a file in the cache folder) the gate is shared by every process on the
    machine under a file lock, so two notebooks enriching at once still send one request a
    second between them; without one (or without file locks) it holds within this process.
    """

    def __init__(self, interval: float, path: str | os.PathLike | None = None):
        self.interval, self.path = interval, Path(path) if path is not None and fcntl is not None else None
        self._lock, self._next = threading.Lock(), 0.0

    def wait(self) -> None:
        """Sleep until a request may leave, and book the next one ``interval`` later."""
        with self._lock, self._shared() as shared:
            now = time.time()
            ready = max(self._next, shared.get())
            if now < ready:
                time.sleep(ready - now)
                now = time.time()
            self._next = now + self.interval
            shared.set(self._next)

    def not_before(self, moment: float) -> None:
        """No request leaves before ``moment`` (``time.time()`` seconds): a back-off, a spent window."""
        with self._lock, self._shared() as shared:
            self._next = max(self._next, shared.get(), moment)
            shared.set(self._next)

    def _shared(self) -> _SharedTime:
        return _SharedTime(self.path)


class _SharedTime:
    """The gate's time in a file, read and written under an exclusive lock (a no-op without a file)."""

    def __init__(self, path: Path | None):
        self.path, self.handle = path, None

    def __enter__(self) -> _SharedTime:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a+")  # closed in __exit__
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()

    def get(self) -> float:
        if self.handle is None:
            return 0.0
        self.handle.seek(0)
        try:
            return float(self.handle.read().strip() or 0)
        except ValueError:
            return 0.0

    def set(self, moment: float) -> None:
        if self.handle is not None:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.write(repr(moment))
            self.handle.flush()


@dataclass
class Answer:
    """What a request came back with: its status and decoded JSON (``None`` for a 404 or a 414)."""

    status: int
    body: Any


class Service:
    """Requests to one service, one at a time, through its gate.

    ``interval``: the least time between two requests' departures (1 s for MusicBrainz).
    ``retries``: how often a dropped connection, 5xx or broken body is tried again.
    ``busy_stops``: after this many 503/429 answers in a row, stop with ``OpenDataFailed``.
    ``requests`` counts every request sent (retries included).
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        interval: float = 0.0,
        retries: int = 3,
        busy_stops: int = 5,
        timeout: float = 30.0,
        env: str = "",
        gate_file: str | os.PathLike | None = None,
    ):
        self.name, self.base_url, self.interval, self.env = name, base_url.rstrip("/"), interval, env
        self.gate = Gate(interval, gate_file)
        self.retries, self.busy_stops = retries, busy_stops
        self.headers = {"User-Agent": user_agent(), "Accept": "application/json"}
        self.pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout),
            retries=False,
            ca_certs=certifi.where(),
        )
        self.requests = 0
        self.busy_answers = 0  # 503 and 429 answers seen, all told

    def get(self, path: str, params: list[tuple[str, str]], check: Callable[[Any], str | None] | None = None) -> Answer:
        """``GET base/path?params``; ``check(body)`` names a problem with a decoded body (then retried)."""
        return self._call("GET", f"{self.base_url}/{path}?{urlencode(params)}", None, check)

    def post(self, path: str, payload: dict, check: Callable[[Any], str | None] | None = None) -> Answer:
        """``POST base/path`` with a JSON body."""
        return self._call("POST", f"{self.base_url}/{path}", json.dumps(payload).encode(), check)

    def close(self) -> None:
        self.pool.clear()

    def _call(self, method: str, url: str, body: bytes | None, check: Callable[[Any], str | None] | None) -> Answer:
        """Send until a usable answer: busy answers back off, failures are retried, then stop with a clear error."""
        busy = failures = 0
        headers = {**self.headers, **({"Content-Type": "application/json"} if body is not None else {})}
        while True:
            self.gate.wait()
            self.requests += 1
            try:
                response = self.pool.request(method, url, body=body, headers=headers)
                problem = None
            except TRANSPORT_ERRORS as exc:
                response, problem = None, f"{type(exc).__name__}: {exc}"
            if response is not None:
                self._note_window(response)
                if response.status in (429, 503):
                    busy += 1
                    self.busy_answers += 1
                    if busy >= self.busy_stops:
                        raise OpenDataFailed(self.name, self._busy_message(response.status, busy))
                    self._hold(response, busy)
                    continue
                answer, problem = self._decode(response, check)
                if answer is not None:
                    return answer
            failures += 1
            if failures > self.retries:
                raise OpenDataFailed(self.name, self._failed_message(problem, failures))
            time.sleep(min(0.25 * 2**failures, 4.0))

    def _decode(self, response: Any, check: Callable[[Any], str | None] | None) -> tuple[Answer | None, str | None]:
        """The answer, or why it cannot be used (5xx, not JSON, cut short, not the shape asked for)."""
        if response.status in (404, 414):
            return Answer(response.status, None), None
        if response.status >= 500:
            return None, f"HTTP {response.status}"
        try:
            decoded = json.loads(response.data)
        except ValueError:
            return None, f"a broken body (HTTP {response.status}, {len(response.data)} bytes, not JSON)"
        if response.status >= 400:
            message = decoded.get("error") if isinstance(decoded, dict) else None
            raise OpenDataFailed(self.name, f"refused a request (HTTP {response.status}): {message or decoded}")
        problem = check(decoded) if check else None
        return (None, problem) if problem else (Answer(response.status, decoded), None)

    def _note_window(self, response: Any) -> None:
        """ListenBrainz's window: when none remain, the next request waits until it resets."""
        remaining, reset_in = (
            response.headers.get("X-RateLimit-Remaining"),
            response.headers.get("X-RateLimit-Reset-In"),
        )
        if remaining is not None and reset_in is not None and remaining.strip() == "0":
            self.gate.not_before(time.time() + _seconds(reset_in, 1.0))

    def _hold(self, response: Any, busy: int) -> None:
        """After a 503 or 429: wait what the answer asks (``Retry-After``, ``X-RateLimit-Reset-In``), at least
        a back-off that doubles with each busy answer in a row (2, 4, 8 ... intervals, at least 0.5 s)."""
        asked = max(
            _seconds(response.headers.get("Retry-After"), 0.0),
            _seconds(response.headers.get("X-RateLimit-Reset-In"), 0.0),
        )
        back_off = max(self.interval, 0.25) * 2**busy
        self.gate.not_before(time.time() + max(asked, back_off))

    def _busy_message(self, status: int, busy: int) -> str:
        what = "503 (busy, or over its rate limit)" if status == 503 else "429 (over its rate limit)"
        return (
            f"answered {what} to {busy} requests in a row, backing off each time; savedlib stopped asking. "
            "Everything found so far is kept in the open-data cache: run add_open_data again later and it "
            "goes on from there (the library found so far is in this error's .partial)."
        )

    def _failed_message(self, problem: str | None, attempts: int) -> str:
        where = f" (set {self.env} if it lives elsewhere)" if self.env else ""
        return (
            f"no usable answer from {self.base_url} after {attempts} attempts: {problem}. Check the network{where}; "
            "nothing wrong was cached, and what was found so far is kept (this error's .partial)."
        )


def _seconds(value: str | None, default: float) -> float:
    """A header's number of seconds, or ``default`` when absent or unreadable."""
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default
