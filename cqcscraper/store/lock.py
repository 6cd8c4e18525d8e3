"""One run at a time per archive: an exclusive lock on a file beside the database.

``data/cqc.db`` is guarded by ``data/cqc.db.lock``, beside the file the path resolves to (so
a symbolic link to the archive shares its lock). The lock is an ``flock`` on that file, so
the kernel releases it when the holder exits in any way, SIGKILL included: a lock is never
left stale, and the file itself is never deleted (deleting it would let two runs hold two
different files). The file holds the holder's pid, start time and command line, for the
message the next run prints.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from cqcscraper.store.archive import ArchiveError, utc_now


class ArchiveBusy(Exception):
    """Another process holds the archive's run lock."""


class RunLock:
    """The run lock of one archive (a file lock beside it), held for a whole run; not SQLite's
    own lock on the database (``store.archive.DatabaseLocked``)."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = Path(f"{os.path.realpath(db_path)}.lock")
        self._fd: int | None = None

    def holder(self) -> str | None:
        """Who holds the lock (pid, since when, command), or None when no run holds it. Only
        reads: works for a user who may only read the archive."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 4096).decode("utf-8", "replace").strip() or "unknown"
        finally:
            os.close(fd)  # closing releases a shared lock taken here
        return None

    def acquire(self) -> RunLock:
        """Take the lock now or raise ``ArchiveBusy``; never waits. ``ArchiveError`` when the
        lock file cannot be made (a folder this user may not write)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(
                f"cannot take the run lock {self.path} ({error.strerror}): a crawl or reparse "
                "needs to write the archive's folder"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 4096).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise ArchiveBusy(
                f"another run holds the archive lock {self.path} ({holder}); "
                "this run stops without touching the archive"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {utc_now()}: {' '.join(sys.argv)}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
