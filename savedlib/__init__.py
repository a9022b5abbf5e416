"""savedlib: study your Spotify Liked Songs library in Jupyter.

>>> import savedlib
>>> lib = savedlib.demo()          # no account needed
>>> lib.tracks.head()
"""

from typing import TYPE_CHECKING

from savedlib import redact, stats
from savedlib.demo_or_yours import open_library
from savedlib.demodata import (
    demo,
    demo_history,
    demo_items,
    write_demo_download,
    write_demo_exportify,
    write_demo_playlists,
)
from savedlib.errors import (
    AccessDenied,
    Error,
    GenresUnavailable,
    HistoryError,
    LibraryChanging,
    LoadError,
    LoadInterrupted,
    OpenDataFailed,
    PageFailed,
    RateLimited,
    RequestRejected,
    SetupNeeded,
    SignInAgain,
    SignInError,
    SnapshotError,
    SourceError,
)
from savedlib.genres import ArtistCache, add_genres
from savedlib.history import History, read_history
from savedlib.library import Library, from_items, read_parquet
from savedlib.loader import load
from savedlib.opendata import OpenDataCache, add_open_data
from savedlib.playlists import read_playlists
from savedlib.signin import connect, sign_out
from savedlib.snapshot import add_playlists, open_snapshot
from savedlib.sources.account_data import read_account_data
from savedlib.sources.exportify import read_exportify

__all__ = [
    "AccessDenied",
    "ArtistCache",
    "Error",
    "Explorer",
    "GenresUnavailable",
    "History",
    "HistoryError",
    "Library",
    "LibraryChanging",
    "LoadError",
    "LoadInterrupted",
    "OpenDataCache",
    "OpenDataFailed",
    "PageFailed",
    "RateLimited",
    "RequestRejected",
    "SetupNeeded",
    "SignInAgain",
    "SignInError",
    "SnapshotError",
    "SourceError",
    "add_genres",
    "add_open_data",
    "add_playlists",
    "connect",
    "demo",
    "demo_history",
    "demo_items",
    "explore",
    "from_items",
    "load",
    "open_library",
    "open_snapshot",
    "read_account_data",
    "read_exportify",
    "read_history",
    "read_parquet",
    "read_playlists",
    "sign_out",
    "stats",
    "write_demo_download",
    "write_demo_exportify",
    "write_demo_playlists",
]
__version__ = "0.1.0"


def explore(lib: Library, *, history: History | None = None, offline: bool = True):
    """An interactive explorer of ``lib`` for JupyterLab: display the returned ``Explorer``.

    Parameters:
        lib: the library to explore (any ``Library``: demo, loaded, from a file).
        history: a listening history (``read_history``): adds a plays filter and a plays column.
        offline: embed the chart JavaScript (about 1 MB per chart widget, sent
            once) so it works with no network, on Binder and in a headless
            browser; ``False`` loads it from a CDN instead.

    Altair and ipywidgets are imported on first use, so ``import savedlib`` stays fast.
    """
    from savedlib.explorer import explore as explorer

    return explorer(lib, history=history, offline=offline)


if TYPE_CHECKING:  # imported on first use (it brings Altair and ipywidgets), visible to readers of the code
    from savedlib.explorer import Explorer


def __getattr__(name: str):
    if name == "Explorer":
        from savedlib.explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'savedlib' has no attribute {name!r}")


redact.install()
