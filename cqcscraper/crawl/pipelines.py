"""Item pipelines: thin Scrapy adapters over the pure layers and the archive.

``ITEM_PIPELINES`` reads as the data flow: an ``ArticlePage`` from the spider is read into a
record and its links to files (``pages.read_article``: extraction, then normalisation),
validated, its files fetched (``media.MediaPipeline``), and archived together with the raw
response it came from (in batches: see ``ArchivePipeline``), as are the spider's
``NotModified`` (a ``304``) and ``ReleaseMedia`` (files tried again) items. Anything that
cannot become a record is raised as ``Rejected``; ``run.ArchiveRun`` hears every dropped item
and writes it to ``rejects``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import CallLaterResult, call_later

from cqcscraper.crawl import health
from cqcscraper.crawl.pages import read_article
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.crawl.run import ArchiveRun
from cqcscraper.parse import urls, validation
from cqcscraper.parse.evidence import SharedTexts
from cqcscraper.parse.records import (
    ArticlePage,
    NotModified,
    ParsedPage,
    PressRelease,
    ReleaseMedia,
    StoredFile,
)
from cqcscraper.parse.validation import MOVED, SUSPECT_UPDATE, UNSTORABLE
from cqcscraper.store.archive import ArchiveError, Suspect, Unstorable

logger = logging.getLogger(__name__)

# Sent with ``files=[StoredFile, ...]`` once a batch that wrote those files' rows is stored: the
# media pipeline then keeps no more of them in memory than a later release linking them needs.
FILES_STORED = object()


class ParsePipeline:
    """``ArticlePage`` -> ``ParsedPage``; counts which fields were found, for the verdict."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        record, links, shown_date = read_article(item)
        self.stats.inc_value(health.PARSED)
        for name in health.FIELDS:
            if getattr(record, name):
                self.stats.inc_value(health.FIELD.format(name))
        self.stats.inc_value(health.TITLE_FROM.format(record.title_from or "none"))
        ref = urls.article_ref(record.url)
        url_date = ref.url_date if ref else None
        if record.published_from == "public_time" and url_date and record.published != url_date:
            self.stats.inc_value(health.DATE_DIFFERS)
            logger.info(
                "Public Time %s differs from the URL's date %s: %s",
                record.published,
                url_date,
                record.url,
            )
        elif shown_date and record.published_from != "public_time":
            self.stats.inc_value(health.DATE_NOT_BELIEVED)
            logger.info(
                "The page's date %s is not believed (before the site or in the future); %s "
                "is dated by its URL, %s",
                shown_date,
                record.url,
                record.published,
            )
        return ParsedPage(item, record, ReleaseMedia(record.id, links))


class ValidatePipeline:
    """Let only complete records through (see ``validation.reject_reason``), and no text the
    run saw at another article unconfirmed (``evidence.SharedTexts``)."""

    def __init__(self, run: ArchiveRun | None = None) -> None:
        self.shared = SharedTexts()
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.get_extension(ArchiveRun))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ParsedPage):
            return item
        record = item.record
        if reason := validation.reject_reason(record):
            raise Rejected(record.url, reason)
        listing_text = item.page.raw.listing_text if item.page.raw else None
        if refused := self.shared.placeholder(record, listing_text, self._archived_as(record)):
            raise Rejected(record.url, *refused)
        return item

    def _archived_as(self, record: PressRelease) -> Callable[[], int | None]:
        """Another release the archive holds with ``record``'s content, when ``record`` is new."""
        run = self.run
        if run is None:
            return lambda: None
        return lambda: run.read(
            lambda: run.archive.same_content(record.id, record.content_hash), None
        )

    def close_spider(self) -> None:
        """The first articles of texts found shared later: the run withdraws those it added
        (``ArchiveRun.withdraw``), after the archive pipeline wrote its last batch."""
        if self.run is not None:
            self.run.shared_unconfirmed |= self.shared.unconfirmed


class ArchivePipeline:
    """Store records with their raw responses, a batch to a transaction.

    One commit per page would cost more than reading the page on a fast crawl, so records
    wait until ``CQC_WRITE_BATCH`` of them are pending or ``CQC_WRITE_INTERVAL`` seconds have
    passed since the first, then go in one transaction (each page's snapshot always with its
    record). What a kill loses is at most that wait: those articles are not in the archive,
    so the next run fetches them again.
    """

    schedule = staticmethod(call_later)  # Scrapy's timer, on whichever reactor runs

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        run = crawler.get_extension(ArchiveRun)
        if run is None:  # not an archive run (scrapy parse --pipelines, a test's crawler)
            raise NotConfigured("ArchivePipeline needs the ArchiveRun extension")
        self.run = run
        self.archive = run.archive
        self.batch = max(1, crawler.settings.getint("CQC_WRITE_BATCH"))
        self.interval = crawler.settings.getfloat("CQC_WRITE_INTERVAL")
        self.pending: list[ParsedPage] = []
        self.timer: CallLaterResult | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ParsedPage | NotModified | ReleaseMedia):
            return item
        self.pending.append(item)
        if len(self.pending) >= self.batch:
            self.flush()
        elif self.timer is None:
            self.timer = self.schedule(self.interval, self.flush)
        return item.record if isinstance(item, ParsedPage) else item

    def flush(self) -> None:
        """Write the pending records, in the order they came."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        pending, self.pending = self.pending, []
        if not pending:
            return
        if self.run.failed is not None:  # the archive refused a write already: do not wait again
            self.run.archive_failed(self.run.failed, lost=_releases(pending))
            return
        try:
            outcomes = self.archive.store_batch(pending)
        except ArchiveError as error:
            self.run.archive_failed(error, lost=_releases(pending))
            return
        stored: list[StoredFile] = []
        for item, outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, Unstorable):  # this record alone: the batch is stored
                self.run.record_reject(item.page, item.record.url, UNSTORABLE, outcome.error)
                continue
            if isinstance(outcome, Suspect):  # the archived release stays as it was
                self.run.record_reject(item.page, item.record.url, SUSPECT_UPDATE, outcome.reason)
                continue
            stored += _stored_files(item)
            if outcome is not None:
                self.crawler.stats.inc_value(health.OUTCOME.format(outcome))
                if isinstance(item, ParsedPage):
                    self._moved(item)
        if stored:
            self.crawler.signals.send_catch_log(FILES_STORED, files=stored)

    def _moved(self, item: ParsedPage) -> None:
        """An article linked under one id and redirected to another: the linked id is recorded
        as moved, so that no later run fetches it again."""
        linked = urls.article_ref(item.page.linked_url or "")
        if linked is not None and linked.id != item.record.id:
            detail = f"redirected to {item.record.url}"
            self.run.record_reject(None, linked.canonical_url, MOVED, detail)

    def close_spider(self) -> None:
        self.flush()


def _stored_files(item: ParsedPage | NotModified | ReleaseMedia) -> list[StoredFile]:
    """The files whose rows storing ``item`` wrote (a release's, or those fetched again)."""
    files = item if isinstance(item, ReleaseMedia) else item.media
    return [f for f in files.files if isinstance(f, StoredFile)] if files is not None else []


def _releases(items: list[Any]) -> int:
    """How many releases a batch of writes holds (a file fetched again is none)."""
    return sum(not isinstance(item, ReleaseMedia) for item in items)
