"""The notebooks' one switch: ``savedlib.open_library(mine=False)``, the demo library or your own."""

from __future__ import annotations

import warnings
from dataclasses import fields
from typing import Any

from savedlib.demodata import demo
from savedlib.errors import GenresUnavailable, OpenDataFailed, RateLimited, SignInAgain
from savedlib.fetch.session import Options
from savedlib.frames.missing import read_in_development_mode
from savedlib.genres import add_genres
from savedlib.library import Library
from savedlib.loader import load
from savedlib.opendata import add_open_data
from savedlib.signin import ask
from savedlib.signin.flow import ACCOUNTS_URL, API_URL, SignIn
from savedlib.snapshot import add_playlists


def open_library(
    mine: bool = False,
    *,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    accounts_url: str = ACCOUNTS_URL,
    api_url: str = API_URL,
    genres: bool = False,
    open_data: dict[str, Any] | None = None,
    playlists: bool = False,
    **load_options: Any,
) -> Library:
    """The demo library, or with ``mine=True`` your own, read through your sign-in.

    Your own library needs a sign-in (``savedlib.connect``, same arguments). When
    there is none yet, the sign-in box appears and this raises ``SignInAgain``:
    finish signing in, then run the cell again. ``load_options`` go to
    ``savedlib.load`` (``market``, ``snapshot`` ...). ``genres=True`` adds your
    artists' genres (``savedlib.add_genres``, one request per artist not yet in
    the artist cache); if the daily quota runs out first, you get the genres
    known so far and a warning saying when to run the cell again for the rest.
    (The demo library always has genres.)

    A library in the Development Mode shape (what an app a person registers gets) goes
    straight to open music data (``savedlib.add_open_data``: genres and ListenBrainz
    listeners, with no request to Spotify beyond the load); Spotify is asked first only
    where it can send genres, and if it turns out it sends none, open data takes over.
    ``open_data`` holds ``add_open_data``'s keyword arguments (where the services are ...).

    ``playlists=True`` adds the playlists (``savedlib.add_playlists``: yours, through the same sign-in and
    sender; the demo listener's for the demo); if the daily quota runs out first, you get those read so far
    and a warning saying when to run the cell again for the rest.
    """
    if not mine:
        return demo(playlists=playlists)
    flow = SignIn(client_id, redirect_uri, accounts_url=accounts_url, api_url=api_url)
    if not flow.resume():
        ask(flow)
        if not flow.signed_in:
            raise SignInAgain("not signed in yet", "use the sign-in box above, then run this cell again")
    lib = load(flow.client, **load_options)
    how = {f.name for f in fields(Options)} - {"market"}  # how to send requests: the same as the load's
    shared = {k: v for k, v in load_options.items() if k in how}
    if genres:
        lib = _genres(flow.client, lib, shared, open_data or {})
    if playlists:
        try:
            lib = add_playlists(flow.client, lib, snapshot=load_options.get("snapshot"), **shared)
        except RateLimited as stopped:
            warnings.warn(str(stopped), stacklevel=2)
            lib = stopped.partial
    return lib


def _genres(sp: Any, lib: Library, shared: dict[str, Any], open_data: dict[str, Any]) -> Library:
    """Genres from Spotify where it sends them, else from open music data; a quota stop keeps what was found."""
    if read_in_development_mode(lib.info):
        return _open_data(lib, open_data)
    try:
        return add_genres(sp, lib, **shared)
    except GenresUnavailable:
        return _open_data(lib, open_data)
    except RateLimited as stopped:
        warnings.warn(str(stopped), stacklevel=3)
        return stopped.partial


def _open_data(lib: Library, options: dict[str, Any]) -> Library:
    """Genres and listeners from MusicBrainz and ListenBrainz; a stop keeps what was found, with a warning."""
    try:
        return add_open_data(lib, **options)
    except OpenDataFailed as stopped:
        warnings.warn(str(stopped), stacklevel=4)
        return stopped.partial or lib
