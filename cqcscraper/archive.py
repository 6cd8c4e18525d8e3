"""The SQLite archive: schema, writes, the crawl log, rejects, full-text search, JSONL export.

Knows nothing of HTML or Scrapy: it stores ``PressRelease`` records and plain dicts. The
article id is the primary key, so one release reached under any URL spelling is one row, and
writing the same record twice changes nothing but ``last_seen``. Each write is one
transaction; a write that meets a lock held by another process is retried (tenacity, with
exponential backoff) until ``lock_timeout`` seconds have passed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlite_utils import Database
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from cqcscraper.records import RECORD_FIELDS, PressRelease

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
RELEASES = "press_releases"
TIMESTAMPS = ("first_seen", "last_seen", "last_changed")
COLUMNS: dict[str, type] = {
    **{name: int if name == "id" else str for name in RECORD_FIELDS},
    **dict.fromkeys(TIMESTAMPS, str),
}
CRAWL_COUNTS = (
    "requests",
    "responses",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "articles_rejected",
)
Outcome = Literal["new", "updated", "unchanged"]
T = TypeVar("T")


def utc_now() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_lock_error(exc: BaseException) -> bool:
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


class ArchiveError(Exception):
    """The archive cannot be used (a newer schema, a broken file)."""


class Archive:
    """One SQLite archive file. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 60.0,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.path = Path(path)
        if self.path.parent:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.path)
        self.clock = clock
        self._retrying = Retrying(
            retry=retry_if_exception(_is_lock_error),
            wait=wait_exponential(multiplier=0.05, max=2.0),
            stop=stop_after_delay(lock_timeout),
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "archive %s is locked, retrying (attempt %d)", self.path, state.attempt_number
            ),
        )
        self._write(self._ensure_schema)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _write(self, fn: Callable[..., T], *args: Any) -> T:
        return self._retrying(fn, *args)

    # -- schema -----------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path} has schema version {version}; this cqcscraper knows "
                f"{SCHEMA_VERSION}. Upgrade cqcscraper to use it."
            )
        if version == SCHEMA_VERSION:
            return
        self.db.enable_wal()
        with self.db.atomic():
            self.db[RELEASES].create(
                COLUMNS,
                pk="id",
                not_null=["url", "body", "content_hash", *TIMESTAMPS],
                if_not_exists=True,
            )
            self.db[RELEASES].create_index(["published"], if_not_exists=True)
            self.db["crawls"].create(
                {
                    "id": int,
                    "started": str,
                    "finished": str,
                    "start_url": str,
                    "args": str,
                    "finish_reason": str,
                    **dict.fromkeys(CRAWL_COUNTS, int),
                    "stats": str,
                },
                pk="id",
                not_null=["started"],
                if_not_exists=True,
            )
            self.db["rejects"].create(
                {"id": int, "crawl_id": int, "url": str, "reason": str, "detail": str, "seen": str},
                pk="id",
                foreign_keys=[("crawl_id", "crawls", "id")],
                not_null=["url", "reason", "seen"],
                if_not_exists=True,
            )
            self.db["rejects"].create_index(["url"], if_not_exists=True)
            self.db[RELEASES].enable_fts(
                ["title", "body"], create_triggers=True, tokenize="porter unicode61"
            )
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writes -----------------------------------------------------------------------------

    def store(self, record: PressRelease) -> Outcome:
        """Insert or update one release; say whether it was new, updated or unchanged."""
        return self._write(self._store, record)

    def _store(self, record: PressRelease) -> Outcome:
        now = self.clock()
        row = record.to_dict()
        row["images"] = json.dumps(row["images"], ensure_ascii=False)
        table = self.db[RELEASES]
        with self.db.atomic():
            old = self.db.execute(
                f"SELECT {', '.join(RECORD_FIELDS)} FROM {RELEASES} WHERE id = ?", [record.id]
            ).fetchone()
            if old is None:
                table.insert({**row, "first_seen": now, "last_seen": now, "last_changed": now})
                return "new"
            if dict(zip(RECORD_FIELDS, old, strict=True)) == row:
                table.update(record.id, {"last_seen": now})
                return "unchanged"
            table.update(record.id, {**row, "last_seen": now, "last_changed": now})
            return "updated"

    def reject(self, url: str, reason: str, detail: str = "", crawl_id: int | None = None) -> None:
        """Record a page that could not become a release, with the reason why."""
        row = {"crawl_id": crawl_id, "url": url, "reason": reason, "detail": detail}
        self._write(self._insert, "rejects", {**row, "seen": self.clock()})

    def begin_crawl(self, start_url: str, args: dict[str, Any]) -> int:
        """Open this run's row in ``crawls``; returns its id."""
        row = {"started": self.clock(), "start_url": start_url, "args": json.dumps(args)}
        return self._write(self._insert, "crawls", row)

    def finish_crawl(
        self, crawl_id: int, reason: str, counts: dict[str, int], stats: dict[str, Any]
    ) -> None:
        row = {
            "finished": self.clock(),
            "finish_reason": reason,
            **{name: counts.get(name, 0) for name in CRAWL_COUNTS},
            "stats": json.dumps(stats, default=str, sort_keys=True),
        }
        self._write(self._update, "crawls", crawl_id, row)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        with self.db.atomic():
            return self.db[table].insert(row).last_pk

    def _update(self, table: str, pk: int, row: dict[str, Any]) -> None:
        with self.db.atomic():
            self.db[table].update(pk, row)

    # -- reads ------------------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """Every release as a plain dict (``images`` as a list), by ``published`` then ``id``."""
        for row in self.db.query(f"SELECT * FROM {RELEASES} ORDER BY published, id"):
            row["images"] = json.loads(row["images"] or "[]")
            yield row

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every release to ``path``, one JSON object a line; atomic (write, then rename)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        count = 0
        with temporary.open("w", encoding="utf-8") as out:
            for row in self.records():
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        return count

    def summary(self) -> dict[str, Any]:
        """Rows, date range, the three latest titles and the rejects of the latest run."""
        rows, first, last = self.db.execute(
            f"SELECT count(*), min(published), max(published) FROM {RELEASES}"
        ).fetchone()
        latest = self.db.execute(
            f"SELECT published, title FROM {RELEASES} ORDER BY published DESC, id DESC LIMIT 3"
        ).fetchall()
        rejects = self.db.execute(
            "SELECT count(*) FROM rejects WHERE crawl_id = (SELECT max(id) FROM crawls)"
        ).fetchone()[0]
        return {"rows": rows, "first": first, "last": last, "latest": latest, "rejects": rejects}
