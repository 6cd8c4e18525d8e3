"""docs/reliability.md names a test for every fault it lists, and docs/operations.md one for
every mistake it lists: each of them must exist."""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = {ROOT / "docs" / "reliability.md": 40, ROOT / "docs" / "operations.md": 15}
CASES = "tests/test_faults.py::test_each_fault_ends_as_expected_after_the_expected_requests"


def named_tests(doc: Path) -> set[str]:
    """Every test a doc's tables name, as ``file::name`` or ``file::name[id]``."""
    names = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        current = None
        for token in re.findall(r"`([^`]+)`", line):
            if match := re.fullmatch(r"(tests/\w+\.py)?::?(test_\w+)", token):
                current = match[1] or current or ""
                names.add(f"{current}::{match[2]}")
            elif match := re.fullmatch(r"(tests/\w+\.py)", token):
                current = match[1]
            elif match := re.fullmatch(r"case\[([\w-]+)\]", token):
                names.add(f"{CASES}[{match[1]}]")
            elif re.fullmatch(r"test_\w+", token):
                names.add(f"::{token}")
    return names


@functools.cache
def collected_tests() -> list[str]:
    """Every test of the suite, as ``pytest --collect-only -q`` lists them (collected once)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


@pytest.mark.parametrize(("doc", "at_least"), DOCS.items(), ids=lambda d: getattr(d, "name", d))
def test_every_test_a_doc_names_exists(doc: Path, at_least: int) -> None:
    collected = collected_tests()
    names = named_tests(doc)
    assert len(names) > at_least
    for name in sorted(names):
        file, _, test = name.partition("::")
        found = [
            line
            for line in collected
            if (not file or line.startswith(file + "::"))
            and (line.split("::", 1)[-1] == test or line.split("::", 1)[-1].startswith(test + "["))
        ]
        assert found, f"docs/{doc.name} names {name}, which does not exist"


LOCKS = {"runtime": [], "analysis": ["analysis"], "dev": ["dev"], "bench": ["bench"]}


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_each_lock_file_pins_every_dependency_with_hashes(lock: str, extras: list[str]) -> None:
    """The make targets install from requirements/*.txt (make lock): every dependency that
    pyproject.toml declares for that install is pinned there, within its range, with hashes."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], "setuptools>=68"]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    text = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    pinned = {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.MULTILINE)
    }
    for line in wanted:
        requirement = Requirement(line)
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in requirements/{lock}.txt"
        assert requirement.specifier.contains(version, prereleases=True), (line, version)
    blocks = re.split(r"^(?=[A-Za-z0-9_.-]+==)", text, flags=re.MULTILINE)[1:]
    assert all("--hash=sha256:" in block for block in blocks)


def package_names() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """What the package defines, read from its source: each module's (by its file's stem)
    top-level names, and each class's attributes (methods, fields, class variables, those of
    its bases in the package included)."""
    modules: dict[str, set[str]] = {}
    classes: dict[str, set[str]] = {}
    bases: dict[str, list[str]] = {}
    for path in (ROOT / "cqcscraper").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = modules.setdefault(path.stem, set())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
                members = classes.setdefault(node.name, set())
                for item in ast.walk(node):
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        members.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members.add(item.target.id)

    def inherited(name: str) -> set[str]:
        return classes.get(name, set()).union(*map(inherited, bases.get(name, [])))

    return modules, {name: inherited(name) for name in classes}


def test_the_flow_of_one_page_names_functions_that_exist() -> None:
    """docs/architecture.md draws one page's way as the functions it passes through: each
    ``module.name`` or ``Class.method`` it names is in the code."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    flow = doc.split("## The flow of one page", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)\.(\w+)`", flow))
    assert len(named) > 20
    modules, classes = package_names()
    missing = [
        f"{owner}.{name}"
        for owner, name in sorted(named)
        if name not in modules.get(owner, set()) | classes.get(owner, set())
    ]
    assert missing == []
