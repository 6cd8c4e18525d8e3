"""The archive's schema: its tables and views, and the migrations that make them.

The schema is versioned with ``PRAGMA user_version`` and upgraded in place by ``MIGRATIONS``,
one function per version, each run in the archive's transaction. A new archive runs the same
migrations, so an upgraded archive and a new one are identical (``tests/test_archive.py``
upgrades an archive of each earlier release). A migration is never changed once released:
a change of the schema is a new one.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlite_utils import Database

from cqcscraper.parse import urls
from cqcscraper.parse.records import COVERED_FIELDS, RECORD_FIELDS
from cqcscraper.store import search_lists, triggers
from cqcscraper.store.history import REVISION_TIMES, TIMESTAMPS
from cqcscraper.store.triggers import RECORDS_VERSION

RELEASES = "press_releases"
FIELD_TYPES: dict[str, type] = {name: int if name == "id" else str for name in RECORD_FIELDS}
COLUMNS: dict[str, type] = {**FIELD_TYPES, **dict.fromkeys(TIMESTAMPS, str)}
# The record's fields as schema 1 made them: later fields are added by their own migration, so
# that a new archive and an upgraded one come out identical.
_FIELDS_1 = ("id", "url", "title", "published", "published_from", "origin", "origin_raw",
             "body", "images", "content_hash")  # fmt: skip
_FIELD_TYPES_1 = {name: FIELD_TYPES[name] for name in _FIELDS_1}


# The columns of ``crawls``, declared once: the migrations add them by name, and the run writes
# them (``crawl.health.crawl_row`` fills the counts, coverage and title sources).
CRAWLS: dict[str, type] = {
    "id": int,
    "started": str,
    "finished": str,
    "start_url": str,
    "args": str,
    "finish_reason": str,
    "requests": int,
    "responses": int,
    "statuses": str,
    "articles_linked": int,
    "articles_new": int,
    "articles_updated": int,
    "articles_unchanged": int,
    "articles_rejected": int,
    **{f"coverage_{name}": float for name in COVERED_FIELDS},
    "title_sources": str,
    "titles_own_share": float,
    "verdict": str,
    "verdict_reason": str,
    "stats": str,
}
# What the archive writes itself when a run begins and ends; the rest is ``crawl_row``'s.
CRAWL_BOOKKEEPING = ("id", "started", "finished", "start_url", "args", "finish_reason")
CRAWL_VERDICT = ("verdict", "verdict_reason", "stats")


def _schema_1(db: Database) -> None:
    """Releases, crawls, rejects and the full-text index."""
    db[RELEASES].create(
        {**_FIELD_TYPES_1, **dict.fromkeys(TIMESTAMPS, str)},
        pk="id",
        not_null=["url", "body", "content_hash", *TIMESTAMPS],
    )
    db[RELEASES].create_index(["published"])
    first = ("id", "started", "finished", "start_url", "args", "finish_reason", "requests")
    first += ("responses", "articles_new", "articles_updated", "articles_unchanged")
    db["crawls"].create(
        {name: CRAWLS[name] for name in (*first, "articles_rejected", "stats")},
        pk="id",
        not_null=["started"],
    )
    db["rejects"].create(
        {"id": int, "crawl_id": int, "url": str, "reason": str, "detail": str, "seen": str},
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
        not_null=["url", "reason", "seen"],
    )
    db["rejects"].create_index(["url"])
    db[RELEASES].enable_fts(["title", "body"], create_triggers=True, tokenize="porter unicode61")


def _schema_2(db: Database) -> None:
    """Scheduled runs: edit history, duplicates, raw snapshots, health verdict, coverage."""
    db[RELEASES].add_column("duplicate_of", int)
    db[RELEASES].create_index(["content_hash"])
    db["revisions"].create(
        {"revision": int, **_FIELD_TYPES_1, **dict.fromkeys(REVISION_TIMES, str)},
        pk="revision",
        not_null=["id", "content_hash", *REVISION_TIMES],
        column_order=["revision", "id", "content_hash"],
    )
    db["revisions"].create_index(["id"])
    db["snapshots"].create(
        {
            "snapshot": int,
            "article_id": int,
            "url": str,
            "status": int,
            "headers": str,
            "body": bytes,
            "size": int,
            "sha256": str,
            "first_fetched": str,
            "last_fetched": str,
            "fetches": int,
        },
        pk="snapshot",
        not_null=["url", "status", "headers", "body", "sha256", "first_fetched", "last_fetched"],
    )
    db["snapshots"].create_index(["article_id", "snapshot"])
    db["snapshots"].create_index(["url", "snapshot"])
    db["rejects"].add_column("article_id", int)
    db["rejects"].create_index(["article_id"])
    coverage = [f"coverage_{name}" for name in COVERED_FIELDS]
    for name in ("statuses", "articles_linked", *coverage, "verdict", "verdict_reason"):
        db["crawls"].add_column(name, CRAWLS[name])


# Views for the common questions (documented in docs/analysts.md), as the latest schema has
# them: the migration that changes one makes them all again.
VIEWS = {
    "releases": """
        SELECT p.id, p.published, CAST(substr(p.published, 1, 4) AS INTEGER) AS year, p.title,
               p.origin, p.published_from, p.title_from,
               (SELECT count(*) FROM revisions AS r WHERE r.id = p.id) AS edits,
               p.duplicate_of, p.url, p.body, p.first_seen, p.last_seen, p.last_changed
        FROM press_releases AS p""",
    "releases_per_year": """
        SELECT CAST(substr(published, 1, 4) AS INTEGER) AS year, count(*) AS releases,
               min(published) AS first, max(published) AS last
        FROM press_releases GROUP BY year ORDER BY year""",
    "latest_releases": """
        SELECT id, published, title, origin, url FROM press_releases
        WHERE published IS NOT NULL ORDER BY published DESC, id DESC LIMIT 50""",
    "crawl_summary": """
        SELECT id, started, finished,
               CAST(round((julianday(finished) - julianday(started)) * 86400) AS INTEGER)
                   AS seconds,
               verdict, verdict_reason, requests, articles_linked AS linked,
               articles_new AS new, articles_updated AS updated,
               articles_unchanged AS unchanged, articles_rejected AS rejected,
               round(coverage_published, 3) AS published_coverage
        FROM crawls ORDER BY id DESC""",
}


def _schema_3(db: Database) -> None:
    """Views for analysts."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


