"""Spider ``press``: discovery only. Start page -> listing pages -> article pages.

Listing pages are found by following in-site links under ``/www/english/`` from the start
page, at most ``CQC_LISTING_DEPTH`` section hops deep (pagination does not count as a hop);
articles are found by their URL pattern. Article responses are handed on as ``ArticlePage``
items; everything else (extraction, normalisation, validation, storage) is the pipelines'.

Incremental by default: an article the archive already knows is not fetched again, and each
listing is walked page by page, newest first, stopping after ``CQC_STOP_AFTER_KNOWN_PAGES``
pages in a row on which every article is known. ``-a full=1`` fetches every listing page and
every article; ``-a refresh_days=N`` also fetches again the articles of the last N days;
``-a sweep=1`` walks every listing page but fetches only the articles not archived (a release
added with an older date, deep in a listing, is found by the nightly sweep).
After a run that did not finish, the next one walks every listing page (but still fetches only
what is not archived), since the articles the stopped run missed may lie past known pages.

The text of the listing link to each article travels with it (the longest one, when several
listings link it): it is stored with the fetched page and is evidence for its title.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from cqcscraper.crawl import health
from cqcscraper.crawl.arguments import RunArguments
from cqcscraper.crawl.pages import MAX_TAGS, article_page, build_reading, too_complex
from cqcscraper.crawl.rejects import Rejected, reason_of_failure
from cqcscraper.crawl.state import RUN_OPENED, RunState
from cqcscraper.parse import urls, validation
from cqcscraper.parse.discovery import page_links
from cqcscraper.parse.records import ArticlePage, NotModified, ReleaseMedia
from cqcscraper.store.archive import utc_now


class PressSpider(scrapy.Spider):
    """Crawl the English press releases, from ``start_url`` (default: the live site)."""

    name = "press"
    # The archive is this spider's: other commands (scrapy shell, a benchmark spider) run
    # without taking its lock or writing to it.
    custom_settings: ClassVar[dict[str, Any]] = {
        "EXTENSIONS": {
            "cqcscraper.crawl.run.ArchiveRun": 100,
            "cqcscraper.crawl.memory.MemoryBound": 110,
        },
        "ITEM_PIPELINES": {
            "cqcscraper.crawl.pipelines.ParsePipeline": 100,
            "cqcscraper.crawl.pipelines.ValidatePipeline": 200,
            "cqcscraper.crawl.media.MediaPipeline": 250,
            "cqcscraper.crawl.pipelines.ArchivePipeline": 300,
        },
    }

    def __init__(
        self,
        start_url: str | None = None,
        full: str | None = None,
        refresh_days: str | None = None,
        sweep: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        given = {"start_url": start_url, "full": full, "refresh_days": refresh_days}
        self.arguments = RunArguments.read({**given, "sweep": sweep, **kwargs})
        super().__init__(*args, **kwargs)
        self.start_url = self.arguments.start_url
        self.origin = urls.origin_of(self.start_url)
        # The allowed hosts follow the start URL: a mirror on 127.0.0.1 is crawled alone.
        self.allowed_domains = sorted(urls.same_site_hosts(self.start_url))
        # What the archive knows (``RunState``, from ``ArchiveRun`` as the run opens); None
        # when nothing is archived (scrapy parse, fetch, shell).
        self.state: RunState | None = None
        self.linked: dict[int, str] = {}  # article id -> the canonical URL first linked
        # The longest listing link text of each article to fetch (known ones need none).
        self.link_texts: dict[int, str] = {}
        # every listing page, not only up to the known ones
        self.walk_all = self.arguments.walks_every_page
        # The pages of the run that are no article (listings, sections), by their bytes' sha256:
        # one served at an article's URL is a placeholder.
        self.non_articles: dict[str, str] = {}
        # The listing pages asked for in this run: a listing that links every one of its pages
        # from each would otherwise make (and the duplicate filter drop) pages x pages requests.
        self.listings_asked: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PressSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The discovery settings (declared in crawl/declared.py), read here only.
        spider.max_depth = crawler.settings.getint("CQC_LISTING_DEPTH")
        spider.stop_after_known_pages = crawler.settings.getint("CQC_STOP_AFTER_KNOWN_PAGES")
        spider.max_listing_pages = crawler.settings.getint("CQC_MAX_LISTING_PAGES")
        crawler.signals.connect(spider.run_opened, signal=RUN_OPENED)
        if not crawler.settings.getbool("CQC_ARCHIVE_RUN"):
            # scrapy parse / fetch / shell: only the URL asked for is fetched, wherever it is
            # (the mirror too), and nothing is archived: the fence is for archive runs.
            spider.allowed_domains = []
        return spider

    def run_opened(self, state: RunState) -> None:
        """The archive as this run starts (``RUN_OPENED``, before the first request)."""
        self.state = state
        self.walk_all = self.arguments.walks_every_page or state.resume

    async def start(self) -> AsyncIterator[scrapy.Request | ReleaseMedia]:
        """The start page; before it, in an archive run, the files earlier runs failed to
        fetch (one ``ReleaseMedia`` item per release, for the media pipeline) and the articles
        to try again."""
        if self.state is not None:
            for pending in self.state.pending_media:
                yield pending
            for again in self.state.due_again:
                yield self._again(again.article_id, again.url, again.listing_text)
        yield self._listing(self.start_url, depth=0)

    def _again(self, article_id: int, url: str, listing_text: str | None) -> scrapy.Request:
        """An article whose last fetch failed for a reason that may pass, asked for directly
        (wherever it is listed), with the listing text carried to it before."""
        self.linked[article_id] = url  # the canonical URL, as a listing's link would give
        self.crawler.stats.inc_value(health.ARTICLES_RETRIED)
        return self._article(urls.rehost(url, self.origin), article_id, listing_text or "")

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """``scrapy parse --spider=press URL``, for debugging: an article URL gives its
        normalised record (or why it would be rejected), any other page the requests it would
        schedule. A crawl never calls it, and nothing is archived."""
        ref = urls.article_ref(response.url)
        if ref is None:
            yield from self.parse_listing(response, depth=0)
            return
        try:
            yield build_reading(article_page(response, utc_now())).record.to_dict()
        except Rejected as rejected:
            yield {"url": rejected.url, "rejected": rejected.reason, "detail": rejected.detail}

    def parse_listing(
        self, response: Response, depth: int, known_pages: int = 0
    ) -> Iterator[scrapy.Request]:
        """Schedule this page's new articles, the next page of this listing (all pages in a
        full run) and, within depth, other sections."""
        if not isinstance(response, TextResponse):
            self._listing_failed(response.url, "not an HTML page")
            return
        if too_complex(response.body):
            self._listing_failed(response.url, f"more than {MAX_TAGS} tags: not parsed")
            return
        self.crawler.stats.inc_value(health.LISTINGS_OK)
        self.non_articles.setdefault(hashlib.sha256(response.body).hexdigest(), response.url)
        links = page_links(response.text, response.url, self.origin, self.max_listing_pages)
        if links.past_cap:
            self._capped(links.past_cap)
        fresh = 0
        for url in links.articles:
            ref = urls.article_ref(url)
            if ref is None:
                continue
            if ref.id in self.linked:
                self._check_same_url(ref)
            if self.state is not None and self.state.is_known(ref.id, ref.canonical_url):
                if ref.id not in self.linked:
                    self.linked[ref.id] = ref.canonical_url
                    self.crawler.stats.inc_value(health.ARTICLES_LINKED)
                    self.crawler.stats.inc_value(health.ARTICLES_KNOWN)
                continue
            text = links.article_texts.get(url, "")
            if len(text) > len(self.link_texts.get(ref.id, "")):
                self.link_texts[ref.id] = text
            if ref.id in self.linked:
                continue
            self.linked[ref.id] = ref.canonical_url
            self.crawler.stats.inc_value(health.ARTICLES_LINKED)
            fresh += 1
            yield self._article(url, ref.id, text)
        pagination = links.pagination
        if self.walk_all:
            for url in pagination:
                if url not in self.listings_asked:
                    yield self._listing(url, depth)
        else:
            known_pages = 0 if fresh else known_pages + 1
            following = self._next_page(response.url, pagination)
            if following and known_pages < self.stop_after_known_pages:
                yield self._listing(following, depth, known_pages)
        if depth < self.max_depth:
            for url in links.sections:
                if url not in self.listings_asked:
                    yield self._listing(url, depth + 1)

    def _article(self, url: str, article_id: int, text: str) -> scrapy.Request:
        """The request for an article. One the archive holds (a full or refresh run) is asked
        for conditionally, from its latest snapshot's ``ETag``/``Last-Modified``: a server
        that honours them answers ``304`` with no body when it has not changed."""
        validators = {}
        if self.state is not None and self.arguments.fetches_archived:
            validators = self.state.validators(article_id)
        return scrapy.Request(
            url,
            headers=validators or None,
            callback=self.parse_article,
            errback=self.article_failed,
            # the text goes with the request too, so a run resumed from JOBDIR has it
            cb_kwargs={"article_id": article_id, "listing_text": text},
            meta={"handle_httpstatus_list": [304]} if validators else {},
        )

    def parse_article(
        self, response: Response, article_id: int, listing_text: str = ""
    ) -> Iterator[ArticlePage | NotModified]:
        """Hand the fetched article page on to the pipelines, with its listing's link text
        (or, for a conditional request answered ``304``, that it has not changed)."""
        if response.status == 304:
            self.crawler.stats.inc_value(health.NOT_MODIFIED)
            # Its files go on too: a full run asks for each again, any run fetches those whose
            # stored copy is lost (crawl.media), so a refresh run restores recent releases'.
            links = self.state.links_of(article_id) if self.state is not None else ()
            files = ReleaseMedia(article_id, links, complete=False) if links else None
            url = self.linked.get(article_id, response.url)
            yield NotModified(url, article_id, utc_now(), files)
            return
        page = article_page(response, utc_now(), self._listing_text(article_id, listing_text))
        self.link_texts.pop(article_id, None)  # carried by the page now: the run keeps none
        if other := self.non_articles.get(hashlib.sha256(response.body).hexdigest()):
            # the very page of a section (a disclaimer, a notice) served at an article's URL
            error = f"the same page as {other}, which is no article"
            page = replace(page, html=None, reason=validation.PLACEHOLDER, error=error)
        yield page

    def article_failed(self, failure: Failure) -> Iterator[ArticlePage]:
        """An article that could not be fetched still reaches the pipelines, to be rejected,
        under the URL that was linked (not where a redirect led)."""
        if failure.check(HttpError):
            text = self._listing_text(**failure.request.cb_kwargs)
            self.link_texts.pop(failure.request.cb_kwargs["article_id"], None)
            yield article_page(failure.value.response, utc_now(), text)
            return
        request = failure.request
        url = request.meta.get("redirect_urls", [request.url])[0]
        reason, error = reason_of_failure(failure)
        yield ArticlePage(url, 0, utc_now(), error=error, reason=reason)

    def _check_same_url(self, ref: urls.ArticleRef) -> None:
        """One id, one release: a link to a known id under another URL (another date folder)
        is logged and counted, and the release keeps the URL first linked."""
        first = self.linked[ref.id]
        if ref.canonical_url != first:
            self.crawler.stats.inc_value(health.URL_DISAGREES)
            self.logger.info(
                "Article %d is linked as %s and as %s: one release, under the first",
                ref.id,
                first,
                ref.canonical_url,
            )

    def _listing_text(self, article_id: int, listing_text: str = "") -> str | None:
        """The longest text of the listing links to an article seen so far in this run."""
        return max(listing_text, self.link_texts.get(article_id, ""), key=len) or None

    def listing_failed(self, failure: Failure) -> None:
        """Every listing page that could not be read is counted, with why: the verdict fails a
        run that read none."""
        reason, error = reason_of_failure(failure)
        if failure.check(HttpError):
            error = f"HTTP {failure.value.response.status}"
        elif reason == validation.ROBOTS_TXT:
            self.crawler.stats.inc_value(health.LISTINGS_FORBIDDEN)
            error = "robots.txt forbids it"
        elif reason == validation.OFF_SITE_REDIRECT:
            error += ": has the site moved?"
        request = failure.request  # known by the URL asked for, not where a redirect led
        url = request.meta.get("redirect_urls", [request.url])[0]
        if reason == validation.OFF_SITE_REDIRECT and not self.crawler.stats.get_value(
            health.LISTING_MOVED
        ):  # a section that moved away: its releases would stop coming without a word
            self.crawler.stats.set_value(health.LISTING_MOVED, f"{url}: {error}")
        self._listing_failed(url, error)

    def _capped(self, url: str) -> None:
        """A listing page past ``CQC_MAX_LISTING_PAGES`` (``page_links`` left it out) is
        counted and logged once: the run fails (a pagination that never ends)."""
        if not self.crawler.stats.get_value(health.LISTING_CAPPED):
            self.logger.warning(
                "Listing page %s is past CQC_MAX_LISTING_PAGES (%d): not followed",
                url,
                self.max_listing_pages,
            )
        self.crawler.stats.inc_value(health.LISTING_CAPPED)

    def _listing_failed(self, url: str, error: str) -> None:
        self.crawler.stats.inc_value(health.LISTINGS_FAILED)
        if url == self.start_url:
            self.crawler.stats.set_value(health.START_ERROR, f"{url}: {error}")
        self.logger.warning("Listing page %s could not be read: %s", url, error)

    @staticmethod
    def _next_page(url: str, pagination: list[str]) -> str | None:
        """The page after ``url`` among its listing's pages, if any."""
        number = urls.listing_page_number(url)
        found, found_number = None, 0
        for page in pagination:  # each page's number read once: a listing may link them all
            page_number = urls.listing_page_number(page)
            if page_number > number and (found is None or page_number < found_number):
                found, found_number = page, page_number
        return found

    def _listing(self, url: str, depth: int, known_pages: int = 0) -> scrapy.Request:
        self.listings_asked.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"depth": depth, "known_pages": known_pages},
        )
