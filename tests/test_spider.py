"""The spider's listing logic, in process (as city-scrapers tests a spider): fixture listing
pages built as responses at their real URLs, fed to ``parse_listing``, one rule a test. The
subprocess crawls of test_crawl.py and test_scheduled.py test the same end to end."""

from __future__ import annotations

import inspect

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler

from conftest import SITE, project_settings
from cqcscraper.crawl import health
from cqcscraper.crawl.state import RunState
from cqcscraper.parse import urls
from cqcscraper.spiders.press import PressSpider

MIRROR = "http://127.0.0.1:8123"
NEWS = "www/english/News/index.shtml"
ACTIVITIES = "www/english/Activities/index.shtml"
YIWU = "www/english/c/2024-09-10/597552.shtml"


def spider(**settings: object) -> PressSpider:
    crawler = get_crawler(PressSpider, settings_dict=project_settings(**settings))
    crawler.stats.open_spider()
    made = PressSpider.from_crawler(crawler, start_url=f"{MIRROR}/www/english/")
    crawler.spider = made
    return made


def response(path: str) -> HtmlResponse:
    """A fixture page as the mirror serves it, at its real URL."""
    url = f"{MIRROR}/{path}"
    return HtmlResponse(url, body=(SITE / path).read_bytes(), request=Request(url))


def knows(spider: PressSpider, known: frozenset[int]) -> None:
    """The run opens with an archive that holds ``known`` (``RunState``, as ArchiveRun sends)."""
    spider.run_opened(
        RunState(spider.arguments, is_known=lambda article_id, url: article_id in known)
    )


def read(spider: PressSpider, path: str, depth: int = 0, known_pages: int = 0) -> list[Request]:
    return list(spider.parse_listing(response(path), depth=depth, known_pages=known_pages))


def articles(requests: list[Request]) -> list[str]:
    return [r.url for r in requests if r.callback.__name__ == "parse_article"]


def listings(requests: list[Request]) -> list[str]:
    return [r.url for r in requests if r.callback.__name__ == "parse_listing"]


def ids(path: str) -> set[int]:
    return {urls.article_ref(url).id for url in articles(read(spider(), path))}


def test_the_fresh_articles_of_a_page_are_scheduled_with_their_listing_text() -> None:
    requests = read(spider(), NEWS)
    assert articles(requests) == [
        f"{MIRROR}/www/english/c/2024-09-10/597552.shtml",
        f"{MIRROR}/www/english/c/2023-08-04/595908.shtml",
        f"{MIRROR}/www/english/c/2022-03-15/596500.shtml",
    ]
    first = next(r for r in requests if r.url.endswith("597552.shtml"))
    assert first.cb_kwargs == {
        "article_id": 597552,
        "listing_text": "CQC and Yiwu Municipal Government Sign Strategic Cooperation Agreement",
    }
    assert first.errback.__name__ == "article_failed"


def test_an_article_linked_twice_is_scheduled_once() -> None:
    crawl = spider()
    first = articles(read(crawl, NEWS))
    again = articles(read(crawl, NEWS))
    assert first
    assert again == []


def test_known_articles_are_not_scheduled() -> None:
    crawl = spider()
    knows(crawl, frozenset({597552, 595908}))
    assert articles(read(crawl, NEWS)) == [f"{MIRROR}/www/english/c/2022-03-15/596500.shtml"]


def test_the_next_page_follows_a_page_with_something_new() -> None:
    assert listings(read(spider(), NEWS))[0] == f"{MIRROR}/www/english/News/index_1.shtml"


def test_the_next_page_is_the_first_numbered_after_this_one_in_any_order() -> None:
    folder = f"{MIRROR}/www/english/News/"
    pages = [f"{folder}index_{n}.shtml" for n in (5, 2, 9, 3)] + [folder]
    assert PressSpider._next_page(folder, pages) == f"{folder}index_2.shtml"
    assert PressSpider._next_page(f"{folder}index_3.shtml", pages) == f"{folder}index_5.shtml"
    assert PressSpider._next_page(f"{folder}index_9.shtml", pages) is None


def test_a_listing_page_linked_from_every_page_is_asked_for_once() -> None:
    """A listing whose every page links all its pages (a full run walks them all): each
    page is asked for once, not once a page that links it."""
    crawler = get_crawler(PressSpider, settings_dict=project_settings())
    crawler.stats.open_spider()
    crawl = PressSpider.from_crawler(crawler, start_url=f"{MIRROR}/www/english/", full="1")
    first = listings(read(crawl, NEWS))
    assert f"{MIRROR}/www/english/News/index_1.shtml" in first
    assert not set(first) & set(listings(read(crawl, NEWS)))


