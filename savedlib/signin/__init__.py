"""Signing in with your own Spotify account: ``savedlib.connect()`` and ``savedlib.sign_out()``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import spotipy

from savedlib.errors import SetupNeeded, SignInAgain, SignInError
from savedlib.signin.cache import TokenCache, cache_dir, token_path
from savedlib.signin.flow import ACCOUNTS_URL, API_URL, DEFAULT_REDIRECT_URI, SignIn, in_notebook

__all__ = ["SetupNeeded", "SignIn", "SignInError", "TokenCache", "ask", "connect", "sign_out"]

Mode = Literal["auto", "widget", "terminal"] | bool


def connect(
    client_id: str | None = None,
    redirect_uri: str | None = None,
    *,
    interactive: Mode = "auto",
    accounts_url: str = ACCOUNTS_URL,
    api_url: str = API_URL,
    cache_path: str | os.PathLike | None = None,
) -> spotipy.Spotify:
    """A ``spotipy.Spotify`` signed in to your account, for ``savedlib.load``.

    Uses Authorization Code with PKCE (no client secret). A saved sign-in is
    reused and refreshed; otherwise, in JupyterLab a small sign-in box appears
    (a link, and a box for the address Spotify sends you back to: this works on
    Binder too) and the client works once you finish there; in a terminal you
    are prompted.

    Parameters:
        client_id: your app's Client ID (default: ``SPOTIPY_CLIENT_ID``). Without
            one, ``SetupNeeded`` says how to create an app.
        redirect_uri: the Redirect URI registered for the app (default:
            ``SPOTIPY_REDIRECT_URI``, else {redirect}).
        interactive: ``"auto"`` (a widget in a notebook, a prompt in a terminal),
            ``"widget"``, ``"terminal"``, or ``False`` to raise ``SignInAgain``
            instead of asking.
        accounts_url: Spotify's accounts service (the stand-in's address in tests).
        api_url: the Web API's base address, set as the client's ``prefix``.
        cache_path: where to keep the sign-in (default: a private file in your
            user cache folder, ``SAVEDLIB_CACHE_DIR`` to move it).
    """
    flow = SignIn(
        client_id,
        redirect_uri,
        accounts_url=accounts_url,
        api_url=api_url,
        cache=TokenCache(Path(cache_path)) if cache_path else None,
    )
    if not flow.resume():
        ask(flow, interactive)
    return flow.client


connect.__doc__ = connect.__doc__.format(redirect=DEFAULT_REDIRECT_URI)


def ask(flow: SignIn, interactive: Mode = "auto") -> None:
    """Ask the person to sign in: the sign-in box in a notebook, a prompt in a terminal."""
    mode = ("widget" if in_notebook() else "terminal") if interactive in ("auto", True) else interactive
    if mode == "widget":
        from IPython.display import display

        display(flow.widget())
        flow.catch_redirect()
    elif mode == "terminal":
        flow.prompt()
    else:
        raise SignInAgain(f"not signed in ({flow.status.rstrip('.')})")


def sign_out(client_id: str | None = None) -> list[Path]:
    """Delete the saved sign-in of ``client_id`` (default ``SPOTIPY_CLIENT_ID``; all apps if neither is set).

    Returns the files removed. Spotify keeps the app's access until you remove
    it at https://www.spotify.com/account/apps/.
    """
    client_id = client_id or os.environ.get("SPOTIPY_CLIENT_ID")
    paths = [token_path(client_id)] if client_id else sorted(cache_dir().glob("spotify-token-*.json"))
    return [p for p in paths if TokenCache(p).clear()]
