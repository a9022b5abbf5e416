"""The built-in demo library: realistic, deterministic, no Spotify account needed."""

from __future__ import annotations

from savedlib.demodata.generate import END, demo_items
from savedlib.library import Library, from_items

__all__ = ["demo", "demo_items"]

#: When the demo library was "read": fixed, so the same arguments give the same library.
DEMO_READ_AT = "2026-11-01T00:00:00Z"


def demo(n: int = 2500, seed: int = 0, dev_mode: bool = False) -> Library:
    """A deterministic demo library of ``n`` saved tracks spanning ten years up to {end}.

    It is built from raw items in the exact ``/v1/me/tracks`` shape
    (``demo_items``), so it goes through the same code as a real library.
    ``dev_mode=True`` gives the 2026 Development Mode shape (no popularity, no markets).
    """
    items = demo_items(n, seed=seed, dev_mode=dev_mode)
    shape = "development mode" if dev_mode else "full"
    return from_items(items, source=f"demo (n={n}, seed={seed}, {shape} shape)", read_at=DEMO_READ_AT, total=len(items))


demo.__doc__ = demo.__doc__.format(end=str(END)[:10])
