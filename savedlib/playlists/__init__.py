"""The person's playlists beside the saved library: where each saved song lives.

``add_playlists(sp, lib)`` reads them from the Web API (``web.py``);
``read_playlists(path, lib)`` from the privacy download's ``PlaylistN.json`` files (``files.py``); both end in
the same two tables (``tables.py``), each entry matched to a saved item by ``savedlib.matching``'s rule.
"""

from savedlib.playlists.files import read_playlists
from savedlib.playlists.tables import rematch, with_playlists, with_playlists_of
from savedlib.playlists.web import PLAYLIST_SCOPES, add_playlists

__all__ = ["PLAYLIST_SCOPES", "add_playlists", "read_playlists", "rematch", "with_playlists", "with_playlists_of"]
