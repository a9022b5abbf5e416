"""The interactive explorer: ``savedlib.explore(lib)`` in JupyterLab."""

from savedlib.explorer.dashboard import Explorer, explore

__all__ = ["Explorer", "explore"]
