"""From a fetched response to a record: the steps the crawl and ``reparse`` share.

The spider turns each article response into an ``ArticlePage`` with ``article_page``; the
pipelines read it with ``read_article`` and check it with ``validation.reject_reason``. Both go
through the response as it is archived (a ``RawResponse``: its URL, status, headers and bytes),
so ``cqcscraper reparse`` reads a stored snapshot with ``replay_page`` (which adds the listing
text stored with it) through the very same steps, without rebuilding a Scrapy response: a
record rebuilt offline is the record a crawl would have made from those bytes today.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes

from cqcscraper.crawl.charsets import page_text
from cqcscraper.crawl.rejects import Rejected, reason_of_status
from cqcscraper.parse import urls, validation
from cqcscraper.parse.dates import parse_date
from cqcscraper.parse.evidence import not_the_release
from cqcscraper.parse.extract import extract
from cqcscraper.parse.media import MediaLink, media_links
from cqcscraper.parse.normalize import normalize_article
from cqcscraper.parse.records import ArticlePage, PressRelease, RawResponse, last_header


def headers_of(headers: Headers) -> dict[str, list[str]]:
    """Scrapy's headers as text: each name with its values, as sent or received."""
    return {
        key.decode("latin-1"): [value.decode("latin-1") for value in values]
        for key, values in headers.items()
    }


def raw_of(response: Response, listing_text: str | None = None) -> RawResponse:
    """A response as it is archived, with the headers of the request that fetched it."""
    request = getattr(response, "request", None)
    sent = headers_of(request.headers) if request is not None else None
    headers = headers_of(response.headers)
    return RawResponse(response.url, response.status, headers, response.body, listing_text, sent)


def replay_page(raw: RawResponse, fetched_at: str) -> ArticlePage:
    """A stored response (and the listing text the crawl carried to it) as the item a crawl
    made of it."""
    return _article_page(raw, fetched_at)


# A page with more tags than this is not parsed: its tree would take gigabytes (millions of tiny
# elements fit under DOWNLOAD_MAXSIZE); a real press release has a few thousand.
MAX_TAGS = 200_000


def too_complex(body: bytes) -> bool:
    """Whether a page has more tags than a parse may take (``MAX_TAGS``); counted in C."""
    return body.count(b"<") > MAX_TAGS


HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def article_page(
    response: Response, fetched_at: str, listing_text: str | None = None
) -> ArticlePage:
    """An article response, whatever its status, as the item the pipelines read, with the
    text of the listing link the crawl followed to it."""
    page = _article_page(raw_of(response, listing_text), fetched_at)
    linked = _linked_url(response)
    return replace(page, linked_url=linked) if linked != response.url else page


def _linked_url(response: Response) -> str:
    """The URL the request was made for, before any redirect (the response's own URL when it
    was built without a request, as ``reparse`` does)."""
    try:
        return response.meta.get("redirect_urls", [response.url])[0]
    except AttributeError:
        return response.url


def _article_page(raw: RawResponse, fetched_at: str) -> ArticlePage:
    url, status, body = raw.url, raw.status, raw.body
    location = last_header(raw.headers, "Location")
    if 300 <= status < 400 and (status == 304 or not location):
        # a 304 to a request that sent no validators, or a redirect to nowhere: the server's
        # passing confusion, which says nothing of the page (tried again by the next run)
        error = (
            "HTTP 304 to a request that sent no validators"
            if status == 304
            else f"HTTP {status} with no Location"
        )
        return ArticlePage(url, status, fetched_at, error=error, raw=raw)
    if 300 <= status < 400:  # a redirect Scrapy would not follow (to ``file:``, ``ftp:``, ...)
        error = f"HTTP {status} to {location}, not followed"
        reason = validation.OFF_SITE_REDIRECT
        return ArticlePage(url, status, fetched_at, error=error, raw=raw, reason=reason)
    if not 200 <= status < 300:
        return ArticlePage(url, status, fetched_at, error=f"HTTP {status}", raw=raw)
    if not body.strip():
        error = "empty body"
        return ArticlePage(url, status, fetched_at, error=error, raw=raw, reason=validation.EMPTY)
    content_type = last_header(raw.headers, "Content-Type")
    if _is_html(raw, content_type):
        if too_complex(body):
            error = f"more than {MAX_TAGS} tags: not parsed"
            reason = validation.TOO_COMPLEX
            return ArticlePage(url, status, fetched_at, error=error, raw=raw, reason=reason)
        html = page_text(body, content_type)
        if html is None:
            error = f"no charset decodes it without replacement characters ({content_type})"
            reason = validation.UNDECODABLE
            return ArticlePage(url, status, fetched_at, error=error, raw=raw, reason=reason)
        return ArticlePage(url, status, fetched_at, html=html, raw=raw)
    error = f"content type {content_type or 'missing'}"
    return ArticlePage(url, status, fetched_at, error=error, raw=raw, reason=validation.NOT_HTML)


def _is_html(raw: RawResponse, content_type: str) -> bool:
    """Whether a response is read as a page. A Content-Type the server sent is believed
    (Scrapy would guess HTML from ``.shtml``); with none, Scrapy's guess from the URL and the
    bytes stands (the class of response its downloader would have built)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type:
        return media_type in HTML_TYPES
    guessed = responsetypes.from_args(headers=Headers(raw.headers), url=raw.url, body=raw.body)
    return issubclass(guessed, TextResponse)


class Reading(NamedTuple):
    """What reading an article page gives: the record, its links to files, and the date the
    page shows (which the record's ``published`` does not take when it is not plausible)."""

    record: PressRelease
    links: tuple[MediaLink, ...]
    shown_date: str | None


def read_article(page: ArticlePage) -> Reading:
    """The one read of an article page, for the crawl, ``reparse``, ``scrapy parse``, the
    benchmarks and the golden tests: the page's evidence checked (``evidence``), then
    extraction and normalisation, with the listing text the crawl carried to it; raises
    ``Rejected`` when the page holds no release."""
    ref = urls.article_ref(page.url)
    if ref is None:  # recorded under the article linked, so later runs know it
        linked = urls.article_ref(page.linked_url or "")
        detail = f"redirected to {page.url}" if page.linked_url else ""
        raise Rejected(
            linked.canonical_url if linked else page.url, validation.NOT_AN_ARTICLE, detail
        )
    if page.html is None:
        reason = page.reason or reason_of_status(page.status)
        raise Rejected(ref.canonical_url, reason, page.error or f"HTTP {page.status}")
    listing_text = page.raw.listing_text if page.raw else None
    raw = extract(page.html, ref.canonical_url, listing_text=listing_text)
    if refused := not_the_release(raw):
        raise Rejected(ref.canonical_url, *refused)
    record = normalize_article(raw, page.fetched_at[:10])
    return Reading(record, media_links(record.images, raw.attachments), parse_date(raw.public_time))


def build_reading(page: ArticlePage) -> Reading:
    """``read_article`` then ``validation.reject_reason`` (the validate pipeline's check): a
    record fit for the archive (with its links), or ``Rejected``."""
    reading = read_article(page)
    if reason := validation.reject_reason(reading.record):
        raise Rejected(reading.record.url, reason)
    return reading
