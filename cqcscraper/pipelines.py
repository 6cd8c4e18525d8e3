"""Item pipelines: thin Scrapy adapters over the pure layers and the archive.

``ITEM_PIPELINES`` reads as the data flow: an ``ArticlePage`` from the spider is read into a
record (``pages.read_page``: extraction, then normalisation), validated, and archived together
with the raw response it came from. Anything that cannot become a record is raised as
``Rejected``; ``run.ArchiveRun`` hears every dropped item and writes it to ``rejects``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from cqcscraper import health, urls, validation
from cqcscraper.archive import ArchiveError
from cqcscraper.pages import read_page
from cqcscraper.records import ArticlePage, ParsedPage
from cqcscraper.run import ArchiveRun, NotArchived
from cqcscraper.validation import Rejected

logger = logging.getLogger(__name__)


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
        record = read_page(item)
        self.stats.inc_value(health.PARSED)
        for name in health.FIELDS:
            if getattr(record, name):
                self.stats.inc_value(health.FIELD.format(name))
        ref = urls.article_ref(record.url)
        url_date = ref.url_date if ref else None
        if record.published_from == "public_time" and url_date and record.published != url_date:
            self.stats.inc_value("cqc/published/differs_from_url")
            logger.info(
                "Public Time %s differs from the URL's date %s: %s",
                record.published,
                url_date,
                record.url,
            )
        return ParsedPage(item, record)


class ValidatePipeline:
    """Let only complete records through (see ``validation.reject_reason``)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ParsedPage) and (reason := validation.reject_reason(item.record)):
            raise Rejected(item.record.url, reason)
        return item


class ArchivePipeline:
    """Store each record with its raw response, in one transaction."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        run = crawler.get_extension(ArchiveRun)
        if run is None:
            raise RuntimeError("ArchivePipeline needs the ArchiveRun extension")
        self.run = run
        self.archive = run.archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ParsedPage):
            page = item.page
            try:
                outcome = self.archive.store(item.record, seen=page.fetched_at, raw=page.raw)
            except ArchiveError as error:
                self.run.archive_failed(error)
                raise NotArchived(f"not archived: {item.record.url} ({error})") from error
            self.crawler.stats.inc_value(health.OUTCOME.format(outcome))
            return item.record
        return item
