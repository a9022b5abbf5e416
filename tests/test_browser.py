"""savedlib as people meet it: a real JupyterLab, driven in Debian's headless Chromium with Playwright.

Opens the start notebook, a chart notebook and the explorer, runs all cells,
checks that charts are drawn and widgets render, and that moving a filter
changes the numbers, the chart and the table. Screenshots go to
``screenshots/browser/`` at the project root. The machine has no internet:
the Vega libraries Altair's HTML output loads from a CDN are answered from
npm packages installed for the test, and every other outside request is refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import altair as alt
import pytest

ROOT = Path(__file__).parents[1]
SCREENSHOTS = ROOT / "screenshots" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TOKEN = "savedlib-browser-test"
CDN = {
    "vega@6": "vega/build/vega.min.js",
    f"vega-lite@{alt.VEGALITE_VERSION}": "vega-lite/build/vega-lite.min.js",
    "vega-embed@7": "vega-embed/build/vega-embed.min.js",
}
CHART = ".jp-OutputArea-output .vega-embed :is(svg.marks, canvas.marks)"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: install Debian's chromium (.ci/run does)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium), so the browser test cannot run")
    return CHROMIUM


@pytest.fixture(scope="module")
def vega(tmp_path_factory) -> Path:
    """Vega, Vega-Lite and vega-embed from the npm registry, for the CDN addresses Altair's output loads."""
    if not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: install npm (.ci/run does)")
        pytest.skip("npm is not installed (apt-get install npm): the browser test takes Vega from the npm registry")
    folder = Path(os.environ.get("SAVEDLIB_VEGA_DIR") or tmp_path_factory.mktemp("vega"))
    modules = folder / "node_modules"
    if not all((modules / path).exists() for path in CDN.values()):
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), *[f"{name}" for name in CDN]],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return modules


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A fresh JupyterLab on loopback, serving a copy of the notebooks (autosave cannot touch the stored outputs),
    with the settings savedlib gives every JupyterLab it sets up (``binder/overrides.json``, as Binder and
    ``./run lab`` install it) and no settings of the person running the tests."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    settings = root / "lab-settings"
    settings.mkdir()
    shutil.copy(ROOT / "binder" / "overrides.json", settings / "overrides.json")
    fresh = {"JUPYTERLAB_SETTINGS_DIR": str(root / "user-settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "ws")}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.app_settings_dir={settings}",
        ],
        env={**os.environ, **fresh},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("JupyterLab did not start")
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(chromium, vega, lab):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, vega):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def route(r):
        url = r.request.url
        for name, path in CDN.items():
            if url.startswith(f"https://cdn.jsdelivr.net/npm/{name}"):
                return r.fulfill(path=str(vega / path), content_type="application/javascript")
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            return r.continue_()
        return r.abort()  # no internet here: refuse the rest at once

    page.route("**/*", route)
    yield page
    context.close()


def answer_dialog(page) -> None:
    """JupyterLab may ask which kernel to use while a notebook settles: take the one offered. Any other
    dialog fails the test with its words."""
    dialog = page.locator(".jp-Dialog")
    if not dialog.count():
        return
    text = dialog.first.inner_text()
    if "Select Kernel" not in text:
        raise AssertionError(f"JupyterLab showed a dialog: {text!r}")
    dialog.first.locator(".jp-mod-accept").click()
    dialog.first.wait_for(state="detached", timeout=10_000)


def run_all(page, lab: str, name: str) -> None:
    page.goto(f"{lab}/lab/tree/notebooks/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    started = (
        "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
        ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    )
    # Clear the stored outputs first, so that "every cell has a number" means this run finished.
    page.click(".lm-MenuBar-itemLabel:text-is('Edit')")
    page.click("li.lm-Menu-item[data-command='editmenu:clear-all']")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
        ".every(p => !/\\[\\d+\\]/.test(p.textContent))",
        timeout=10_000,
    )
    for _attempt in range(3):  # a click that lands while the notebook is still settling can be lost
        try:
            page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=10_000)
            page.click("li.lm-Menu-item[data-command='runmenu:run-all']", timeout=10_000)
            page.wait_for_function(started, timeout=10_000)
            break
        except Exception:
            answer_dialog(page)  # a dialog in the way: answered, or the test fails with its words
            page.keyboard.press("Escape")
    try:
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=120_000,
        )
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-timeout.png"), full_page=True)
        raise
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, tracebacks


def test_jupyterlab_does_not_ask_about_news(page, lab):
    """A fresh JupyterLab asks in a toast whether to fetch Jupyter news; savedlib's settings answer no."""
    plugin = "@jupyterlab/apputils-extension:notification"
    with urllib.request.urlopen(f"{lab}/lab/api/settings/{plugin}?token={TOKEN}", timeout=10) as r:
        answer = json.load(r)
    assert answer["settings"].get("fetchNews", answer["schema"]["properties"]["fetchNews"]["default"]) == "false"
    page.goto(f"{lab}/lab/tree/notebooks/start.ipynb?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.wait_for_timeout(3000)  # the question comes as a toast soon after JupyterLab has started
    assert page.get_by_text("official Jupyter news").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "no-news-question.png"))


