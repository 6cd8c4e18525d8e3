"""The archive's writes: a crawl's batches (each release with its snapshot, files and links,
in one transaction, a savepoint each), rejects, withdrawals, the crawl log, rebuilds."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from cqcscraper.parse import urls
from cqcscraper.parse.media import MediaLink
from cqcscraper.parse.records import (
    NotModified,
    ParsedPage,
    PressRelease,
    RawResponse,
    ReleaseMedia,
)
from cqcscraper.store import media, search_lists
from cqcscraper.store.connection import T
from cqcscraper.store.history import Outcome, Row, fold, record_row, suspect_update
from cqcscraper.store.queries import MAX_ID, Reads
from cqcscraper.store.schema import MEDIA_LINKS, RELEASES

# The log of changes no export and no search list needs any more.
_FORGET_CHANGES = """DELETE FROM records_changes WHERE version <= min(?,
    coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_version'),
        ?))"""
# Point each row at the lowest id with the same content (``duplicate_of``).
_FIRST_COPY = """(SELECT min(other.id) FROM press_releases AS other
    WHERE other.content_hash = press_releases.content_hash AND other.id < press_releases.id)"""
# Only the rows whose link moves are updated: an update is a change of the release to the
# JSONL export and the search lists (``records_changes``).
_RELINK_ALL = f"""UPDATE press_releases SET duplicate_of = {_FIRST_COPY}
    WHERE duplicate_of IS NOT {_FIRST_COPY}"""
_RELINK_SOME = _RELINK_ALL + " AND content_hash IN (SELECT value FROM json_each(?))"
# The hot path of a crawl, as plain statements (sqlite-utils would read the table's schema on
# every call). ``test_archive`` checks that they name every column.
_UPSERT = """INSERT INTO press_releases (id, url, title, title_from, published, published_from,
        origin, origin_raw, body, images, content_hash, first_seen, last_seen, last_changed)
    VALUES (:id, :url, :title, :title_from, :published, :published_from, :origin, :origin_raw,
        :body, :images, :content_hash, :first_seen, :last_seen, :last_changed)
    ON CONFLICT (id) DO UPDATE SET url = excluded.url, title = excluded.title,
        title_from = excluded.title_from, published = excluded.published,
        published_from = excluded.published_from,
        origin = excluded.origin, origin_raw = excluded.origin_raw, body = excluded.body,
        images = excluded.images, content_hash = excluded.content_hash,
        first_seen = excluded.first_seen, last_seen = excluded.last_seen,
        last_changed = excluded.last_changed"""
_SEEN = "UPDATE press_releases SET last_seen = ? WHERE id = ?"
_NEW_SNAPSHOT = """INSERT INTO snapshots (article_id, url, status, headers, body, size, sha256,
        first_fetched, last_fetched, fetches, listing_text, request_headers)
    VALUES (:article_id, :url, :status, :headers, :body, :size, :sha256, :seen, :seen, 1,
        :listing_text, :request_headers)"""
# A fetch identical to the latest snapshot extends it; the longest listing text is kept, and
# the body is written again (the same bytes, by their sha256: a damaged copy is restored).
_SNAPSHOT_AGAIN = """UPDATE snapshots SET last_fetched = :seen, fetches = fetches + 1, body = :body,
        listing_text = CASE WHEN length(coalesce(:listing_text, '')) >
            length(coalesce(listing_text, '')) THEN :listing_text ELSE listing_text END
    WHERE snapshot = :snapshot"""
# Errors of one record's values (not of the disk or the file): they cost that record alone.
REFUSED_VALUES = (OverflowError, sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError)


@dataclass(frozen=True)
class Suspect:
    """An update not applied: the site's failure rather than an edit (why); the archived
    release stays as it was and the fetched page is kept as a snapshot."""

    reason: str


@dataclass(frozen=True)
class Unstorable:
    """A record the database refused (why): it becomes a reject, the others are stored."""

    error: str


class Writes(Reads):
    """The writes of an open archive (each through ``_write``: one transaction)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The content of each release stored through this Archive (one run): an update whose
        # content another release of the run has is the site's failure, not an edit.
        self._contents: dict[str, int] = {}
        super().__init__(*args, **kwargs)

    def store_batch(
        self, items: Iterable[ParsedPage | NotModified | ReleaseMedia]
    ) -> list[Outcome | Suspect | Unstorable | None]:
        """What a crawl hands over, in one transaction, in order: fetched releases with their
        pages and files (``ParsedPage``), releases the server said are unchanged
        (``NotModified``: ``"unchanged"``), and files fetched again for a release
        (``ReleaseMedia``: None)."""
        return self._write(self._store_all, list(items))

    def _store_all(self, items: list[Any]) -> list[Outcome | Suspect | Unstorable | None]:
        changed: set[str] = set()  # content hashes whose duplicate links may have moved
        outcomes: list[Outcome | Suspect | Unstorable | None] = []
        for item in items:
            if isinstance(item, ParsedPage):
                page = item.page
                outcomes.append(
                    self._store_one(item.record, page.fetched_at, page.raw, item.media, changed)
                )
            elif isinstance(item, NotModified):
                outcomes.append(self._not_modified(item))
            elif isinstance(item, ReleaseMedia):
                media.store_media(self.db.conn, item, self.clock())
                outcomes.append(None)
            else:
                raise TypeError(f"not an item of a crawl: {item!r}")
        if changed:
            self._link_duplicates(changed)
        return outcomes

    def _store_one(
        self,
        record: PressRelease,
        seen: str,
        raw: RawResponse | None,
        files: ReleaseMedia | None,
        changed: set[str],
    ) -> Outcome | Suspect | Unstorable:
        """``_store`` inside a savepoint: a value the database refuses (an id past SQLite's
        integer range) costs this record alone; the rest of the batch is stored."""
        try:
            with self.db.atomic():  # nested: a savepoint
                outcome = self._store(record, seen, raw, changed)
                if files is not None and not isinstance(outcome, Suspect):
                    media.store_media(self.db.conn, files, seen)
                return outcome
        except REFUSED_VALUES as error:
            return Unstorable(f"{type(error).__name__}: {error}")

    def _not_modified(self, item: NotModified) -> Outcome:
        """The latest snapshot was fetched again (``304``): it and the release were seen."""
        self.db.execute(
            "UPDATE snapshots SET last_fetched = ?, fetches = fetches + 1 WHERE snapshot = "
            "(SELECT max(snapshot) FROM snapshots WHERE article_id = ?)",
            [item.fetched_at, item.article_id],
        )
        self.db.execute(_SEEN, [item.fetched_at, item.article_id])
        if item.media is not None:
            media.store_media(self.db.conn, item.media, item.fetched_at)
        return "unchanged"

    def _store(
        self, record: PressRelease, seen: str, raw: RawResponse | None, changed: set[str]
    ) -> Outcome | Suspect:
        if raw is not None:
            self._snapshot(raw, record.id, seen)
        current = self._row(record.id)
        new = record_row(record)
        first = self._contents.setdefault(record.content_hash, record.id)
        if current is not None and current["content_hash"] != record.content_hash:
            shared = first if first != record.id else None
            if why := suspect_update(current, new, shared):
                return Suspect(why)
        row, revision, outcome = fold(current, new, seen)
        if revision is not None:
            self.db["revisions"].insert(revision)
        if outcome == "unchanged" and current and row["title_from"] == current["title_from"]:
            self.db.execute(_SEEN, [seen, record.id])
            return outcome
        self.db.execute(_UPSERT, row)
        changed.update({record.content_hash, *([current["content_hash"]] if current else [])})
        return outcome

    def reject(
        self,
        url: str,
        reason: str,
        detail: str = "",
        *,
        crawl_id: int | None = None,
        seen: str | None = None,
        raw: RawResponse | None = None,
    ) -> None:
        """Record a page that could not become a release, with the reason why."""
        self._write(self._reject, url, reason, detail, crawl_id, seen or self.clock(), raw)

    def _reject(
        self,
        url: str,
        reason: str,
        detail: str,
        crawl_id: int | None,
        seen: str,
        raw: RawResponse | None,
    ) -> None:
        ref = urls.article_ref(url)
        article_id = ref.id if ref and ref.id <= MAX_ID else None  # else known by its URL only
        if raw is not None:
            self._snapshot(raw, article_id, seen)
        row = {"crawl_id": crawl_id, "url": url, "reason": reason, "detail": detail}
        self.db["rejects"].insert({**row, "seen": seen, "article_id": article_id})

    def _snapshot(self, raw: RawResponse, article_id: int | None, seen: str) -> None:
        """Store a response, unless it is identical to the latest one of the same article."""
        digest = hashlib.sha256(raw.body).hexdigest()
        latest = self.db.execute(
            "SELECT snapshot, status, sha256 FROM snapshots "
            "WHERE (article_id = :id OR (:id IS NULL AND url = :url)) "
            "ORDER BY snapshot DESC LIMIT 1",
            {"id": article_id, "url": raw.url},
        ).fetchone()
        if latest is not None and tuple(latest[1:]) == (raw.status, digest):
            self.db.execute(
                _SNAPSHOT_AGAIN,
                {
                    "seen": seen,
                    "listing_text": raw.listing_text,
                    "snapshot": latest[0],
                    "body": zlib.compress(raw.body),
                },
            )
            return
        self.db.execute(
            _NEW_SNAPSHOT,
            {
                "article_id": article_id,
                "url": raw.url,
                "status": raw.status,
                "headers": media.json_or_none(raw.headers),
                "body": zlib.compress(raw.body),
                "size": len(raw.body),
                "sha256": digest,
                "seen": seen,
                "listing_text": raw.listing_text,
                "request_headers": media.json_or_none(raw.request_headers),
            },
        )

    def _link_duplicates(self, hashes: Collection[str] | None = None) -> None:
        """Point each row at the lowest id with the same content (``duplicate_of``)."""
        if hashes is None:
            self.db.execute(_RELINK_ALL)
        else:  # through the content_hash index: only the rows with these hashes
            self.db.execute(_RELINK_SOME, [json.dumps(sorted(hashes))])

    def withdraw(
        self, article_ids: Collection[int], crawl_id: int, reason: str, detail: str
    ) -> list[int]:
        """Take back the releases among ``article_ids`` that run ``crawl_id`` added (no
        earlier version, first seen since it started): each becomes a ``reason`` reject (its
        snapshot stays), so that later runs fetch it again. A release an earlier run archived
        is never touched. Returns the ids withdrawn."""
        return self._write(self._withdraw, sorted(article_ids), crawl_id, reason, detail)

    def _withdraw(
        self, article_ids: list[int], crawl_id: int, reason: str, detail: str
    ) -> list[int]:
        withdrawn = []
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT url, content_hash, first_seen FROM press_releases WHERE id = ? "
                "AND first_seen >= (SELECT started FROM crawls WHERE id = ?) AND NOT EXISTS "
                "(SELECT 1 FROM revisions WHERE revisions.id = press_releases.id)",
                [article_id, crawl_id],
            ).fetchone()
            if row is None:
                continue
            url, content, fetched = row
            self.db.execute("DELETE FROM press_releases WHERE id = ?", [article_id])
            self.db[MEDIA_LINKS].delete_where("release_id = ?", [article_id])
            # dated as the fetch, so that its snapshot is known as refused (``reparse``)
            self._reject(url, reason, detail, crawl_id, fetched, None)
            self._link_duplicates([content])
            withdrawn.append(article_id)
        return withdrawn

    def refresh_search(self) -> int:
        """Rebuild the search lists of the words found in most releases (``store.search_lists``),
        when they were never made or more releases changed since than their slack; returns
        how many words have one (-1: not rebuilt)."""

        def refresh() -> int:
            return search_lists.refresh(self.db.conn) if search_lists.due(self.db.conn) else -1

        return self._write(refresh)

    def begin_crawl(self, start_url: str, args: dict[str, Any]) -> int:
        """Open this run's row in ``crawls``; returns its id.

        Call it only while holding the run lock (``RunLock``): any earlier row still open
        then belongs to a run that died without closing it, and is marked so.
        """
        return self._write(self._begin_crawl, start_url, args)

    def _begin_crawl(self, start_url: str, args: dict[str, Any]) -> int:
        self.db.execute(
            "INSERT OR IGNORE INTO archive_info (name, value) VALUES ('site', ?)",
            [urls.site_of(start_url)],
        )
        self.db.execute(
            "UPDATE crawls SET finish_reason = 'killed', verdict = 'fail', verdict_reason = "
            "'the run ended without closing (killed, crashed or lost power)' "
            "WHERE finished IS NULL AND finish_reason IS NULL"
        )
        row = {"started": self.clock(), "start_url": start_url, "args": json.dumps(args)}
        return self.db["crawls"].insert(row).last_pk

    def previous_run_finished(self, crawl_id: int) -> bool:
        """Whether the run before ``crawl_id`` went to its end (True when there is none)."""
        row = self.db.execute(
            "SELECT finish_reason FROM crawls WHERE id < ? ORDER BY id DESC LIMIT 1", [crawl_id]
        ).fetchone()
        return row is None or row[0] == "finished"

    def finish_crawl(self, crawl_id: int, row: dict[str, Any]) -> None:
        """Close this run's row: ``row`` holds the counts, coverage, verdict and stats."""
        self._write(self.db["crawls"].update, crawl_id, {"finished": self.clock(), **row})

    def replace_history(self, article_id: int, row: Row, revisions: list[Row]) -> None:
        """Set a release's row and revisions (``reparse``); call inside ``rebuild``."""
        self.db["revisions"].delete_where("id = ?", [article_id])
        self.db["revisions"].insert_all(revisions)
        self.db[RELEASES].upsert(row, pk="id")

    def replace_links(self, release_id: int, links: tuple[MediaLink, ...]) -> None:
        """Set a release's links to its files (``reparse``), and the text of its documents
        from the files they lead to; call inside ``rebuild``."""
        media.store_media(self.db.conn, ReleaseMedia(release_id, links), self.clock())

    def rebuild(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (a whole rebuild) as one transaction, then relink every duplicate."""

        def everything() -> T:
            result = fn()
            self._link_duplicates()
            return result

        return self._write(everything)

    def set_info(self, name: str, value: str) -> None:
        self._write(
            self.db.execute,
            "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, ?)",
            [name, value],
        )

    def forget_changes(self, through: int) -> None:
        """Drop the log of the releases' changes up to version ``through`` (every export
        kept in ``archive_info`` wrote that version or a later one), never past the version
        the search lists were made at (a search scores the releases changed since)."""
        self._write(self.db.execute, _FORGET_CHANGES, [through, through])
