"""Binder's environment, rebuilt locally as repo2docker would: a fresh virtual environment from the
``binder/`` files alone (runtime.txt, requirements.txt run from the repository root, postBuild), then nbval
on every notebook inside it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BINDER = ROOT / "binder"


def overrides_file() -> dict:
    """binder/overrides.json: the JupyterLab settings every JupyterLab savedlib sets up starts with."""
    return json.loads((BINDER / "overrides.json").read_text())


def test_binder_files():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-") and tuple(map(int, runtime[7:].split("."))) >= (3, 11)
    requirements = (BINDER / "requirements.txt").read_text()
    assert "-e .[lab]" in requirements and "-c ../requirements/constraints.txt" in requirements
    post = (BINDER / "postBuild").read_text()
    assert post.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in post and "jupyter trust" in post
    assert os.access(BINDER / "postBuild", os.X_OK)
    # A fresh JupyterLab would ask whether to fetch Jupyter news: the settings postBuild installs say no.
    assert overrides_file()["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false"}
    assert 'cp "$(dirname "$0")/overrides.json" "$settings/overrides.json"' in post
    assert "mybinder.org/v2/gh/" in (ROOT / "README.md").read_text()
    assert "urlpath=lab/tree/notebooks/start.ipynb" in (ROOT / "README.md").read_text()


@pytest.mark.slow
def test_binder_environment_runs_the_notebooks(tmp_path):
    version = (BINDER / "runtime.txt").read_text().strip()[len("python-") :]
    python = shutil.which(f"python{version}") or (sys.executable if sys.version.startswith(version) else None)
    assert python, f"binder/runtime.txt asks for Python {version}, which this machine lacks"
    env_dir = tmp_path / "binder-env"
    subprocess.run([python, "-m", "venv", str(env_dir)], check=True)
    bin_dir = env_dir / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(env_dir)}
    env.pop("PYTHONPATH", None)

    def run(*args, cwd=ROOT):
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    run(str(bin_dir / "pip"), "install", "--quiet", "-r", "binder/requirements.txt")  # from the root, as repo2docker
    run(str(BINDER / "postBuild"))
    app_dir = run(str(bin_dir / "python"), "-c", "from jupyterlab.commands import get_app_dir; print(get_app_dir())")
    installed = Path(app_dir.stdout.strip()) / "settings" / "overrides.json"
    assert str(installed).startswith(str(env_dir)) and json.loads(installed.read_text()) == overrides_file()
    # The checker is not part of Binder's environment: add it, at the pinned versions.
    run(str(bin_dir / "pip"), "install", "--quiet", "-c", "requirements/constraints.txt", "nbval", "pytest")
    where = run(str(bin_dir / "python"), "-c", "import savedlib, sys; print(savedlib.__file__, sys.version)")
    assert str(ROOT / "savedlib") in where.stdout and where.stdout.split()[1].startswith(version)
    result = run(
        str(bin_dir / "python"),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval-sanitize.cfg",
        "notebooks",
    )
    assert " passed" in result.stdout and "failed" not in result.stdout
