"""Tables as spreadsheets: CSV that Excel opens right, and real ``.xlsx`` files.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to Excel and LibreOffice, and real names start that way (Ed
Sheeran's album ``=``). For people, such text cells are written with a leading
apostrophe, as OWASP advises ("CSV injection"); for machines, raw. An ``.xlsx``
needs no escaping: each cell says whether it is text, a number or a date.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.files import atomic_write

#: What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINK_STYLE = "Hyperlink"


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list columns joined by ``;`` (a cell holds one value)."""
    out = frame.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, pd.ArrowDtype) and pa.types.is_list(dtype.pyarrow_dtype):
            joined = pc.binary_join(pa.array(out[name].array), ";")
            out[name] = pd.arrays.ArrowExtensionArray(joined).astype(pd.StringDtype("pyarrow"))
    return out


def text_columns(frame: pd.DataFrame) -> list[str]:
    return [n for n in frame.columns if pd.api.types.is_string_dtype(frame[n]) or frame[n].dtype == object]


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, with a leading apostrophe (vectorised)."""
    out = frame.copy()
    for name in text_columns(out):
        values = out[name]
        risky = values.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out[name] = values.where(~risky, "'" + values)
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, escape: bool = True) -> Path:
    """RFC 4180 CSV (CRLF, quoted where needed) in UTF-8 with a byte-order mark, written atomically."""
    out = flat(frame)
    if escape:
        out = escape_formulas(out)
    return atomic_write(
        path,
        lambda tmp: out.to_csv(tmp, encoding="utf-8-sig", date_format="%Y-%m-%dT%H:%M:%SZ", lineterminator="\r\n"),
    )


def write_xlsx(frame: pd.DataFrame, path: str | os.PathLike, *, sheet: str) -> Path:
    """An ``.xlsx`` with one sheet: text as text (never a formula), numbers as numbers, dates as dates
    (UTC, as Excel knows no time zones), and the ``*_url`` columns as links."""
    out = flat(frame)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
        elif isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].astype(pd.StringDtype("pyarrow"))

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            out.to_excel(writer, sheet_name=sheet, index=out.index.name is not None)
            _finish(writer.sheets[sheet], out)

    return atomic_write(path, write)


def _finish(ws: object, out: pd.DataFrame) -> None:
    """Text cells stay text, URLs become links, the header row stays in view."""
    offset = 2 if out.index.name is not None else 1  # spreadsheet column of the first data column
    text = set(text_columns(out))
    for k, name in enumerate(out.columns):
        if name not in text:
            continue
        values = out[name]
        column = k + offset
        is_url = name.endswith("_url")
        risky = values.str.startswith("=").fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(risky | (values.notna().to_numpy(dtype=bool) if is_url else False))
        for row in rows:
            cell = ws.cell(row=int(row) + 2, column=column)
            if risky[row]:
                cell.data_type = "s"  # openpyxl takes a leading "=" for a formula: it is a name
            if is_url:
                cell.hyperlink = str(values.iat[row])
                cell.style = LINK_STYLE
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
