"""The archive's reads: what crawls, reparse and the commands ask of it."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from cqcscraper.parse import urls
from cqcscraper.parse.media import MediaLink
from cqcscraper.parse.records import RawResponse, ReleaseMedia
from cqcscraper.store import media
from cqcscraper.store.connection import Connection
from cqcscraper.store.history import Row
from cqcscraper.store.pending import Pending, pending_articles

MAX_ID = 2**63 - 1  # SQLite's largest integer: an article id past it cannot be a row
# The JSONL export's reads (``appended_since``): the changes since a version, releases by id,
# and the last of the others in the export's order (through the index on ``published``).
_CHANGES_SINCE = "SELECT version, id, kind FROM records_changes WHERE version > ? ORDER BY version"
_RECORDS_OF = (
    "SELECT * FROM press_releases WHERE id IN (SELECT value FROM json_each(?)) "
    "ORDER BY published, id"
)
_LAST_BEFORE = (
    "SELECT published, id FROM press_releases WHERE id NOT IN (SELECT value FROM json_each(?)) "
    "ORDER BY published DESC, id DESC LIMIT 1"
)


def _sort_key(row: Any) -> tuple[bool, str, int]:
    """Where a release stands in ``ORDER BY published, id`` (SQLite puts NULL first)."""
    published, row_id = (row["published"], row["id"]) if isinstance(row, dict) else row
    return (published is not None, published or "", row_id)


# ``is_known``'s lookups: by the primary key, the rejects' article and URL indexes.
_ARCHIVED = "SELECT published, url FROM press_releases WHERE id = ?"
_LAST_REJECT = "SELECT NULL, url FROM rejects WHERE article_id = ? ORDER BY id DESC LIMIT 1"
_LAST_REJECT_OF_URL = (
    "SELECT reason FROM rejects WHERE article_id IS NULL AND url = ? ORDER BY id DESC LIMIT 1"
)


def _reads_back(stored: bytes | None, sha256: str) -> bool:
    """Whether a stored (compressed) snapshot body still is the content it was stored as."""
    try:
        return hashlib.sha256(zlib.decompress(stored or b"")).hexdigest() == sha256
    except zlib.error:
        return False


@dataclass(frozen=True)
class Snapshot:
    """A stored article response: a run of identical fetches from ``first_fetched`` to
    ``last_fetched``."""

    snapshot: int
    article_id: int | None
    first_fetched: str
    last_fetched: str
    raw: RawResponse


class Reads(Connection):
    """The reads of an open archive."""

    def site(self) -> str | None:
        """The site this archive belongs to (``urls.site_of``), None before its first crawl."""
        if self.version < 5:  # an older archive opened read-only: its first crawl's site
            row = self.db.execute("SELECT start_url FROM crawls ORDER BY id LIMIT 1").fetchone()
            return urls.site_of(row[0]) if row and row[0] else None
        row = self.db.execute("SELECT value FROM archive_info WHERE name = 'site'").fetchone()
        return row[0] if row else None

    def info(self, name: str) -> str | None:
        """A value of ``archive_info`` (None when it has none)."""
        row = self.db.execute("SELECT value FROM archive_info WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def _row(self, article_id: int) -> Row | None:
        rows = list(self.db.query("SELECT * FROM press_releases WHERE id = ?", [article_id]))
        return rows[0] if rows else None

    def duplicate_links(self) -> dict[int, int | None]:
        """Each release's ``duplicate_of`` (the lowest id with the same content, or None)."""
        return dict(self.db.execute("SELECT id, duplicate_of FROM press_releases").fetchall())

    def history(self, article_id: int) -> tuple[Row | None, list[Row]]:
        """A release's row and its revisions (oldest first), as stored."""
        revisions = self.db.query(
            "SELECT * FROM revisions WHERE id = ? ORDER BY revision", [article_id]
        )
        return self._row(article_id), [
            {k: v for k, v in r.items() if k != "revision"} for r in revisions
        ]

    def snapshot_count(self) -> int:
        """How many responses are stored."""
        return self._read(lambda: self.db.execute("SELECT count(*) FROM snapshots").fetchone()[0])

    def snapshots(self) -> Iterator[Snapshot]:
        """Every stored response, by article then in the order fetched."""
        for row in self.db.query("SELECT * FROM snapshots ORDER BY article_id, snapshot"):
            raw = RawResponse(
                row["url"],
                row["status"],
                json.loads(row["headers"]),
                zlib.decompress(row["body"]),
                row["listing_text"],
                json.loads(row["request_headers"]) if row.get("request_headers") else None,
            )
            yield Snapshot(
                row["snapshot"], row["article_id"], row["first_fetched"], row["last_fetched"], raw
            )

    def same_content(self, article_id: int, content_hash: str) -> int | None:
        """Another release with this content, when ``article_id`` is not archived yet."""
        row = self._read(
            lambda: self.db.execute(
                "SELECT min(id) FROM press_releases WHERE content_hash = ? AND id != ? "
                "AND NOT EXISTS (SELECT 1 FROM press_releases WHERE id = ?)",
                [content_hash, article_id, article_id],
            ).fetchone()
        )
        return row[0] if row else None

    def refused_snapshots(self, reasons: Collection[str]) -> frozenset[int]:
        """The snapshots a crawl refused for one of ``reasons`` (stored with their reject, at
        the same moment)."""
        rows = self.db.execute(
            "SELECT s.snapshot FROM snapshots s JOIN rejects r ON r.article_id = s.article_id "
            "AND r.seen = s.first_fetched WHERE r.reason IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(reasons))],
        ).fetchall()
        return frozenset(snapshot for (snapshot,) in rows)

    def is_known(
        self,
        article_id: int,
        url: str,
        *,
        refresh_since: str | None = None,
        transient: Collection[str] = (),
    ) -> bool:
        """Whether an incremental run need not fetch this article: archived, or rejected (one
        whose reject may pass is asked for apart when it is due: ``pending``); unless it is
        dated ``refresh_since`` or later. An id past SQLite's integers is known by its URL
        when its latest reject is not ``transient``. Read through the primary key and the
        rejects' indexes: the cost of a lookup does not grow with the archive."""
        if article_id > MAX_ID:
            row = self.db.execute(_LAST_REJECT_OF_URL, [url]).fetchone()
            if row is None or row[0] in transient:
                return False
            published, stored_url = None, url
        else:
            row = self.db.execute(_ARCHIVED, [article_id]).fetchone()
            if row is None:
                row = self.db.execute(_LAST_REJECT, [article_id]).fetchone()
                if row is None:
                    return False
            published, stored_url = row
        if refresh_since is None:
            return True
        ref = urls.article_ref(stored_url)
        day = published or (ref.url_date if ref else None)
        return day is None or day < refresh_since

    def pending(
        self, transient: Collection[str], final_when_seen_twice: Collection[str] = ()
    ) -> list[Pending]:
        """Articles not archived whose last fetch failed for a reason that may pass."""
        return self._read(lambda: pending_articles(self.db.conn, transient, final_when_seen_twice))

    def page_validators(self, article_id: int) -> dict[str, str]:
        """Request headers for fetching an archived release again only if it changed
        (``media.conditional_headers`` of its latest snapshot, when that was a 200); none for
        an article that is not archived (a rejected page is fetched whole), nor for one whose
        stored snapshot no longer reads back as what was fetched (a damaged copy is restored
        by fetching the page whole)."""
        row = self._read(
            lambda: self.db.execute(
                "SELECT status, headers, body, sha256 FROM snapshots WHERE article_id = :id "
                "AND EXISTS (SELECT 1 FROM press_releases WHERE id = :id) "
                "ORDER BY snapshot DESC LIMIT 1",
                {"id": article_id},
            ).fetchone()
        )
        if row is None or row[0] != 200 or not _reads_back(row[2], row[3]):
            return {}
        return media.conditional_headers(json.loads(row[1]))

    def held_file(self, url: str) -> media.HeldFile | None:
        """The latest stored content of a file URL, if any."""
        return self._read(lambda: media.held_file(self.db.conn, url))

    def links_of(self, release_id: int) -> tuple[MediaLink, ...]:
        """A release's links to its images and documents, as stored."""
        return self._read(lambda: media.links_of(self.db.conn, release_id))

    def pending_media(self) -> list[ReleaseMedia]:
        """The links of each release to files that a run failed to fetch, to try again."""
        return self._read(lambda: list(media.pending_media(self.db.conn)))

    def records(self) -> Iterator[dict[str, Any]]:
        """Every release as a plain dict (``images`` as a list), by ``published`` then ``id``."""
        yield from self._records("SELECT * FROM press_releases ORDER BY published, id", [])

    def _records(self, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
        for row in self.db.query(sql, params):
            row["images"] = json.loads(row["images"] or "[]")
            yield row

    def appended_since(self, version: int) -> list[dict[str, Any]] | None:
        """The releases added since ``records_version`` was ``version``, as ``records`` gives
        them, when that is all that changed and each sorts after every older release (a run
        that found newer releases); else None (a release edited, taken back or dated among
        the older ones: the export is written whole). Reads the changes, not the archive."""
        changes = self.db.execute(_CHANGES_SINCE, [version]).fetchall()
        current = int(self.info("records_version") or 0)
        if [number for number, _, _ in changes] != list(range(version + 1, current + 1)):
            return None  # the log does not reach back to that version
        added = {row_id for _, row_id, kind in changes if kind == "insert"}
        if any(kind == "delete" or row_id not in added for _, row_id, kind in changes):
            return None
        ids = json.dumps(sorted(added))
        rows = list(self._records(_RECORDS_OF, [ids]))
        last = self.db.execute(_LAST_BEFORE, [ids]).fetchone()
        if rows and last is not None and _sort_key(rows[0]) < _sort_key(last):
            return None
        return rows

    def runs(self, *, limit: int = 2, verdict: str | None = None) -> list[dict[str, Any]]:
        """The latest runs (``crawls`` rows), newest first; only those with ``verdict``."""
        return list(
            self.db.query(
                "SELECT id, started, finished, finish_reason, verdict, verdict_reason FROM crawls "
                "WHERE :verdict IS NULL OR verdict = :verdict ORDER BY id DESC LIMIT :limit",
                {"verdict": verdict, "limit": limit},
            )
        )
