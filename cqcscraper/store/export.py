"""The archive's exports: JSONL (every release, written atomically after each run) and CSV
for spreadsheets, with formula-like cells neutralised.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip first) as a formula: a press release whose text starts
``=HYPERLINK(...)`` would run in the analyst's Excel. So every such text cell is written with a
leading apostrophe, which spreadsheets show as text and do not store. The JSONL export and the
SQLite archive keep the text as it is.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, TextIO

from cqcscraper.parse.text import CONTROL
from cqcscraper.store.archive import Archive, ExportError
from cqcscraper.store.schema import RECORDS_VERSION

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell as a spreadsheet will show it, never run it (nor a terminal act on it: control
    characters and bidirectional overrides are left out)."""
    if isinstance(value, str):
        value = CONTROL.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def write_csv(archive: Archive, name: str, out: TextIO) -> int:
    """Write the table or view ``name`` as CSV to ``out``; returns the number of rows."""
    db = archive.db
    if name not in {*db.table_names(), *db.view_names()}:
        known = ", ".join(sorted({*db.view_names(), *db.table_names()}))
        raise ValueError(f"no table or view {name!r} in {archive.path}; there are: {known}")
    source = db.view(name) if name in db.view_names() else db.table(name)
    writer = csv.writer(out)
    writer.writerow([column.name for column in source.columns])
    count = 0
    for row in source.rows:
        writer.writerow([neutralise(value) for value in row.values()])
        count += 1
    return count


class JsonlExport(NamedTuple):
    rows: int
    written: bool  # False: the file already held this version of the releases


def write_jsonl(archive: Archive, path: str | os.PathLike[str]) -> JsonlExport:
    """Write every release of ``archive`` to ``path``, one JSON object a line, in the order
    of ``Archive.records``; whole or not at all (``whole_file``): a failure (a full disk)
    leaves the previous file as it was. Raises ``ExportError``.

    What it costs follows what changed, not the archive's size (``records_version``, and the
    log of changes, ``records_changes``): when the file is as this function left it, a run
    that changed no release writes nothing, and one that only added releases dated after
    every other appends them: the file is then byte for byte what a whole export writes.
    Anything else is written whole.

    The append is made in place (``appended``), not to a copy renamed into place: copying the
    file would cost what the archive holds (1.6 s for 524 MB at 100,000 releases)."""
    target = Path(path)
    key = f"jsonl:{target.resolve()}"
    version = archive.info(RECORDS_VERSION)
    if version is None:  # an older archive opened read-only: no version to compare
        return JsonlExport(_write_all(archive, target), written=True)
    stored = archive.info(key)
    written_from = stored.split()[0] if stored else None
    untouched = written_from is not None and _state(target, written_from) == stored
    if untouched and written_from == version:
        return JsonlExport(_count(archive), written=False)
    added = archive.appended_since(int(written_from)) if untouched else None
    if added is not None:
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in added)
        appended(target, lines.encode("utf-8"), "JSONL export")
        rows = _count(archive)
    else:
        rows = _write_all(archive, target)
    if not archive.read_only:
        archive.set_info(key, _state(target, version))
        archive.forget_changes(min(_exported_versions(archive), default=int(version)))
    return JsonlExport(rows, written=True)


def _write_all(archive: Archive, target: Path) -> int:
    count = 0
    with whole_file(target, "JSONL export", encoding="utf-8") as out:
        for row in archive.records():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _count(archive: Archive) -> int:
    (rows,) = archive.db.execute("SELECT count(*) FROM press_releases").fetchone()
    return rows


def _exported_versions(archive: Archive) -> list[int]:
    """The releases' version each JSONL export of the archive was written from, of those
    still as they were written (one changed or gone is written whole next time anyway)."""
    rows = archive.db.execute(
        "SELECT name, value FROM archive_info WHERE name LIKE 'jsonl:%' AND value IS NOT NULL"
    ).fetchall()
    versions = []
    for name, value in rows:
        version = value.split()[0]
        if _state(Path(name.removeprefix("jsonl:")), version) == value:
            versions.append(int(version))
    return versions


def _state(target: Path, version: str) -> str | None:
    """The releases' version a file was written from, with the file's size and time (a file
    changed by hand, or replaced, is written again)."""
    try:
        stat = target.stat()
    except OSError:
        return None
    return f"{version} {stat.st_size} {stat.st_mtime_ns}"


def write_csv_file(archive: Archive, name: str, path: str | os.PathLike[str]) -> int:
    """``write_csv`` into the file ``path``, whole or not at all (``whole_file``)."""
    with whole_file(Path(path), "CSV export", encoding="utf-8", newline="") as out:
        return write_csv(archive, name, out)


_NO_FALLOCATE = frozenset({errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS})


def appended(target: Path, data: bytes, what: str) -> None:
    """``data`` added at the end of ``target``, in place, or nothing: room for it is reserved
    first (``posix_fallocate``: a full disk fails before a byte is written), the bytes are
    written in one call and synced, and any failure cuts the file back to the bytes it held,
    then raises ``ExportError`` naming ``what`` and ``target``. Only a crash in the midst of
    the write (the power lost) can leave a cut last line, or the reserved room as zero bytes:
    the file's size then differs from the one its export recorded, so the next export writes
    it whole."""
    try:
        with open(target, "r+b") as out:
            length = out.seek(0, os.SEEK_END)
            try:
                try:
                    os.posix_fallocate(out.fileno(), length, len(data))
                except OSError as error:  # a full disk raises; no such call is no matter
                    if error.errno not in _NO_FALLOCATE:
                        raise
                out.seek(length)
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                out.truncate(length)
                out.flush()
                os.fsync(out.fileno())
                raise
    except OSError as error:
        raise ExportError(f"the {what} to {target} failed: {error}") from error


@contextlib.contextmanager
def whole_file(target: Path, what: str, mode: str = "w", **options: Any) -> Iterator[IO[Any]]:
    """A file written whole or not at all: to a temporary name beside ``target``, synced, then
    renamed over it. Any failure (a full disk, a read-only folder, an error of the writer)
    leaves the previous file as it was and no temporary file; a failure of the disk or the
    archive is an ``ExportError`` naming ``what`` and ``target``."""
    temporary = target.with_name(f".{target.name}.partial")
    try:
        with open(temporary, mode, **options) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except (OSError, sqlite3.Error, zlib.error) as error:
        raise ExportError(f"the {what} to {target} failed: {error}") from error
    finally:
        with contextlib.suppress(OSError):  # a read-only folder never had it
            temporary.unlink(missing_ok=True)
