"""Keep tokens and client secrets out of logs.

spotipy logs token requests at DEBUG level with their bodies, refresh tokens
included. ``install()`` (run when savedlib is imported) adds a filter to the
spotipy and savedlib loggers that blanks such values before any handler sees them.
"""

from __future__ import annotations

import logging
import re

HIDDEN = "[hidden]"

_PATTERNS = [
    # 'refresh_token': 'abc'  /  "access_token": "abc"  /  access_token=abc
    re.compile(r"""(?i)((?:access|refresh)_token['"]?\s*[:=]\s*['"]?)[^'",\s&}]+"""),
    re.compile(r"""(?i)((?:client_secret|code_verifier)['"]?\s*[:=]\s*['"]?)[^'",\s&}]+"""),
    re.compile(r"""(['"]code['"]\s*:\s*['"])[^'"]+"""),
    re.compile(r"(?i)((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+"),
]

LOGGERS = ("spotipy", "spotipy.oauth2", "spotipy.client", "spotipy.cache_handler", "savedlib", "savedlib.fetch")


def redact(text: str) -> str:
    """``text`` with every token-like value replaced by ``[hidden]``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + HIDDEN, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install() -> None:
    """Attach the filter to the loggers that may see secrets (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
