"""Build savedlib/charts/data/countries-110m.json from the world-atlas npm package.

    npm install world-atlas@2 && python tools/build_worldmap.py node_modules/world-atlas/countries-110m.json

Keeps the countries object of the TopoJSON (Natural Earth 1:110m, via
world-atlas, ISC licence) and adds each country's ISO 3166-1 alpha-2 code as
``properties.iso`` (from its numeric id, with pycountry; Kosovo, which has no
numeric id, gets ``XK``), so charts can join Spotify's market codes directly.
"""

import json
import sys
from pathlib import Path

import pycountry

BY_NAME = {"Kosovo": "XK"}  # no ISO numeric code; Spotify's market code is XK


def main(source: str) -> None:
    topo = json.loads(Path(source).read_text())
    topo["objects"] = {"countries": topo["objects"]["countries"]}
    for geometry in topo["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=geometry.get("id", "")) if geometry.get("id") else None
        code = country.alpha_2 if country else BY_NAME.get(geometry["properties"]["name"])
        geometry["properties"]["iso"] = code
    target = Path(__file__).parents[1] / "savedlib" / "charts" / "data" / "countries-110m.json"
    target.write_text(json.dumps(topo, separators=(",", ":")))
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
