"""The package's shape: data flows one way, each layer imports only from layers below it, no private imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "savedlib"

#: Each module's layer, lowest first (a package stands for its modules). A module may import only
#: from its own package or from a lower layer. The Layout in docs/contributing.md shows the same order.
LAYERS = [
    {"text", "files", "markets", "redact"},
    {"spreadsheets"},
    {"errors"},
    {"items", "tables"},
    {"fetch", "frames"},
    {"library", "history", "matching"},
    {"playlists"},
    {"snapshot", "stats", "signin", "sources", "genres"},
    {"demodata", "loader", "charts", "opendata"},
    {"standin", "demo_or_yours", "explorer", "cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def part(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported(path: Path) -> list[tuple[str, list[str]]]:
    """``(savedlib module, names imported from it)`` for every import of ``path``, lazy ones included
    (those only for type checkers aside)."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("savedlib"):
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("savedlib")]
    return found


def test_every_module_has_a_layer():
    assert {part(p) for p in modules()} <= set(RANK), "add new modules to LAYERS (and to docs/contributing.md)"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_from_below(path):
    own = part(path)
    for module, names in imported(path):
        parts = module.split(".")
        target = parts[1] if len(parts) > 1 else None
        targets = names if target is None else [target]  # "from savedlib import stats": the names are modules
        for name in targets:
            if name == own or name not in RANK:
                continue
            assert RANK[name] < RANK[own], f"{own} (layer {RANK[own]}) imports {name} (layer {RANK[name]})"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_names_imported(path):
    for module, names in imported(path):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{path.name} imports private {private} from {module}"


def test_snapshot_keeps_away_from_the_reader():
    for path in (PACKAGE / "snapshot").glob("*.py"):
        assert all(m != "savedlib.fetch.reader" for m, _ in imported(path)), path.name


def test_charts_do_not_know_the_explorer():
    for path in (PACKAGE / "charts").glob("*.py"):
        text = path.read_text()
        assert "explorer" not in text and '"filtered"' not in text, path.name


def test_functions_are_short():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 80:
                long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not long, long


def _layout() -> dict[str, str]:
    """The Layout block of the documentation's contributing page: each top-level entry (``fetch/``,
    ``loader.py``) and the text it holds."""
    page = (PACKAGE.parent / "docs" / "contributing.md").read_text()
    block = page.split("## Layout", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   "):  # an entry of savedlib/
            current = line.split()[0]
            entries[current] = line
        elif line.startswith("   ") and current:
            entries[current] += " " + line.strip()
        else:
            current = None
    return entries


def test_the_documented_layout_lists_every_module():
    """Every module of the package has its line in the documented Layout (a package's own __init__ aside)."""
    entries = _layout()
    missing = []
    for path in modules():
        parts = path.relative_to(PACKAGE).parts
        if len(parts) == 1:
            found = parts[0] in entries
        else:
            found = parts[-1] == "__init__.py" or parts[-1] in entries.get(parts[0] + "/", "")
        if not found:
            missing.append(str(path.relative_to(PACKAGE)))
    assert not missing, f"add to the Layout in docs/contributing.md: {missing}"
    tree = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    assert set(entries) <= tree, f"the Layout names what is not there: {set(entries) - tree}"
