"""What can go wrong with an archive, and what to tell the operator: the exception classes
every command turns into one line, and the words for a file SQLite refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path


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
