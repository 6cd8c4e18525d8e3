"""The reading room's queries (``room.plugin`` runs them through Datasette's connection): a
release with its files, versions and snapshots, a stored file or page, the feeds. Written here
so that every SQL statement of the package is in ``store``, beside the schema it follows."""

from __future__ import annotations

from cqcscraper.store.search import SEARCH_SQL

IS_ARCHIVE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'press_releases'"
RELEASE = "SELECT * FROM press_releases WHERE id = ?"
# A release's links to its files, each with the latest stored copy of its URL (if any).
RELEASE_FILES = """SELECT l.role, l.position, l.url, l.text AS link_text, f.sha256, f.size,
    f.content_type, f.text
    FROM media_links AS l LEFT JOIN media_files AS f
        ON f.id = (SELECT max(id) FROM media_files WHERE url = l.url)
    WHERE l.release_id = ? ORDER BY l.role DESC, l.position"""
RELEASE_VERSIONS = """SELECT title, body, published, origin, first_seen, last_seen
    FROM revisions WHERE id = ? ORDER BY revision"""
RELEASE_SNAPSHOTS = """SELECT snapshot, status, first_fetched, last_fetched, fetches
    FROM snapshots WHERE article_id = ? ORDER BY snapshot DESC"""
RELEASE_REJECTS = "SELECT count(*) FROM rejects WHERE article_id = ?"
STORED_FILE = """SELECT url, path, content_type FROM media_files WHERE sha256 = ?
    ORDER BY id DESC LIMIT 1"""
STORED_SNAPSHOT = "SELECT body, headers FROM snapshots WHERE snapshot = ?"
# Feeds: the newest changes first, each release once (duplicates left out).
FEED = """SELECT id, title, url, published, last_changed, body FROM press_releases
    WHERE duplicate_of IS NULL ORDER BY last_changed DESC, id DESC LIMIT ?"""
SEARCH_FEED_IDS = f"SELECT id FROM ({SEARCH_SQL})"
FEED_OF_IDS = """SELECT id, title, url, published, last_changed, body FROM press_releases
    WHERE id IN (SELECT value FROM json_each(?)) ORDER BY last_changed DESC, id DESC LIMIT ?"""
