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
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, TextIO

from cqcscraper.parse.normalize import CONTROL
from cqcscraper.store.archive import Archive, ExportError

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


def write_jsonl(archive: Archive, path: str | os.PathLike[str]) -> int:
    """Write every release of ``archive`` to ``path``, one JSON object a line; atomic (write,
    then rename), so a failure (a full disk) leaves the previous file whole and no temporary
    file behind. Raises ``ExportError``."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    count = 0
    try:
        with temporary.open("w", encoding="utf-8") as out:
            for row in archive.records():
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):  # a read-only folder never had it
            temporary.unlink(missing_ok=True)
        raise ExportError(f"the JSONL export to {target} failed: {error}") from error
    return count
