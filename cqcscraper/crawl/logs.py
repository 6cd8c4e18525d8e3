"""What a run's log says about rejects and an unreachable site: one line each, no reprs, no
tracebacks. The archive keeps the facts (``rejects``, ``crawls``); the log is for the operator.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult

from cqcscraper.crawl.rejects import Rejected
from cqcscraper.parse.records import ArticlePage, ParsedPage

# Scrapy's robots.txt middleware logs a failed robots.txt download at ERROR with a traceback;
# the run's verdict already says that the site could not be reached.
ROBOTSTXT_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class RejectLogFormatter(LogFormatter):
    """A dropped article is one line: its reason, the URL fetched, and the canonical URL it
    is recorded under when that differs (Scrapy's own line holds the item's whole repr)."""

    def dropped(
        self, item: Any, exception: BaseException, response: Response | None, spider: Spider
    ) -> LogFormatterResult:
        page = item.page if isinstance(item, ParsedPage) else item
        if not isinstance(page, ArticlePage):
            return super().dropped(item, exception, response, spider)
        reason = exception.reason if isinstance(exception, Rejected) else "dropped"
        recorded = exception.url if isinstance(exception, Rejected) else page.url
        detail = exception.detail if isinstance(exception, Rejected) else str(exception)
        message = f"Rejected ({reason}): {page.url}"
        if recorded != page.url:
            message += f" (recorded as {recorded})"
        if detail:
            message += f": {detail}"
        return {"level": logging.WARNING, "msg": "%(message)s", "args": {"message": message}}


class NoTraceback(logging.Filter):
    """Download errors as one warning line, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.levelno >= logging.ERROR:
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_robotstxt_errors() -> None:
    """Install ``NoTraceback`` on the robots.txt middleware's logger (once)."""
    robots = logging.getLogger(ROBOTSTXT_LOGGER)
    if not any(isinstance(f, NoTraceback) for f in robots.filters):
        robots.addFilter(NoTraceback())
