"""Item pipelines: thin Scrapy adapters over the pure layers and the archive.

``ITEM_PIPELINES`` reads as the data flow: an ``ArticlePage`` from the spider is parsed into a
``PressRelease`` (extraction, then normalisation), validated, and archived. Anything that
cannot become a record is raised as ``Rejected``; the archive pipeline hears every dropped
item through the ``item_dropped`` signal and writes it to ``rejects``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from cqcscraper import urls, validation
from cqcscraper.archive import Archive
from cqcscraper.extract import extract
from cqcscraper.normalize import normalize_article
from cqcscraper.records import ArticlePage, PressRelease
from cqcscraper.validation import Rejected

logger = logging.getLogger(__name__)


class ParsePipeline:
    """``ArticlePage`` -> ``PressRelease``; a page that was not fetched as HTML is rejected."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        ref = urls.article_ref(item.url)
        if ref is None:
            raise Rejected(item.url, validation.NOT_AN_ARTICLE)
        if item.html is None:
            fetched = 200 <= item.status < 300
            reason = validation.NOT_HTML if fetched else validation.FETCH_FAILED
            raise Rejected(ref.canonical_url, reason, item.error or f"HTTP {item.status}")
        record = normalize_article(extract(item.html, ref.canonical_url))
        url_date = ref.url_date
        if record.published_from == "public_time" and url_date and record.published != url_date:
            self.stats.inc_value("cqc/published/differs_from_url")
            logger.info(
                "Public Time %s differs from the URL's date %s: %s",
                record.published,
                url_date,
                record.url,
            )
        return record


class ValidatePipeline:
    """Let only complete records through (see ``validation.reject_reason``)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PressRelease) and (reason := validation.reject_reason(item)):
            raise Rejected(item.url, reason)
        return item


class ArchivePipeline:
    """Write records and rejects to the SQLite archive; log the run; export JSONL at the end."""

    def __init__(self, crawler: Crawler, db_path: str, jsonl_path: str, lock_timeout: float):
        self.crawler = crawler
        self.db_path = db_path
        self.jsonl_path = jsonl_path
        self.lock_timeout = lock_timeout
        self.archive: Archive | None = None
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            db_path=settings.get("CQC_DB"),
            jsonl_path=settings.get("CQC_JSONL"),
            lock_timeout=settings.getfloat("CQC_DB_LOCK_TIMEOUT"),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        # The crawl is finished on spider_closed, not in close_spider: only the signal carries
        # the finish reason, and it comes after every pipeline has closed.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path, lock_timeout=self.lock_timeout)
        spider = self.crawler.spider
        start_url = getattr(spider, "start_url", "")
        self.crawl_id = self.archive.begin_crawl(start_url, getattr(spider, "arguments", {}))
        logger.info("Archiving into %s (crawl %d)", self.db_path, self.crawl_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PressRelease) and self.archive is not None:
            outcome = self.archive.store(item)
            self.crawler.stats.inc_value(f"cqc/articles/{outcome}")
        return item

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if self.archive is None:
            return
        if isinstance(exception, Rejected):
            url, reason, detail = exception.url, exception.reason, exception.detail
        else:
            url, reason, detail = getattr(item, "url", ""), "dropped", str(exception)
        self.archive.reject(url, reason, detail, crawl_id=self.crawl_id)
        self.crawler.stats.inc_value(f"cqc/rejects/{reason}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None or self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counts = {
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "articles_new": stats.get("cqc/articles/new", 0),
            "articles_updated": stats.get("cqc/articles/updated", 0),
            "articles_unchanged": stats.get("cqc/articles/unchanged", 0),
            "articles_rejected": sum(
                value for key, value in stats.items() if key.startswith("cqc/rejects/")
            ),
        }
        self.archive.finish_crawl(self.crawl_id, reason, counts, stats)
        rows = self.archive.export_jsonl(self.jsonl_path)
        self.archive.close()
        self.archive = None
        logger.info(
            "Crawl %d finished (%s): %d new, %d updated, %d unchanged, %d rejected; "
            "%d records in %s",
            self.crawl_id,
            reason,
            counts["articles_new"],
            counts["articles_updated"],
            counts["articles_unchanged"],
            counts["articles_rejected"],
            rows,
            self.jsonl_path,
        )
