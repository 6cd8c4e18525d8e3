"""The layers import one way (docs/architecture.md): ``parse`` nothing of ours but itself and no
Scrapy, Twisted or SQLite; ``store`` only ``parse``; ``crawl`` ``parse`` and ``store``;
``testing`` ``parse`` and ``store``; ``spiders`` and ``commands`` the layers below them; ``room``
``store``. Every
import of the package is read from its source (module level and inside functions alike)."""

from __future__ import annotations

import ast
import re
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
# What ``store`` may use of ``parse``: the record types, the URL rules, the reject reasons and
# one text rule (control characters, for CSV cells); never what reads HTML (extract,
# discovery, evidence): the archive knows nothing of HTML.
STORE_USES_OF_PARSE = {"records", "urls", "validation", "media", "text"}
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
            if base == "cqcscraper" or (base.count(".") == 1 and base.startswith("cqcscraper.")):
                # from cqcscraper import parse, ...; from cqcscraper.parse import urls, ...
                found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cqcscraper" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ALLOWED else "top"


def parse_for_store(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and parts[2] in STORE_USES_OF_PARSE


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
            if layer == "store" and target == "parse" and not parse_for_store(imported):
                found.append(f"{where}: store imports {imported}")
    return found


def package_with(folder: Path, sources: dict[str, str]) -> Path:
    """A package ``cqcscraper`` in ``folder`` made of ``sources`` (path -> source)."""
    package = folder / "cqcscraper"
    for name, source in sources.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(source)
    return package


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
        ("store/db.py", "from cqcscraper.parse.extract import extract\n", "store imports"),
        ("store/db.py", "from cqcscraper.parse import discovery\n", "store imports"),
        ("store/db.py", "from cqcscraper import cli\n", "store imports cqcscraper.cli"),
        ("crawl/glue.py", "from ..testing.mirror import Mirror\n", "crawl imports"),
        ("testing/site.py", "from cqcscraper.spiders.press import PressSpider\n", "testing"),
    ],
)
def test_the_check_finds_an_import_against_the_flow(
    tmp_path: Path, file: str, source: str, says: str
) -> None:
    found = violations(package_with(tmp_path, {file: source}))
    assert len(found) == 1
    assert says in found[0]


# -- every SQL statement in store/, and only public names of other projects -------------------

SQL = re.compile(
    r"\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WITH|REPLACE|VACUUM)\s"
)
RUNS_SQL = ("execute", "executemany", "executescript", "query")
# lxml documents its element class as ``etree._Element`` (the type of every element).
PUBLIC_UNDERSCORED = {("etree", "_Element")}


def sql_outside_store(root: Path) -> list[str]:
    """SQL written outside ``store/``: a statement in a string, a statement given literally to
    ``execute``/``query``, a table of the archive's ``db`` used directly (``archive.db[...]``),
    the archive's ``db`` reached from outside."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] == "store":
            continue
        where = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if SQL.match(node.value):
                    found.append(f"{where}:{node.lineno}: SQL {node.value[:40]!r}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                literal = node.args and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
                if node.func.attr in RUNS_SQL and literal:
                    found.append(f"{where}:{node.lineno}: {node.func.attr} of a literal")
            elif isinstance(node, ast.Attribute) and node.attr == "db" and not own_db(node):
                found.append(f"{where}:{node.lineno}: the archive's db: {ast.unparse(node)}")
    return found


def own_db(node: ast.Attribute) -> bool:
    """``self.db`` (an object's own) or ``args.db`` (the command line's path), not an archive's."""
    return isinstance(node.value, ast.Name) and node.value.id in ("self", "args")


def private_names(root: Path) -> list[str]:
    """Names another project keeps private used here: an import from a private module or of
    a private name of Scrapy or Twisted, or ``obj._name`` where the package defines no
    ``_name`` (``RetryMiddleware._retry``, ``process._create_crawler``)."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in root.rglob("*.py")}
    ours = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                ours.add(node.name)
            elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.id if isinstance(node, ast.Name) else node.attr)
            elif isinstance(node, ast.alias):
                ours.add(node.asname or node.name)
    found = []
    for path, tree in sorted(trees.items()):
        where = path.relative_to(root.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "scrapy",
                "twisted",
            ):
                parts = [*node.module.split("."), *(alias.name for alias in node.names)]
                if any(part.startswith("_") for part in parts):
                    found.append(f"{where}:{node.lineno}: from {node.module} import ...")
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                owner = node.value.id if isinstance(node.value, ast.Name) else ""
                dunder = node.attr.startswith("__")
                if (
                    not dunder
                    and node.attr not in ours
                    and (owner, node.attr) not in (PUBLIC_UNDERSCORED)
                ):
                    found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_sql_statement_is_in_store() -> None:
    assert sql_outside_store(PACKAGE) == []


def test_no_private_name_of_another_project_is_used() -> None:
    assert private_names(PACKAGE) == []


@pytest.mark.parametrize(
    ("file", "source", "says"),
    [
        ("crawl/reparse.py", 'Q = """SELECT id FROM press_releases"""\n', "SQL"),
        ("room/plugin.py", "db.execute(f'{verb} FROM {table}')\n", "execute of a literal"),
        ("crawl/reparse.py", "rows = archive.db['press_releases'].rows\n", "the archive's db"),
        ("crawl/retry.py", "class R:\n    def f(self):\n        return self._retry(1)\n", "_retry"),
        ("commands/crawl.py", "from scrapy.utils._compression import x\n", "from scrapy"),
        ("commands/crawl.py", "c = process._create_crawler(spider)\n", "_create_crawler"),
    ],
)
def test_the_checks_find_sql_and_private_names(
    tmp_path: Path, file: str, source: str, says: str
) -> None:
    store = {"store/q.py": "Q = 'SELECT 1'\ndb.execute('SELECT 2')\n"}  # SQL where it belongs
    package = package_with(tmp_path, {file: source, **store})
    found = sql_outside_store(package) + private_names(package)
    assert len(found) == 1, found
    assert says in found[0]


MAX_LINES = 400  # a module past this does more than one job: split it by job


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
