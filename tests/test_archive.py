"""The SQLite archive: one row per article id, idempotent writes, edit history, duplicates,
snapshots, FTS, crawls, rejects, JSONL, schema migration."""

from __future__ import annotations

import ast
import dataclasses
import errno
import importlib
import itertools
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from conftest import ROOT, release
from cqcscraper.crawl.reparse import reparse
from cqcscraper.parse import urls
from cqcscraper.parse.records import PressRelease, RawResponse
from cqcscraper.store import pending, search, search_lists, writes
from cqcscraper.store.archive import (
    Archive,
    ArchiveError,
    DatabaseLocked,
    ExportError,
    Unstorable,
)
from cqcscraper.store.export import write_jsonl
from cqcscraper.store.schema import COLUMNS, RECORDS_VERSION, SCHEMA_VERSION
from cqcscraper.store.summary import summary
from cqcscraper.testing.stored import store, store_many

V1_ARCHIVE = ROOT / "fixtures" / "archives" / "v1.db"  # written by cqcscraper 0.1 (schema 1)
V3_ARCHIVE = ROOT / "fixtures" / "archives" / "v3.db"  # the fixture site's demo, at schema 3
V6_ARCHIVE = ROOT / "fixtures" / "archives" / "v6.db"  # ... at schema 6, with its media tables


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
    # Columns in the order their migrations added them (a new archive and an upgraded one agree).
    first = [name for name in COLUMNS if name != "title_from"]
    assert list(table.columns_dict) == [*first, "duplicate_of", "title_from", "attachment_text"]
    assert set(COLUMNS) == set(table.columns_dict) - {"duplicate_of", "attachment_text"}
    assert archive.db.journal_mode == "wal"
    assert table.detect_fts() == "press_releases_fts"
    assert {"crawls", "rejects", "revisions", "snapshots"} <= set(archive.db.table_names())
    assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_new_unchanged_updated(archive: Archive) -> None:
    assert store(archive, release()) == "new"
    assert store(archive, release()) == "unchanged"
    row = archive.db["press_releases"].get(1)
    assert (row["first_seen"], row["last_seen"], row["last_changed"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:00Z",
    )
    assert store(archive, release(body="Edited body.")) == "updated"
    row = archive.db["press_releases"].get(1)
    assert row["body"] == "Edited body."
    assert row["first_seen"] == "2026-01-01T00:00:00Z"
    assert row["last_changed"] == row["last_seen"] == "2026-01-01T00:00:02Z"
    assert archive.db["press_releases"].count == 1


def test_reopening_keeps_rows_and_schema(tmp_path: Path) -> None:
    with Archive(tmp_path / "cqc.db") as first:
        store(first, release())
    with Archive(tmp_path / "cqc.db") as second:
        assert second.db["press_releases"].count == 1
        assert store(second, release()) == "unchanged"


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Database(tmp_path / "new.db").execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ArchiveError, match="schema version"):
        Archive(tmp_path / "new.db")


def test_the_jsonl_is_written_again_only_when_a_release_changed(
    archive: Archive, tmp_path: Path
) -> None:
    """A run that changed no release (a no-op run) does not rewrite the export: a file
    written from this version of the releases, untouched since, is left as it is."""
    store(archive, release(1))
    target = tmp_path / "press_releases.jsonl"
    assert write_jsonl(archive, target) == (1, True)
    first = target.read_bytes(), target.stat().st_mtime_ns
    assert write_jsonl(archive, target) == (1, False)
    assert (target.read_bytes(), target.stat().st_mtime_ns) == first
    store(archive, release(1), seen="2026-06-01T00:00:00Z")  # fetched again: last_seen moves
    assert write_jsonl(archive, target) == (1, True)
    store(archive, release(2))
    assert write_jsonl(archive, target) == (2, True)
    assert write_jsonl(archive, tmp_path / "other.jsonl") == (2, True)  # another file
    target.write_text("edited by hand\n", encoding="utf-8")
    assert write_jsonl(archive, target) == (2, True)
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [1, 2]
    target.unlink()
    assert write_jsonl(archive, target) == (2, True)
    with archive.db.atomic():  # a release taken back (Archive.withdraw deletes its row)
        archive.db.execute("DELETE FROM press_releases WHERE id = 2")
    assert write_jsonl(archive, target) == (1, True)


def whole_export(archive: Archive, tmp_path: Path) -> bytes:
    full = tmp_path / "whole.jsonl"
    full.unlink(missing_ok=True)
    write_jsonl(archive, full)
    return full.read_bytes()


