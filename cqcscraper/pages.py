"""From a fetched response to a record: the steps the crawl and ``reparse`` share.

The spider turns each article response into an ``ArticlePage`` with ``article_page``; the
pipelines read it with ``read_page`` and check it with ``validation.reject_reason``.
``cqcscraper reparse`` rebuilds the same ``Response`` from a stored snapshot with
``response_of`` and runs the very same steps, so a record rebuilt offline is the record a
crawl would have made from those bytes today.
"""

from __future__ import annotations

from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes

from cqcscraper import urls, validation
from cqcscraper.extract import extract
from cqcscraper.normalize import normalize_article
from cqcscraper.records import ArticlePage, PressRelease, RawResponse
from cqcscraper.validation import Rejected


def raw_of(response: Response) -> RawResponse:
    headers = {
        key.decode("latin-1"): [value.decode("latin-1") for value in values]
        for key, values in response.headers.items()
    }
    return RawResponse(response.url, response.status, headers, response.body)


def response_of(raw: RawResponse) -> Response:
    """The Scrapy response a crawl would have built from these headers and bytes."""
    headers = Headers(raw.headers)
    cls = responsetypes.from_args(headers=headers, url=raw.url, body=raw.body)
    return cls(url=raw.url, status=raw.status, headers=headers, body=raw.body)


def article_page(response: Response, fetched_at: str) -> ArticlePage:
    """An article response, whatever its status, as the item the pipelines read."""
    raw = raw_of(response)
    if not 200 <= response.status < 300:
        error = f"HTTP {response.status}"
        return ArticlePage(response.url, response.status, fetched_at, error=error, raw=raw)
    if isinstance(response, TextResponse):
        return ArticlePage(response.url, response.status, fetched_at, html=response.text, raw=raw)
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    error = f"content type {content_type or 'missing'}"
    return ArticlePage(response.url, response.status, fetched_at, error=error, raw=raw)


def read_page(page: ArticlePage) -> PressRelease:
    """Extract and normalise an article page; raise ``Rejected`` when it holds no article."""
    ref = urls.article_ref(page.url)
    if ref is None:
        raise Rejected(page.url, validation.NOT_AN_ARTICLE)
    if page.html is None:
        if 200 <= page.status < 300:
            reason = validation.NOT_HTML
        elif page.status in validation.GONE_STATUSES:
            reason = validation.NOT_FOUND
        else:
            reason = validation.FETCH_FAILED
        raise Rejected(ref.canonical_url, reason, page.error or f"HTTP {page.status}")
    return normalize_article(extract(page.html, ref.canonical_url))


def build_record(page: ArticlePage) -> PressRelease:
    """``read_page`` then ``validation.reject_reason``: a record fit for the archive, or
    ``Rejected``."""
    record = read_page(page)
    if reason := validation.reject_reason(record):
        raise Rejected(record.url, reason)
    return record
