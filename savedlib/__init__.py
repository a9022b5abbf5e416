"""savedlib: study your Spotify Liked Songs library in Jupyter.

>>> import savedlib
>>> lib = savedlib.demo()          # no account needed
>>> lib.tracks.head()
"""

from savedlib.demo import demo, demo_items
from savedlib.library import Library, from_items, read_parquet

__all__ = ["Library", "demo", "demo_items", "from_items", "read_parquet"]
__version__ = "0.1.0"