def test_start_notebook_runs(page, lab):
    run_all(page, lab, "start.ipynb")
    page.wait_for_function(  # outputs render just after the last cell reports done
        "() => document.querySelectorAll('.jp-OutputArea-output table.dataframe').length >= 3", timeout=30_000
    )
    tables = page.locator(".jp-OutputArea-output table.dataframe")
    assert tables.count() >= 3
    assert "track_name" in tables.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "start.png"), full_page=True)


def test_charts_are_drawn(page, lab):
    run_all(page, lab, "where-your-music-can-play.ipynb")
    page.wait_for_selector(CHART, timeout=30_000)
    charts = page.locator(CHART)
    assert charts.count() >= 3
    world = page.locator(".vega-embed").filter(has_text="Where your music can play").first
    assert world.locator("path").count() > 150  # the countries, from the map shipped inside savedlib
    page.screenshot(path=str(SCREENSHOTS / "where-your-music-can-play.png"), full_page=True)


def test_listening_notebook_draws(page, lab):
    run_all(page, lab, "listening.ipynb")
    page.wait_for_selector(CHART, timeout=30_000)
    page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= 5", timeout=60_000)
    played = page.locator(".vega-embed").filter(has_text="Do you play what you save?").first
    assert played.locator("path, rect").count() > 3
    explorer = page.locator(".jp-OutputArea-output .widget-vbox").filter(has_text="Reset filters").first
    explorer.wait_for(timeout=30_000)
    assert "Plays" in explorer.locator("table.savedlib-table").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "listening.png"), full_page=True)


def test_genres_and_other_sources_notebook_draws(page, lab):
    run_all(page, lab, "genres-and-other-sources.ipynb")
    page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= 5", timeout=60_000)
    genres = page.locator(".vega-embed").filter(has_text="Your top genres").first
    assert genres.locator("path, rect").count() > 10
    tables = page.locator(".jp-OutputArea-output table.dataframe")
    assert "Exportify" in tables.first.inner_text() or tables.count() >= 2
    page.screenshot(path=str(SCREENSHOTS / "genres-and-other-sources.png"), full_page=True)


def test_explorer_filters_change_chart_and_table(page, lab):
    run_all(page, lab, "explorer.ipynb")
    explorer = page.locator(".jp-OutputArea-output .widget-vbox").filter(has_text="Reset filters").first
    explorer.wait_for(timeout=30_000)
    summary = explorer.locator(".widget-html").first
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-OutputArea-output .widget-vbox "
        ".vega-embed :is(svg.marks, canvas.marks)').length >= 2",
        timeout=60_000,
    )
    before_summary = summary.inner_text()
    before_table = explorer.locator("table.savedlib-table").inner_text()
    linked = explorer.locator(".vega-embed").nth(1)
    before_chart = linked.screenshot()
    page.screenshot(path=str(SCREENSHOTS / "explorer-before.png"), full_page=True)

    # Move the lower handle of the Popularity slider up, as a person would with the keyboard.
    slider = explorer.locator(".widget-slider").filter(has_text="Popularity")
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(40):
        handle.press("ArrowRight")
    page.keyboard.press("Tab")  # continuous_update=False: the value is sent on release
    page.wait_for_function(
        "(before) => document.querySelector('.jp-OutputArea-output .widget-vbox .widget-html').innerText != before",
        arg=before_summary,
        timeout=30_000,
    )
    after_summary = summary.inner_text()
    assert "of 2,500 tracks" in after_summary and after_summary != before_summary
    moved = re.search(r"popularity (\d+)-100", after_summary)
    assert moved and int(moved.group(1)) > 0
    page.wait_for_timeout(1500)  # let Vega redraw the linked charts
    assert explorer.locator("table.savedlib-table").inner_text() != before_table
    assert linked.screenshot() != before_chart
    page.screenshot(path=str(SCREENSHOTS / "explorer-after.png"), full_page=True)


def test_playlists_notebook_draws_and_its_filter_works(page, lab):
    run_all(page, lab, "playlists.ipynb")
    page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= 3", timeout=60_000)
    for title in ("In how many of your playlists", "went into no playlist", "How much of each playlist"):
        chart = page.locator(".vega-embed").filter(has_text=title).first
        assert chart.locator("path, rect").count() > 3, title
    explorer = page.locator(".jp-OutputArea-output .widget-vbox").filter(has_text="Reset filters").first
    explorer.wait_for(timeout=30_000)
    summary = explorer.locator(".widget-html").first
    assert "1,779 of 2,500 tracks" in summary.inner_text()  # in no playlist, as the notebook set it
    assert "could not be read" in explorer.inner_text()  # the note naming the playlists not read
    # Back to any, then choose the two "Chill"s in the list, as a person would.
    unsorted = explorer.locator(".widget-toggle-buttons").filter(has_text="in no playlist")
    unsorted.locator("button").filter(has_text=re.compile(r"^any$")).click()
    page.wait_for_function(
        "() => document.querySelector('.jp-OutputArea-output .widget-vbox .widget-html').innerText"
        ".includes('2,500 of 2,500')",
        timeout=30_000,
    )
    chooser = explorer.locator(".widget-select-multiple select")
    chooser.select_option(label=["Chill", "Chill (2)"])
    page.wait_for_function(
        "() => document.querySelector('.jp-OutputArea-output .widget-vbox .widget-html').innerText"
        ".includes('in Chill or Chill (2)')",
        timeout=30_000,
    )
    assert "118 of 2,500 tracks" in summary.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "playlists.png"), full_page=True)