def test_the_walk_stops_after_a_page_on_which_everything_was_known() -> None:
    crawl = spider()
    knows(crawl, frozenset(ids(NEWS)))
    following = listings(read(crawl, NEWS))
    assert f"{MIRROR}/www/english/News/index_1.shtml" not in following


@pytest.mark.parametrize("stop_after", [2, 3])
def test_the_known_pages_stop_is_a_setting(stop_after: int) -> None:
    crawl = spider(CQC_STOP_AFTER_KNOWN_PAGES=stop_after)
    knows(crawl, frozenset(ids(NEWS)))
    following = read(crawl, NEWS)
    (next_page,) = [r for r in following if r.url.endswith("index_1.shtml")]
    assert next_page.cb_kwargs == {"depth": 0, "known_pages": 1}


def test_sections_are_followed_only_within_the_depth() -> None:
    # 2, not the default: the test fails if the setting is not read
    shallow = listings(read(spider(CQC_LISTING_DEPTH=2), NEWS, depth=1))
    deep = listings(read(spider(CQC_LISTING_DEPTH=2), NEWS, depth=2))
    assert f"{MIRROR}/www/english/Activities/" in shallow
    assert deep == [f"{MIRROR}/www/english/News/index_1.shtml"]  # pagination is no hop


@pytest.mark.parametrize("pages", [1, 2])
def test_listing_pages_past_the_cap_are_counted_not_followed(pages: int) -> None:
    """``CQC_MAX_LISTING_PAGES`` (not its default) decides, where discovery applies it."""
    crawl = spider(CQC_MAX_LISTING_PAGES=pages)
    crawl.walk_all = True
    followed = listings(read(crawl, NEWS))
    assert (f"{MIRROR}/www/english/News/index_1.shtml" in followed) is (pages == 2)
    assert crawl.crawler.stats.get_value(health.LISTING_CAPPED) == (1 if pages == 1 else None)


def test_after_an_unfinished_run_every_listing_page_is_walked() -> None:
    crawl = spider()
    knows(crawl, frozenset(ids(ACTIVITIES)))
    crawl.walk_all = True  # ArchiveRun.resume: the previous run did not finish
    following = listings(read(crawl, ACTIVITIES))
    assert f"{MIRROR}/www/english/Activities/index_1.shtml" in following
    assert articles(read(crawl, ACTIVITIES)) == []  # still only what is not archived


def test_script_pagination_is_followed() -> None:
    following = listings(read(spider(), ACTIVITIES))
    assert following[0] == f"{MIRROR}/www/english/Activities/index_1.shtml"


def test_a_listing_page_counts_what_it_linked() -> None:
    crawl = spider()
    read(crawl, NEWS)
    stats = crawl.crawler.stats
    assert stats.get_value("cqc/listings/ok") == 1
    assert stats.get_value("cqc/articles/linked") == 3


@pytest.mark.parametrize("section", ["www/english/About/clause.shtml", NEWS])
def test_a_page_of_the_site_served_at_an_article_url_is_a_placeholder(section: str) -> None:
    """The run read a section page (the disclaimer, a listing); an article URL answering with
    the very same bytes is no release, whatever its listing link said."""
    crawler_spider = spider()
    read(crawler_spider, section)
    article = f"{MIRROR}/www/english/c/2025-05-06/599501.shtml"
    same = HtmlResponse(article, body=(SITE / section).read_bytes(), request=Request(article))
    (page,) = crawler_spider.parse_article(same, article_id=599501, listing_text="Read more")
    assert (page.reason, page.html) == ("placeholder", None)
    assert page.error == f"the same page as {MIRROR}/{section}, which is no article"
    assert page.raw.body == same.body  # kept as the snapshot of the reject
    other = HtmlResponse(article, body=(SITE / YIWU).read_bytes(), request=Request(article))
    (page,) = crawler_spider.parse_article(other, article_id=599501)
    assert page.reason is None
    assert page.html


def test_no_callback_is_a_generator_that_returns_a_value() -> None:
    """What Scrapy's WARN_ON_GENERATOR_RETURN_VALUE checks on every call (off in our settings:
    its reading of the source cost 2-3 % of a crawl), checked here once: a generator's
    ``return value`` would be lost."""
    callbacks = [f for f in vars(PressSpider).values() if inspect.isgeneratorfunction(f)]
    assert {c.__name__ for c in callbacks} >= {"parse_listing", "parse_article"}
    assert [c.__name__ for c in callbacks if is_generator_with_return_value(c)] == []
