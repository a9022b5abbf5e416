"""What the stand-in knows: the library (and how it changes), tokens, the rate window, counters.

Pure logic with no HTTP, so each part is easy to reason about; ``server.py``
puts it behind real HTTP. Every method is called under ``State.lock``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import random
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from savedlib.items.shape import to_dev_mode
from savedlib.markets import SPOTIFY_MARKETS, is_country_code
from savedlib.standin.artists import artist, catalogue

SCOPE = "user-library-read"
NOT_REGISTERED = (
    "The user is not registered for this application. Please contact the application owner, "
    "who can add you in the Developer Dashboard."
)


@dataclass
class Change:
    """The library changing during a read: after the ``after``-th page served,
    ``save`` new tracks appear at the top and ``remove`` tracks vanish from anywhere."""

    after: int
    save: int = 0
    remove: int = 0
    at: tuple[int, ...] = ()  # remove these positions (of the library as it is then) instead of random ones


@dataclass
class Token:
    expires_at: float
    scopes: frozenset[str]
    uses: int = 0


@dataclass
class Knobs:
    """Everything that makes the stand-in behave like a harder, realer Spotify."""

    latency: float = 0.0  # seconds added to every API answer
    rate_limit: tuple[int, float] | None = None  # (requests, window seconds), rolling
    retry_after: str | int | None = None  # override: seconds, "missing", "zero", "lowercase"
    error_rate: float = 0.0  # share of page and artist requests answered with a random 5xx
    faults: dict[int, str] = field(default_factory=dict)  # page request number -> "html", "truncated", "500", "drop"
    token_lifetime: float = 3600.0
    expire_every: int | None = None  # a token expires (server side) after this many uses
    changes: list[Change] = field(default_factory=list)
    dev_mode: bool = False
    country: str = "US"  # the account's country, for market=from_token
    rng_seed: int = 0  # for random faults and which tracks a Change removes
    # A request arriving this long after a 429 was answered, but before its Retry-After
    # passed, counts as early. Requests already on their way when the 429 left cannot
    # know of it; with 8 client threads decoding ~200 KB pages under one GIL, the 429
    # can wait tens of milliseconds to be read. A client that ignores Retry-After sends
    # throughout the window and is caught all the same.
    early_grace: float = 0.25
    # The accounts service: which app may sign in, where it may send people back, and how they answer.
    client_ids: tuple[str, ...] = ("savedlib-standin",)
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8765/callback",)
    registered: bool = True  # False: the person was not added to this Development Mode app (403)
    deny: bool = False  # the person clicks "Cancel" on Spotify's consent page
    granted_scope: str | None = None  # the scope granted, if not the one asked for
    # The account behind every token (GET /v1/me), and a Development Mode app's daily request quota.
    account_id: str = "demolistener"
    display_name: str = "Demo Listener"
    daily_quota: int | None = None  # after this many API requests, 429 QUOTA_EXCEEDED
    quota_retry_after: int = 50_400  # what Spotify then asks to wait: about 14 hours
    # The artists' genres are the demo's for this seed (``demo(n, seed).genres``); a Development Mode
    # app is refused the batch look-up ``GET /v1/artists?ids=`` with this status.
    seed: int = 0
    batch_refusal: int = 403
    artist_faults: dict[int, str] = field(default_factory=dict)  # artist request number -> as faults, "403", "short"
    # The account's playlists (GET /v1/me/playlists, /v1/playlists/{id}/items): None for the demo's, made from the
    # library served; playlist_changes (standin.playlists.PlaylistChange) change or delete one during a read.
    playlists: list[dict] | None = None
    playlist_changes: list = field(default_factory=list)
    # Development Mode artists since February 2026 carry no genres (nor followers, popularity); True serves
    # the older Development Mode shape, which still had genres.
    dev_genres: bool = False


def _with_query(url: str, **params: str) -> str:
    from urllib.parse import urlencode

    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


class State:
    def __init__(self, items: list[dict], knobs: Knobs):
        import threading

        self.lock = threading.Lock()
        self.items = list(items)
        self.knobs = knobs
        self.rng = random.Random(knobs.rng_seed)
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: set[str] = set()
        self.refresh_scopes: dict[str, frozenset[str]] = {}
        self.playlist_store = None  # standin.playlists.Playlists, made on first use
        self.codes: dict[str, tuple[str, str, str, str, float]] = {}
        self.window: deque[float] = deque()
        self.advertised: deque[tuple[float, float]] = deque(maxlen=64)  # (told at, until)
        self.page_requests = 0
        self.pages_served = 0
        self.statuses: Counter[int] = Counter()
        self.early = 0
        self.early_by: list[float] = []  # how long after the 429 each early request came
        self.api_requests = 0  # every request with a good token, for the daily quota
        self.endpoints: dict[str, Counter[int]] = {}  # endpoint -> status -> answers
        self.refusal_bursts: list[int] = []  # 429s answered close together (within early_grace), run by run
        self.inside_window = 0  # refused requests sent after the refusing began (not merely in flight)
        self._last_refusal = -math.inf
        self._full_since: float | None = None  # when the current run of refusals began
        self.in_flight = 0
        self.max_in_flight = 0
        self.saved_during_read = 0
        self.removed_during_read: list[dict] = []
        self._pending = sorted(knobs.changes, key=lambda c: c.after)
        self._cache: dict[int, dict[str | None, bytes]] = {}  # id(item) -> market -> JSON
        self._first_items = list(items)  # the artists' catalogue is the library's as it was at the start
        self._catalogue: dict[str, tuple[str, list[str]]] | None = None
        self.artist_answers: Counter[str] = Counter()  # artist id -> times answered (200 or 404)
        self.artist_requests = Counter()  # "single", "batch" -> requests answered
        self.artist_arrivals = 0  # artist requests that arrived, answered or not (for artist_faults)

    # --- tokens -------------------------------------------------------------

    def issue(self, scopes: frozenset[str] = frozenset({SCOPE}), lifetime: float | None = None) -> tuple[str, str]:
        """A new (access token, refresh token) pair."""
        access = "standin-" + secrets.token_urlsafe(24)
        refresh = "standin-refresh-" + secrets.token_urlsafe(24)
        life = self.knobs.token_lifetime if lifetime is None else lifetime
        self.tokens[access] = Token(time.time() + life, scopes)
        self.refresh_tokens.add(refresh)
        self.refresh_scopes[refresh] = scopes
        return access, refresh

    def refresh(self, refresh_token: str) -> str | None:
        if refresh_token not in self.refresh_tokens:
            return None
        access = "standin-" + secrets.token_urlsafe(24)
        scopes = self.refresh_scopes.get(refresh_token, frozenset({SCOPE}))  # a refresh keeps the sign-in's scopes
        self.tokens[access] = Token(time.time() + self.knobs.token_lifetime, scopes)
        return access

    # --- the accounts service (Authorization Code with PKCE) ---------------------------

    def authorize(self, query: dict[str, str]) -> tuple[str | None, str | None]:
        """(where to send the browser back to, or None; the error page's text, or None)."""
        knobs = self.knobs
        if query.get("client_id") not in knobs.client_ids:
            return None, "INVALID_CLIENT: Invalid client"
        redirect = query.get("redirect_uri", "")
        if redirect not in knobs.redirect_uris:
            return None, "INVALID_CLIENT: Invalid redirect URI"
        state = {"state": query["state"]} if "state" in query else {}
        if query.get("response_type") != "code":
            return _with_query(redirect, error="unsupported_response_type", **state), None
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return _with_query(redirect, error="invalid_request", **state), None
        if knobs.deny:
            return _with_query(redirect, error="access_denied", **state), None
        code = secrets.token_urlsafe(32)
        scope = knobs.granted_scope if knobs.granted_scope is not None else query.get("scope", "")
        self.codes[code] = (query["client_id"], redirect, query["code_challenge"], scope, time.time() + 600)
        return _with_query(redirect, code=code, **state), None

    def exchange(self, form: dict[str, str]) -> tuple[dict | None, str]:
        """Tokens for an authorization code, or None and the OAuth error description."""
        entry = self.codes.pop(form.get("code", ""), None)
        if entry is None:
            return None, "Invalid authorization code"
        client_id, redirect, challenge, scope, expires = entry
        if time.time() > expires:
            return None, "Authorization code expired"
        if form.get("client_id") != client_id:
            return None, "Invalid client"
        if form.get("redirect_uri") != redirect:
            return None, "Invalid redirect URI"
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if digest != challenge:
            return None, "code_verifier was incorrect"
        access, refresh = self.issue(frozenset(scope.split()))
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": int(self.knobs.token_lifetime),
            "refresh_token": refresh,
            "scope": scope,
        }, ""

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def expire_tokens(self) -> None:
        for token in self.tokens.values():
            token.expires_at = 0

    def check_token(self, header: str | None) -> tuple[int, str] | None:
        """None when the Authorization header is good, else (status, Spotify's message)."""
        if not header:
            return 401, "No token provided"
        scheme, _, value = header.partition(" ")
        if scheme != "Bearer" or not value:
            return 400, "Only valid bearer authentication supported"
        token = self.tokens.get(value)
        if token is None:
            return 401, "Invalid access token"
        if time.time() >= token.expires_at:
            return 401, "The access token expired"
        if not self.knobs.registered:
            return 403, NOT_REGISTERED
        if SCOPE not in token.scopes:
            return 403, "Insufficient client scope"
        token.uses += 1
        if self.knobs.expire_every and token.uses >= self.knobs.expire_every:
            token.expires_at = 0  # this answer is the token's last
        return None

    # --- rate limit and quota ------------------------------------------------

    def quota_spent(self) -> bool:
        """Count one API request against the daily quota; True once it is spent."""
        self.api_requests += 1
        return self.knobs.daily_quota is not None and self.api_requests > self.knobs.daily_quota

    def count(self, endpoint: str, status: int) -> None:
        """One answer of ``endpoint`` (the saved-tracks pages keep their own ``statuses``)."""
        if endpoint == "tracks":
            self.statuses[status] += 1
        self.endpoints.setdefault(endpoint, Counter())[status] += 1

    def note_refusal(self, now: float) -> None:
        """A 429 was answered: it extends the current burst, or starts a new one. A refusal more than
        ``early_grace`` after the run of refusals began came from a request sent after the client could
        know (with or without a Retry-After): it counts as ``inside_window``."""
        if now - self._last_refusal <= self.knobs.early_grace and self.refusal_bursts:
            self.refusal_bursts[-1] += 1
        else:
            self.refusal_bursts.append(1)
        self._last_refusal = now
        if self._full_since is None:
            self._full_since = now
        elif now - self._full_since > self.knobs.early_grace:
            self.inside_window += 1

    def note_arrival(self, now: float) -> None:
        """Count a request that arrived after a 429 was answered but before its Retry-After passed."""
        grace = self.knobs.early_grace
        late = [now - told for told, until in self.advertised if told + grace < now < until]
        if late:
            self.early += 1
            self.early_by.append(round(min(late), 4))

    def rate_limited(self, now: float) -> float | None:
        """Seconds until the rolling window has room, or None when this request may go on."""
        if not self.knobs.rate_limit:
            return None
        limit, window = self.knobs.rate_limit
        while self.window and self.window[0] <= now - window:
            self.window.popleft()
        if len(self.window) >= limit:
            return self.window[0] + window - now
        self.window.append(now)
        self._full_since = None  # admitted: a run of refusals is over
        return None

    def retry_after_header(self, wait: float) -> tuple[dict[str, str], float]:
        """The Retry-After header to send and the wait it advertises."""
        how = self.knobs.retry_after
        if how == "missing":
            return {}, 0.0
        if how == "zero":
            return {"Retry-After": "0"}, 0.0
        if isinstance(how, int):
            return {"Retry-After": str(how)}, float(how)
        seconds = max(1, math.ceil(wait))
        name = "retry-after" if how == "lowercase" else "Retry-After"
        return {name: str(seconds)}, float(seconds)

    def advertise(self, told_at: float, seconds: float) -> None:
        if seconds > 0:
            self.advertised.append((told_at, told_at + seconds))

    # --- the library ----------------------------------------------------------

    def check_market(self, market: str | None) -> tuple[str | None, str | None]:
        """(market to apply, error message)."""
        if market is None:
            return None, None
        if market == "from_token":
            return self.knobs.country, None
        if not is_country_code(market):
            return None, "Invalid market code"
        if market not in SPOTIFY_MARKETS:
            return None, "Unlaunched market"
        return market, None

    def page(self, offset: int, limit: int, market: str | None) -> tuple[list[bytes], int]:
        """Items [offset, offset+limit) as the API would send them (JSON, encoded once), and the total."""
        self.pages_served += 1
        chosen = [self._encoded(item, market) for item in self.items[offset : offset + limit]]
        total = len(self.items)
        self._apply_changes()
        return chosen, total

    def _encoded(self, item: dict, market: str | None) -> bytes:
        # Encoding is most of a page's cost, and the same items are served again and again.
        by_market = self._cache.setdefault(id(item), {})
        data = by_market.get(market)
        if data is None:
            data = by_market[market] = json.dumps(self._shape(item, market), ensure_ascii=False).encode()
        return data

    def _apply_changes(self) -> None:
        from savedlib.demodata import demo_items

        while self._pending and self.pages_served >= self._pending[0].after:
            change = self._pending.pop(0)
            chosen = sorted((p for p in change.at if p < len(self.items)), reverse=True)
            count = min(change.remove, len(self.items))
            picks = chosen or [self.rng.randrange(len(self.items) - k) for k in range(count)]
            self.removed_during_read += self.remove_at(picks)
            if change.save:
                fresh = demo_items(change.save, seed=10_000 + self.rng.randrange(1_000_000))
                self.save_at_top(fresh, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
                self.saved_during_read += change.save

    def remove_at(self, positions: list[int]) -> list[dict]:
        """Unsave the items at ``positions``, each counted in the library as it is after the ones before."""
        gone = [self.items.pop(position) for position in positions]
        for item in gone:
            self._cache.pop(id(item), None)  # its id() may be reused: never serve its JSON again
        return gone

    def save_at_top(self, items: list[dict], when: str) -> None:
        """Save ``items`` now (``added_at`` = ``when``): they go to the top, as Spotify lists them."""
        for item in items:
            item["added_at"] = when
        self.items[:0] = items

    def _shape(self, item: dict, market: str | None) -> dict:
        if market is not None and item.get("track"):
            item = with_market(item, market)  # playability comes from the full item
        return to_dev_mode(item) if self.knobs.dev_mode else item

    # --- artists -------------------------------------------------------------

    def artists(self, ids: list[str], kind: str) -> list[dict | None]:
        """Full artist objects as Spotify sends them, None for an id it does not know; each id counted."""
        if self._catalogue is None:
            self._catalogue = catalogue(self._first_items, self.knobs.seed)
        self.artist_requests[kind] += 1
        self.artist_answers.update(ids)
        shape = "full" if not self.knobs.dev_mode else "dev_old" if self.knobs.dev_genres else "dev"
        return [artist(i, *self._catalogue[i], shape=shape) if i in self._catalogue else None for i in ids]

    def stats(self) -> dict:
        repeated = sorted(i for i, n in self.artist_answers.items() if n > 1)
        return {
            "artist_requests": dict(self.artist_requests),
            "artists_answered": len(self.artist_answers),
            "artists_answered_twice": repeated[:20],
            "page_requests": self.page_requests,
            "pages_served": self.pages_served,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "early_requests": self.early,
            "early_by_s": self.early_by[:20],
            "max_in_flight": self.max_in_flight,
            "library_size": len(self.items),
            "saved_during_read": self.saved_during_read,
            "removed_during_read": len(self.removed_during_read),
            "api_requests": self.api_requests,
            "endpoints": {name: {str(k): v for k, v in sorted(c.items())} for name, c in self.endpoints.items()},
            "refusal_bursts": self.refusal_bursts[:50],
            "inside_window": self.inside_window,
        }


def with_market(item: dict, market: str) -> dict:
    """The item as Spotify sends it for a request with ``market``.

    ``available_markets`` is dropped, ``is_playable`` added, ``restrictions``
    explains unplayable tracks, and some unplayable tracks are relinked to a
    playable copy (``linked_from`` names the saved one).
    """
    track = copy.copy(item["track"])
    album = copy.copy(track.get("album") or {})
    markets = track.pop("available_markets", None)
    album.pop("available_markets", None)
    track["album"] = album
    if track.get("is_local"):
        track["is_playable"] = False
        return {**item, "track": track}
    playable = markets is None or market in markets
    tid = track.get("id") or ""
    if not playable and tid and sum(map(ord, tid)) % 7 == 0:
        # Relinked: Spotify answers with another instance of the track that plays here.
        new_id = tid[::-1]
        track["linked_from"] = {
            "external_urls": {"spotify": f"https://open.spotify.com/track/{tid}"},
            "href": f"https://api.spotify.com/v1/tracks/{tid}",
            "id": tid,
            "type": "track",
            "uri": f"spotify:track:{tid}",
        }
        track.update(id=new_id, uri=f"spotify:track:{new_id}", href=f"https://api.spotify.com/v1/tracks/{new_id}")
        playable = True
    track["is_playable"] = playable
    if not playable:
        track["restrictions"] = {"reason": "market"}
    return {**item, "track": track}
