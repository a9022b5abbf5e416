"""Sending one page request politely: a shared rate-limit gate, retries, token refresh.

One ``Sender`` serves every worker of a load. A 429 closes the ``Gate`` for its
``Retry-After``, so *no* worker sends inside that window (urllib3's per-request
sleep, which spotipy relies on, pauses only the request that got the 429).
Server errors and broken connections are retried with exponential backoff and
full jitter, a bounded number of times per page.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from savedlib.errors import AccessDenied, LoadError, PageFailed, RateLimited, RequestRejected, SignInAgain
from savedlib.fetch.auth import TokenSource

log = logging.getLogger("savedlib.fetch")

PAGE_KEYS = frozenset({"href", "items", "limit", "next", "offset", "previous", "total"})


class Cancelled(Exception):
    """Another worker failed or the person interrupted: stop quietly."""


@dataclass
class Figures:
    """What a load cost: kept in ``Library.info``."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    waited_s: float = 0.0  # time the gate was closed by 429s
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **amounts: float) -> None:
        with self.lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)


@dataclass
class Page:
    """One answer of ``/me/tracks``: its items and total, and when it was asked for and answered."""

    offset: int
    items: list[dict]
    total: int
    sent: float
    received: float


class Gate:
    """Closed while Spotify's Retry-After runs; every worker waits at it before sending."""

    def __init__(self, cancel: threading.Event, figures: Figures):
        self._until = 0.0
        self._lock = threading.Lock()
        self._cancel = cancel
        self._figures = figures

    def close_for(self, seconds: float) -> None:
        with self._lock:
            now = time.monotonic()
            until = now + seconds
            if until > self._until:
                self._figures.add(waited_s=until - max(self._until, now))
                self._until = until

    def wait(self) -> None:
        while True:
            if self._cancel.is_set():
                raise Cancelled
            remaining = self._until - time.monotonic()
            if remaining <= 0:
                return
            self._cancel.wait(min(remaining, 0.25))


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (any case), or None when absent or unreadable."""
    value = headers.get("Retry-After")  # requests' headers ignore case
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Sender:
    """Gets pages of ``/me/tracks`` through the person's spotipy client's prefix and auth."""

    def __init__(
        self,
        sp: Any,
        *,
        concurrency: int,
        max_wait: float,
        retries: int = 5,
        backoff: float = 0.5,
        cancel: threading.Event | None = None,
    ):
        self.url = sp.prefix.rstrip("/") + "/me/tracks"
        self.timeout = getattr(sp, "requests_timeout", None) or 10
        # Resolve proxies from the environment once, as requests would on every call.
        self.proxies = getattr(sp, "proxies", None) or requests.utils.get_environ_proxies(self.url)
        self.tokens = TokenSource(sp)
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.cancel = cancel or threading.Event()
        self.figures = Figures()
        self.gate = Gate(self.cancel, self.figures)
        self.session = requests.Session()
        self.session.trust_env = False  # proxies resolved above; no per-request environment lookups
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(concurrency, 1), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

        self._expired_in_a_row = 0
        self._expired_limit = max(10, 3 * concurrency)
        self._expired_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Sender {self.url} {self.figures}>"

    def _note_expired(self) -> int:
        with self._expired_lock:
            self._expired_in_a_row += 1
            return self._expired_in_a_row

    def close(self) -> None:
        self.session.close()

    def page(self, offset: int, limit: int = 50, market: str | None = None) -> Page:
        params = {"offset": offset, "limit": limit, **({"market": market} if market else {})}
        failures = 0
        rate_limited = 0
        while True:
            self.gate.wait()
            token = self.tokens.current()
            sent = time.monotonic()
            try:
                response = self.session.get(
                    self.url,
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=self.timeout,
                    proxies=self.proxies,
                    stream=True,
                )
                # One read of the whole body: far fewer trips through the GIL than 10 KB chunks.
                response._content = response.raw.read(decode_content=True)
                response.close()
            except (requests.ConnectionError, requests.Timeout, urllib3.exceptions.HTTPError) as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                self.figures.add(requests=1)
                status = response.status_code
                if status == 200:
                    self._expired_in_a_row = 0
                    page, problem = _read_page(response)
                    if page is not None:
                        return Page(offset, page["items"], page["total"], sent, time.monotonic())
                elif status == 429:
                    rate_limited += 1
                    self.figures.add(rate_limited=1)
                    seconds = parse_retry_after(response.headers)
                    if seconds is not None and seconds > self.max_wait:
                        self.cancel.set()
                        raise RateLimited(seconds, self.max_wait)
                    if not seconds:  # missing or zero: a short, growing backoff (0.5 s to 16 s)
                        seconds = max(self.backoff, 0.1) * 2 ** min(rate_limited - 1, 5)
                    log.info("429 at offset %d: every worker waits %.1f s", offset, seconds)
                    self.gate.close_for(seconds)
                    continue
                elif status == 401:
                    message = _message(response)
                    # Refresh and retry, unless fresh tokens keep being refused (then refreshing does not help).
                    if "expired" in message.lower() and self._note_expired() <= self._expired_limit:
                        self.tokens.refresh(token)
                        continue
                    raise SignInAgain(f"Spotify rejected the access token ({message})")
                elif status == 403:
                    raise AccessDenied(_message(response))
                elif status in (400, 404):
                    raise RequestRejected(
                        f"Spotify rejected the request for {self.url} ({status}: {_message(response)})"
                    )
                elif status >= 500:
                    problem = f"HTTP {status} ({_message(response)})"
                else:
                    raise LoadError(f"unexpected answer from {self.url}: HTTP {status} ({_message(response)})")
            failures += 1
            if failures > self.retries:
                raise PageFailed(offset, failures, problem)
            self.figures.add(retries=1)
            pause = random.uniform(0, self.backoff * 2**failures)  # full jitter
            log.info("offset %d: %s; retry %d in %.2f s", offset, problem, failures, pause)
            if self.cancel.wait(pause):
                raise Cancelled


def _read_page(response: requests.Response) -> tuple[dict | None, str]:
    """The decoded page, or None and what was wrong with the body (HTML, truncated, not a page)."""
    try:
        page = json.loads(response.content)
    except ValueError:
        kind = response.headers.get("Content-Type", "?").split(";")[0]
        text = response.text[:60].replace("\n", " ")
        what = "an HTML page" if "html" in kind or text.lstrip().startswith("<") else "a truncated or broken body"
        return None, f"Spotify answered 200 with {what} instead of JSON ({len(response.content)} bytes: {text!r}...)"
    if not isinstance(page, dict) or not page.keys() >= PAGE_KEYS or not isinstance(page["items"], list):
        keys = sorted(page) if isinstance(page, dict) else type(page).__name__
        return None, f"the answer is JSON but not a page of saved tracks (keys: {keys})"
    return page, ""


def _message(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:80].strip() or response.reason or "no message"
