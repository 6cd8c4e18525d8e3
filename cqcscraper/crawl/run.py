"""``ArchiveRun``: one crawl's hold on the archive, from the lock to the exit code.

A Scrapy extension, enabled by the ``press`` spider. When the crawler is built it takes the
run lock (or stops the run at once: ``ArchiveBusy``), opens the archive and opens this run's
``crawls`` row, and hands the spider what the archive knows (``RunState``: the known articles
for the incremental walk, those to try again, the files to fetch again). During the run it
records every dropped item as a reject. When the spider closes it
refreshes the search lists if the run changed releases (``store.search``), exports the JSONL,
judges the run's health (``health.judge``), closes the ``crawls`` row and releases the lock.
When the archive stays locked by another process longer than a write may wait
(``CQC_DB_LOCK_TIMEOUT``), the run stops fetching at once and fails with that reason: what it
could not store is not known to the archive, so the next run fetches it again.

Either way it leaves the run's outcome in the crawler's stats, ``cqc/exit_code`` and
``cqc/exit_message``, for the ``crawl`` command to return (the extension may have failed to
start, and then the crawler does not list it; its stats are there all the same).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from cqcscraper.crawl import health
from cqcscraper.crawl.arguments import RunArguments
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.crawl.state import RUN_OPENED, RunState
from cqcscraper.parse import urls, validation
from cqcscraper.parse.records import ArticlePage, ParsedPage
from cqcscraper.store.archive import Archive, ArchiveError, ExportError, jsonl_beside
from cqcscraper.store.export import write_jsonl
from cqcscraper.store.lock import ArchiveBusy, RunLock
from cqcscraper.store.pending import Pending

logger = logging.getLogger(__name__)
T = TypeVar("T")

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 75  # 75: EX_TEMPFAIL, "try again later"


EXIT_CODE = "cqc/exit_code"  # stats: what ``scrapy crawl`` exits with ...
EXIT_MESSAGE = "cqc/exit_message"  # ... and its last log line


def set_exit(crawler: Crawler, code: int, message: str) -> None:
    """Leave the run's exit code and message in the crawler's stats."""
    crawler.stats.set_value(EXIT_CODE, code)
    crawler.stats.set_value(EXIT_MESSAGE, message)


# The most articles a verdict names one by one.
MAX_NAMED = 5


class ArchiveRun:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.media = settings.getbool("CQC_MEDIA")
        self.db_path = settings.get("CQC_DB")
        self.jsonl_path = settings.get("CQC_JSONL") or jsonl_beside(self.db_path)
        self.thresholds = health.Thresholds.from_settings(settings)
        self.lock = RunLock(self.db_path)
        try:
            self.lock.acquire()
        except ArchiveBusy as busy:
            set_exit(crawler, EXIT_BUSY, str(busy))
            logger.error("%s", busy)
            raise
        except ArchiveError as error:
            message = f"archive error: {error}"
            set_exit(crawler, EXIT_FAIL, message)
            raise
        try:
            self.archive = Archive(
                self.db_path, lock_timeout=settings.getfloat("CQC_DB_LOCK_TIMEOUT")
            )
        except BaseException as error:
            self.lock.release()
            if isinstance(error, ArchiveError):
                message = f"archive error: {error}"
                set_exit(crawler, EXIT_FAIL, message)
            raise
        self.crawl_id: int | None = None
        self.failed: ArchiveError | None = None
        self.closed = False
        self.retrying: set[int] = set()  # pending articles this run tries again
        # Articles whose text the run later found at other articles, with nothing to confirm
        # either (``evidence.SharedTexts``): withdrawn as placeholders when the run added them.
        self.shared_unconfirmed: set[int] = set()
        # The previous run stopped part-way: what it did not reach may lie behind listing pages
        # whose articles are all known, so the incremental walk must not stop early this time.
        self.resume = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveRun:
        if not crawler.settings.getbool("CQC_ARCHIVE_RUN"):
            # Only ``scrapy crawl`` archives: scrapy parse, fetch and shell never take the lock
            # nor write a run (the crawl command sets CQC_ARCHIVE_RUN).
            raise NotConfigured("only scrapy crawl writes the archive")
        return cls(crawler)

    @property
    def arguments(self) -> RunArguments:
        """What the run was asked to do: the press spider's arguments (this extension is
        the press spider's)."""
        return self.crawler.spider.arguments

    def known_articles(
        self, refresh_days: int | None, due: Collection[int]
    ) -> Callable[[int, str], bool]:
        """Whether an incremental run skips an article (``Archive.is_known``, one lookup an
        article linked: nothing is loaded whole); never one ``due`` again, which the run asks
        for itself."""
        since = None
        if refresh_days is not None:
            since = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=refresh_days)).isoformat()
        archive = self.archive

        def is_known(article_id: int, url: str) -> bool:
            return article_id not in due and self.read(
                lambda: archive.is_known(
                    article_id, url, refresh_since=since, transient=validation.TRANSIENT
                ),
                False,
            )

        return is_known

    def pending(self) -> list[Pending]:
        """The articles not archived whose last fetch failed for a reason that may pass
        (``store.pending``)."""
        return self.read(
            lambda: self.archive.pending(validation.TRANSIENT, validation.FINAL_WHEN_SEEN_TWICE),
            [],
        )

    def due_again(self) -> list[Pending]:
        """The pending articles this run tries again. Should one fail again, it is counted
        apart (``health.REJECTED_AGAIN``): an earlier run counted it already, and the bound
        on its tries (the verdict's) is what judges it."""
        due = [article for article in self.pending() if article.due]
        self.retrying = {article.article_id for article in due}
        return due

    def state(self) -> RunState:
        """What the spider needs of the archive, read once as the run opens (``RunState``).
        A full run fetches everything, so it knows nothing and tries nothing again apart."""
        arguments = self.arguments
        archive = self.archive
        due = () if arguments.full else tuple(self.due_again())
        known = self.known_articles(arguments.refresh_days, {a.article_id for a in due})
        return RunState(
            arguments=arguments,
            is_known=(lambda article_id, url: False) if arguments.full else known,
            resume=self.resume,
            due_again=due,
            pending_media=tuple(self.read(archive.pending_media, [])) if self.media else (),
            validators=lambda article_id: self.read(
                lambda: archive.page_validators(article_id), {}
            ),
            links_of=lambda article_id: self.read(lambda: archive.links_of(article_id), ()),
        )

    def read(self, fn: Callable[[], T], nothing: T) -> T:
        """A read of the archive during the run (``fn``); when the archive cannot be read (a
        damaged file), the run fails with why and ``nothing`` is what was read."""
        try:
            return fn()
        except ArchiveError as error:
            self.archive_failed(error)
            return nothing

    def archive_failed(self, error: ArchiveError, lost: int = 0) -> None:
        """The archive cannot take writes: record why, and stop fetching (once). ``lost``
        records could not be stored; the next run fetches them again."""
        self.crawler.stats.inc_value(health.NOT_ARCHIVED, lost)
        if self.failed is not None:
            return
        self.failed = error
        self.crawler.stats.set_value(health.ARCHIVE_ERROR, str(error))
        logger.error("Stopping the run: %s", error)
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))

    def spider_opened(self, spider: Spider) -> None:
        """Open the run's ``crawls`` row, then hand its ``RunState`` to whoever listens
        (``RUN_OPENED``: the spider)."""
        arguments = self.arguments
        try:
            self.crawl_id = self.archive.begin_crawl(arguments.start_url, dict(arguments.given))
        except ArchiveError as error:
            self.archive_failed(error)
            return
        logger.info("Archiving into %s (crawl %d)", self.db_path, self.crawl_id)
        self.resume = not self.archive.previous_run_finished(self.crawl_id)
        if self.resume:
            logger.warning(
                "The previous run did not finish: this one walks every listing page "
                "(fetching only the articles not archived yet)"
            )
        state = self.state()
        if self.failed is None:
            self.crawler.signals.send_catch_log(RUN_OPENED, state=state)

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        page = item.page if isinstance(item, ParsedPage) else item
        if isinstance(exception, Rejected):
            url, reason, detail = exception.url, exception.reason, exception.detail
        else:
            url, reason, detail = getattr(page, "url", ""), "dropped", str(exception)
        self.record_reject(page, url, reason, detail)

    def record_reject(self, page: Any, url: str, reason: str, detail: str = "") -> None:
        """Store a page that could not become a record (with its snapshot) and count it."""
        raw, seen = None, None
        if isinstance(page, ArticlePage):
            raw, seen = page.raw, page.fetched_at
        try:
            self.archive.reject(url, reason, detail, crawl_id=self.crawl_id, seen=seen, raw=raw)
        except ArchiveError as error:
            self.archive_failed(error, lost=1)  # not known to the archive: fetched again next run
            return
        self.crawler.stats.inc_value(f"{health.REJECTS}{reason}")
        ref = urls.article_ref(url)
        if ref is not None and ref.id in self.retrying:
            self.crawler.stats.inc_value(health.REJECTED_AGAIN)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.close(reason)

    def close(self, reason: str) -> None:
        """Close the run (once): its verdict written, the archive closed, the lock released,
        the exit code left in the stats. Called when the spider closes, or by ``MemoryBound``
        when the spider cannot close in time."""
        if self.closed:
            return
        self.closed = True
        try:
            verdict = self._close(reason)
        # Whatever goes wrong while the run closes fails it, in one line: a run that could not
        # close must never end as a silent "ok".
        except Exception as error:
            verdict = health.Verdict(
                health.FAIL, f"the run could not close: {type(error).__name__}: {error}"
            )
        finally:
            self.archive.close()
            self.lock.release()
        code = EXIT_OK if verdict.ok else EXIT_FAIL
        message = f"crawl {self.crawl_id} {verdict.verdict}: {verdict.reason}"
        set_exit(self.crawler, code, message)

    def _withdraw_placeholders(self) -> None:
        """The releases this run added whose text it later found at other articles with
        nothing to confirm either: placeholders found late, taken back (``Archive.withdraw``)."""
        detail = (
            "its text was served at other articles of this run, and no listing title says "
            "that it is this release (withdrawn at the end of the run)"
        )
        try:
            withdrawn = self.archive.withdraw(
                self.shared_unconfirmed, self.crawl_id, validation.PLACEHOLDER, detail
            )
        except ArchiveError as error:
            self.archive_failed(error)
            return
        stats = self.crawler.stats
        for article_id in withdrawn:
            logger.warning("Article %d withdrawn: %s", article_id, detail)
            stats.inc_value(f"{health.REJECTS}{validation.PLACEHOLDER}")
            stats.inc_value(health.OUTCOME.format("new"), -1)

    def _count_pending(self) -> None:
        """How many articles are pending after this run, and which of those it tried are
        past the bound (``CQC_PENDING_MAX_TRIES``/``_DAYS``): the verdict names them."""
        waiting = self.pending()
        now = dt.datetime.now(dt.UTC)
        limits = (self.thresholds.pending_max_tries, self.thresholds.pending_max_days, now)
        overdue = [p for p in waiting if p.runs_since == 0 and p.overdue(*limits)]
        stats = self.crawler.stats
        stats.set_value(health.PENDING, len(waiting))
        if overdue:
            shown = ", ".join(map(str, overdue[:MAX_NAMED]))
            more = f" and {len(overdue) - MAX_NAMED} more" if len(overdue) > MAX_NAMED else ""
            stats.set_value(health.OVERDUE, f"{len(overdue)}: {shown}{more}")

    def _close(self, reason: str) -> health.Verdict:
        """Export the JSONL, judge the run, and write its verdict to ``crawls``: the export
        first, so that a failed export is in the verdict that is written."""
        stats = self.crawler.stats
        if started := stats.get_value("start_time"):  # Scrapy's elapsed time comes after this
            elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
            stats.set_value(health.ELAPSED, round(elapsed, 3))
        if self.failed is None and self.shared_unconfirmed and self.crawl_id is not None:
            self._withdraw_placeholders()
        if self.failed is None:  # else the JSONL keeps the last good run's export
            try:
                self.archive.refresh_search()
            except ArchiveError as error:
                self.archive_failed(error)
        if self.failed is None:
            try:
                rows, written = write_jsonl(self.archive, self.jsonl_path)
                unchanged = "" if written else " (unchanged: not written again)"
                logger.info("%d records in %s%s", rows, self.jsonl_path, unchanged)
            except ExportError as error:
                stats.set_value(health.EXPORT_ERROR, str(error))
        if self.failed is None:
            self._count_pending()
        verdict = health.judge(stats.get_stats(), reason, self.thresholds)
        if self.crawl_id is None:
            return verdict
        row = {
            "finish_reason": reason,
            **health.crawl_row(stats.get_stats()),
            "verdict": verdict.verdict,
            "verdict_reason": verdict.reason,
            "stats": json.dumps(stats.get_stats(), default=str, sort_keys=True),
        }
        try:
            self.archive.finish_crawl(self.crawl_id, row)
        except ArchiveError as error:  # the row stays open: the next run marks it killed
            stats.set_value(health.ARCHIVE_ERROR, f"the verdict could not be written: {error}")
            verdict = health.judge(stats.get_stats(), reason, self.thresholds)
        return verdict
