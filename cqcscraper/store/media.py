"""The archive's half of media: which files a release links, which are stored, which failed.

Files themselves lie under the media folder (``media_dir``), named by their sha256; the tables
(``store.schema``: ``media_files``, ``media_links``, ``media_failures``) say what each is.
Every function here runs inside the archive's transaction: a release, its links and its files'
rows are written together.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cqcscraper.parse import validation
from cqcscraper.parse.media import ATTACHMENT, MediaLink
from cqcscraper.parse.records import (
    FileFailed,
    FileUnchanged,
    ReleaseMedia,
    StoredFile,
    last_header,
)

DEFAULT_MEDIA_NAME = "media"
# Failures a later run would meet again: the file is not tried again (a new link is).
PERMANENT_FILE_FAILURES = frozenset(
    {validation.OFF_SITE, validation.NOT_FOUND, validation.TOO_LARGE, validation.NOT_A_DOCUMENT}
)


def json_or_none(value: object) -> str | None:
    """A value as the archive stores JSON (None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def media_folder(db: str | os.PathLike[str], named: str | os.PathLike[str] | None = None) -> Path:
    """The media folder of an archive: ``named`` (``CQC_MEDIA_DIR``), else ``media/`` beside
    the archive (``data/media/`` for ``data/cqc.db``)."""
    return Path(named) if named else Path(db).with_name(DEFAULT_MEDIA_NAME)


def media_path(sha256: str, extension: str = "") -> str:
    """Where a file with this sha256 lies under the media folder: ``ab/abcdef....ext``."""
    suffix = f".{extension}" if extension else ""
    return f"{sha256[:2]}/{sha256}{suffix}"


CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_intact(path: Path, size: int, sha256: str | None = None) -> bool:
    """Whether a stored file is there with its recorded size (and, when ``sha256`` is given,
    its recorded content: that reads the whole file)."""
    try:
        if path.stat().st_size != size:
            return False
    except OSError:  # missing, or not readable
        return False
    return sha256 is None or file_sha256(path) == sha256


def write_file(folder: Path, path: str, body: bytes) -> None:
    """Store ``body`` at ``path`` under ``folder`` unless it is there already, intact (its
    name is its content's sha256; a damaged copy is replaced): written to a temporary file
    first, then renamed, so a full disk or a kill never leaves a partial file under a
    content's name."""
    target = folder / path
    if is_intact(target, len(body), hashlib.sha256(body).hexdigest()):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(body)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@dataclass(frozen=True)
class HeldFile:
    """The latest stored content of a URL."""

    url: str
    sha256: str
    size: int
    path: str
    headers: dict[str, list[str]]


def conditional_headers(headers: dict[str, list[str]]) -> dict[str, str]:
    """The request headers that ask a server to send a stored response again only if it
    changed: ``If-None-Match`` from its ``ETag``, ``If-Modified-Since`` from its
    ``Last-Modified`` (header names compared without case)."""
    asked = {}
    if etag := last_header(headers, "ETag"):
        asked["If-None-Match"] = etag
    if modified := last_header(headers, "Last-Modified"):
        asked["If-Modified-Since"] = modified
    return asked


def store_media(db: sqlite3.Connection, media: ReleaseMedia, seen: str) -> None:
    """Write a release's links (all of them, unless ``media.complete`` is False) and what
    fetching its files gave, then the text of its documents (``attachment_text``), when it
    links or linked any (most releases link none: no more statements for them)."""
    attached = any(link.role == ATTACHMENT for link in media.links)
    if media.complete:
        gone = db.execute(
            "DELETE FROM media_links WHERE release_id = ? RETURNING role", [media.release_id]
        ).fetchall()
        attached = attached or (ATTACHMENT,) in gone
    db.executemany(
        "INSERT OR REPLACE INTO media_links (release_id, role, position, url, text) "
        "VALUES (?, ?, ?, ?, ?)",
        [(media.release_id, k.role, k.position, k.url, k.text) for k in media.links],
    )
    for outcome in media.files:
        if isinstance(outcome, StoredFile):
            _stored(db, outcome)
        elif isinstance(outcome, FileUnchanged) and outcome.fetched_at:
            db.execute(
                "UPDATE media_files SET last_fetched = ?, fetches = fetches + 1 WHERE id = "
                "(SELECT max(id) FROM media_files WHERE url = ?)",
                [outcome.fetched_at, outcome.url],
            )
            db.execute("DELETE FROM media_failures WHERE url = ?", [outcome.url])
        elif isinstance(outcome, FileFailed):
            _failed(db, outcome)
    if attached:
        _attachment_text(db, media.release_id)


def _stored(db: sqlite3.Connection, file: StoredFile) -> None:
    found = db.execute(
        "SELECT id FROM media_files WHERE url = ? AND sha256 = ?", [file.url, file.sha256]
    ).fetchone()
    if found:  # the same content again: a newer fetch of it (or this one, for another release)
        db.execute(
            "UPDATE media_files SET fetches = fetches + (last_fetched <> :at), "
            "last_fetched = :at WHERE id = :id",
            {"at": file.fetched_at, "id": found[0]},
        )
    else:
        db.execute(
            "INSERT INTO media_files (url, sha256, size, content_type, status, headers, "
            "path, text, first_fetched, last_fetched, fetches, request_headers, text_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [
                file.url,
                file.sha256,
                file.size,
                file.content_type,
                file.status,
                json_or_none(file.headers),
                file.path,
                file.text,
                file.fetched_at,
                file.fetched_at,
                json_or_none(file.request_headers),
                file.text_error,
            ],
        )
    db.execute("DELETE FROM media_failures WHERE url = ?", [file.url])


