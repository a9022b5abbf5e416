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
from savedlib.items import PAGE_SIZE, Page

log = logging.getLogger("savedlib.fetch")

PAGE_KEYS = frozenset({"href", "items", "limit", "next", "offset", "previous", "total"})
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, urllib3.exceptions.HTTPError)
#: What a handler returns to send the same request again at once, without counting a failure.
AGAIN = object()


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
class Answer:
    """An HTTP answer, read whole: status, headers and body bytes."""

    status: int
    headers: Any
    body: bytes

    def message(self) -> str:
        """Spotify's error message, or the start of the body."""
        try:
            return str(json.loads(self.body)["error"]["message"])
        except (ValueError, KeyError, TypeError):
            return self.body[:80].decode("utf-8", "replace").strip() or "no message"


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


def decode_page(answer: Answer) -> dict | str:
    """The decoded page, or what was wrong with the body (HTML, truncated, not a page)."""
    try:
        page = json.loads(answer.body)
    except ValueError:
        kind = answer.headers.get("Content-Type", "?").split(";")[0]
        text = answer.body[:60].decode("utf-8", "replace").replace("\n", " ")
        what = "an HTML page" if "html" in kind or text.lstrip().startswith("<") else "a truncated or broken body"
        return f"Spotify answered 200 with {what} instead of JSON ({len(answer.body)} bytes: {text!r}...)"
    if not isinstance(page, dict) or not page.keys() >= PAGE_KEYS or not isinstance(page["items"], list):
        keys = sorted(page) if isinstance(page, dict) else type(page).__name__
        return f"the answer is JSON but not a page of saved tracks (keys: {keys})"
    return page


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
        self._lock = threading.Lock()
        self._local = threading.local()  # 429s in a row, per worker

    def __repr__(self) -> str:
        return f"<Sender {self.url} {self.figures}>"

    def close(self) -> None:
        self.session.close()

    def page(self, offset: int, limit: int = PAGE_SIZE, market: str | None = None) -> Page:
        """One page of saved tracks, by the rules of the README's "Loading" section.

        Waits at the gate; a 200 with a readable page returns it; a 429 closes
        the gate for every worker and asks again; a 401 "expired" refreshes the
        token once for all workers and asks again; 5xx answers, broken bodies
        and dropped connections are retried ``retries`` times with backoff, then
        raise ``PageFailed``; other refusals raise at once.
        """
        params = {"offset": offset, "limit": limit, **({"market": market} if market else {})}
        self._local.rate_limited = 0
        failures = 0
        while True:
            self.gate.wait()
            token = self.tokens.current()
            sent = time.monotonic()
            outcome = self._attempt(params, token)
            if isinstance(outcome, dict):
                return Page(offset, outcome["items"], outcome["total"], sent, time.monotonic())
            if outcome is AGAIN:
                continue
            failures += 1
            if failures > self.retries:
                raise PageFailed(offset, failures, outcome)
            self._pause(failures, f"offset {offset}: {outcome}")

    # --- one request -------------------------------------------------------------------

    def _get(self, params: dict, token: str) -> Answer:
        """The HTTP call, with the whole body read at once."""
        response = self.session.get(
            self.url,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
            proxies=self.proxies,
            stream=True,
        )
        try:
            # One read of the whole body: far fewer trips through the GIL than 10 KB chunks.
            return Answer(response.status_code, response.headers, response.raw.read(decode_content=True))
        finally:
            response.close()

    def _attempt(self, params: dict, token: str) -> dict | str | object:
        """Send once: the page (a dict), ``AGAIN``, or what went wrong (a str, to retry); or raise."""
        try:
            answer = self._get(params, token)
        except TRANSPORT_ERRORS as exc:
            return f"connection failed ({type(exc).__name__})"
        self.figures.add(requests=1)
        if answer.status == 200:
            return self._on_ok(answer)
        if answer.status == 429:
            return self._on_rate_limited(answer, params.get("offset"))
        if answer.status == 401:
            return self._on_unauthorized(answer, token)
        if answer.status >= 500:
            return f"HTTP {answer.status} ({answer.message()})"
        raise self._refusal(answer)

    # --- one handler per kind of answer ------------------------------------------------

    def _on_ok(self, answer: Answer) -> dict | str:
        self._expired_in_a_row = 0
        return decode_page(answer)

    def _on_rate_limited(self, answer: Answer, offset: Any) -> object:
        """429: close the gate for everyone for Retry-After (or a short growing backoff); too long stops."""
        self._local.rate_limited += 1
        self.figures.add(rate_limited=1)
        seconds = parse_retry_after(answer.headers)
        if seconds is not None and seconds > self.max_wait:
            self.cancel.set()
            raise RateLimited(seconds, self.max_wait)
        if not seconds:  # missing or zero: a short, growing backoff (0.5 s to 16 s)
            seconds = max(self.backoff, 0.1) * 2 ** min(self._local.rate_limited - 1, 5)
        log.info("429 at offset %s: every worker waits %.1f s", offset, seconds)
        self.gate.close_for(seconds)
        return AGAIN

    def _on_unauthorized(self, answer: Answer, token: str) -> object:
        """401: refresh an expired token and ask again, unless fresh tokens keep being refused."""
        message = answer.message()
        if "expired" in message.lower():
            with self._lock:
                self._expired_in_a_row += 1
                again = self._expired_in_a_row <= self._expired_limit
            if again:
                self.tokens.refresh(token)
                return AGAIN
        raise SignInAgain(f"Spotify rejected the access token ({message})")

    def _refusal(self, answer: Answer) -> LoadError:
        """The error for a 4xx that asking again cannot fix."""
        if answer.status == 403:
            return AccessDenied(answer.message())
        if answer.status in (400, 404):
            return RequestRejected(f"Spotify rejected the request for {self.url} ({answer.status}: {answer.message()})")
        return LoadError(f"unexpected answer from {self.url}: HTTP {answer.status} ({answer.message()})")

    def _pause(self, failures: int, problem: str) -> None:
        """Wait before retry number ``failures``: exponential backoff with full jitter."""
        self.figures.add(retries=1)
        pause = random.uniform(0, self.backoff * 2**failures)
        log.info("%s; retry %d in %.2f s", problem, failures, pause)
        if self.cancel.wait(pause):
            raise Cancelled