def set_user_version(db: Database, number: int) -> None:
    """The one statement with a value in its text: PRAGMA takes no parameters. ``number`` is
    a schema version from ``MIGRATIONS``, checked to be an int."""
    if type(number) is not int:
        raise TypeError(f"schema version must be an int, not {number!r}")
    db.execute(f"PRAGMA user_version = {number:d}")


def _schema_4(db: Database) -> None:
    """Title provenance: ``title_from`` in releases and revisions, the listing's link text
    with each snapshot, and the titles' sources in each crawl. Rows archived before keep
    ``title_from`` NULL until ``cqcscraper reparse`` rebuilds them from their snapshots."""
    db[RELEASES].add_column("title_from", str)
    db["revisions"].add_column("title_from", str)
    db["snapshots"].add_column("listing_text", str)
    for name in ("title_sources", "titles_own_share"):
        db["crawls"].add_column(name, CRAWLS[name])
    _schema_3(db)  # the releases view shows title_from


def _schema_5(db: Database) -> None:
    """The site the archive belongs to (``archive_info``): a crawl from another site is
    refused. An existing archive belongs to the site of its first crawl."""
    db["archive_info"].create({"name": str, "value": str}, pk="name", not_null=["value"])
    first = db.execute("SELECT start_url FROM crawls ORDER BY id LIMIT 1").fetchone()
    if first and first[0]:
        db["archive_info"].insert({"name": "site", "value": urls.site_of(first[0])})


