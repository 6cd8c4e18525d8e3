"""Spider ``press``: discovery only. Start page -> listing pages -> article pages.

Listing pages are found by following in-site links under ``/www/english/`` from the start
page, at most ``CQC_LISTING_DEPTH`` section hops deep (pagination does not count as a hop);
articles are found by their URL pattern. Article responses are handed on as ``ArticlePage``
items; everything else (extraction, normalisation, validation, storage) is the pipelines'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from cqcscraper import urls
from cqcscraper.archive import utc_now
from cqcscraper.discovery import page_links
from cqcscraper.records import ArticlePage


class PressSpider(scrapy.Spider):
    """Crawl the English press releases, from ``start_url`` (default: the live site)."""

    name = "press"

    def __init__(self, start_url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_url = start_url or urls.START_URL
        self.arguments = {"start_url": self.start_url, **kwargs}
        self.origin = urls.origin_of(self.start_url)
        # The allowed hosts follow the start URL: a mirror on 127.0.0.1 is crawled alone.
        self.allowed_domains = sorted(urls.same_site_hosts(self.start_url))
        self.max_depth = 3

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PressSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_depth = crawler.settings.getint("CQC_LISTING_DEPTH")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._listing(self.start_url, depth=0)

    def parse_listing(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Schedule the articles, the other pages of this listing and (within depth) sections."""
        if not isinstance(response, TextResponse):
            return
        links = page_links(response.text, response.url, self.origin)
        for url in links.articles:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.article_failed)
        for url in links.pagination:
            yield self._listing(url, depth)
        if depth < self.max_depth:
            for url in links.sections:
                yield self._listing(url, depth + 1)

    def parse_article(self, response: Response) -> Iterator[ArticlePage]:
        """Hand the fetched article page on to the pipelines."""
        if isinstance(response, TextResponse):
            yield ArticlePage(response.url, response.status, utc_now(), html=response.text)
        else:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            error = f"content type {content_type or 'missing'}"
            yield ArticlePage(response.url, response.status, utc_now(), error=error)

    def article_failed(self, failure: Failure) -> Iterator[ArticlePage]:
        """An article that could not be fetched still reaches the pipelines, to be rejected."""
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        else:
            status = 0
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield ArticlePage(failure.request.url, status, utc_now(), error=error)

    def _listing(self, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"depth": depth})
