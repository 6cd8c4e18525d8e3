"""``UnreachableRobotsMiddleware``: a robots.txt that cannot be read forbids everything.

RFC 9309 (2.3.1.4): when robots.txt is unreachable because of a server or network error (a
5xx after the retries, a timeout, a connection cut), the crawler must assume complete
disallow. Scrapy's ``RobotsTxtMiddleware`` allows everything instead. This middleware sits
just after it (priority 110): it sees the robots.txt response or failure once Scrapy's retries
are spent, remembers the host as unreachable for this run, and refuses every later request
to it with ``IgnoreRequest`` (``validation.ROBOTS_UNREACHABLE``, transient: the next run asks
again). The run fails naming it (``health.ROBOTS_UNREACHABLE``). A robots.txt answering 4xx
is "unavailable", which allows everything, as Scrapy does. A host where nothing listens, or
whose name does not resolve, is left to fail every request with that error (``HOST_DOWN``).
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from cqcscraper.crawl import health

logger = logging.getLogger(__name__)

ROBOTS_PATH = "/robots.txt"
# Errors that no request to the host escapes either (nothing listens, no such name): the run
# fails as "the site could not be reached", with that error, and nothing is fetched anyway.
HOST_DOWN = (IgnoreRequest, DownloadConnectionRefusedError, CannotResolveHostError)
REFUSAL = "robots.txt unreachable"  # the start of every refusal (crawl.rejects reads it)


class UnreachableRobotsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.unreachable: dict[str, str] = {}  # host -> why its robots.txt could not be read

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreachableRobotsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if (why := self.unreachable.get(host)) and not self._is_robots(request):
            raise IgnoreRequest(f"{REFUSAL} ({why}): nothing is fetched from {host} this run")

    def process_response(self, request: Request, response: Response) -> Response:
        if self._is_robots(request) and response.status >= 500:
            self._unreachable(request, f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self._is_robots(request) and not isinstance(exception, HOST_DOWN):
            self._unreachable(request, type(exception).__name__)

    @staticmethod
    def _is_robots(request: Request) -> bool:
        return urlparse_cached(request).path == ROBOTS_PATH

    def _unreachable(self, request: Request, why: str) -> None:
        host = urlparse_cached(request).netloc
        self.unreachable[host] = why
        self.crawler.stats.set_value(health.ROBOTS_UNREACHABLE, f"{request.url}: {why}")
        logger.error(
            "%s could not be read (%s): taken as disallowing everything this run (RFC 9309)",
            request.url,
            why,
        )
