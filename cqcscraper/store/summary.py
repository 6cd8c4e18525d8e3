"""What ``cqcscraper summary`` says of an archive: rows, date range, latest titles, where the
titles came from, and the last run. Reads only (an archive of an older schema is read as it
is)."""

from __future__ import annotations

from typing import Any

from cqcscraper.parse import validation
from cqcscraper.store.archive import Archive
from cqcscraper.store.pending import Pending


def pending_of(archive: Archive) -> list[Pending]:
    """The archive's pending articles (``store.pending``); none in an archive too old to say."""
    if archive.version < 4:  # rejects by article, snapshots with listing texts: version 4 on
        return []
    return archive.pending(validation.TRANSIENT, validation.FINAL_WHEN_SEEN_TWICE)


def summary(archive: Archive) -> dict[str, Any]:
    """Rows, date range, the three latest titles, where the titles came from, the files stored
    and not stored (by reason), the articles pending (``store.pending``), and the latest run's
    rejects and verdict."""
    rows, first, last = archive.db.execute(
        "SELECT count(*), min(published), max(published) FROM press_releases"
    ).fetchone()
    latest = archive.db.execute(
        "SELECT published, title FROM press_releases ORDER BY published DESC, id DESC LIMIT 3"
    ).fetchall()
    rejects = archive.db.execute(
        "SELECT count(*) FROM rejects WHERE crawl_id = (SELECT max(id) FROM crawls)"
    ).fetchone()[0]
    run = archive.db.execute(
        "SELECT id, started, finished, verdict, verdict_reason FROM crawls ORDER BY id DESC LIMIT 1"
    ).fetchone()
    titles = []
    if archive.version >= 4:  # an older archive read as it is has no title_from yet
        titles = archive.db.execute(
            "SELECT coalesce(title_from, 'none'), count(*) FROM press_releases "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
    files = None
    if archive.version >= 6:  # an older archive read as it is has no media tables
        stored, size = archive.db.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM media_files"
        ).fetchone()
        failed = archive.db.execute(
            "SELECT reason, count(*) FROM media_failures GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        files = {"stored": stored, "bytes": size, "failed": failed}
    return {
        "rows": rows,
        "pending": pending_of(archive),
        "files": files,
        "first": first,
        "last": last,
        "latest": latest,
        "rejects": rejects,
        "run": dict(zip(("id", "started", "finished", "verdict", "reason"), run, strict=True))
        if run
        else None,
        "title_from": titles,
    }
