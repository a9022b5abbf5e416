"""Dates in the tables: when each track was saved, and when its album came out. One reader of each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from savedlib.tables import distinct

SAVE_TIME = pa.timestamp("us", tz="UTC")


class UnreadableDate(ValueError):
    """A save date that is not an ISO 8601 date and time; ``row`` is its place in the column."""

    def __init__(self, row: int, text: str) -> None:
        super().__init__(f"{text!r} is not an ISO 8601 date and time")
        self.row, self.text = row, text


def save_dates(values: pa.Array) -> pa.Array:
    """Save dates as UTC timestamps, missing kept null: Spotify's ``2024-05-01T12:00:00Z`` read by Arrow, any
    other ISO 8601 form (offsets, fractions) by pandas. A text that is no date raises ``UnreadableDate``."""
    if pa.types.is_timestamp(values.type):  # read already (a file's reader sorts by them)
        return values
    try:
        return values.cast(SAVE_TIME)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = values.to_pandas()
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy() & text.notna().to_numpy())
    if bad.size:
        raise UnreadableDate(int(bad[0]), text.iloc[bad[0]])
    return pa.array(parsed.dt.as_unit("us"), SAVE_TIME)


def newest_first(times: pa.Array) -> np.ndarray | None:
    """The order of rows that puts the newest save first (stable; undated rows last), or None when they are
    in that order already (as Spotify and the exporters write them)."""
    oldest = np.iinfo(np.int64).min + 1  # for undated rows: the last (and still negatable)
    key = times.cast(pa.int64()).fill_null(oldest).to_numpy()
    if (key[:-1] >= key[1:]).all():
        return None
    return np.argsort(-key, kind="stable")


#: The forms a release date comes in: Spotify's ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` (single digits
#: read too), and ``M/D/YYYY``, as a spreadsheet saves an Exportify file's dates again.
_ISO = r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$"
_SPREADSHEET = r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})$"
_FORMS = pa.array(["year", "month", "day"])


def release_dates(release_date: pa.Array, precision: pa.Array) -> tuple[pd.Series, pa.Array, pa.Array]:
    """Each album's release: the start of its period (``1999`` is 1999-01-01; NaT for Spotify's ``0000``, a
    date that does not exist such as 2019-02-30, or an unknown form), its year, and its precision (as sent,
    else from the date's form, as files need). Each distinct date is read once."""
    dates, rows = distinct(release_date.cast(pa.string()))
    start, year, form = _read_release_dates(dates)
    if precision.null_count == len(precision):  # not sent (files): from the form, kept encoded (three words)
        precision = pa.DictionaryArray.from_arrays(rows, form)
    else:
        precision = pc.coalesce(precision, form.take(rows))
    return pd.Series(start[rows.to_numpy()]), year.take(rows), precision


def _read_release_dates(dates: pa.Array) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Distinct release dates → their start (datetime64[us], NaT where none), year and form's precision."""
    iso, sheet = pc.extract_regex(dates, _ISO), pc.extract_regex(dates, _SPREADSHEET)
    year, month, day = (_number(pc.coalesce(pc.struct_field(iso, p), pc.struct_field(sheet, p))) for p in _PARTS)
    form = np.where(~np.isnan(day), 2, np.where(~np.isnan(month), 1, np.where(~np.isnan(year), 0, -1)))
    y, m, d = (np.nan_to_num(part, nan=1).astype(np.int64) for part in (year, month, day))
    month_start = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    start = month_start.astype("datetime64[D]") + (d - 1)
    real = (form >= 0) & (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (start.astype("datetime64[M]") == month_start)
    known_year = (form >= 0) & (y > 0)  # "0000": Spotify's way of saying it does not know
    start = np.where(real, start, np.datetime64("NaT")).astype("datetime64[us]")
    return start, pa.array(y, mask=~known_year), _FORMS.take(pa.array(form, mask=form < 0))


_PARTS = ("year", "month", "day")


def _number(part: pa.Array) -> np.ndarray:
    """A matched part of a date as float64, NaN where the date has no such part."""
    return pc.cast(pc.if_else(pc.equal(part, ""), pa.scalar(None, part.type), part), pa.float64()).to_numpy(
        zero_copy_only=False
    )
