"""Signing in with your own Spotify account: ``savedlib.connect()`` and ``savedlib.sign_out()``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import spotipy

from savedlib.errors import SignInAgain
from savedlib.signin.cache import TokenCache, cache_dir, token_path
from savedlib.signin.flow import (
    ACCOUNTS_URL,
    API_URL,
    DEFAULT_REDIRECT_URI,
    SetupNeeded,
    SignIn,
    SignInError,
    in_notebook,
)

__all__ = ["SetupNeeded", "SignIn", "SignInError", "TokenCache", "connect", "library", "sign_out"]


def connect(
    client_id: str | None = None,
    redirect_uri: str | None = None,
    *,
    interactive: Literal["auto", "widget", "terminal"] | bool = "auto",
    accounts_url: str = ACCOUNTS_URL,
    api_url: str = API_URL,
    cache_path: str | os.PathLike | None = None,
) -> spotipy.Spotify:
    """A ``spotipy.Spotify`` signed in to your account, for ``savedlib.load``.

    Uses Authorization Code with PKCE (no client secret). ``client_id`` and
    ``redirect_uri`` default to ``SPOTIPY_CLIENT_ID`` and ``SPOTIPY_REDIRECT_URI``
    (redirect: {redirect}). A saved sign-in is reused and refreshed; otherwise,
    in JupyterLab a small sign-in box appears (a link, and a box for the address
    Spotify sends you back to: this works on Binder too) and the client works
    once you finish there; in a terminal you are prompted. ``interactive=False``
    raises ``SignInAgain`` instead of asking.
    """
    flow = SignIn(
        client_id,
        redirect_uri,
        accounts_url=accounts_url,
        api_url=api_url,
        cache=TokenCache(Path(cache_path)) if cache_path else None,
    )
    if flow.resume():
        return flow.client
    mode = ("widget" if in_notebook() else "terminal") if interactive in ("auto", True) else interactive
    if mode == "widget":
        from IPython.display import display

        display(flow.widget())
        flow.catch_redirect()
    elif mode == "terminal":
        flow.prompt()
    else:
        raise SignInAgain(f"not signed in ({flow.status.rstrip('.')})")
    return flow.client


connect.__doc__ = connect.__doc__.format(redirect=DEFAULT_REDIRECT_URI)


def sign_out(client_id: str | None = None) -> list[Path]:
    """Delete the saved sign-in of ``client_id`` (default ``SPOTIPY_CLIENT_ID``; all apps if neither is set).

    Returns the files removed. Spotify keeps the app's access until you remove
    it at https://www.spotify.com/account/apps/.
    """
    client_id = client_id or os.environ.get("SPOTIPY_CLIENT_ID")
    paths = [token_path(client_id)] if client_id else sorted(cache_dir().glob("spotify-token-*.json"))
    return [p for p in paths if TokenCache(p).clear()]


def library(
    mine: bool = False,
    *,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    accounts_url: str = ACCOUNTS_URL,
    api_url: str = API_URL,
    **load_options,
):
    """The notebooks' one switch: the demo library, or with ``mine=True`` your own.

    Your own library needs a sign-in (``connect``, same arguments). When there
    is none yet, the sign-in box appears and this raises ``SignInAgain``: finish
    signing in, then run the cell again. ``load_options`` go to ``savedlib.load``.
    """
    from savedlib.demo import demo
    from savedlib.load import load

    if not mine:
        return demo()
    flow = SignIn(client_id, redirect_uri, accounts_url=accounts_url, api_url=api_url)
    if flow.resume():
        return load(flow.client, **load_options)
    if in_notebook():
        from IPython.display import display

        display(flow.widget())
        flow.catch_redirect()
        raise SignInAgain("not signed in yet (use the sign-in box above, then run this cell again)")
    flow.prompt()
    return load(flow.client, **load_options)
