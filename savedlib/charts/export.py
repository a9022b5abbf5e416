"""Saving charts to files offline: PNG and SVG through vl-convert, no browser needed."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt

FORMATS = {".png", ".svg", ".pdf", ".html", ".json"}


def save(chart: alt.TopLevelMixin, path: str | os.PathLike, scale: float = 2.0) -> Path:
    """Write ``chart`` to ``path``; the suffix picks the format (.png, .svg, .pdf, .html, .json).

    PNG and SVG are rendered by vl-convert, which bundles Vega: it works with no
    browser and no network. ``scale`` multiplies the PNG's pixel size.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot save a chart as {suffix or 'a file without a suffix'}: use one of {sorted(FORMATS)}")
    kwargs = {"scale_factor": scale} if suffix == ".png" else {}
    chart.save(str(target), format=suffix[1:], **kwargs)
    return target