# What a release consists of besides its page (docs/archive-format.md): the files stored under
# the media folder, one row per distinct content of a URL; each release's links to them; and
# the files that could not be fetched yet (the next run tries them again).
MEDIA_FILES = "media_files"
MEDIA_LINKS = "media_links"
MEDIA_FAILURES = "media_failures"
# The full-text index: titles, bodies, and the text of the releases' documents.
SEARCHED = ("title", "body", "attachment_text")


def _schema_6(db: Database) -> None:
    """Images and attached documents: ``media_files``, ``media_links``, ``media_failures``,
    the request headers each stored response was fetched with (for the WARC export),
    and ``press_releases.attachment_text`` (the text of a release's PDFs), searched with its
    title and body (the full-text index is rebuilt with the new column, ranked with the title
    weighted above the rest, with ``store.search_lists`` for words in most releases)."""
    db[MEDIA_FILES].create(
        {
            "id": int,
            "url": str,
            "sha256": str,
            "size": int,
            "content_type": str,
            "status": int,
            "headers": str,
            "path": str,
            "text": str,
            "first_fetched": str,
            "last_fetched": str,
            "fetches": int,
            "request_headers": str,
        },
        pk="id",
        not_null=["url", "sha256", "size", "status", "headers", "path", "first_fetched"],
    )
    db[MEDIA_FILES].create_index(["url", "sha256"], unique=True)
    db[MEDIA_FILES].create_index(["sha256"])
    db[MEDIA_LINKS].create(
        {"release_id": int, "role": str, "position": int, "url": str, "text": str},
        pk=("release_id", "role", "position"),
        not_null=["url"],
    )
    db[MEDIA_LINKS].create_index(["url"])
    db[MEDIA_FAILURES].create(
        {
            "url": str,
            "reason": str,
            "detail": str,
            "status": int,
            "tries": int,
            "first_failed": str,
            "last_failed": str,
        },
        pk="url",
        not_null=["reason", "tries", "first_failed", "last_failed"],
    )
    db["snapshots"].add_column("request_headers", str)
    db[RELEASES].add_column("attachment_text", str)
    db[RELEASES].disable_fts()
    db[RELEASES].enable_fts(list(SEARCHED), create_triggers=True, tokenize="porter unicode61")
    search_lists.create(db.conn)  # the title weighted; fast for words in most releases


def _schema_7(db: Database) -> None:
    """``media_files.text_error``: why a document's text was not extracted (its reading hit
    a bound of time or memory); NULL where it was, or where the file is no document."""
    db[MEDIA_FILES].add_column("text_error", str)


def _uris_of(images: str | None) -> str | None:
    """A JSON array of image URLs, each as a URI; the text as it was when it is none."""
    try:
        found = json.loads(images) if images else None
    except ValueError:
        return images
    if not isinstance(found, list) or not all(isinstance(url, str) for url in found):
        return images
    return json.dumps(list(dict.fromkeys(map(urls.as_uri, found))), ensure_ascii=False)


# Every column that holds a URL, rewritten as a URI by schema 8. Where the URL is part of a
# unique key (a media file's URL and content, a failure's URL), a row whose URI another row
# already has is that row's twin: ``UPDATE OR IGNORE`` leaves it, and the ``DELETE`` drops it.
URIS = (
    "UPDATE press_releases SET url = as_uri(url) WHERE url != as_uri(url)",
    "UPDATE revisions SET url = as_uri(url) WHERE url != as_uri(url)",
    "UPDATE snapshots SET url = as_uri(url) WHERE url != as_uri(url)",
    "UPDATE rejects SET url = as_uri(url) WHERE url != as_uri(url)",
    "UPDATE crawls SET start_url = as_uri(start_url) WHERE start_url != as_uri(start_url)",
    "UPDATE media_links SET url = as_uri(url) WHERE url != as_uri(url)",
    "UPDATE OR IGNORE media_files SET url = as_uri(url) WHERE url != as_uri(url)",
    "DELETE FROM media_files WHERE url != as_uri(url)",
    "UPDATE OR IGNORE media_failures SET url = as_uri(url) WHERE url != as_uri(url)",
    "DELETE FROM media_failures WHERE url != as_uri(url)",
    "UPDATE press_releases SET images = uris_of(images) WHERE images != uris_of(images)",
    "UPDATE revisions SET images = uris_of(images) WHERE images != uris_of(images)",
)


