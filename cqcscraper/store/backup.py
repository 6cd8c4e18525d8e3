"""A copy of an archive that anyone can open: ``cqcscraper backup OUT``.

The archive runs in WAL mode, so its latest writes may live in ``cqc.db-wal``, and a reader
needs to make ``cqc.db-shm`` beside it: a copy of ``cqc.db`` alone (a hand-over, a copy on
read-only media) is missing writes, or cannot be opened at all. A backup is made with SQLite's
``VACUUM INTO``: one consistent snapshot of the archive as of the moment it starts (a crawl may
go on writing meanwhile: readers never block the writer), in rollback-journal mode, in one
file that sqlite3, sqlite-utils, pandas and Datasette open read-only, on read-only media too.
It is written beside ``OUT`` and renamed over it, checked first (``PRAGMA quick_check``), so a
failure leaves the previous backup as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cqcscraper.store.archive import Archive, ExportError


@dataclass(frozen=True)
class Backup:
    path: Path
    releases: int
    size: int
    files: int | None = None  # media files copied, when asked

    def __str__(self) -> str:
        text = (
            f"{self.path}: a backup of {self.releases} releases ({self.size / 1e6:.1f} MB), "
            "one file that opens read-only without -wal or -shm"
        )
        if self.files is not None:
            text += f"; {self.files} media files copied to {self.path.parent / 'media'}"
        return text


def backup(archive: Archive, out: Path, media_dir: Path | None = None) -> Backup:
    """Write a consistent copy of ``archive`` to ``out`` (see the module's docstring); with
    ``media_dir``, also copy the media files to ``media/`` beside ``out`` (files already there
    with the same size are left). Raises ``ExportError``."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        archive.db.execute("VACUUM INTO ?", [str(partial)])
        with sqlite3.connect(f"{partial.resolve().as_uri()}?mode=ro", uri=True) as copy:
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            (releases,) = copy.execute("SELECT count(*) FROM press_releases").fetchone()
        copy.close()
        if check != "ok":
            raise ExportError(f"the backup to {out} failed its check: {check}")
        os.replace(partial, out)
    except (OSError, sqlite3.Error) as error:
        raise ExportError(f"the backup to {out} failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    files = None if media_dir is None else _copy_media(media_dir, out.parent / "media")
    return Backup(out, releases, out.stat().st_size, files)


def _copy_media(source: Path, target: Path) -> int:
    """Copy the media folder's files that ``target`` does not hold yet (same relative path and
    size: files are named by their sha256, so the same name is the same bytes)."""
    if not source.is_dir():
        raise ExportError(f"no media folder at {source}: give --media-dir, or leave out --media")
    if source.resolve() == target.resolve():
        raise ExportError(f"the media folder {source} is where the backup's would go")
    copied = 0
    try:
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            destination = target / path.relative_to(source)
            if destination.is_file() and destination.stat().st_size == path.stat().st_size:
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(f".{destination.name}.partial")
            shutil.copyfile(path, partial)
            os.replace(partial, destination)
            copied += 1
    except OSError as error:
        raise ExportError(f"copying the media files to {target} failed: {error}") from error
    return copied
