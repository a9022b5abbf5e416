"""What a library lacks, and why: the fields no track carried (``info["missing_fields"]``), and whether it
was read in the Development Mode shape."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.frames.schema import MARKET_REASON, WATCHED_FIELDS


def read_in_development_mode(info: dict) -> bool:
    """True when a library came from the Web API in the Development Mode shape (no popularity, for that reason)."""
    return (info.get("missing_fields") or {}).get("popularity") == WATCHED_FIELDS["popularity"][1]


def read_with_market(market: str | None, is_playable: pa.Array) -> pa.Array:
    """Per item, whether it was read with a market: one was given, or the item carries ``is_playable``
    (which Spotify sends only then)."""
    if market is not None:
        return pa.array(np.ones(len(is_playable), dtype=bool))
    return is_playable.is_valid()


def missing_fields(tracks: pd.DataFrame, market: str | None, reasons: dict[str, str] | None = None) -> dict:
    """Fields no (non-local) track of a ``tracks`` table carried, and why: ``info["missing_fields"]``."""
    wanted = {column for column, _ in WATCHED_FIELDS.values()} | {"is_local", "is_playable"}
    columns = {c: pa.array(tracks[c], from_pandas=True) for c in wanted}
    columns = {c: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v for c, v in columns.items()}
    with_market = pc.any(read_with_market(market, columns["is_playable"])).as_py() or False
    return missing_from_columns(columns, with_market, reasons or {})


def missing_from_columns(columns: dict[str, Any], with_market: bool, reasons: dict[str, str]) -> dict[str, str]:
    """Fields no (non-local) track carried, with the reason a reader should see (the source's own, if given)."""
    local = columns["is_local"].fill_null(False)
    if len(local) == 0 or pc.all(local).as_py():
        return {}
    real = ~local.to_numpy(zero_copy_only=False)
    missing = {}
    for field, (column, reason) in WATCHED_FIELDS.items():
        if not _known(columns[column], real):
            reason = MARKET_REASON if field == "available_markets" and with_market else reason
            missing[field] = reasons.get(field, reason)
    return missing


def _known(values: Any, real: np.ndarray) -> bool:
    """Whether a column (Arrow or pandas) has a value in any of the ``real`` rows (the others are local files)."""
    valid = values.is_valid().to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else ~pd.isna(values)
    return bool(np.any(valid & real))
