"""Fixity: does every stored body still hash to what the archive recorded when it was stored?

``verify`` recomputes the sha256 of every page snapshot (stored compressed in the archive)
and every media file (under the media folder, named by its sha256) and compares each with the
archive's record of it. Bit rot, a truncated copy, a file deleted by hand, or an edit of the
database all show up as a problem naming the snapshot or the file. Run monthly
(docs/operations.md); it only reads.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from cqcscraper.store.archive import Archive
from cqcscraper.store.media import file_sha256


@dataclass
class FixityReport:
    pages: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        verdict = "ok" if self.ok else f"{len(self.problems)} problems"
        lines = [f"checked {self.pages} page snapshots and {self.files} media files: {verdict}"]
        return "\n".join([*lines, *(f"  {problem}" for problem in self.problems)])


def verify(archive: Archive, media_dir: Path) -> FixityReport:
    """Check every snapshot and media file against its recorded sha256 and size."""
    report = FixityReport()
    for snapshot, url, stored, size, sha256 in archive.db.execute(
        "SELECT snapshot, url, body, size, sha256 FROM snapshots ORDER BY snapshot"
    ):
        report.pages += 1
        where = f"snapshot {snapshot} ({url})"
        try:
            body = zlib.decompress(stored)
        except (zlib.error, TypeError) as error:
            report.problems.append(f"{where}: its stored body cannot be read ({error})")
            continue
        if hashlib.sha256(body).hexdigest() != sha256 or len(body) != size:
            report.problems.append(
                f"{where}: sha256 {hashlib.sha256(body).hexdigest()[:16]}... of "
                f"{len(body)} bytes, recorded {sha256[:16]}... of {size} bytes"
            )
    for file_id, url, sha256, size, path in archive.db.execute(
        "SELECT id, url, sha256, size, path FROM media_files ORDER BY id"
    ):
        report.files += 1
        local = media_dir / path
        where = f"media file {file_id} {local} ({url})"
        if not local.is_file():
            report.problems.append(f"{where}: missing")
            continue
        found = file_sha256(local)
        if found != sha256 or local.stat().st_size != size:
            report.problems.append(
                f"{where}: sha256 {found[:16]}... of {local.stat().st_size} bytes, "
                f"recorded {sha256[:16]}... of {size} bytes"
            )
    return report
