"""The documentation site (``./run docs``): it builds with ``--strict`` (no broken link, no missing reference,
every docstring renders), its API reference names every public name, its chart gallery shows the charts as
they are now, and every code block of the guide runs against the demo (or says it needs an account)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import savedlib
import savedlib.charts as charts
import savedlib.stats as stats

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
#: A code block that starts with this line is not run (it needs your sign-in); it must still compile.
NEEDS_ACCOUNT = "# needs your Spotify account"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("CI must build the documentation site: install npm (.ci/run does)")
        pytest.skip("npm is not installed (apt-get install npm): the site serves Vega from the npm registry's files")
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run(["./run", "docs", "--site-dir", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out


def _ids(page: Path) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))


def test_every_public_name_is_in_the_api_reference(site):
    reference = _ids(site / "reference" / "savedlib" / "index.html")
    modules = {"stats": site / "reference" / "stats" / "index.html"}
    missing = [n for n in savedlib.__all__ if f"savedlib.{n}" not in (_ids(modules[n]) if n in modules else reference)]
    charts_page, stats_page = _ids(site / "reference" / "charts" / "index.html"), _ids(modules["stats"])
    missing += [f"charts.{n}" for n in charts.__all__ if f"savedlib.charts.{n}" not in charts_page]
    missing += [f"stats.{n}" for n in stats.__all__ if f"savedlib.stats.{n}" not in stats_page]
    assert not missing, f"not in the API reference: {missing}"
    load = (site / "reference" / "savedlib" / "index.html").read_text(encoding="utf-8")
    assert "snapshot" in load and "concurrency" in load  # load's parameters, in its signature


def test_the_gallery_shows_the_charts_as_they_are_now(site, tmp_path):
    hooks = _hooks()
    now = hooks.draw_gallery(tmp_path)
    assert len(now) >= len(charts.ALL) + len(charts.WITH_HISTORY) + len(charts.WITH_PLAYLISTS)
    for path in now:
        built = site / "gallery" / path.name
        assert _picture(built) == _picture(path), path.name
    page = (site / "charts" / "index.html").read_text(encoding="utf-8")
    for name, _, _ in hooks.gallery():
        assert f"gallery/{name}.svg" in page and name in page, name


def test_notebooks_are_pages_with_their_outputs_and_vega_from_the_site(site):
    page = (site / "notebooks" / "save-dates" / "index.html").read_text(encoding="utf-8")
    assert "vega-embed" in page and "../../assets/vega/vega-embed.min.js" in page
    assert not re.search(r"cdn\.jsdelivr\.net/npm/vega(-lite|-embed)?@", page)  # no chart loads from a CDN
    npm = _hooks().vega_folder()  # the pinned packages ./run docs installed
    for target in ("vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js", "vega-embed/build/vega-embed.min.js"):
        assert (site / "assets" / "vega" / Path(target).name).read_bytes() == (npm / target).read_bytes()
    explorer = (site / "notebooks" / "explorer" / "index.html").read_text(encoding="utf-8")
    assert "it needs a running kernel" in explorer


def _picture(svg: Path) -> bytes:
    """An SVG's bytes, but for the ids Vega numbers per process (``gradient_3``: how many it drew before)."""
    return re.sub(rb"(gradient_|clip)\d+", rb"\1N", svg.read_bytes())


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _blocks(page: Path) -> list[str]:
    """The page's Python code blocks, each as it would be typed (a block inside a list item dedented)."""
    found = re.findall(r"^( *)```python\n(.*?)^ *```", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [textwrap.dedent(body) for _, body in found]


#: The guide's pages, and the README (its five lines of code run too).
GUIDE = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize("page", GUIDE, ids=lambda p: p.name)
def test_every_code_block_of_the_guide_runs_on_the_demo(page, tmp_path, monkeypatch, demo_files, open_data):
    """Each page's blocks run in order, in one namespace that holds the demo (``lib``, ``history``), in a folder
    holding the demo's files under the names the guide uses, with the open-data services played by the stand-in."""
    monkeypatch.chdir(demo_files)
    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SAVEDLIB_MUSICBRAINZ_URL", open_data.musicbrainz_url)
    monkeypatch.setenv("SAVEDLIB_LISTENBRAINZ_URL", open_data.listenbrainz_url)
    scope = {"savedlib": savedlib, "lib": savedlib.demo(N), "history": savedlib.demo_history(n=N, streams=3000)}
    for k, block in enumerate(_blocks(page)):
        code = compile(block, f"{page.name} block {k + 1}", "exec")
        if not block.startswith(NEEDS_ACCOUNT):
            exec(code, scope)


#: The demo's size for the guide's code (MusicBrainz's stand-in answers at the real one request a second).
N = 200


@pytest.fixture(scope="module")
def open_data():
    """MusicBrainz and ListenBrainz, as the stand-in plays them for the demo's music."""
    from savedlib.standin.opendata import OpenDataStandIn

    with OpenDataStandIn(n=N) as api:
        yield api


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> Path:
    """A folder with the demo's files under the names the guide uses."""
    folder = tmp_path_factory.mktemp("demo-files")
    savedlib.write_demo_exportify(folder / "Liked_Songs.csv", n=N)
    download = folder / "Downloads" / "spotify"  # both zips of Spotify's privacy download
    savedlib.write_demo_download(download, n=N, streams=3000)
    account_data = shutil.copy(download / "my_spotify_data (1).zip", folder / "my_spotify_data.zip")
    with zipfile.ZipFile(account_data, "a") as archive:  # the account data holds the playlists too
        for path in savedlib.write_demo_playlists(folder / "playlists", n=N):
            archive.write(path, f"Spotify Account Data/{path.name}")
    return folder


def test_the_guide_has_code_and_marks_what_needs_an_account():
    blocks = [b for page in GUIDE for b in _blocks(page)]
    assert len(blocks) >= 10
    needing = [b for b in blocks if b.startswith(NEEDS_ACCOUNT)]
    assert needing and all(re.search(r"\bsp\b|connect\(", b.split("\n", 1)[1]) for b in needing)
    assert len(needing) < len(blocks) / 2  # most of the guide runs on the demo


@pytest.mark.browser
def test_the_sites_charts_draw_offline_in_a_real_browser(site):
    """A notebook page and the gallery open in Debian's Chromium from a local server, every request that
    leaves the machine refused: the charts draw from the site's own Vega."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: install Debian's chromium (.ci/run does)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = re.search(r"port (\d+)", server.stdout.readline()).group(1)
        outside = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()

            def only_local(route):
                if route.request.url.startswith(f"http://127.0.0.1:{port}/"):
                    return route.continue_()
                outside.append(route.request.url)
                return route.abort()

            page.route("**/*", only_local)
            page.goto(f"http://127.0.0.1:{port}/notebooks/save-dates/")
            page.wait_for_function("document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas.marks')"
                                   ".length >= 2", timeout=30_000)  # fmt: skip
            page.goto(f"http://127.0.0.1:{port}/charts/")
            assert page.locator("img[src*='gallery/']").count() >= len(charts.ALL)
            browser.close()
        assert not [url for url in outside if "vega" in url], outside
    finally:
        server.terminate()
        server.wait(timeout=10)
