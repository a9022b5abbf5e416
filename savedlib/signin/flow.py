"""Signing in to Spotify from a notebook: Authorization Code with PKCE, no client secret.

spotipy's usual flow starts a local redirect server and then calls ``input()``:
in a notebook, and above all on Binder (where the browser's ``127.0.0.1`` is
not the kernel's), that hangs or fails. ``SignIn`` shows a link and a box to
paste the address Spotify sends the browser back to, checks its ``state``,
and, when the redirect can reach the kernel (a laptop, a ``127.0.0.1``
redirect URI), also catches it by itself.
"""

from __future__ import annotations

import html
import os
import secrets
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import spotipy
from spotipy.oauth2 import SpotifyOauthError, SpotifyPKCE

from savedlib.errors import SetupNeeded, SignInError
from savedlib.fetch.auth import ACCOUNT_ATTRIBUTE
from savedlib.playlists.web import PLAYLIST_SCOPES
from savedlib.signin.cache import TokenCache, token_path

#: What savedlib needs to read the saved library (``load``); a sign-in with only this keeps working for it.
NEEDED = "user-library-read"
#: What ``connect`` asks for: the saved library, and the playlists for ``add_playlists``.
SCOPE = " ".join([NEEDED, *PLAYLIST_SCOPES])
ACCOUNTS_URL = "https://accounts.spotify.com"
API_URL = "https://api.spotify.com/v1/"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8888/callback"

GUIDE = """savedlib needs a Spotify app of your own to read your library (free, two minutes):
  1. Open https://developer.spotify.com/dashboard, log in, and click "Create app".
  2. Give it any name; under "Redirect URIs" add exactly
         {redirect_uri}
     and tick "Web API". Save.
  3. Copy the app's Client ID and set it before starting Jupyter:
         export SPOTIPY_CLIENT_ID=<your client id>
     (or pass it: savedlib.connect(client_id="..."))
  4. New apps are in Development Mode: under "User Management", add the Spotify account you will sign in with.
Then run savedlib.connect() again. Note: Spotify sends Development Mode apps no popularity and no market
availability (since February 2026); the charts that need them will say so."""

DEV_MODE_NOTE = (
    "If your app is in Development Mode, Spotify sends it no popularity scores and no market availability "
    "(since February 2026): those charts will say so."
)


