"""savedlib's look, registered as the Altair theme ``"savedlib"`` and enabled on import.

Switch back with ``alt.theme.enable("default")``.
"""

from __future__ import annotations

import altair as alt

PRIMARY = "#1b9e5a"  # a calm green for bars and marks
SECOND = "#2f4b7c"  # dark blue for lines over bars
MUTED = "#d9d9d9"  # countries without Spotify, empty cells
SCHEME = "greens"  # sequential colour for counts
WIDTH, HEIGHT = 640, 260
FONT = "Inter, Helvetica Neue, Arial, sans-serif"
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")  # counts: whole numbers only
CATEGORY = ["#1b9e5a", "#2f4b7c", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2"]  # colours of categories, in order


@alt.theme.register("savedlib", enable=True)
def savedlib_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {
                "anchor": "start",
                "fontSize": 16,
                "fontWeight": 600,
                "subtitleFontSize": 12,
                "subtitleColor": "#555",
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": 500,
                "gridColor": "#eee",
                "domainColor": "#999",
                "tickColor": "#999",
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "bar": {"color": PRIMARY},
            "line": {"color": SECOND, "strokeWidth": 2},
            "area": {"color": PRIMARY, "opacity": 0.25},
            "rect": {"stroke": "white", "strokeWidth": 0.5},
            "range": {"category": CATEGORY},
        }
    }
