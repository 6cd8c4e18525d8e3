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

    def known_ids(
        self,
        *,
        refresh_since: str | None = None,
        transient: Collection[str] = (),
        final_when_seen_twice: Collection[str] = (),
    ) -> frozenset[int]:
        """Articles an incremental run need not fetch: archived ones, and rejected ones except
        those pending and due again (``store.pending``: the reasons given may pass); except
        those dated ``refresh_since`` or later."""
        known = set()
        dated = self.db.execute("SELECT id, published, url FROM press_releases").fetchall()
        dated += self.db.execute(
            "SELECT article_id, NULL, url FROM rejects WHERE id IN (SELECT max(id) FROM rejects "
            "WHERE article_id IS NOT NULL AND article_id NOT IN (SELECT id FROM press_releases) "
            "GROUP BY article_id)"
        ).fetchall()
        due = {
            waiting.article_id
            for waiting in self.pending(transient, final_when_seen_twice)
            if waiting.due
        }
        dated += [  # rejects of ids past SQLite's integers, known by their URL
            (ref.id, None, url)
            for url, reason in self.db.execute(
                "SELECT url, reason FROM rejects WHERE id IN (SELECT max(id) FROM rejects "
                "WHERE article_id IS NULL GROUP BY url)"
            ).fetchall()
            if reason not in transient and (ref := urls.article_ref(url)) and ref.id > MAX_ID
        ]
        for article_id, published, url in dated:
            if article_id in due:
                continue
            ref = urls.article_ref(url)
            day = published or (ref.url_date if ref else None)
            if refresh_since is None or day is None or day < refresh_since:
                known.add(article_id)
        return frozenset(known)

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
        for row in self.db.query("SELECT * FROM press_releases ORDER BY published, id"):
            row["images"] = json.loads(row["images"] or "[]")
            yield row

    def runs(self, *, limit: int = 2, verdict: str | None = None) -> list[dict[str, Any]]:
        """The latest runs (``crawls`` rows), newest first; only those with ``verdict``."""
        return list(
            self.db.query(
                "SELECT id, started, finished, finish_reason, verdict, verdict_reason FROM crawls "
                "WHERE :verdict IS NULL OR verdict = :verdict ORDER BY id DESC LIMIT :limit",
                {"verdict": verdict, "limit": limit},
            )
        )
