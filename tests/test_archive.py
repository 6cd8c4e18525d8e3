"""The SQLite archive: one row per article id, idempotent writes, FTS, crawls, rejects, JSONL."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from cqcscraper.archive import COLUMNS, SCHEMA_VERSION, Archive, ArchiveError
from cqcscraper.normalize import content_hash
from cqcscraper.records import PressRelease


def release(
    article_id: int = 1, published: str | None = "2024-01-02", **changes: object
) -> PressRelease:
    title, body = (
        changes.pop("title", f"Title {article_id}"),
        changes.pop("body", "Photovoltaic modules."),
    )
    base = PressRelease(
        id=article_id,
        url=f"https://www.cqc.com.cn/www/english/c/2024-01-02/{article_id}.shtml",
        title=title,
        published=published,
        published_from="public_time" if published else None,
        origin="China Quality Certification Centre",
        origin_raw="中国质量认证中心",
        body=body,
        images=("https://www.cqc.com.cn/a.jpg",),
        content_hash=content_hash(title, body),
    )
    return dataclasses.replace(base, **changes)


class Clock:
    """A clock that moves one second per reading, so timestamps are predictable."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> str:
        return f"2026-01-01T00:00:{next(self.ticks):02d}Z"


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    with Archive(tmp_path / "cqc.db", clock=Clock()) as opened:
        yield opened


def test_schema(archive: Archive) -> None:
    table = archive.db["press_releases"]
    assert table.pks == ["id"]
    assert list(table.columns_dict) == list(COLUMNS)
    assert archive.db.journal_mode == "wal"
    assert table.detect_fts() == "press_releases_fts"
    assert {"crawls", "rejects"} <= set(archive.db.table_names())
    assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_new_unchanged_updated(archive: Archive) -> None:
    assert archive.store(release()) == "new"
    assert archive.store(release()) == "unchanged"
    row = archive.db["press_releases"].get(1)
    assert (row["first_seen"], row["last_seen"], row["last_changed"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:00Z",
    )
    assert archive.store(release(body="Edited body.")) == "updated"
    row = archive.db["press_releases"].get(1)
    assert row["body"] == "Edited body."
    assert row["first_seen"] == "2026-01-01T00:00:00Z"
    assert row["last_changed"] == row["last_seen"] == "2026-01-01T00:00:02Z"
    assert archive.db["press_releases"].count == 1


def test_reopening_keeps_rows_and_schema(tmp_path: Path) -> None:
    with Archive(tmp_path / "cqc.db") as first:
        first.store(release())
    with Archive(tmp_path / "cqc.db") as second:
        assert second.db["press_releases"].count == 1
        assert second.store(release()) == "unchanged"


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Database(tmp_path / "new.db").execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ArchiveError, match="schema version"):
        Archive(tmp_path / "new.db")


def test_full_text_search_follows_inserts_and_updates(archive: Archive) -> None:
    archive.store(release(1, body="New rules for photovoltaic modules."))
    archive.store(release(2, body="Toy industry in Yiwu."))
    hits = list(archive.db["press_releases"].search("photovoltaics"))  # porter stemming
    assert [hit["id"] for hit in hits] == [1]
    archive.store(release(1, body="Nothing about solar any more."))
    assert list(archive.db["press_releases"].search("photovoltaic")) == []


def test_jsonl_export_is_ordered_complete_and_atomic(archive: Archive, tmp_path: Path) -> None:
    archive.store(release(3, "2024-05-01"))
    archive.store(release(1, "2024-05-01"))
    archive.store(release(2, "2020-01-01"))
    archive.store(release(4, None))
    target = tmp_path / "out" / "press_releases.jsonl"
    assert archive.export_jsonl(target) == 4
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [4, 2, 1, 3]  # by published (NULL first), then id
    assert rows == list(archive.records())
    assert rows[0]["images"] == ["https://www.cqc.com.cn/a.jpg"]
    assert rows[0]["origin_raw"] == "中国质量认证中心"
    assert sorted(p.name for p in target.parent.iterdir()) == ["press_releases.jsonl"]


def test_crawl_log_and_rejects(archive: Archive) -> None:
    crawl = archive.begin_crawl("http://127.0.0.1:1/www/english/", {"full": "1"})
    archive.reject("https://x/1.shtml", "no_body", crawl_id=crawl)
    archive.finish_crawl(crawl, "finished", {"articles_new": 2, "requests": 9}, {"a": 1})
    row = archive.db["crawls"].get(crawl)
    assert (row["finish_reason"], row["articles_new"], row["requests"], row["responses"]) == (
        "finished",
        2,
        9,
        0,
    )
    assert json.loads(row["args"]) == {"full": "1"}
    (reject,) = archive.db["rejects"].rows
    assert (reject["url"], reject["reason"], reject["crawl_id"]) == (
        "https://x/1.shtml",
        "no_body",
        crawl,
    )


def test_write_waits_for_a_lock_held_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "cqc.db"
    with Archive(path, lock_timeout=10) as archive:
        other = sqlite3.connect(path, timeout=0.1, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        threading.Timer(1.5, other.commit).start()
        archive.db.conn.execute("PRAGMA busy_timeout = 100")  # fail fast so tenacity retries
        assert archive.store(release()) == "new"
        other.close()


def test_write_fails_clearly_when_the_lock_outlasts_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "cqc.db"
    with Archive(path, lock_timeout=0.5) as archive:
        other = sqlite3.connect(path)
        other.execute("BEGIN IMMEDIATE")
        archive.db.conn.execute("PRAGMA busy_timeout = 50")
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            archive.store(release())
        assert time.monotonic() - started < 5
        other.rollback()
        other.close()
        assert archive.store(release()) == "new"


def test_summary(archive: Archive) -> None:
    archive.store(release(1, "2020-01-01", title="Old"))
    archive.store(release(2, "2024-01-01", title="New"))
    for _ in range(2):
        crawl = archive.begin_crawl("http://127.0.0.1:1/", {})
        archive.reject("https://x/3.shtml", "no_body", crawl_id=crawl)
    info = archive.summary()
    assert (info["rows"], info["first"], info["last"]) == (2, "2020-01-01", "2024-01-01")
    assert info["rejects"] == 1  # of the latest run only
    assert [tuple(row) for row in info["latest"]] == [("2024-01-01", "New"), ("2020-01-01", "Old")]
