"""The stored notebooks: no secrets in any output, outputs present, the demo library as their source."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
SECRETS = [
    re.compile(r"BQ[A-Za-z0-9_-]{60,}"),  # Spotify access tokens
    re.compile(r"AQ[A-Za-z0-9_-]{60,}"),  # Spotify refresh tokens
    re.compile(r"standin-(refresh-)?[A-Za-z0-9_-]{20,}"),  # the stand-in's tokens
    re.compile(r"(access|refresh)_token\W+[A-Za-z0-9_-]{16,}"),
    re.compile(r"client_secret\W+[0-9a-f]{32}"),
    re.compile(r"[?&]code=[A-Za-z0-9_-]{20,}"),  # an authorization code in a pasted address
    re.compile(r"Bearer [A-Za-z0-9._-]{16,}"),
]


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {
        "start.ipynb",
        "save-dates.ipynb",
        "durations-and-popularity.ipynb",
        "where-your-music-can-play.ipynb",
        "explorer.ipynb",
        "load-from-the-api.ipynb",
        "listening.ipynb",
        "genres-and-other-sources.ipynb",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_secret_in_stored_outputs(path):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = json.dumps(output)
            for pattern in SECRETS:
                assert not pattern.search(text), f"{path.name}: {pattern.pattern} in an output"
    assert "application/vnd.jupyter.widget-state+json" not in notebook.get("metadata", {}).get("widgets", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_stored_and_from_the_demo_library(path):
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("outputs") is not None for c in code)
    assert any(c.get("outputs") for c in code), "no stored outputs: nbval would only check that cells run"
    source = "".join("".join(c["source"]) for c in code)
    # The demo library by default, with one clearly marked switch to your own.
    assert re.search(r"savedlib\.open_library\(mine=(False|USE_MY_LIBRARY)\)", source) or "StandIn(" in source
    assert (
        "USE_MY_LIBRARY = False  # ← the one setting" in source
        or "# ← the one setting" in source
        or ("StandIn(" in source)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_personal_data_from_history_files_in_outputs(path):
    text = path.read_text()
    for value in ("192.0.2.", "demolistener", "listener@example.com"):  # the demo download's made-up personal data
        assert value not in text, f"{path.name}: {value}"


def test_gitignore_keeps_secrets_and_snapshots_out():
    ignored = (Path(__file__).parents[1] / ".gitignore").read_text()
    for pattern in (".cache", "*.token", "snapshots/", ".env", "screenshots/"):
        assert pattern in ignored