def test_a_run_that_adds_newer_releases_appends_them_to_the_jsonl(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New releases dated after every other are appended in place, without reading the
    archive whole; the file is then byte for byte a whole export. Any other change (an older
    date, an edit, a release taken back) writes it whole. The log of changes is kept only as
    far back as an export needs it."""
    whole = []  # the whole exports made (each reads every release)
    records = archive.records
    monkeypatch.setattr(archive, "records", lambda: whole.append(1) or records())
    target = tmp_path / "press_releases.jsonl"

    def exported() -> bool:
        write_jsonl(archive, target)
        full = whole_export(archive, tmp_path)  # a file of its own: always whole
        whole.pop()
        return target.read_bytes() == full

    store(archive, release(1, "2024-01-01"))
    store(archive, release(2, "2024-02-01"))
    assert (exported(), len(whole)) == (True, 1)
    store(archive, release(4, "2024-03-01"))
    store(archive, release(3, "2024-03-01"))  # the same day, a lower id: still after 2
    assert (exported(), len(whole)) == (True, 1)  # appended
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [1, 2, 3, 4]
    store(archive, release(5, "2020-01-01"))  # dated among the older ones
    assert (exported(), len(whole)) == (True, 2)
    store(archive, release(6, "2025-01-01"))
    store(archive, release(1, "2024-01-01", body="Edited."))  # an edit
    assert (exported(), len(whole)) == (True, 3)
    store(archive, release(7, "2025-02-01"))
    store(archive, release(8, "2025-03-01"))
    assert (exported(), len(whole)) == (True, 3)
    (logged,) = archive.db.execute("SELECT count(*) FROM records_changes").fetchone()
    assert logged == 0  # every export kept is up to date: nothing more is needed


@pytest.mark.parametrize("failing", ["posix_fallocate", "fsync"])
def test_an_append_that_fails_leaves_the_jsonl_as_it_was(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The append is made in place: a full disk (when room is reserved, or as the bytes are
    synced) cuts the file back to what it held, and the next export writes it whole."""
    target = tmp_path / "press_releases.jsonl"
    store(archive, release(1, "2024-01-01"))
    write_jsonl(archive, target)
    before = target.read_bytes()
    store(archive, release(2, "2024-02-01"))
    real, calls = getattr(os, failing), []

    def full_disk(*args: object) -> object:
        calls.append(args)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(os, failing, full_disk)
    with pytest.raises(ExportError, match=r"the JSONL export to .* failed: .*No space left"):
        write_jsonl(archive, target)
    assert target.read_bytes() == before
    monkeypatch.undo()
    assert write_jsonl(archive, target) == (2, True)
    assert target.read_bytes() == whole_export(archive, tmp_path)


def test_a_jsonl_cut_by_a_crash_in_an_append_is_written_whole_next(
    archive: Archive, tmp_path: Path
) -> None:
    """The power lost in the midst of an append leaves a cut last line: the file's size is
    then not the one its export recorded, so the next export writes it whole."""
    target = tmp_path / "press_releases.jsonl"
    store(archive, release(1, "2024-01-01"))
    write_jsonl(archive, target)
    store(archive, release(2, "2024-02-01"))
    with target.open("ab") as out:
        out.write(b'{"id": 2, "url": "https://www.cqc')
    assert write_jsonl(archive, target) == (2, True)
    assert target.read_bytes() == whole_export(archive, tmp_path)


def test_full_text_search_follows_inserts_and_updates(archive: Archive) -> None:
    store(archive, release(1, body="New rules for photovoltaic modules."))
    store(archive, release(2, body="Toy industry in Yiwu."))
    hits = list(archive.db["press_releases"].search("photovoltaics"))  # porter stemming
    assert [hit["id"] for hit in hits] == [1]
    store(archive, release(1, body="Nothing about solar any more."))
    assert list(archive.db["press_releases"].search("photovoltaic")) == []


def fts_rows_changed(archive: Archive, sql: str, params: list) -> int:
    """The rows a statement changed in the full-text index's own tables (its triggers')."""
    before = archive.db.execute("SELECT count(*), sum(length(block)) FROM press_releases_fts_data")
    before = before.fetchone()
    with archive.db.atomic():
        archive.db.execute(sql, params)
    after = archive.db.execute("SELECT count(*), sum(length(block)) FROM press_releases_fts_data")
    return int(after.fetchone() != before)


def test_the_full_text_index_is_kept_when_a_searched_column_changes_and_only_then(
    archive: Archive,
) -> None:
    """Seeing a release again or relinking it as a duplicate leaves its indexed text alone (it
    was taken out of the index and put back on every update); an edit of its title, body or
    documents' text changes the index, which stays whole."""
    store(archive, release(1, body="New rules for photovoltaic modules."))
    seen = "UPDATE press_releases SET last_seen = ?, duplicate_of = NULL WHERE id = 1"
    assert fts_rows_changed(archive, seen, ["2026-06-01T00:00:00Z"]) == 0
    for column, text in [("title", "Yiwu"), ("body", "hydrogen"), ("attachment_text", "toys")]:
        edit = f"UPDATE press_releases SET {column} = ? WHERE id = 1"
        assert fts_rows_changed(archive, edit, [text]) == 1
        assert [hit["id"] for hit in archive.db["press_releases"].search(text)] == [1]
    archive.db.execute(
        "INSERT INTO press_releases_fts(press_releases_fts) VALUES('integrity-check')"
    )


def test_relinking_duplicates_changes_only_the_rows_whose_link_moves(archive: Archive) -> None:
    """A relink that moves no link is no change of any release (none to export again): a new
    release is one change, and a new copy of another two (its row, then its link)."""
    same = {"title": "Notice", "body": "The same notice."}
    store(archive, release(5, **same))
    store(archive, release(7, **same))

    def changes_made_by(record: PressRelease) -> int:
        version = int(archive.info(RECORDS_VERSION) or 0)
        store(archive, record)
        return int(archive.info(RECORDS_VERSION) or 0) - version

    assert changes_made_by(release(6, title="Other")) == 1
    assert changes_made_by(release(8, **same)) == 2
    duplicates = {row["id"]: row["duplicate_of"] for row in archive.db["press_releases"].rows}
    assert duplicates == {5: None, 6: None, 7: 5, 8: 5}


def test_jsonl_export_is_ordered_complete_and_atomic(archive: Archive, tmp_path: Path) -> None:
    store(archive, release(3, "2024-05-01"))
    store(archive, release(1, "2024-05-01"))
    store(archive, release(2, "2020-01-01"))
    store(archive, release(4, None))
    target = tmp_path / "out" / "press_releases.jsonl"
    with pytest.raises(ExportError, match=r"the JSONL export to .* failed"):
        write_jsonl(archive, target)  # its folder does not exist: nothing is made
    assert not target.parent.exists()
    target.parent.mkdir()
    assert write_jsonl(archive, target) == (4, True)
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [4, 2, 1, 3]  # by published (NULL first), then id
    assert rows == list(archive.records())
    assert rows[0]["images"] == ["https://www.cqc.com.cn/a.jpg"]
    assert rows[0]["origin_raw"] == "中国质量认证中心"
    assert sorted(p.name for p in target.parent.iterdir()) == ["press_releases.jsonl"]


def test_crawl_log_and_rejects(archive: Archive) -> None:
    crawl = archive.begin_crawl("http://127.0.0.1:1/www/english/", {"full": "1"})
    archive.reject("https://x/1.shtml", "no_body", crawl_id=crawl)
    archive.finish_crawl(crawl, {"finish_reason": "finished", "articles_new": 2, "verdict": "ok"})
    row = archive.db["crawls"].get(crawl)
    assert (row["finish_reason"], row["articles_new"], row["verdict"], row["finished"]) == (
        "finished",
        2,
        "ok",
        "2026-01-01T00:00:02Z",
    )
    assert json.loads(row["args"]) == {"full": "1"}
    (reject,) = archive.db["rejects"].rows
    assert (reject["url"], reject["reason"], reject["crawl_id"], reject["article_id"]) == (
        "https://x/1.shtml",
        "no_body",
        crawl,
        None,
    )


def test_a_run_that_never_closed_is_marked_killed_by_the_next(archive: Archive) -> None:
    killed = archive.begin_crawl("http://127.0.0.1:1/", {})
    archive.begin_crawl("http://127.0.0.1:1/", {})
    row = archive.db["crawls"].get(killed)
    assert (row["finish_reason"], row["verdict"], row["finished"]) == ("killed", "fail", None)
    assert "without closing" in row["verdict_reason"]


def test_an_edit_keeps_the_replaced_content_as_a_revision(archive: Archive) -> None:
    store(archive, release(), seen="2026-01-01T00:00:00Z")
    store(archive, release(), seen="2026-01-02T00:00:00Z")
    store(archive, release(body="Corrected body."), seen="2026-01-03T00:00:00Z")
    store(archive, release(body="Corrected body."), seen="2026-01-04T00:00:00Z")
    store(archive, release(body="Corrected again."), seen="2026-01-05T00:00:00Z")
    row = archive.db["press_releases"].get(1)
    assert (row["body"], row["first_seen"], row["last_changed"], row["last_seen"]) == (
        "Corrected again.",
        "2026-01-01T00:00:00Z",
        "2026-01-05T00:00:00Z",
        "2026-01-05T00:00:00Z",
    )
    revisions = list(archive.db.query("SELECT * FROM revisions ORDER BY revision"))
    assert [(r["id"], r["body"], r["first_seen"], r["last_seen"]) for r in revisions] == [
        (1, "Photovoltaic modules.", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        (1, "Corrected body.", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"),
    ]
    assert revisions[0]["content_hash"] == release().content_hash
    assert archive.db["press_releases"].count == 1


def test_a_corrected_date_is_an_edit_too(archive: Archive) -> None:
    store(archive, release(published="2024-01-02"))
    assert store(archive, release(published="2024-01-03")) == "updated"
    (revision,) = archive.db["revisions"].rows
    assert revision["published"] == "2024-01-02"


def test_same_content_under_a_new_id_is_a_duplicate_of_the_earlier_id(archive: Archive) -> None:
    same = {"title": "Notice", "body": "The same notice."}
    store(archive, release(7, **same))
    store(archive, release(5, **same))  # the earlier id arrives later
    store(archive, release(6, title="Other"))
    duplicates = {row["id"]: row["duplicate_of"] for row in archive.db["press_releases"].rows}
    assert duplicates == {5: None, 6: None, 7: 5}
    store(archive, release(5, title="Notice", body="Edited: no longer the same."))
    duplicates = {row["id"]: row["duplicate_of"] for row in archive.db["press_releases"].rows}
    assert duplicates == {5: None, 6: None, 7: None}


def raw(body: bytes, status: int = 200) -> RawResponse:
    url = "https://www.cqc.com.cn/www/english/c/2024-01-02/1.shtml"
    return RawResponse(url, status, {"Content-Type": ["text/html"]}, body)


def test_snapshots_are_stored_compressed_once_per_run_of_identical_fetches(
    archive: Archive,
) -> None:
    for seen, body in [("01", b"<p>A</p>"), ("02", b"<p>A</p>"), ("03", b"<p>B</p>")]:
        store(archive, release(), seen=f"2026-01-{seen}T00:00:00Z", raw=raw(body))
    store(archive, release(), seen="2026-01-04T00:00:00Z", raw=raw(b"<p>A</p>"))  # back to A
    stored = list(archive.snapshots())
    assert [(s.raw.body, s.first_fetched[8:10], s.last_fetched[8:10]) for s in stored] == [
        (b"<p>A</p>", "01", "02"),
        (b"<p>B</p>", "03", "03"),
        (b"<p>A</p>", "04", "04"),
    ]
    assert stored[0].raw.headers == {"Content-Type": ["text/html"]}
    assert [s.article_id for s in stored] == [1, 1, 1]
    row = next(archive.db.query("SELECT * FROM snapshots LIMIT 1"))
    assert (row["size"], row["fetches"], len(row["sha256"])) == (8, 2, 64)


def test_a_rejected_fetch_keeps_its_snapshot(archive: Archive) -> None:
    archive.reject(raw(b"").url, "no_body", raw=raw(b"<html></html>"))
    (snapshot,) = archive.snapshots()
    assert (snapshot.article_id, snapshot.raw.body) == (1, b"<html></html>")


RETRIED = {"transient": {"fetch_failed"}, "final_when_seen_twice": {"not_found"}}
BASE = "https://www.cqc.com.cn/www/english/c"


def known(archive: Archive, urls_by_id: dict[int, str], refresh_since: str | None = None) -> set:
    """The articles an incremental run skips, of those given: ``Archive.is_known``, but never
    one due again (the run asks for those itself: ``ArchiveRun.known_articles``)."""
    due = {waiting.article_id for waiting in archive.pending(**RETRIED) if waiting.due}
    return {
        article_id
        for article_id, url in urls_by_id.items()
        if article_id not in due
        and archive.is_known(
            article_id, url, refresh_since=refresh_since, transient=RETRIED["transient"]
        )
    }


def linked(*ids: int) -> dict[int, str]:
    return {article_id: f"{BASE}/2025-01-01/{article_id}.shtml" for article_id in ids}


def test_known_ids_skip_archived_and_permanently_rejected_articles(archive: Archive) -> None:
    store(archive, release(1, "2026-01-10"))
    store(archive, release(2, "2025-06-01"))
    run = archive.begin_crawl(urls.START_URL, {})
    archive.reject(f"{BASE}/2026-01-11/3.shtml", "not_found", crawl_id=run)  # once: a lag?
    archive.reject(f"{BASE}/2025-01-01/4.shtml", "fetch_failed", crawl_id=run)  # fetched again
    archive.reject(f"{BASE}/2025-01-01/5.shtml", "fetch_failed", crawl_id=run)
    archive.reject(f"{BASE}/2025-01-01/5.shtml", "no_body", crawl_id=run)  # latest: permanent
    archive.reject(f"{BASE}/2025-01-01/6.shtml", "no_body", crawl_id=run)
    archive.begin_crawl(urls.START_URL, {})
    assert known(archive, linked(1, 2, 3, 4, 5, 6, 7)) == {1, 2, 5, 6}
    recent = known(archive, linked(1, 2, 3, 4, 5, 6, 7), refresh_since="2026-01-01")
    assert recent == {2, 5, 6}  # 1 (published) is recent: fetched again


def test_a_passing_fault_is_tried_again_later_and_later_and_a_404_seen_twice_is_final(
    archive: Archive,
) -> None:
    def run_failing(*ids: int, reason: str = "fetch_failed") -> None:
        run = archive.begin_crawl(urls.START_URL, {})
        for article_id in ids:
            archive.reject(f"{BASE}/2025-01-01/{article_id}.shtml", reason, crawl_id=run)

    def due() -> set[int]:
        archive.begin_crawl(urls.START_URL, {})  # what is due is read as a run begins
        return {7, 8} - known(archive, linked(7, 8))

    run_failing(7)
    run_failing(8, reason="not_found")
    # 7 failed once, one run ago; 8 answered 404 once: both tried by the next run
    assert due() == {7, 8}
    # tried again by that run: 7 fails again, 8 is still not found (seen twice: final)
    run_failing(7)
    archive.reject(f"{BASE}/2025-01-01/8.shtml", "not_found", crawl_id=run_count(archive))
    tries = []
    for _ in range(12):  # the runs that follow: 7 is tried after 2, then 4, 8 runs
        tried = due()
        tries.append(7 in tried)
        assert 8 not in tried
        if 7 in tried:
            run = run_count(archive)
            archive.reject(f"{BASE}/2025-01-01/7.shtml", "fetch_failed", crawl_id=run)
    assert tries == [False, True, False, False, False, True, *[False] * 6]
    (waiting,) = archive.pending(**RETRIED)
    assert (waiting.article_id, waiting.reason, waiting.tries) == (7, "fetch_failed", 4)


def test_withdraw_takes_back_only_what_this_run_added(archive: Archive) -> None:
    archive.begin_crawl(urls.START_URL, {})
    store(archive, release(1, "2025-01-01"))  # an earlier run's release
    run = archive.begin_crawl(urls.START_URL, {})
    store(archive, release(2, "2025-01-02"))  # this run's
    assert archive.withdraw({1, 2, 3}, run, "placeholder", "shared") == [2]
    assert [row["id"] for row in archive.db["press_releases"].rows] == [1]
    rejects = archive.db.execute("SELECT article_id, reason, crawl_id FROM rejects").fetchall()
    assert rejects == [(2, "placeholder", run)]
    (waiting,) = archive.pending({"placeholder"})
    assert waiting.article_id == 2


def run_count(archive: Archive) -> int:
    return archive.db.execute("SELECT max(id) FROM crawls").fetchone()[0]


def test_a_version_1_archive_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "cqc.db"
    shutil.copy(V1_ARCHIVE, path)
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert archive.db.journal_mode == "wal"
        rows = {row["id"]: row for row in archive.db["press_releases"].rows}
        assert sorted(rows) == [595908, 597552]
        assert rows[597552]["duplicate_of"] is None
        assert [hit["id"] for hit in archive.db["press_releases"].search("Yiwu")] == [597552]
        assert store(archive, release(9)) == "new"
        (old_run,) = archive.db["crawls"].rows
        assert (old_run["articles_new"], old_run["verdict"]) == (2, None)
        with Archive(tmp_path / "fresh.db") as fresh:
            for table in ["press_releases", "revisions", "snapshots", "crawls", "rejects"]:
                assert archive.db[table].columns_dict == fresh.db[table].columns_dict, table


def test_write_waits_for_a_lock_held_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "cqc.db"
    with Archive(path, lock_timeout=10) as archive:
        other = sqlite3.connect(path, timeout=0.1, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        threading.Timer(1.5, other.commit).start()
        archive.db.conn.execute("PRAGMA busy_timeout = 100")  # fail fast so tenacity retries
        assert store(archive, release()) == "new"
        other.close()


def test_write_fails_clearly_when_the_lock_outlasts_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "cqc.db"
    with Archive(path, lock_timeout=0.5) as archive:
        other = sqlite3.connect(path)
        other.execute("BEGIN IMMEDIATE")
        archive.db.conn.execute("PRAGMA busy_timeout = 50")
        started = time.monotonic()
        with pytest.raises(DatabaseLocked, match=r"stayed locked .* more than 0.5 s"):
            store(archive, release())
        assert time.monotonic() - started < 30  # the 0.5 s bound, not the 60 s default
        other.rollback()
        other.close()
        assert store(archive, release()) == "new"


def test_summary(archive: Archive) -> None:
    store(archive, release(1, "2020-01-01", title="Old"))
    store(archive, release(2, "2024-01-01", title="New"))
    for _ in range(2):
        crawl = archive.begin_crawl("http://127.0.0.1:1/", {})
        archive.reject("https://x/3.shtml", "no_body", crawl_id=crawl)
    info = summary(archive)
    assert (info["rows"], info["first"], info["last"]) == (2, "2020-01-01", "2024-01-01")
    assert info["rejects"] == 1  # of the latest run only
    assert [tuple(row) for row in info["latest"]] == [("2024-01-01", "New"), ("2020-01-01", "Old")]


def test_the_plain_write_statements_name_every_column(archive: Archive) -> None:
    """The hot-path statements are written out; they must follow the schema."""
    upsert = re.search(r"press_releases \((.*?)\)", writes._UPSERT, re.S)[1]
    assert [c.strip() for c in upsert.split(",")] == list(COLUMNS)
    updated = re.findall(r"(\w+) = excluded\.\1", writes._UPSERT)
    assert updated == [c for c in COLUMNS if c != "id"]
    snapshot = re.search(r"snapshots \((.*?)\)", writes._NEW_SNAPSHOT, re.S)[1]
    table = archive.db["snapshots"].columns_dict
    assert [c.strip() for c in snapshot.split(",")] == [c for c in table if c != "snapshot"]


def test_a_version_3_archive_is_upgraded_and_reparse_fills_title_from(tmp_path: Path) -> None:
    """Schema 4 adds title provenance. Rows archived before it have ``title_from`` NULL;
    ``reparse`` rebuilds them from their snapshots, and a later fetch of an unchanged
    release fills it in without counting an edit."""
    path = tmp_path / "cqc.db"
    shutil.copy(V3_ARCHIVE, path)
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        before = {row["id"]: row for row in archive.db["press_releases"].rows}
        assert len(before) == 5
        assert {row["title_from"] for row in before.values()} == {None}
        with Archive(tmp_path / "fresh.db") as fresh:
            for table in ["press_releases", "revisions", "snapshots", "crawls", "rejects"]:
                assert archive.db[table].columns_dict == fresh.db[table].columns_dict, table
        old = before[597552]
        record = release(597552, url=old["url"], title=old["title"], body=old["body"])
        record = dataclasses.replace(
            record,
            published=old["published"],
            published_from=old["published_from"],
            origin=old["origin"],
            origin_raw=old["origin_raw"],
            images=tuple(json.loads(old["images"])),
            content_hash=old["content_hash"],
        )
        assert store(archive, record, seen="2026-02-01T00:00:00Z") == "unchanged"
        row = archive.db["press_releases"].get(597552)
        assert (row["title_from"], row["last_changed"]) == ("heading", old["last_changed"])
        assert archive.db["revisions"].count == 0
        report = reparse(archive)
        after = {row["id"]: row for row in archive.db["press_releases"].rows}
        assert {i: row["title_from"] for i, row in after.items()} == {
            593364: "html_title",
            595351: "heading",
            595388: "og_title",
            595908: "heading",
            597552: "heading",
        }
        assert all(after[i]["title"] == before[i]["title"] for i in after)
        # 597552 too: the fetch above had no snapshot, so its rebuilt last_seen is the snapshot's
        assert sorted(report.changed) == sorted(before)
        assert archive.db["revisions"].count == 0


def test_a_value_the_database_refuses_costs_that_record_alone(archive: Archive) -> None:
    huge = release(2**63)  # past SQLite's integers
    outcomes = store_many(
        archive, [(release(1), None, None), (huge, None, None), (release(2), None, None)]
    )
    assert outcomes[0] == outcomes[2] == "new"
    assert isinstance(outcomes[1], Unstorable)
    assert "OverflowError" in outcomes[1].error
    assert [row["id"] for row in archive.db["press_releases"].rows] == [1, 2]
    archive.reject(huge.url, "unstorable", outcomes[1].error)
    assert archive.db["rejects"].get(1)["article_id"] is None  # known by its URL
    assert archive.is_known(2**63, huge.url)
    assert not archive.is_known(2**63 + 1, huge.url.replace(str(2**63), str(2**63 + 1)))


def test_a_version_6_archive_is_upgraded_with_its_media_rows(tmp_path: Path) -> None:
    """Schema 7 adds ``media_files.text_error``: the files archived before it keep their rows
    (and their text), with no error recorded; every table is then as a new archive's."""
    path = tmp_path / "cqc.db"
    shutil.copy(V6_ARCHIVE, path)
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        files = list(archive.db.query("SELECT url, text, text_error FROM media_files"))
        assert len(files) == 6
        assert {row["text_error"] for row in files} == {None}
        assert [row["url"] for row in files if row["text"]] == [
            "https://www.cqc.com.cn/www/english/c/2023-05-04/P020230504300001.pdf"
        ]
        with Archive(tmp_path / "fresh.db") as fresh:
            assert sorted(archive.db.table_names()) == sorted(fresh.db.table_names())
            for table in fresh.db.table_names():
                assert archive.db[table].columns_dict == fresh.db[table].columns_dict, table


V7_ARCHIVE = ROOT / "fixtures" / "archives" / "v7.db"  # the replay site, at schema 7 (IRIs)


URL_COLUMNS = (
    "SELECT url FROM press_releases UNION ALL SELECT url FROM revisions UNION ALL "
    "SELECT url FROM snapshots UNION ALL SELECT url FROM rejects UNION ALL "
    "SELECT start_url FROM crawls UNION ALL SELECT url FROM media_links UNION ALL "
    "SELECT url FROM media_files UNION ALL SELECT url FROM media_failures"
)


def _url_columns(archive: Archive) -> list[str]:
    found = [url for (url,) in archive.db.execute(URL_COLUMNS) if url]
    for (images,) in archive.db.execute("SELECT images FROM press_releases"):
        found += json.loads(images)
    return found


def test_a_version_7_archive_keeps_its_urls_as_uris(tmp_path: Path) -> None:
    """Schema 8 rewrites the URLs an archive kept as the page spelled them (Chinese file
    names, spaces) as URIs, the form the crawl now keeps and the WARC writes; links still
    lead to their files, and nothing else changes."""
    path = tmp_path / "cqc.db"
    shutil.copy(V7_ARCHIVE, path)
    with sqlite3.connect(path) as old:
        iris = [u for (u,) in old.execute("SELECT url FROM media_files") if u != urls.as_uri(u)]
        before = old.execute("SELECT id, content_hash, last_changed FROM press_releases").fetchall()
    assert len(iris) == 5  # the fixture's Chinese and spaced names, as schema 7 kept them
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        found = _url_columns(archive)
        assert found
        assert all(url == urls.as_uri(url) and url.isascii() for url in found)
        assert {urls.as_uri(url) for url in iris} <= set(found)
        linked = archive.db.execute(
            "SELECT count(*) FROM media_links JOIN media_files USING (url)"
        ).fetchone()
        assert linked == (6,)
        assert (
            archive.db.execute(
                "SELECT id, content_hash, last_changed FROM press_releases"
            ).fetchall()
            == before
        )
        assert archive.db["revisions"].count == 0


def test_two_spellings_of_one_file_become_one_row(tmp_path: Path) -> None:
    """A file (or a failure) kept under its IRI and again under its URI is one row after the
    upgrade: the same URL and content are one file."""
    path = tmp_path / "cqc.db"
    shutil.copy(V7_ARCHIVE, path)
    with sqlite3.connect(path) as old:
        (row,) = old.execute(
            "SELECT * FROM media_files WHERE url LIKE '%Plant tour 2.png'"
        ).fetchall()
        twin = (None, urls.as_uri(row[1]), *row[2:])
        old.execute(f"INSERT INTO media_files VALUES ({', '.join('?' * len(twin))})", twin)
        for url in ("https://x.example/a b.pdf", "https://x.example/a%20b.pdf"):
            old.execute(
                "INSERT INTO media_failures VALUES (?, 'fetch_failed', '', 500, 1, "
                "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [url],
            )
    with Archive(path) as archive:
        spaced = "SELECT url FROM media_files WHERE url LIKE '%Plant%20tour%'"
        assert [r[0] for r in archive.db.execute(spaced)] == [urls.as_uri(row[1])]
        failures = [r[0] for r in archive.db.execute("SELECT url FROM media_failures")]
        assert failures == ["https://x.example/a%20b.pdf"]


# -- every statement follows the schema --------------------------------------------------------

STATEMENT = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\s")


def statements_of_store() -> list[tuple[str, str]]:
    """``(where, sql)`` of every statement written in ``store/``: the module-level strings as
    Python assembles them, and every other string literal that is not part of an f-string."""
    found = []
    for path in sorted((ROOT / "cqcscraper" / "store").glob("*.py")):
        module = importlib.import_module(f"cqcscraper.store.{path.stem}")
        found += [
            (f"store/{path.name}:{name}", value)
            for name, value in vars(module).items()
            if isinstance(value, str) and STATEMENT.match(value)
        ]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {
            id(p) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for p in node.values
        }
        found += [
            (f"store/{path.name}:{node.lineno}", node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in parts
            and STATEMENT.match(node.value)
        ]
    return found


def test_every_statement_of_store_names_the_schemas_tables_and_columns(tmp_path: Path) -> None:
    """Each statement is compiled by SQLite against a new archive (``EXPLAIN``): a table or a
    column the schema does not have is found here, not in a run. (A temporary table a
    statement's own code makes, and a fragment that is not a whole statement, are left.)"""
    with Archive(tmp_path / "cqc.db"):
        pass
    statements = statements_of_store()
    assert len(statements) > 80
    wrong = []
    with sqlite3.connect(tmp_path / "cqc.db") as db:
        for where, sql in statements:
            try:
                db.execute(f"EXPLAIN {sql}")
            except sqlite3.OperationalError as error:
                missing = re.match(r"no such (table|column): (\S+)", str(error))
                if missing and not missing[2].startswith("temp."):
                    wrong.append(f"{where}: {error}")
            except sqlite3.ProgrammingError:  # compiled; the parameters are not given here
                pass
    assert wrong == []


V10_ARCHIVE = ROOT / "fixtures" / "archives" / "v10.db"  # the fixture site's demo, schema 10


def test_a_version_10_archive_reads_its_pending_articles_by_index(tmp_path: Path) -> None:
    """Schema 11 indexes the rejects by reason: the pending articles are read from the
    rejects of the reasons tried again (the query plan searches that index, it scans no
    table), and are what they were. Its search lists are made again by the next close."""
    path = tmp_path / "cqc.db"
    shutil.copy(V10_ARCHIVE, path)
    with sqlite3.connect(path) as old:
        assert old.execute("PRAGMA user_version").fetchone() == (10,)
        rejects = old.execute("SELECT * FROM rejects ORDER BY id").fetchall()
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert archive.db.execute("SELECT * FROM rejects ORDER BY id").fetchall() == rejects
        (waiting,) = archive.pending(**RETRIED)
        assert (waiting.reason, waiting.tries) == ("not_found", 1)
        plan = " ".join(
            row[3]
            for row in archive.db.execute(
                "EXPLAIN QUERY PLAN " + pending._PENDING,
                {"transient": "[]", "twice": "[]", "retried": '["not_found"]'},
            )
        )
        assert "SCAN rejects" not in plan
        assert "USING COVERING INDEX idx_rejects_reason_article_id" in plan, plan
        assert search_lists.due(archive.db.conn)
        assert archive.refresh_search() >= 0
        assert not search_lists.due(archive.db.conn)


V11_ARCHIVE = ROOT / "fixtures" / "archives" / "v11.db"  # the fixture site's demo, schema 11


def test_a_version_11_archive_gets_the_search_scores_and_its_lists_made_again(
    tmp_path: Path,
) -> None:
    """Schema 12 adds every broad word's scores (``search_tokens``, ``search_scores``): an
    archive of schema 11 gets them empty, with its lists marked for the next close, and
    searches as it did until then (the full ranking); its tables are a new archive's."""
    path = tmp_path / "cqc.db"
    shutil.copy(V11_ARCHIVE, path)
    terms = {"term": "Yiwu cooperation", "since": "", "until": ""}
    with sqlite3.connect(path) as old:
        assert old.execute("PRAGMA user_version").fetchone() == (11,)
        assert old.execute("SELECT value FROM archive_info WHERE name = 'search_fresh'").fetchone()
        releases = old.execute("SELECT * FROM press_releases ORDER BY id").fetchall()
    with Archive(path) as archive:
        db = archive.db
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT * FROM press_releases ORDER BY id").fetchall() == releases
        assert [db[name].count for name in ("search_tokens", "search_scores")] == [0, 0]
        assert search_lists.due(db.conn)
        found = [row[0] for row in db.execute(search.SEARCH_SQL, terms)]
        assert found == [597552]
        assert archive.refresh_search() >= 0
        assert not search_lists.due(db.conn)
        assert [row[0] for row in db.execute(search.SEARCH_SQL, terms)] == found
        with Archive(tmp_path / "fresh.db") as fresh:
            for table in ("search_tokens", "search_scores", "search_impacts", "search_words"):
                assert db[table].columns_dict == fresh.db[table].columns_dict, table
                assert db[table].schema == fresh.db[table].schema, table


V12_ARCHIVE = ROOT / "fixtures" / "archives" / "v12.db"  # the fixture site's demo, schema 12


def test_a_version_12_archive_keeps_its_full_text_index_only_when_a_searched_column_changes(
    tmp_path: Path,
) -> None:
    """Schema 13 replaces the full-text index's update trigger by one that runs when a
    searched column changes: an archive of schema 12 gets a new archive's trigger, keeps its
    rows and index whole, and finds what it found."""
    path = tmp_path / "cqc.db"
    shutil.copy(V12_ARCHIVE, path)
    terms = {"term": "Yiwu cooperation", "since": "", "until": ""}
    with sqlite3.connect(path) as old:
        assert old.execute("PRAGMA user_version").fetchone() == (12,)
        releases = old.execute("SELECT * FROM press_releases ORDER BY id").fetchall()
        found = [row[0] for row in old.execute(search.SEARCH_SQL, terms)]
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'press_releases_au'"
    with Archive(path) as archive, Archive(tmp_path / "fresh.db") as fresh:
        db = archive.db
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT * FROM press_releases ORDER BY id").fetchall() == releases
        assert db.execute(trigger).fetchone() == fresh.db.execute(trigger).fetchone()
        assert [row[0] for row in db.execute(search.SEARCH_SQL, terms)] == found == [597552]
        (first,) = db.execute("SELECT id FROM press_releases ORDER BY id LIMIT 1").fetchone()
        seen = "UPDATE press_releases SET last_seen = ? WHERE id = ?"
        assert fts_rows_changed(archive, seen, ["2026-12-04T00:00:00Z", first]) == 0
        db.execute("INSERT INTO press_releases_fts(press_releases_fts) VALUES('integrity-check')")
