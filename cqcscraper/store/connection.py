"""Opening an archive: the file checked to be one of ours, upgraded in place
(``store.schema``'s migrations), every write one transaction retried while another process
holds SQLite's lock (tenacity, exponential backoff, bounded by ``lock_timeout``; then
``DatabaseLocked``), and the clock that dates what is written."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar

from sqlite_utils import Database
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from cqcscraper.store.errors import (
    ArchiveError,
    ArchiveWriteError,
    DatabaseLocked,
    EmptyArchive,
    is_lock_error,
    unusable,
)
from cqcscraper.store.schema import MIGRATIONS, SCHEMA_VERSION, set_user_version

logger = logging.getLogger(__name__)

BUSY_WAIT = 0.1  # seconds SQLite waits on a lock before a write is retried by tenacity
# How long a write waits for another process's lock, unless told (CQC_DB_LOCK_TIMEOUT, whose
# declaration takes this value).
LOCK_TIMEOUT = 60.0
T = TypeVar("T")


def utc_now() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Connection:
    """One SQLite archive file, open. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = LOCK_TIMEOUT,
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

    def __enter__(self) -> Self:
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

    def _read(self, fn: Callable[[], T]) -> T:
        """A read a crawl makes while it runs: a damaged file is an ``ArchiveError`` (one line
        naming the file and what to do), as for a write."""
        try:
            return fn()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(unusable(self.path, error)) from error
