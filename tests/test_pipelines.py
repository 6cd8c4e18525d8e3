"""The parse and validate pipelines: every way an article page becomes a record or a reject."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from conftest import page_of, read_page
from cqcscraper import validation
from cqcscraper.archive import Archive
from cqcscraper.pipelines import ArchivePipeline, ParsePipeline, ValidatePipeline
from cqcscraper.records import ArticlePage, PressRelease
from cqcscraper.spiders.press import PressSpider
from cqcscraper.validation import Rejected

MIRRORED = "http://127.0.0.1:8123/www/english/c/2024-09-10/597552.shtml"
CANONICAL = "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml"


@pytest.fixture
def parse() -> ParsePipeline:
    crawler = get_crawler(PressSpider)
    crawler.stats.open_spider()
    return ParsePipeline.from_crawler(crawler)


def page(
    url: str = MIRRORED, status: int = 200, html: str | None = None, error: str = ""
) -> ArticlePage:
    return ArticlePage(url, status, "2026-01-01T00:00:00Z", html=html, error=error or None)


def test_fetched_article_becomes_a_record_at_its_canonical_url(parse: ParsePipeline) -> None:
    record = parse.process_item(page(html=read_page(page_of(597552))))
    assert isinstance(record, PressRelease)
    assert (record.id, record.url) == (597552, CANONICAL)
    assert ValidatePipeline().process_item(record) is record


@pytest.mark.parametrize(
    ("item", "reason", "detail"),
    [
        (page(status=404, error="HTTP 404"), validation.FETCH_FAILED, "HTTP 404"),
        (
            page(status=0, error="TimeoutError: took too long"),
            validation.FETCH_FAILED,
            "TimeoutError: took too long",
        ),
        (
            page(status=200, error="content type application/pdf"),
            validation.NOT_HTML,
            "content type application/pdf",
        ),
        (
            page(url="http://127.0.0.1:8123/www/english/", html="<p>home</p>"),
            validation.NOT_AN_ARTICLE,
            "",
        ),
    ],
)
def test_pages_that_cannot_become_records_are_rejected_with_a_reason(
    parse: ParsePipeline, item: ArticlePage, reason: str, detail: str
) -> None:
    with pytest.raises(Rejected) as rejected:
        parse.process_item(item)
    assert (rejected.value.reason, rejected.value.detail) == (reason, detail)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<title>T--CQC</title><div class='TRS_Editor'><p>&nbsp;</p></div>", validation.NO_BODY),
        (
            "<p>A body paragraph long enough to count as prose, but no title anywhere.</p>",
            validation.NO_TITLE,
        ),
    ],
)
def test_incomplete_records_are_rejected(parse: ParsePipeline, html: str, reason: str) -> None:
    record = parse.process_item(page(html=f"<html><body>{html}</body></html>"))
    with pytest.raises(Rejected) as rejected:
        ValidatePipeline().process_item(record)
    assert (rejected.value.url, rejected.value.reason) == (CANONICAL, reason)


def test_public_time_that_differs_from_the_url_is_counted(parse: ParsePipeline) -> None:
    html = "<h1>T</h1><p>Public Time:2024-09-11</p><div><p>Body text long enough to be prose.</p>"
    record = parse.process_item(page(html=html))
    assert (record.published, record.published_from) == ("2024-09-11", "public_time")
    assert parse.stats.get_value("cqc/published/differs_from_url") == 1


def test_other_items_pass_through(parse: ParsePipeline) -> None:
    item = {"anything": 1}
    assert parse.process_item(item) is item
    assert ValidatePipeline().process_item(item) is item


def test_archive_pipeline_records_every_drop_and_finishes_the_crawl(tmp_path: Path) -> None:
    settings = {"CQC_DB": str(tmp_path / "cqc.db"), "CQC_JSONL": str(tmp_path / "out.jsonl")}
    crawler = get_crawler(PressSpider, settings_dict=settings)
    crawler.stats.open_spider()
    crawler.spider = PressSpider.from_crawler(crawler, start_url="http://127.0.0.1:1/www/english/")
    archiving = ArchivePipeline.from_crawler(crawler)
    archiving.open_spider()
    spider = crawler.spider
    archiving.item_dropped(page(), None, Rejected(CANONICAL, validation.NO_BODY), spider)
    archiving.item_dropped(page(), None, DropItem("dropped by another component"), spider)
    archiving.spider_closed(spider, "finished")
    with Archive(tmp_path / "cqc.db") as archive:
        rejects = [(r["url"], r["reason"], r["detail"]) for r in archive.db["rejects"].rows]
        (run,) = archive.db["crawls"].rows
    assert rejects == [
        (CANONICAL, "no_body", ""),
        (MIRRORED, "dropped", "dropped by another component"),
    ]
    assert (run["finish_reason"], run["articles_rejected"]) == ("finished", 2)
    assert (tmp_path / "out.jsonl").read_text() == ""
