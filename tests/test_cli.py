"""The ``cqcscraper`` command as a user runs it (``make demo`` is ``cqcscraper demo``)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from cqcscraper.cli import main

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

CQCSCRAPER = Path(sys.executable).with_name("cqcscraper")


def test_demo_crawls_the_fixture_site_and_prints_a_summary(tmp_path: Path) -> None:
    db, jsonl = tmp_path / "demo.db", tmp_path / "demo.jsonl"
    command = [str(CQCSCRAPER), "demo", "--db", str(db), "--jsonl", str(jsonl)]
    # the second run is incremental and asks once more for the dead link (a first 404 may be a
    # publish lag); the third has nothing new, nothing rejected
    for _ in range(3):
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Serving fixtures/html at http://127.0.0.1:")
    assert lines[1:] == [
        f"{db}: 10 press releases; 0 pages rejected in the last run",
        "last run: ok: 9 articles linked; 0 new, 0 updated, 0 unchanged, 0 rejected",
        "titles from: heading 5, og_title 2, body 1, html_title 1, listing 1",
        "files: 6 stored (6.4 kB); not stored: off_site 1",
        "published from 2006-11-15 to 2024-09-10; latest:",
        "  2024-09-10  CQC and Yiwu Municipal Government Sign Strategic Cooperation Agreement",
        "  2023-08-04  CQC Held 2023 International Certification Factory Inspection"
        " Working Conference",
        "  2023-05-04  CQC Issues First Carbon Footprint Certificates for Textiles",
        f"records also in {jsonl}",
        f"{db.with_suffix('.warc.gz')}: 12 page responses, 6 files, 10 release records",
        f"{db.with_suffix('.warc.gz')}: read back, 47 records, every digest checked",
        "verify: checked 12 page snapshots and 6 media files: ok",
    ]
    assert sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file()) == sorted(
        f"{digest}.{ext}" for digest, ext in stored_files(db)
    )
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 10


def stored_files(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT sha256, path FROM media_files").fetchall()
    return [(digest, path.rsplit(".", 1)[1]) for digest, path in rows]


def test_summary_of_a_missing_archive_fails_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--db", str(tmp_path / "none.db")]) == 1
    assert "no archive at" in capsys.readouterr().err
