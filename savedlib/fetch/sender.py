"""Sending one page request politely: a shared rate-limit gate, retries, token refresh.

One ``Sender`` serves every worker of a load. A 429 closes the ``Gate`` for its
``Retry-After`` (or, when Spotify gives none, for a backoff shared by every
worker that grows with each such 429 in a row), so *no* worker sends inside
that window; then one request probes before the others resume. Server errors
and broken connections are retried with exponential backoff and full jitter,
a bounded number of times per page. A 429 saying the app's daily quota is
spent stops at once.

Requests go through urllib3, and a page is split into its items' JSON bytes by
msgspec, decoding only each item's identity: on two cores the client's own CPU
per page, not the network, used to set the pace of a large read.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import certifi
import msgspec
import requests
import urllib3

from savedlib.errors import (
    AccessDenied,
    LoadError,
    PageFailed,
    RateLimited,
    RequestFailed,
    RequestRejected,
    SignInAgain,
)
from savedlib.fetch.auth import TokenSource
from savedlib.items.pages import PAGE_SIZE, Page
from savedlib.items.raw import raw_page

log = logging.getLogger("savedlib.fetch")

PAGE_KEYS = frozenset({"href", "items", "limit", "next", "offset", "previous", "total"})
TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)
#: What a handler returns to send the same request again at once, without counting a failure.
AGAIN = object()
#: The ``error.reason`` of Spotify's 429 when a Development Mode app's daily request quota is spent.
QUOTA_EXCEEDED = "QUOTA_EXCEEDED"


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

    def error(self) -> dict:
        """Spotify's error object (``{"status", "message", "reason"?}``), or {} when the body has none."""
        try:
            error = msgspec.json.decode(self.body)["error"]
        except (msgspec.DecodeError, KeyError, TypeError):
            return {}
        return error if isinstance(error, dict) else {"message": str(error)}

    def message(self) -> str:
        """Spotify's error message, or the start of the body."""
        message = self.error().get("message")
        if message is not None:
            return str(message)
        return self.body[:80].decode("utf-8", "replace").strip() or "no message"