def _schema_8(db: Database) -> None:
    """Every URL the archive keeps is a URI (``urls.as_uri``: an IRI's path and query
    percent-encoded as UTF-8, its host in IDNA form), as the crawl now keeps them and the WARC
    and the browser write them: URLs kept as the page spelled them are rewritten in place.
    Two spellings of one file (``a b.jpg``, ``a%20b.jpg``) become one row."""
    db.conn.create_function("as_uri", 1, urls.as_uri, deterministic=True)
    db.conn.create_function("uris_of", 1, _uris_of, deterministic=True)
    for statement in URIS:
        db.execute(statement)


def _schema_9(db: Database) -> None:
    """``records_version``: the releases' change count, so that a run that changed none of
    them (a no-op run) does not write the whole JSONL export again."""
    db.execute(
        "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, '0')", [RECORDS_VERSION]
    )
    for trigger in triggers.COUNTED:
        db.execute(trigger)


def _schema_10(db: Database) -> None:
    """``records_changes``: which release each change of ``records_version`` was, so that the
    JSONL export of a run that added a few releases appends them instead of writing every
    release again (``store.export.write_jsonl``), and the search lists are not made again
    after every run that changed a release (``store.search_lists.follow_changes``)."""
    db.execute(
        "CREATE TABLE records_changes (version INTEGER PRIMARY KEY, id INTEGER NOT NULL, "
        "kind TEXT NOT NULL)"
    )
    db.execute("DROP TRIGGER records_version_insert")
    db.execute("DROP TRIGGER records_version_delete")
    db.execute("DROP TRIGGER records_version_update")
    for trigger in triggers.LOGGED:
        db.execute(trigger)
    search_lists.follow_changes(db.conn)


def _schema_11(db: Database) -> None:
    """An index of the rejects by reason, so that a run reads the articles pending a retry
    (``store.pending``) from the rejects of the reasons tried again, not from every reject
    the years of runs left; and the search lists made again by the next crawl's close (or
    ``reparse``), so that a typed stem the texts hold only in longer forms is answered from
    its list (``store.search_lists``)."""
    db["rejects"].create_index(["reason", "article_id"], if_not_exists=True)
    db.execute("UPDATE archive_info SET value = '0' WHERE name = ?", [search_lists.FRESH])


def _schema_12(db: Database) -> None:
    """Every broad word's scores, and the phrases' lists (``store.search_lists.add_scores``)."""
    search_lists.add_scores(db.conn)


def _schema_13(db: Database) -> None:
    """The full-text index kept when a searched column (or the id) changes, not on every
    update of a release: a release seen again (``last_seen``) or relinked as a duplicate no
    longer has its text taken out of the index and put back (0.25 ms a release, most of
    what storing an unchanged release cost)."""
    db.execute('DROP TRIGGER IF EXISTS "press_releases_au"')
    db.execute(triggers.FTS_UPDATE)


MIGRATIONS: tuple[Callable[[Database], None], ...] = (
    _schema_1,
    _schema_2,
    _schema_3,
    _schema_4,
    _schema_5,
    _schema_6,
    _schema_7,
    _schema_8,
    _schema_9,
    _schema_10,
    _schema_11,
    _schema_12,
    _schema_13,
)
SCHEMA_VERSION = len(MIGRATIONS)
