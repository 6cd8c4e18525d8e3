"""Records put into an archive as a crawl hands them over (``Archive.store_batch`` of
``ParsedPage`` items), for tests and benchmarks that need an archive of given releases."""

from __future__ import annotations

from collections.abc import Iterable

from cqcscraper.parse.records import ArticlePage, ParsedPage, PressRelease, RawResponse
from cqcscraper.store.archive import Archive
from cqcscraper.store.history import Outcome
from cqcscraper.store.writes import Suspect, Unstorable

Stored = Outcome | Suspect | Unstorable | None


def store_many(
    archive: Archive, items: Iterable[tuple[PressRelease, str | None, RawResponse | None]]
) -> list[Stored]:
    """Archive ``(record, seen, raw)`` in one transaction, in order, as fetched at ``seen``
    (the archive's clock when None) with the response ``raw`` (none kept when None)."""
    pages = [
        ParsedPage(
            ArticlePage(record.url, raw.status if raw else 200, seen or archive.clock(), raw=raw),
            record,
        )
        for record, seen, raw in items
    ]
    return archive.store_batch(pages)


def store(
    archive: Archive,
    record: PressRelease,
    *,
    seen: str | None = None,
    raw: RawResponse | None = None,
) -> Stored:
    """Archive one record (``store_many`` of one)."""
    return store_many(archive, [(record, seen, raw)])[0]
