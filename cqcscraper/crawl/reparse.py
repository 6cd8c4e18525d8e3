"""Rebuild the releases from the stored snapshots with today's rules: ``cqcscraper reparse``.

Each stored response is read again exactly as a crawl reads it (``pages.replay_page`` then
``pages.build_reading``), with the listing text the crawl stored beside it, and each article's
snapshots are replayed in the order they were fetched through the same ``history.fold`` a crawl
uses, so the row and its revisions come out as a crawl with today's rules would have written
them, and its links to files as the page its row comes from gives them. Nothing is fetched.

No command undoes a guard: a snapshot the crawl refused on evidence its run had and a snapshot
does not keep (a suspect update, a placeholder: one page at many articles) is never applied,
and each snapshot passes the same evidence and guard as in a crawl (``pages.build_reading``
checks that the page is the release its listing announced; ``history.suspect_update`` that an
update keeps what the release had). What was skipped is reported.

A release whose snapshots no longer give a record (the new rules reject every one) keeps its
row as it was, and is reported (``cqcscraper reparse`` then exits 1); rows with no snapshot
(archived before snapshots existed) are left alone. The whole rebuild is one transaction: it is
applied entirely or not at all.

Reading a snapshot is a pure function of its bytes (``read_snapshot``), so with ``jobs`` above
1 the snapshots are read by that many worker processes, ``BATCH`` at a time (in order, and
never more than a batch held), while this process folds and writes them.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult

from cqcscraper.crawl.pages import Reading, build_reading, replay_page
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.parse import validation
from cqcscraper.parse.media import MediaLink
from cqcscraper.store.archive import Archive, Snapshot
from cqcscraper.store.history import KEPT_BY_ARCHIVE, Row, fold, record_row, suspect_update


@dataclass
class Report:
    snapshots: int = 0
    releases: int = 0
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # snapshots the crawl refused on its run's evidence: never applied
    suspect: int = 0  # snapshots the update guard refuses now
    title_from: Counter[str] = field(default_factory=Counter)  # of the releases rebuilt
    relinked: list[int] = field(default_factory=list)  # releases whose links to files changed

    def __str__(self) -> str:
        lines = [
            f"reparsed {self.snapshots} snapshots into {self.releases} releases: "
            f"{len(self.changed)} rows changed, {len(self.added)} added"
        ]
        if self.title_from:
            sources = ", ".join(f"{s} {n}" for s, n in sorted(self.title_from.items(), key=_most))
            lines.append(f"titles from: {sources}")
        if self.rejected:
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(self.rejected.items()))
            lines.append(f"snapshots that give no record: {reasons}")
        if self.refused or self.suspect:
            lines.append(
                f"snapshots not applied: {self.refused} that the crawl refused on its run's "
                f"evidence (suspect_update, placeholder), {self.suspect} that lose what the "
                "release had (suspect_update)"
            )
        if self.relinked:
            lines.append(f"links to files read again: {len(self.relinked)} releases changed")
        if self.kept:
            ids = ", ".join(map(str, self.kept))
            lines.append(f"kept as they were (no snapshot gives a record now): {ids}")
        return "\n".join(lines)


def _content_of(row: Row) -> Row:
    """A row without what the archive keeps itself (``KEPT_BY_ARCHIVE``)."""
    return {name: value for name, value in row.items() if name not in KEPT_BY_ARCHIVE}


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


# Snapshots handed to the workers at a time: enough that they are seldom idle, few enough
# that memory stays flat whatever the archive's size.
BATCH = 256


def read_snapshot(snapshot: Snapshot) -> Reading | str:
    """A stored response read as a crawl reads it: its reading, or why it gives no record."""
    try:
        return build_reading(replay_page(snapshot.raw, snapshot.first_fetched))
    except Rejected as rejected:
        return rejected.reason


Read = tuple[Snapshot, Reading | str | None]  # None: a snapshot the crawl refused (not read)


def read_all(snapshots: Iterable[Snapshot], refused: Collection[int], jobs: int) -> Iterator[Read]:
    """Each snapshot with its reading, in order; read by ``jobs`` worker processes when above
    1 (forked: they start at once and see the rules as this process has them), a batch ahead
    of the one this process folds, so that neither waits for the other."""
    if jobs <= 1:
        for snapshot in snapshots:
            yield snapshot, None if snapshot.snapshot in refused else read_snapshot(snapshot)
        return
    pending = iter(snapshots)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:

        def send() -> tuple[list[Snapshot], AsyncResult[list[Reading | str]]]:
            batch = list(itertools.islice(pending, BATCH))
            wanted = [snapshot for snapshot in batch if snapshot.snapshot not in refused]
            return batch, pool.map_async(read_snapshot, wanted, chunksize=16)

        batch, readings = send()
        while batch:
            following = send()
            read = iter(readings.get())
            for snapshot in batch:
                yield snapshot, None if snapshot.snapshot in refused else next(read)
            batch, readings = following


def replay(
    reads: Iterable[Read], report: Report
) -> tuple[Row | None, list[Row], tuple[MediaLink, ...]]:
    """One article's row, revisions and links to files, rebuilt from its snapshots (oldest
    first) as ``read_all`` read them, without those the crawl refused and those the update
    guard refuses. The links are those of the last snapshot applied, as a crawl would store
    them."""
    row: Row | None = None
    revisions: list[Row] = []
    links: tuple[MediaLink, ...] = ()
    for snapshot, reading in reads:
        if reading is None:
            report.refused += 1
            continue
        if isinstance(reading, str):
            report.rejected[reading] += 1
            continue
        record = record_row(reading.record)
        if (
            row is not None
            and row["content_hash"] != record["content_hash"]
            and suspect_update(row, record, None)
        ):
            report.suspect += 1
            continue
        links = reading.links
        for seen in dict.fromkeys([snapshot.first_fetched, snapshot.last_fetched]):
            row, revision, _ = fold(row, record, seen)
            if revision is not None:
                revisions.append(revision)
    return row, revisions, links


def reparse(archive: Archive, jobs: int = 1) -> Report:
    """Rebuild every release that has snapshots, reading them in ``jobs`` processes; report
    what changed."""

    def rebuild_all() -> tuple[Report, dict[int, int | None]]:
        report = Report()
        before = archive.duplicate_links()
        refused = archive.refused_snapshots(validation.REFUSED_IN_CONTEXT)
        reads = read_all(archive.snapshots(), refused, jobs)
        for article_id, group in itertools.groupby(reads, lambda read: read[0].article_id):
            snapshots = list(group)
            report.snapshots += len(snapshots)
            row, revisions, links = replay(snapshots, report)
            if article_id is None:
                continue
            if row is None:
                if article_id in before:
                    report.kept.append(article_id)
                continue
            report.releases += 1
            report.title_from[row["title_from"] or "none"] += 1
            if set(archive.links_of(article_id)) != set(links):
                archive.replace_links(article_id, links)
                report.relinked.append(article_id)
            stored, stored_revisions = archive.history(article_id)
            if stored is None:
                report.added.append(article_id)
            elif (_content_of(stored), stored_revisions) != (_content_of(row), revisions):
                report.changed.append(article_id)
            else:
                continue
            archive.replace_history(article_id, row, revisions)
        return report, before

    report, before = archive.rebuild(rebuild_all)
    # A release changes too when it becomes, or stops being, a duplicate of another.
    relinked = {
        article_id
        for article_id, duplicate_of in archive.duplicate_links().items()
        if article_id in before and before[article_id] != duplicate_of
    }
    report.changed = sorted({*report.changed, *relinked})
    return report