def in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class SignIn:
    """One sign-in attempt for one app: its link, its checks, its client.

    ``client`` is a ``spotipy.Spotify`` usable as soon as ``signed_in`` is true;
    tokens live in a ``TokenCache`` and are refreshed automatically.
    """

    def __init__(
        self,
        client_id: str | None = None,
        redirect_uri: str | None = None,
        *,
        scope: str = SCOPE,
        accounts_url: str = ACCOUNTS_URL,
        api_url: str = API_URL,
        cache: TokenCache | None = None,
    ):
        self.redirect_uri = redirect_uri or os.environ.get("SPOTIPY_REDIRECT_URI") or DEFAULT_REDIRECT_URI
        self.client_id = client_id or os.environ.get("SPOTIPY_CLIENT_ID")
        if not self.client_id:
            raise SetupNeeded(GUIDE.format(redirect_uri=self.redirect_uri))
        self.scope = scope
        self.cache = cache or TokenCache(token_path(self.client_id))
        self.manager = SpotifyPKCE(
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            scope=scope,
            cache_handler=self.cache,
            open_browser=False,
        )
        self.manager.OAUTH_AUTHORIZE_URL = accounts_url.rstrip("/") + "/authorize"
        self.manager.OAUTH_TOKEN_URL = accounts_url.rstrip("/") + "/api/token"
        self.client = spotipy.Spotify(auth_manager=self.manager)
        self.client.prefix = api_url if api_url.endswith("/") else api_url + "/"
        self.state = secrets.token_urlsafe(16)
        self.status = "Not signed in yet."
        self.user: str | None = None
        self._catcher: HTTPServer | None = None
        self._widgets: dict | None = None

    def __repr__(self) -> str:
        return f"<SignIn app {self.client_id[:6]}…: {self.status}>"

    # --- state ---------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        info = self.cache.get_cached_token()
        return bool(info) and NEEDED in (info.get("scope") or "").split()  # older sign-ins lack playlist scopes

    def resume(self) -> bool:
        """Use a cached sign-in if there is a valid one (refreshing it); False means sign in again."""
        if not self.signed_in:
            return False
        try:
            self.manager.validate_token(self.cache.get_cached_token())  # refreshes when it is about to expire
        except SpotifyOauthError as exc:
            if exc.error not in ("invalid_grant", "invalid_client"):  # an outage: keep the sign-in for later
                raise SignInError(
                    f"Spotify's accounts service did not answer as expected ({exc.error}): "
                    "try again in a few minutes; your sign-in is kept."
                ) from None
            self.cache.clear()
            self.status = f"Your sign-in has expired or was revoked ({exc.error}): sign in again."
            return False
        except OSError as exc:  # no network
            raise SignInError(
                f"Spotify's accounts service could not be reached ({type(exc).__name__}): "
                "try again later; your sign-in is kept."
            ) from None
        self.status = "Signed in (from the saved sign-in)."
        self._know_account(self.cache.account_id())
        return True

    def authorize_url(self) -> str:
        """The address of Spotify's consent page for this attempt (PKCE challenge and ``state`` included)."""
        return self.manager.get_authorize_url(state=self.state)

    # --- finishing -------------------------------------------------------------------

    def finish(self, address: str) -> spotipy.Spotify:
        """Complete the sign-in from the address the browser was sent back to."""
        query = parse_qs(urlsplit(address.strip()).query)
        if "error" in query:
            reason = query["error"][0]
            if reason == "access_denied":
                raise SignInError("You did not agree on Spotify's page, so savedlib cannot read your library.")
            raise SignInError(f"Spotify refused the sign-in ({reason}).")
        if query.get("state", [None])[0] != self.state:
            raise SignInError(
                "That address belongs to a different sign-in attempt (its state does not match): "
                "use the newest link, then paste the address it sends you back to."
            )
        code = query.get("code", [None])[0]
        if not code:
            raise SignInError(
                "That address has no sign-in code: paste the whole address from the browser's "
                "address bar, after agreeing on Spotify's page."
            )
        try:
            self.manager.get_access_token(code=code, check_cache=False)
        except SpotifyOauthError as exc:
            raise SignInError(self._explain(exc)) from None
        info = self.cache.get_cached_token() or {}
        if NEEDED not in (info.get("scope") or "").split():
            self.cache.clear()
            raise SignInError(
                f"Spotify granted this sign-in without the scope {NEEDED}, which savedlib needs "
                "to read your library: sign in again and agree to it."
            )
        self._check_account()
        return self.client

    def _explain(self, exc: SpotifyOauthError) -> str:
        description = (exc.error_description or "").lower()
        if "redirect" in description:
            return (
                f"The redirect URI does not match ({exc.error_description}): in your app's settings on the "
                f"Developer Dashboard, register exactly {self.redirect_uri}, and use the same one here."
            )
        if exc.error == "invalid_client":
            return "Spotify does not know this Client ID: copy it again from your app in the Developer Dashboard."
        if "code" in description:
            return f"The sign-in code was not accepted ({exc.error_description}): use the link again."
        return f"Spotify refused the sign-in ({exc.error}: {exc.error_description})."

    def _check_account(self) -> None:
        """One request to see that this account may use the app (a Development Mode app lists its users)."""
        try:
            me = self.client.me()
        except spotipy.SpotifyException as exc:
            if exc.http_status == 403:
                self.cache.clear()
                raise SignInError(
                    "Spotify says this account may not use the app (403: the person is not registered). If your "
                    "app is in Development Mode, add this account under User Management in the Developer "
                    "Dashboard, then sign in again."
                ) from None
            raise SignInError(f"Signed in, but Spotify answered {exc.http_status}: {exc.msg}") from None
        self.user = me.get("display_name") or me.get("id")
        self.status = f"Signed in as {self.user}."
        if me.get("id"):
            self.cache.remember_account(str(me["id"]))
            self._know_account(str(me["id"]))

    def _know_account(self, account_id: str | None) -> None:
        """Tell ``savedlib.load`` whose library this client reads, so a snapshot load need not ask."""
        if account_id:
            setattr(self.client, ACCOUNT_ATTRIBUTE, account_id)

    # --- catching the redirect on this machine ------------------------------------------

    def catch_redirect(self) -> bool:
        """Listen on the redirect URI if it points at this machine's loopback; False if it cannot."""
        parts = urlsplit(self.redirect_uri)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost") or not parts.port:
            return False
        flow = self

        class Catch(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if urlsplit(self.path).path != parts.path:
                    self.send_error(404)
                    return
                try:
                    flow.finish(f"http://{parts.netloc}{self.path}")
                    body, status = f"<h1>{html.escape(flow.status)}</h1><p>You can close this tab.</p>", 200
                except SignInError as exc:  # e.g. a stale tab of an earlier attempt: keep listening
                    body = f"<h1>Not signed in</h1><p>{html.escape(str(exc))}</p>"
                    self._answer(400, body)
                    return
                self._answer(status, body)
                flow._refresh_widget()
                threading.Thread(target=flow.stop_catching, daemon=True).start()

            def _answer(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        try:
            self._catcher = HTTPServer((parts.hostname, parts.port), Catch)
        except OSError:
            return False  # the port is taken: pasting the address still works
        threading.Thread(target=self._catcher.serve_forever, daemon=True, name="savedlib-signin").start()
        return True

    def stop_catching(self) -> None:
        catcher, self._catcher = self._catcher, None  # whoever takes it stops it: once
        if catcher is not None:
            catcher.shutdown()
            catcher.server_close()

    # --- the two faces: a widget in Jupyter, a prompt in a terminal ---------------------

    def widget(self):
        """The sign-in box: a link to Spotify, a box to paste the address, and what happened."""
        import ipywidgets as widgets

        href = html.escape(self.authorize_url())
        link = widgets.HTML(
            f'<b><a href="{href}" target="_blank" rel="noopener">Sign in to Spotify</a></b>'
            " — a new tab opens; agree there. If it then shows an error page or &ldquo;can't connect&rdquo; "
            "(normal on Binder), copy the whole address from that tab's address bar and paste it here:"
        )
        pasted = widgets.Text(
            placeholder=f"{self.redirect_uri}?code=…", layout=widgets.Layout(width="100%"), continuous_update=False
        )
        button = widgets.Button(description="Finish signing in", button_style="success")
        status = widgets.HTML()
        self._widgets = {"link": link, "pasted": pasted, "button": button, "status": status}

        def finish(_):
            address = pasted.value
            if not address or self.user is not None:
                return
            pasted.value = ""  # the code is single-use: do not leave it on screen
            try:
                self.finish(address)
            except SignInError as exc:
                self.status = str(exc)
            self._refresh_widget()

        button.on_click(finish)
        pasted.observe(finish, names="value")  # Enter in the box finishes too
        self._refresh_widget()
        return widgets.VBox([link, widgets.HBox([pasted, button]), status])

    def _refresh_widget(self) -> None:
        if self._widgets:
            ok = self.user is not None
            color = "#1b9e5a" if ok else "#555"
            note = f"<br><small>{html.escape(DEV_MODE_NOTE)}</small>" if ok else ""
            self._widgets["status"].value = f"<span style='color:{color}'>{html.escape(self.status)}</span>{note}"

    def prompt(self) -> None:
        """Sign in from a terminal: print the link, read the address back."""
        caught = self.catch_redirect()
        print("Open this address in a browser and agree:\n\n  " + self.authorize_url() + "\n")
        hint = " (or just press Enter if the browser already says you are signed in)" if caught else ""
        address = input(f"Then paste the address the browser was sent back to{hint}: ")
        self.stop_catching()
        if self.user is None:
            self.finish(address)
        print(self.status)
        print(DEV_MODE_NOTE)
