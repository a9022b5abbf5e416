"""MkDocs hooks for savedlib's documentation site (``./run docs``; see ``mkdocs.yml``).

- The notebooks become pages with their stored outputs: copies in which each
  widget output (it needs a kernel) is replaced by a note saying so.
- The chart gallery is drawn at build time from the charts as they are now, on
  the demo library (SVG through vl-convert, offline).
- Altair's outputs load Vega, Vega-Lite and vega-embed from a CDN: every page
  is pointed at copies served by the site itself, from the npm packages pinned in
  ``requirements/vega`` (``SAVEDLIB_VEGA_DIR`` names the folder ``npm ci`` filled).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<p class="savedlib-widget-note"><em>An interactive widget: it needs a running kernel. Open this notebook '
    "in JupyterLab (<code>./run lab</code>) or on Binder to use it.</em></p>"
)
#: Where Altair's HTML output looks for each library, and the file the site serves instead.
VEGA = {
    r"https://cdn\.jsdelivr\.net/npm/vega@[0-9.]+\?noext": "vega/build/vega.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-lite@[0-9.]+\?noext": "vega-lite/build/vega-lite.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-embed@[0-9.]+\?noext": "vega-embed/build/vega-embed.min.js",
}
GALLERY_MARK = "<!-- gallery -->"
_made = Path(tempfile.mkdtemp(prefix="savedlib-docs-"))


@event_priority(100)  # before mkdocs-jupyter turns the notebooks into pages
def on_files(files: Files, config) -> Files:
    """Add the notebooks (widget outputs replaced by a note), the gallery's pictures and Vega's files."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        _add(files, config, f"notebooks/{path.name}", json.dumps(_without_widgets(path), indent=1))
    for path in draw_gallery(_made / "gallery"):
        files.append(File(f"gallery/{path.name}", str(_made), config["site_dir"], config["use_directory_urls"]))
    vega = vega_folder()
    for target in VEGA.values():
        _add(files, config, f"assets/vega/{Path(target).name}", (vega / target).read_text(encoding="utf-8"))
    return files


def _add(files: Files, config, path: str, text: str) -> None:
    target = _made / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    files.append(File(path, str(_made), config["site_dir"], config["use_directory_urls"]))


def _without_widgets(path: Path) -> dict:
    """A notebook with each widget output replaced by a note that it needs a kernel."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for k, output in enumerate(cell.get("outputs", [])):
            if WIDGET in output.get("data", {}):
                cell["outputs"][k] = {"output_type": "display_data", "metadata": {}, "data": {"text/html": WIDGET_NOTE}}
    return notebook


def vega_folder() -> Path:
    """The ``node_modules`` folder holding the pinned Vega packages (``./run docs`` installs them)."""
    folder = Path(os.environ.get("SAVEDLIB_VEGA_DIR", ROOT / "build" / "vega" / "node_modules"))
    missing = [target for target in VEGA.values() if not (folder / target).is_file()]
    if missing:
        raise SystemExit(f"Vega's files are not in {folder} ({missing[0]}): build the site with ./run docs")
    return folder


def on_page_markdown(markdown: str, page, config, files) -> str:
    """The gallery page: each chart's picture under the call that draws it."""
    if GALLERY_MARK not in markdown:
        return markdown
    return markdown.replace(GALLERY_MARK, gallery_markdown())


def on_post_page(output: str, page, config) -> str:
    """Point Altair's CDN addresses at the site's own copies (relative, so the site works from any folder)."""
    base = "../" * page.url.count("/")
    for cdn, target in VEGA.items():
        output = re.sub(cdn, f"{base}assets/vega/{Path(target).name}", output)
    return output


def on_post_build(config) -> None:
    shutil.rmtree(_made, ignore_errors=True)


# --- the gallery ------------------------------------------------------------------------


def gallery() -> list[tuple[str, str, tuple]]:
    """Each chart of the gallery: its name, the call that draws it on the demo, and the call's arguments
    by name (``lib``, ``history``) or value."""
    import savedlib.charts as charts

    out = [(f.__name__, f"charts.{f.__name__}(lib)", (f, "lib")) for f in charts.ALL]
    out.append(("unplayable_in", 'charts.unplayable_in(lib, "JP")', (charts.unplayable_in, "lib", "JP")))
    listening = charts.listening_per_month
    out.append(("listening_per_month", "charts.listening_per_month(lib, history)", (listening, "lib", "history")))
    out += [(f.__name__, f"charts.{f.__name__}(lib, history)", (f, "lib", "history")) for f in charts.WITH_HISTORY]
    out += [(f.__name__, f"charts.{f.__name__}(lib)", (f, "with_playlists")) for f in charts.WITH_PLAYLISTS]
    return out


def draw_gallery(folder: Path) -> list[Path]:
    """Draw every gallery chart now, on the demo library and history, as SVG files in ``folder``."""
    import savedlib
    import savedlib.charts as charts

    demo = {"lib": savedlib.demo(), "history": savedlib.demo_history(), "with_playlists": savedlib.demo(playlists=True)}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, _, (function, *args) in gallery():
        chart = function(*(demo.get(a, a) for a in args))
        paths.append(charts.save(chart, folder / f"{name}.svg"))
    return paths


def gallery_markdown() -> str:
    """The gallery's sections: a heading, the call, the picture."""
    parts = [
        f"### `{name}`\n\n```python\n{call}\n```\n\n![{name}](gallery/{name}.svg)\n" for name, call, _ in gallery()
    ]
    return "\n".join(parts)
