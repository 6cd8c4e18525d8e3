"""The fence around the site: no request ever leaves the start URL's hosts or http(s).

It replaces Scrapy's ``OffsiteMiddleware``, which falls short twice for an archive: it lets a
request through when its ``dont_filter`` or ``allow_offsite`` is set, and it drops an off-site
redirect when the redirect is scheduled, with no errback, so the article would vanish without
a reject (both found by tests/test_faults.py). This one refuses every request, redirects
included, to a host outside the spider's ``allowed_domains`` or with a scheme other than http
and https, when it would be sent: the request's errback hears it, and the article is
rejected as ``off_site_redirect``.
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
