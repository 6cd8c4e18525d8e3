"""One run at a time per archive: an exclusive lock on a file beside the database.

``data/cqc.db`` is guarded by ``data/cqc.db.lock``. The lock is an ``flock`` on that file, so
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

from cqcscraper.archive import utc_now


class ArchiveBusy(Exception):
    """Another process holds the archive's run lock."""


class ArchiveLock:
    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = Path(f"{os.fspath(db_path)}.lock")
        self._fd: int | None = None

    def acquire(self) -> ArchiveLock:
        """Take the lock now or raise ``ArchiveBusy``; never waits."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
