"""The SQLite archive: writes and reads of releases, snapshots, the crawl log and rejects.

Knows nothing of HTML or Scrapy: it stores ``PressRelease`` records, raw responses and plain
dicts. The article id is the primary key, so one release reached under any URL spelling is one
row. Every write is one transaction (a fetched page's snapshot and its record or reject go in
together), so a run killed at any moment leaves the archive consistent. A write that meets a
lock held by another process is retried (tenacity, exponential backoff) until ``lock_timeout``
seconds have passed; then ``DatabaseLocked`` is raised.

Its schema and migrations are ``store.schema``'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from cqcscraper.parse import urls
from cqcscraper.parse.media import MediaLink
from cqcscraper.parse.records import (
    NotModified,
    ParsedPage,
    PressRelease,
    RawResponse,
    ReleaseMedia,
)
from cqcscraper.store import media, search
from cqcscraper.store.history import (
    Outcome,
    Row,
    fold,
    record_row,
    suspect_update,
)
from cqcscraper.store.pending import Pending, pending_articles
from cqcscraper.store.schema import (
    MEDIA_LINKS,
    MIGRATIONS,
    RELEASES,
    SCHEMA_VERSION,
    set_user_version,
)

logger = logging.getLogger(__name__)

# Point each row at the lowest id with the same content (``duplicate_of``).
_RELINK_ALL = """UPDATE press_releases SET duplicate_of = (
    SELECT min(other.id) FROM press_releases AS other
    WHERE other.content_hash = press_releases.content_hash AND other.id < press_releases.id)"""
_RELINK_SOME = _RELINK_ALL + " WHERE content_hash IN (SELECT value FROM json_each(?))"
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
BUSY_WAIT = 0.1  # seconds SQLite waits on a lock before a write is retried by tenacity
MAX_ID = 2**63 - 1  # SQLite's largest integer: an article id past it cannot be a row
# Errors of one record's values (not of the disk or the file): they cost that record alone.
REFUSED_VALUES = (OverflowError, sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError)
T = TypeVar("T")


DEFAULT_DB_NAME = "cqc.db"
DEFAULT_JSONL_NAME = "press_releases.jsonl"


def jsonl_beside(db: str | os.PathLike[str]) -> Path:
    """Where an archive's JSONL export goes unless one is named: beside it,
    ``press_releases.jsonl`` for an archive named ``cqc.db``, else the archive's name with
    ``.jsonl`` (``other.db`` -> ``other.jsonl``). So an export always follows its archive."""
    path = Path(db)
    if path.name == DEFAULT_DB_NAME:
        return path.with_name(DEFAULT_JSONL_NAME)
    return path.with_suffix(".jsonl")


def _reads_back(stored: bytes | None, sha256: str) -> bool:
    """Whether a stored (compressed) snapshot body still is the content it was stored as."""
    try:
        return hashlib.sha256(zlib.decompress(stored or b"")).hexdigest() == sha256
    except zlib.error:
        return False


def utc_now() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_lock_error(exc: BaseException) -> bool:
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def unusable(path: Path, error: sqlite3.DatabaseError) -> str:
    """What to tell the operator when SQLite refuses the archive at ``path``."""
    if "readonly" in str(error).lower() or "unable to open" in str(error).lower():
        return (
            f"{path} cannot be written by this user ({error}): a crawl, reparse or upgrade "
            "needs to write the archive and its folder"
        )
    return (
        f"{path} is not a readable archive ({error}): restore it from a backup, or try "
        f'sqlite3 {path} ".recover" | sqlite3 recovered.db'
    )


class ArchiveError(Exception):
    """The archive cannot be used (a newer schema, a broken file, a lock that lasts)."""


class EmptyArchive(ArchiveError):
    """An archive file with no schema yet: a crawl that makes it may be at work right now."""


class ArchiveWriteError(ArchiveError):
    """The archive refused a write: a full disk, a read-only file system, a damaged page. The
    run fails; what was not written is fetched again by the next run."""


class ExportError(ArchiveError):
    """An export could not be written; the previous file is left as it was."""


class DatabaseLocked(ArchiveError):
    """Another process held SQLite's lock on the database (a write transaction) for longer than
    a write may wait; not to be mixed up with the run lock (``store.lock.RunLock``)."""


@dataclass(frozen=True)
class Suspect:
    """An update not applied: the site's failure rather than an edit (why); the archived
    release stays as it was and the fetched page is kept as a snapshot."""

    reason: str


@dataclass(frozen=True)
class Unstorable:
    """A record the database refused (why): it becomes a reject, the others are stored."""

    error: str


@dataclass(frozen=True)
class Snapshot:
    """A stored article response: a run of identical fetches from ``first_fetched`` to
    ``last_fetched``."""

    snapshot: int
    article_id: int | None
    first_fetched: str
    last_fetched: str
    raw: RawResponse


class Archive:
    """One SQLite archive file. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 60.0,
        clock: Callable[[], str] = utc_now,
        read_only: bool = False,
    ) -> None:
        """Open (and upgrade) the archive at ``path``, creating it when there is no file yet;
        its folder must exist. ``read_only``: open an existing archive for reading only, as
        a user who may only read it; nothing is created, upgraded or written.

        Raises ``ArchiveError`` (one line: what is wrong with which file, and what to do) for
        a path that is a folder, a missing archive (read-only), a file that is not a
        cqcscraper archive, a damaged one, or one newer than this cqcscraper.
        """
        self.path = Path(path)
        self.read_only = read_only
        self.db = Database(self._connect())
        self.clock = clock
        self.lock_timeout = lock_timeout
        # The content of each release stored through this Archive (one run): an update whose
        # content another release of the run has is the site's failure, not an edit.
        self._contents: dict[str, int] = {}
        self._retrying = Retrying(
            retry=retry_if_exception(is_lock_error),
            wait=wait_exponential(multiplier=0.05, max=2.0),
            stop=stop_after_delay(lock_timeout),
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "archive %s is locked, retrying (attempt %d)", self.path, state.attempt_number
            ),
        )
        try:
            self.version = self._check()
            if not read_only:
                if self.db.journal_mode != "wal":
                    self._retry(self.db.enable_wal)  # not inside a transaction: SQLite refuses
                self._write(self._migrate)
        except sqlite3.DatabaseError as error:
            self.db.close()
            if is_lock_error(error):
                raise
            raise ArchiveError(unusable(self.path, error)) from error
        except BaseException:
            self.db.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise ArchiveError(f"{self.path} is a folder, not an archive file: give a file path")
        if not self.path.parent.is_dir():
            raise ArchiveError(f"the folder of {self.path} does not exist: create it first")
        if self.read_only and not self.path.exists():
            raise ArchiveError(f"no archive at {self.path}")
        # SQLite itself waits only briefly on a lock (Python's default is 5 s per statement);
        # longer waits are tenacity's, logged and bounded by ``lock_timeout`` as a whole.
        if not self.read_only:
            return sqlite3.connect(self.path, timeout=BUSY_WAIT)
        uri = self.path.resolve().as_uri()
        # A reader who may not write the folder cannot make the WAL index (-shm): then the file
        # is read as it is on disk (no writer can be at work where no -shm file exists).
        shm = self.path.with_name(self.path.name + "-shm")
        writable = os.access(self.path.parent, os.W_OK) or shm.exists()
        mode = "mode=ro" if writable else "immutable=1"
        return sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=BUSY_WAIT)

    def _check(self) -> int:
        """The archive's schema version, after checking that the file is one of ours."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and self.db.table_names():
            raise ArchiveError(
                f"{self.path} is an SQLite database but not a cqcscraper archive "
                "(it has tables and no archive schema): give another path"
            )
        if version == 0 and self.read_only:
            raise EmptyArchive(f"{self.path} is empty: not an archive yet (a crawl makes one)")
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path} has schema version {version}; this cqcscraper knows "
                f"{SCHEMA_VERSION}. Upgrade cqcscraper to use it."
            )
        return version

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in one transaction, retried while another process holds a lock."""

        def transaction() -> T:
            with self.db.atomic():
                return fn(*args)

        return self._retry(transaction)

    def _retry(self, fn: Callable[[], T]) -> T:
        try:
            return self._retrying(fn)
        except sqlite3.OperationalError as error:
            if not is_lock_error(error):
                raise ArchiveWriteError(f"{self.path}: the write failed: {error}") from error
            raise DatabaseLocked(
                f"{self.path} stayed locked by another process for more than "
                f"{self.lock_timeout:g} s (CQC_DB_LOCK_TIMEOUT): {error}"
            ) from error
        except sqlite3.DatabaseError as error:  # a damaged page met while writing
            raise ArchiveWriteError(unusable(self.path, error)) from error
        except OSError as error:
            raise ArchiveWriteError(f"{self.path}: the write failed: {error}") from error

    def _migrate(self) -> None:
        version = self._check()
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            logger.info("archive %s: schema version %d -> %d", self.path, number - 1, number)
            migration(self.db)
            set_user_version(self.db, number)

    # -- writes -----------------------------------------------------------------------------

    def store(
        self, record: PressRelease, *, seen: str | None = None, raw: RawResponse | None = None
    ) -> Outcome | Suspect | Unstorable:
        """Archive one fetched release (and its raw response); new, updated or unchanged."""
        return self.store_many([(record, seen, raw)])[0]

    def store_many(
        self, items: Iterable[tuple[PressRelease, str | None, RawResponse | None]]
    ) -> list[Outcome | Suspect | Unstorable]:
        """Archive fetched releases ``(record, seen, raw)`` in one transaction, in order; one
        commit for many rows is what makes a fast crawl's writes cheap. A record whose values
        the database refuses is ``Unstorable`` (and not stored); the others are."""
        stamped = [(record, seen or self.clock(), raw, None) for record, seen, raw in items]
        return self._write(self._store_all, stamped)

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
                outcomes.append(self._store_one(*item, changed))
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
        """Rebuild the search lists of the words found in most releases (``store.search``),
        when a change made them stale; returns how many words have one."""

        def refresh() -> int:
            fresh = self.db.execute(
                "SELECT value FROM archive_info WHERE name = 'search_fresh'"
            ).fetchone()
            if fresh and fresh[0] == "1":
                return -1
            return search.refresh(self.db.conn)

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

    # -- reads ------------------------------------------------------------------------------

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

    def set_info(self, name: str, value: str) -> None:
        self._write(
            self.db.execute,
            "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, ?)",
            [name, value],
        )

    def _row(self, article_id: int) -> Row | None:
        rows = list(self.db.query("SELECT * FROM press_releases WHERE id = ?", [article_id]))
        return rows[0] if rows else None

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

    def _read(self, fn: Callable[[], T]) -> T:
        """A read a crawl makes while it runs: a damaged file is an ``ArchiveError`` (one line
        naming the file and what to do), as for a write."""
        try:
            return fn()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(unusable(self.path, error)) from error

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
