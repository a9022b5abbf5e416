"""The README's first command: ``./run lab`` starts JupyterLab on the notebooks, also as root (containers)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_run_lab_starts_jupyterlab(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    process = subprocess.Popen(
        [str(ROOT / "run"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--IdentityProvider.token=run-test"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=run-test", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                if process.poll() is not None:
                    output = process.stdout.read().decode(errors="replace")
                    raise AssertionError(f"./run lab stopped (uid {os.getuid()}):\n{output[-2000:]}") from None
                assert time.monotonic() < deadline, "./run lab did not start JupyterLab within 90 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/notebooks?token=run-test") as r:
            assert b"start.ipynb" in r.read()  # it serves the project's notebooks
        # ...and never asks whether to fetch Jupyter news: the environment's settings say no.
        assert lab_setting(port, "run-test", "@jupyterlab/apputils-extension:notification", "fetchNews") == "false"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def lab_setting(port: int, token: str, plugin: str, name: str) -> object:
    """A setting as JupyterLab's settings API gives it to the page: the user's value, else the default (which the
    app's settings/overrides.json changes)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/settings/{plugin}?token={token}") as r:
        answer = json.load(r)
    return answer["settings"].get(name, answer["schema"]["properties"][name]["default"])
