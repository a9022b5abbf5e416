"""Listening history from Spotify's privacy download: ``savedlib.read_history`` and ``History``."""

from savedlib.history.history import PLAY_MS, History, read_history

__all__ = ["PLAY_MS", "History", "read_history"]
