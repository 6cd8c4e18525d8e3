"""The benchmark script runs end to end (tiny sizes) and reports every figure. Times are never
checked: they depend on the machine (docs/benchmarks.md has the real run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

FIGURES = [
    "a. extraction + normalisation, pages/s",
    "a. the same beside trafilatura",
    "b. end-to-end crawl of 30 synthetic articles and their images, responses/s",
    "b. peak RSS of the crawl process, MB",
    "c. no-op re-run: requests",
    "c. no-op re-run: wall time, s",
    "d. search over 400 rows",
    "d. top-10 overlap with the exhaustive ranking",
    "d. the same over 400 rows of real release texts",
    "d. real texts: top-10 overlap with the exhaustive ranking",
    "d. real texts, 300 releases added and 3 edited since the lists were made",
    "d. bulk write, rows/s",
    "e. `cqcscraper reparse` over 30 snapshots, pages/s",
    "f. crawl, ms per response at 60 articles",
    "f. crawl, peak RSS at 60 articles",
    "f. reparse, ms per snapshot at 60 articles",
    "f. reparse, peak RSS at 60 articles",
    "g. peak RSS while a server sends headers without end, MB",
    "h. no-op run at 90 releases",
    "h. run that finds one new release at 90 releases",
]


def test_the_benchmark_script_writes_every_figure_beside_its_peer(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    command = [sys.executable, "bench/run.py", "--articles", "30", "--rows", "400"]
    command += ["--scale", "60", "--flood-timeout", "20", "--flood-limit", "150"]
    command += ["--sizes", "30,90"]
    done = subprocess.run(
        [*command, "--runs", "1", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if line.startswith("| a.") or line[:4] in
            ("| b.", "| c.", "| d.", "| e.", "| f.", "| g.", "| h.")]  # fmt: skip
    for figure in FIGURES:
        assert any(row.startswith(f"| {figure}") for row in rows), figure
    for row in rows:  # ours, then the peer or floor, both measured
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1], row
        assert cells[2] or "overlap" in row, row
    results = json.loads(out.with_suffix(".json").read_text())
    assert results["extraction"]["ours_score"]["exact"] == 1.0  # our output is exact
    assert results["crawl"]["stored"] == results["crawl"]["snapshots"] == 30
    assert all(run["requests"] < 10 for run in results["crawl"]["noop"])
    small, big = results["sizes"]["sizes"]
    assert (small["rows"], big["rows"]) == (30, 90)
    assert small["one_new"]["added"] == big["one_new"]["added"] == 1  # the new release found
    assert big["noop"]["requests"] == small["noop"]["requests"]
    assert results["scale_big"]["stored"] == results["scale_big"]["snapshots"] == 60
    assert len(results["search"]["overlap"]) == 20
    assert results["flood"]["bounded"]["returncode"] == 1  # the bound failed the run
    assert "MEMUSAGE_LIMIT_MB" in results["flood"]["bounded"]["last_line"]
    assert "Machine:" in report
    assert "Versions:" in report
    # the crawl's figures beside an earlier run's (here the same run: every ratio 1.00x)
    again = tmp_path / "again.md"
    saved = str(out.with_suffix(".json"))
    rewrite = ["--from-json", saved, "--before", saved, "--before-label", "the same run"]
    subprocess.run(
        [sys.executable, "bench/run.py", *rewrite, "--out", str(again)],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    beside = again.read_text(encoding="utf-8").split("## Beside the same run", 1)[1]
    rows = [line for line in beside.splitlines() if line.startswith("| b.") or "| f." in line]
    assert len(rows) == 5
    assert all(row.endswith("| 1.00x |") for row in rows)
