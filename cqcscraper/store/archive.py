"""The SQLite archive: writes and reads of releases, snapshots, the crawl log and rejects.

Knows nothing of HTML or Scrapy: it stores ``PressRelease`` records, raw responses and plain
dicts. The article id is the primary key, so one release reached under any URL spelling is one
row. Every write is one transaction (a fetched page's snapshot and its record or reject go in
together), so a run killed at any moment leaves the archive consistent.

``Archive`` is made of one part per job: ``store.connection`` (opening, upgrading, the
transaction and its retries while another process holds a lock), ``store.queries`` (reads)
and ``store.writes`` (writes); the errors and their messages are ``store.errors``', the files'
names ``store.paths``', the schema and migrations ``store.schema``'s.
"""

from __future__ import annotations

from cqcscraper.store.connection import utc_now
from cqcscraper.store.errors import (
    ArchiveError,
    ArchiveWriteError,
    DatabaseLocked,
    EmptyArchive,
    ExportError,
    unusable,
)
from cqcscraper.store.paths import DEFAULT_DB_NAME, DEFAULT_JSONL_NAME, jsonl_beside
from cqcscraper.store.queries import Snapshot
from cqcscraper.store.writes import Suspect, Unstorable, Writes

__all__ = [
    "DEFAULT_DB_NAME",
    "DEFAULT_JSONL_NAME",
    "Archive",
    "ArchiveError",
    "ArchiveWriteError",
    "DatabaseLocked",
    "EmptyArchive",
    "ExportError",
    "Snapshot",
    "Suspect",
    "Unstorable",
    "jsonl_beside",
    "unusable",
    "utc_now",
]


class Archive(Writes):
    """One SQLite archive file: open it (``Archive(path)``), read and write it, close it. Use
    as a context manager, or call ``close()``."""
