"""savedlib: study your Spotify Liked Songs library in Jupyter.

>>> import savedlib
>>> lib = savedlib.demo()          # no account needed
>>> lib.tracks.head()
"""

from savedlib import redact as _redact
from savedlib.demo import demo, demo_items
from savedlib.errors import (
    AccessDenied,
    LibraryChanging,
    LoadError,
    LoadInterrupted,
    PageFailed,
    RateLimited,
    RequestRejected,
    SignInAgain,
)
from savedlib.library import Library, from_items, read_parquet
from savedlib.load import load
from savedlib.signin import SetupNeeded, SignInError, connect, library, sign_out
from savedlib.snapshot import SnapshotError, open_snapshot

__all__ = [
    "AccessDenied",
    "Explorer",
    "Library",
    "LibraryChanging",
    "LoadError",
    "LoadInterrupted",
    "PageFailed",
    "RateLimited",
    "RequestRejected",
    "SetupNeeded",
    "SignInAgain",
    "SignInError",
    "SnapshotError",
    "connect",
    "demo",
    "demo_items",
    "explore",
    "from_items",
    "library",
    "load",
    "open_snapshot",
    "read_parquet",
    "sign_out",
]
__version__ = "0.1.0"


def explore(lib: Library, *, offline: bool = True):
    """An interactive explorer of ``lib`` for JupyterLab (see ``savedlib.explorer``); display the result."""
    from savedlib.explorer import explore as _explore  # Altair and ipywidgets load on first use

    return _explore(lib, offline=offline)


def __getattr__(name: str):
    if name == "Explorer":
        from savedlib.explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'savedlib' has no attribute {name!r}")


_redact.install()
