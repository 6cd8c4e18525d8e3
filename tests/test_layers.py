"""The layers import one way (docs/architecture.md): ``parse`` nothing of ours but itself and no
Scrapy, Twisted or SQLite; ``store`` only ``parse``; ``crawl`` ``parse`` and ``store``;
``testing`` ``parse`` and ``store``; ``spiders`` and ``commands`` the layers below them; ``room``
``store``. Every
import of the package is read from its source (module level and inside functions alike)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "cqcscraper"
# What each layer may import of the package (the top level, cli and settings, may import all).
ALLOWED = {
    "parse": {"parse"},
    "store": {"parse", "store"},
    "crawl": {"parse", "store", "crawl"},
    "testing": {"parse", "store", "testing"},
    "spiders": {"parse", "store", "crawl", "spiders"},
    "commands": {"parse", "store", "crawl", "spiders", "commands"},
    "room": {"store", "room"},
}
# Libraries ``parse`` must not use: it is pure.
NOT_IN_PARSE = ("scrapy", "twisted", "sqlite3", "sqlite_utils")


def imports(path: Path, top: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in a file under ``top``, relative ones resolved."""
    package = ".".join(path.relative_to(top).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if base == "cqcscraper":  # from cqcscraper import parse, store, ...
                found += [(node.lineno, f"cqcscraper.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cqcscraper" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ALLOWED else "top"


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        layer = layer_of(module)
        if layer in (None, "top"):
            continue
        for line, imported in imports(path, root.parent):
            target = layer_of(imported)
            where = f"{path.relative_to(root.parent)}:{line}"
            if target == "top" or (target is not None and target not in ALLOWED[layer]):
                found.append(f"{where}: {layer} imports {imported}")
            if layer == "parse" and imported.split(".")[0] in NOT_IN_PARSE:
                found.append(f"{where}: parse imports {imported}")
    return found


def test_every_layer_imports_only_the_layers_below_it() -> None:
    assert violations(PACKAGE) == []
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        *ALLOWED,
    }


@pytest.mark.parametrize(
    ("file", "source", "says"),
    [
        ("parse/rule.py", "from cqcscraper.store.archive import Archive\n", "parse imports"),
        ("parse/rule.py", "import scrapy\n", "parse imports scrapy"),
        ("parse/rule.py", "def f():\n    import sqlite3\n", "parse imports sqlite3"),
        ("store/db.py", "from cqcscraper.crawl import run\n", "store imports"),
        ("store/db.py", "from cqcscraper import cli\n", "store imports cqcscraper.cli"),
        ("crawl/glue.py", "from ..testing.mirror import Mirror\n", "crawl imports"),
        ("testing/site.py", "from cqcscraper.spiders.press import PressSpider\n", "testing"),
    ],
)
def test_the_check_finds_an_import_against_the_flow(
    tmp_path: Path, file: str, source: str, says: str
) -> None:
    package = tmp_path / "cqcscraper"
    target = package / file
    target.parent.mkdir(parents=True)
    target.write_text(source)
    found = violations(package)
    assert len(found) == 1
    assert says in found[0]
