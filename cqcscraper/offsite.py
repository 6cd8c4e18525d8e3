"""The fence around the site: no request ever leaves the start URL's hosts or http(s).

Scrapy's own ``OffsiteMiddleware`` lets a request through when its ``dont_filter`` is set, and
the press spider sets it on article requests (each article is asked for once anyway, and a
redirect back to an URL already asked for must end as a ``redirect_loop`` reject rather than
vanish in the duplicate filter). So this middleware is the one check that does not bend: every
request, redirects included, to a host outside the spider's ``allowed_domains`` or with a
scheme other than http and https, is refused before it is sent.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

SCHEMES = frozenset({"http", "https"})
REFUSED = "cqc/offsite/refused"  # stat: requests refused


class OffSite(IgnoreRequest):
    """A request to another host or scheme, refused."""


class StayOnSiteMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StayOnSiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        hosts = getattr(self.crawler.spider, "allowed_domains", None)
        if not hosts:  # a spider that names no hosts (a benchmark's bare spider) is not fenced
            return
        parts = urlparse_cached(request)
        if parts.scheme in SCHEMES and (parts.hostname or "").lower() in hosts:
            return
        self.crawler.stats.inc_value(REFUSED)
        raise OffSite(f"refused: {request.url} is not on {', '.join(sorted(hosts))}")
