"""End to end: a crawl while another process holds the archive's write lock or reads it.

The other process is a real one (``sqlite3`` in a child Python), as a Datasette, a backup or an
analyst's ``BEGIN`` would be. It holds its lock until the test tells it to let go (a line on its
standard input), never for a number of seconds: what the tests check must not depend on how
fast a busy machine runs. Writes retry with tenacity for ``CQC_DB_LOCK_TIMEOUT`` seconds;
past that the run stops and fails with the reason, and the next run completes the archive.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    ANY_SHARE,
    ROOT,
    SITE,
    crawl_args,
    crawls,
    golden_records,
    golden_rows,
    run_crawl,
)
from cqcscraper.store.archive import Archive
from cqcscraper.testing.mirror import Mirror

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them


HOLD = """
import sqlite3, sys, time
db, begin, after_rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
connection = sqlite3.connect(db, isolation_level=None, timeout=30)
count = "SELECT count(*) FROM press_releases"
while after_rows and connection.execute(count).fetchone()[0] < after_rows:
    time.sleep(0.02)
connection.execute(begin)
connection.execute("SELECT count(*) FROM press_releases").fetchone()
print("holding", flush=True)
sys.stdin.readline()  # until the test lets go (or closes the pipe)
connection.execute("COMMIT")
print("released", flush=True)
"""


def hold(db: Path, begin: str, after_rows: int = 0) -> subprocess.Popen:
    """Another process that takes ``begin`` (``BEGIN IMMEDIATE``: the write lock; ``BEGIN``
    and a read: a read transaction) once ``after_rows`` rows are stored, until ``let_go``."""
    with Archive(db):  # the schema, as a first run leaves it
        pass
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), begin, str(after_rows)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def let_go(holder: subprocess.Popen) -> None:
    holder.stdin.write("\n")
    holder.stdin.flush()


def wait_holding(holder: subprocess.Popen) -> None:
    assert holder.stdout.readline().strip() == "holding"


def test_a_write_lock_held_for_a_while_delays_the_run_and_loses_nothing(tmp_path: Path) -> None:
    holder = hold(tmp_path / "cqc.db", "BEGIN IMMEDIATE")
    wait_holding(holder)
    with Mirror(SITE) as mirror:
        command = crawl_args(f"{mirror.url}/www/english/", tmp_path, "CQC_DB_LOCK_TIMEOUT=600")
        crawl = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        log = []
        for line in crawl.stderr:  # the run meets the lock and waits: then the holder lets go
            log.append(line)
            if "is locked, retrying" in line:
                let_go(holder)
                break
        log += crawl.stderr.readlines()
        assert crawl.wait(timeout=120) == 0, "".join(log)[-2000:]
    assert any("is locked, retrying" in line for line in log)
    assert holder.wait(timeout=30) == 0
    assert golden_rows(tmp_path / "cqc.db") == golden_records()
    assert crawls(tmp_path / "cqc.db")[0]["verdict"] == "ok"


def test_a_long_read_transaction_does_not_stop_the_run(tmp_path: Path) -> None:
    holder = hold(tmp_path / "cqc.db", "BEGIN")
    wait_holding(holder)
    crawl = run_crawl(tmp_path, "CQC_DB_LOCK_TIMEOUT=2")
    assert holder.poll() is None, "the reader was still reading during the whole run"
    let_go(holder)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert "is locked" not in crawl.log  # WAL: readers never block the writer
    assert golden_rows(crawl.db) == golden_records()
    holder.kill()
    holder.wait(timeout=10)


def test_a_lock_that_outlasts_the_bound_fails_the_run_and_the_next_run_completes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cqc.db"
    holder = hold(db, "BEGIN IMMEDIATE")  # never lets go: the run must stop at its bound
    try:
        wait_holding(holder)
        crawl = run_crawl(tmp_path, "CQC_DB_LOCK_TIMEOUT=1.5")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert crawl.last_line.endswith(
        f"archive error: {db} stayed locked by another process for more than 1.5 s "
        "(CQC_DB_LOCK_TIMEOUT): database is locked; the run did not finish (archive_error)"
    ), crawl.last_line
    assert golden_rows(db) == {}
    assert not [path for path in crawl.requests if "/c/" in path], "stopped before articles"

    rerun = run_crawl(tmp_path, ANY_SHARE)
    assert rerun.returncode == 0, rerun.log[-2000:]
    assert golden_rows(db) == golden_records()


def test_a_lock_taken_mid_run_stops_it_and_no_record_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "cqc.db"
    holder = hold(db, "BEGIN IMMEDIATE", after_rows=1)
    try:
        with Mirror(SITE, delay=0.5, delay_paths=r"/c/") as slow:
            command = crawl_args(f"{slow.url}/www/english/", tmp_path, "CQC_DB_LOCK_TIMEOUT=1")
            crawl = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert holder.poll() is None, "the lock was held to the end of the run"
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert crawl.returncode == 1, crawl.stderr[-2000:]
    last = crawl.stderr.rstrip().splitlines()[-1]
    assert "archive error:" in last, last
    assert "stayed locked by another process" in last, last
    stored = golden_rows(db)
    assert 1 <= len(stored) < 10
    assert all(golden_records()[i] == row for i, row in stored.items())
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    rerun = run_crawl(tmp_path, ANY_SHARE)
    assert rerun.returncode == 0, rerun.log[-2000:]
    assert golden_rows(db) == golden_records()
    first, second = crawls(db)
    assert first["verdict"] == "fail"  # closed as killed by the rerun if the lock outlasted it
    assert second["verdict"] == "ok"
    stats = json.loads(second["stats"])
    assert stats["cqc/articles/new"] == 10 - len(stored)
