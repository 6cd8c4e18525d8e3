"""Retries spaced out in time: exponential backoff, and ``Retry-After`` honoured.

Scrapy's ``RetryMiddleware`` sends a retry as soon as a request fails, so a site that is
briefly overloaded gets its retries within the same second. ``BackoffRetryMiddleware`` is the
same middleware (same ``RETRY_*`` settings, same give-up rules) that waits before handing each
retry back: ``CQC_RETRY_BACKOFF * 2 ** (n - 1)`` seconds before retry n, at most
``CQC_RETRY_BACKOFF_MAX``; or, when a 429 or 503 response says ``Retry-After``, that long. A
``Retry-After`` longer than ``CQC_RETRY_AFTER_MAX`` is not waited for: the request fails at
once (and an article is retried by the next run), so a run always ends in bounded time.

The wait is taken inside the downloader, so a waiting retry holds one of the site's two
download slots (``CONCURRENT_REQUESTS_PER_DOMAIN``): while the site is overloaded the whole
crawl slows down with it, which is the point. Whether to retry is Scrapy's own decision
(``super().process_response()``/``process_exception()``, which call its public
``get_retry_request``), so retries are counted and logged as Scrapy's
(``retry/reason_count/503 Service Unavailable``, ``RETRY_GIVE_UP_LOG_LEVEL``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` value asks for (delay-seconds or an HTTP date), or None."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(retry: int, base: float, cap: float) -> float:
    """The wait before retry number ``retry`` (1, 2, ...): doubling from ``base``, capped."""
    return min(cap, base * 2 ** (retry - 1))


class BackoffRetryMiddleware(RetryMiddleware):
    """``RetryMiddleware`` with a wait before each retry (see the module docstring)."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("CQC_RETRY_BACKOFF")
        self.cap = settings.getfloat("CQC_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("CQC_RETRY_AFTER_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Scrapy's decision (``super().process_response``: retry or give up, counted and
        logged as Scrapy does, ``RETRY_GIVE_UP_LOG_LEVEL`` included), then the wait."""
        wait = self._retry_after(request, response)
        if wait is not None and wait > self.retry_after_max:
            logger.warning(
                "Gave up %s: HTTP %d asks to retry after %s s, more than the %s s allowed "
                "(CQC_RETRY_AFTER_MAX)",
                request,
                response.status,
                f"{wait:g}",
                f"{self.retry_after_max:g}",
            )
            return response
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, wait)
        return result

    @staticmethod
    def _retry_after(request: Request, response: Response) -> float | None:
        """The seconds a 429 or 503 asks for in ``Retry-After`` (None: none asked, or the
        request is not retried anyway)."""
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return None
        header = response.headers.get(b"Retry-After", b"").decode("latin-1")
        return retry_after_seconds(header, dt.datetime.now(dt.UTC))

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await self._wait(retry, None)
        return retry

    async def _wait(self, retry: Request, asked: float | None) -> None:
        seconds = asked if asked is not None else self._backoff(retry)
        if seconds > 0:
            logger.debug("Waiting %.2f s before %s", seconds, retry)
            await sleep(seconds)

    def _backoff(self, retry: Request) -> float:
        return backoff_seconds(retry.meta.get("retry_times", 1), self.base, self.cap)