class Gate:
    """Closed while a 429's wait runs; every worker waits at it before sending.

    When it opens again, one request goes first (the probe) and the others wait
    for its answer: if Spotify refuses that one too, only one request was
    spent. Without a usable Retry-After the wait is a backoff shared by every
    worker, 0.5 s doubling to 16 s over consecutive 429s, reset by a success.
    """

    def __init__(self, cancel: threading.Event, figures: Figures, backoff: float = 0.5):
        self._cond = threading.Condition()
        self._until = 0.0
        self._paused_at = 0.0
        self._streak = 0  # header-less 429s in a row
        self._probing = False
        self._prober: int | None = None
        self._cancel = cancel
        self._figures = figures
        self._backoff = max(backoff, 0.1)

    def pause(self, seconds: float | None, sent: float) -> float:
        """A request sent at ``sent`` got a 429: close for ``seconds`` (its Retry-After), or for the shared
        backoff when there is none. A request already on its way when the current pause began only
        confirms it. Returns how long the gate stays closed from now."""
        with self._cond:
            now = time.monotonic()
            in_flight = sent < self._paused_at
            if not seconds:
                if in_flight:
                    return max(self._until - now, 0.0)
                self._streak += 1
                seconds = self._backoff * 2 ** min(self._streak - 1, 5)
            until = now + seconds
            if until > self._until:
                self._figures.add(waited_s=until - max(self._until, now))
                self._until = until
            if not in_flight:
                self._paused_at, self._probing, self._prober = now, True, None
            self._cond.notify_all()
            return self._until - now

    def wait(self) -> None:
        """Return when this worker may send: the gate is open, or this worker is the probe."""
        me = threading.get_ident()
        with self._cond:
            while True:
                if self._cancel.is_set():
                    raise Cancelled
                remaining = self._until - time.monotonic()
                if remaining > 0:
                    self._cond.wait(min(remaining, 0.25))
                elif not self._probing or self._prober in (None, me):
                    self._prober = me if self._probing else None
                    return
                else:
                    self._cond.wait(0.25)

    def answered(self, sent: float, ok: bool) -> None:
        """A request sent at ``sent`` got an answer other than a 429 (``ok``: a page)."""
        with self._cond:
            if ok and sent >= self._paused_at:
                self._streak = 0
            if self._prober == threading.get_ident():
                self._probing, self._prober = False, None
                self._cond.notify_all()


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (any case), or None when absent or unreadable."""
    value = headers.get("Retry-After")  # requests' headers ignore case
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def decode_json(answer: Answer) -> dict | str:
    """Any JSON object, or what was wrong with the body."""
    try:
        body = msgspec.json.decode(answer.body)
    except msgspec.DecodeError:
        return f"Spotify answered 200 with a broken body ({len(answer.body)} bytes)"
    return body if isinstance(body, dict) else f"the answer is JSON but not an object ({type(body).__name__})"


def decode_page(answer: Answer) -> dict | str:
    """The page (``items`` as ``RawItem``: identity decoded, the rest kept as bytes), or what was wrong
    with the body (HTML, truncated, not a page). An unusual page is decoded in full instead."""
    fast = raw_page(answer.body)
    if fast is not None:
        return {"items": fast[0], "total": fast[1]}
    try:
        page = msgspec.json.decode(answer.body)
    except msgspec.DecodeError:
        kind = answer.headers.get("Content-Type", "?").split(";")[0]
        text = answer.body[:60].decode("utf-8", "replace").replace("\n", " ")
        what = "an HTML page" if "html" in kind or text.lstrip().startswith("<") else "a truncated or broken body"
        return f"Spotify answered 200 with {what} instead of JSON ({len(answer.body)} bytes: {text!r}...)"
    if not isinstance(page, dict) or not page.keys() >= PAGE_KEYS or not isinstance(page["items"], list):
        keys = sorted(page) if isinstance(page, dict) else type(page).__name__
        return f"the answer is JSON but not a page of saved tracks (keys: {keys})"
    return page


def pool_for(url: str, sp: Any, concurrency: int) -> urllib3.PoolManager:
    """A connection pool for ``url`` that honours the client's (or the environment's) proxy, verifying TLS."""
    proxies = getattr(sp, "proxies", None) or requests.utils.get_environ_proxies(url)
    proxy = (proxies or {}).get(url.split(":", 1)[0])
    options = {"maxsize": max(concurrency, 1), "retries": False, "ca_certs": certifi.where()}
    return urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)


class Sender:
    """Sends the requests of a read through the person's spotipy client's prefix and auth.

    ``page`` reads one page of ``/me/tracks``; ``get`` any other JSON endpoint
    under the same rules (the gate, retries, token refresh, the daily quota).
    """

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
        self.prefix = sp.prefix.rstrip("/") + "/"
        timeout = getattr(sp, "requests_timeout", None) or 10
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self.http = pool_for(self.prefix, sp, concurrency)
        self.tokens = TokenSource(sp)
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.cancel = cancel or threading.Event()
        self.figures = Figures()
        self.gate = Gate(self.cancel, self.figures, backoff)
        self._expired_in_a_row = 0
        self._expired_limit = max(10, 3 * concurrency)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Sender {self.prefix} {self.figures}>"

    def close(self) -> None:
        self.http.clear()

    def page(self, offset: int, limit: int = PAGE_SIZE, market: str | None = None) -> Page:
        """One page of saved tracks (``GET /me/tracks``), by the rules of docs/your-library.md's "Loading a whole
        library" section."""
        params = {"offset": offset, "limit": limit, **({"market": market} if market else {})}
        body, sent = self._request("me/tracks", params, decode_page, lambda n, why: PageFailed(offset, n, why))
        return Page(offset, body["items"], body["total"], sent, time.monotonic())

    def get(self, path: str, params: dict, decode: Any = None, failed: Any = None) -> dict:
        """``GET prefix+path``: the decoded body, asking again as the rules say.

        Waits at the gate; a 200 that ``decode`` reads returns; a 429 closes the
        gate for every worker and asks again (a daily quota, or a wait over
        ``max_wait``, raises ``RateLimited``); a 401 "expired" refreshes the
        token once for all workers and asks again; 5xx answers, broken bodies
        and dropped connections are retried ``retries`` times with backoff,
        then raise ``failed(attempts, problem)``; other refusals raise at once.
        """
        return self._request(path, params, decode, failed)[0]

    def _request(self, path: str, params: dict, decode: Any, failed: Any) -> tuple[dict, float]:
        """``get``, and when the request that succeeded was sent (``time.monotonic()``)."""
        url = self.prefix + path + ("?" + urlencode(params) if params else "")
        decode = decode or decode_json
        failures = 0
        while True:
            self.gate.wait()
            token = self.tokens.current()
            sent = time.monotonic()
            outcome = self._attempt(url, token, decode, sent)
            if isinstance(outcome, dict):
                return outcome, sent
            if outcome is AGAIN:
                continue
            failures += 1
            if failures > self.retries:
                raise failed(failures, outcome) if failed else RequestFailed(path, failures, outcome)
            self._pause(failures, f"{path}: {outcome}")

    # --- one request -------------------------------------------------------------------

    def _get(self, url: str, token: str) -> Answer:
        """The HTTP call, with the whole body read at once."""
        response = self.http.request(
            "GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=self.timeout, preload_content=True
        )
        return Answer(response.status, response.headers, response.data)

    def _attempt(self, url: str, token: str, decode: Any, sent: float) -> dict | str | object:
        """Send once: the body (a dict), ``AGAIN``, or what went wrong (a str, to retry); or raise."""
        try:
            answer = self._get(url, token)
        except TRANSPORT_ERRORS as exc:
            self.gate.answered(sent, ok=False)
            return f"connection failed ({type(exc).__name__})"
        self.figures.add(requests=1)
        if answer.status == 429:
            return self._on_rate_limited(answer, url, sent)
        outcome: Any = None
        try:
            if answer.status == 200:
                outcome = self._on_ok(answer, decode)
            elif answer.status == 401:
                outcome = self._on_unauthorized(answer, token)
            elif answer.status >= 500:
                outcome = f"HTTP {answer.status} ({answer.message()})"
            else:
                raise self._refusal(answer, url)
            return outcome
        finally:
            self.gate.answered(sent, ok=isinstance(outcome, dict))

    # --- one handler per kind of answer ------------------------------------------------

    def _on_ok(self, answer: Answer, decode: Any) -> dict | str:
        self._expired_in_a_row = 0
        return decode(answer)

    def _on_rate_limited(self, answer: Answer, url: str, sent: float) -> object:
        """429: close the gate for everyone, then ask again; a spent daily quota or too long a wait stops."""
        self.figures.add(rate_limited=1)
        seconds = parse_retry_after(answer.headers)
        quota = answer.error().get("reason") == QUOTA_EXCEEDED
        if quota or (seconds is not None and seconds > self.max_wait):
            self.cancel.set()
            raise RateLimited(seconds or 0.0, self.max_wait, daily_quota=quota)
        waited = self.gate.pause(seconds, sent)
        log.info("429 for %s: every worker waits %.1f s", url.removeprefix(self.prefix), waited)
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

    def _refusal(self, answer: Answer, url: str) -> LoadError:
        """The error for a 4xx that asking again cannot fix."""
        where = url.split("?")[0]
        if answer.status == 403:
            return AccessDenied(answer.message())
        return RequestRejected(
            f"Spotify rejected the request for {where} ({answer.status}: {answer.message()})", status=answer.status
        )

    def _pause(self, failures: int, problem: str) -> None:
        """Wait before retry number ``failures``: exponential backoff with full jitter."""
        self.figures.add(retries=1)
        pause = random.uniform(0, self.backoff * 2**failures)
        log.info("%s; retry %d in %.2f s", problem, failures, pause)
        if self.cancel.wait(pause):
            raise Cancelled
