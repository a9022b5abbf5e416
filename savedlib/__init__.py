"""savedlib: study your Spotify Liked Songs library in Jupyter.

>>> import savedlib
>>> lib = savedlib.demo()          # no account needed
>>> lib.tracks.head()
"""

from savedlib import redact
from savedlib.demodata import demo, demo_items
from savedlib.errors import (
    AccessDenied,
    Error,
    LibraryChanging,
    LoadError,
    LoadInterrupted,
    PageFailed,
    RateLimited,
    RequestRejected,
    SetupNeeded,
    SignInAgain,
    SignInError,
    SnapshotError,
)
from savedlib.library import Library, from_items, read_parquet
from savedlib.loader import load
from savedlib.signin import connect, sign_out
from savedlib.snapshot import open_snapshot
from savedlib.switch import open_library

__all__ = [
    "AccessDenied",
    "Error",
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
    "load",
    "open_library",
    "open_snapshot",
    "read_parquet",
    "sign_out",
    "stats",
]
__version__ = "0.1.0"


def explore(lib: Library, *, offline: bool = True):
    """An interactive explorer of ``lib`` for JupyterLab: display the returned ``Explorer``.

    Parameters:
        lib: the library to explore (any ``Library``: demo, loaded, from a file).
        offline: embed the chart JavaScript (about 1 MB per chart widget, sent
            once) so it works with no network, on Binder and in a headless
            browser; ``False`` loads it from a CDN instead.

    Altair and ipywidgets are imported on first use, so ``import savedlib`` stays fast.
    """
    from savedlib.explorer import explore as explorer

    return explorer(lib, offline=offline)


def __getattr__(name: str):
    if name == "Explorer":
        from savedlib.explorer import Explorer

        return Explorer
    if name == "stats":
        import savedlib.stats

        return savedlib.stats
    raise AttributeError(f"module 'savedlib' has no attribute {name!r}")


redact.install()
