"""docs/reliability.md names a test for every fault it lists: each of them must exist."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

DOC = ROOT / "docs" / "reliability.md"
CASES = "tests/test_faults.py::test_each_fault_ends_as_expected_after_the_expected_requests"


def named_tests() -> set[str]:
    """Every test the doc names, as ``file::name`` or ``file::name[id]``."""
    names = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
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


def test_every_test_the_reliability_doc_names_exists() -> None:
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    names = named_tests()
    assert len(names) > 40
    for name in sorted(names):
        file, _, test = name.partition("::")
        found = [
            line
            for line in collected
            if (not file or line.startswith(file + "::"))
            and (line.split("::", 1)[-1] == test or line.split("::", 1)[-1].startswith(test + "["))
        ]
        assert found, f"docs/reliability.md names {name}, which does not exist"