def _failed(db: sqlite3.Connection, failure: FileFailed) -> None:
    db.execute(
        "INSERT INTO media_failures (url, reason, detail, status, tries, first_failed, "
        "last_failed) VALUES (:url, :reason, :detail, :status, 1, :at, :at) "
        "ON CONFLICT (url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, "
        "status = excluded.status, tries = tries + 1, last_failed = excluded.last_failed",
        {
            "url": failure.url,
            "reason": failure.reason,
            "detail": failure.detail,
            "status": failure.status,
            "at": failure.failed_at,
        },
    )


# The text of a release's documents: each attachment's latest stored content, in link order.
_ATTACHMENT_TEXTS = """SELECT f.text FROM media_links AS k
    JOIN media_files AS f ON f.id = (SELECT max(id) FROM media_files WHERE url = k.url)
    WHERE k.release_id = ? AND k.role = 'attachment' AND f.text IS NOT NULL
    ORDER BY k.position"""


def _attachment_text(db: sqlite3.Connection, release_id: int) -> None:
    texts = [row[0] for row in db.execute(_ATTACHMENT_TEXTS, [release_id])]
    db.execute(
        "UPDATE press_releases SET attachment_text = ? WHERE id = ? "
        "AND attachment_text IS NOT ?",  # an unchanged text does not touch the search index
        ["\n\n".join(texts) or None, release_id, "\n\n".join(texts) or None],
    )


def held_file(db: sqlite3.Connection, url: str) -> HeldFile | None:
    """The latest stored content of ``url``, if any."""
    row = db.execute(
        "SELECT url, sha256, size, path, headers FROM media_files WHERE url = ? "
        "ORDER BY id DESC LIMIT 1",
        [url],
    ).fetchone()
    return HeldFile(*row[:4], json.loads(row[4])) if row else None


def links_of(db: sqlite3.Connection, release_id: int) -> tuple[MediaLink, ...]:
    rows = db.execute(
        "SELECT url, role, position, text FROM media_links WHERE release_id = ? "
        "ORDER BY role, position",
        [release_id],
    )
    return tuple(MediaLink(*row) for row in rows)


def pending_media(db: sqlite3.Connection) -> Iterator[ReleaseMedia]:
    """For each release, its links to files that failed and may be tried again (held by no
    row of ``media_files``, the failure not permanent)."""
    rows = db.execute(
        "SELECT k.release_id, k.role, k.position, k.url, k.text FROM media_links AS k "
        "JOIN media_failures AS f ON f.url = k.url "
        "WHERE f.reason NOT IN (SELECT value FROM json_each(?)) "
        "AND NOT EXISTS (SELECT 1 FROM media_files AS m WHERE m.url = k.url) "
        "ORDER BY k.release_id, k.role, k.position",
        [json.dumps(sorted(PERMANENT_FILE_FAILURES))],
    ).fetchall()
    links: dict[int, list[MediaLink]] = {}
    for release_id, role, position, url, text in rows:
        links.setdefault(release_id, []).append(MediaLink(url, role, position, text))
    for release_id, found in links.items():
        yield ReleaseMedia(release_id, tuple(found), complete=False)
