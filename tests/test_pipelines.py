"""The pipelines and the run extension: every way an article page becomes a record or a
reject, and how a run's row is closed."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from conftest import SITE, page_of, project_settings, read_page
from cqcscraper.crawl.media import MediaPipeline
from cqcscraper.crawl.pipelines import ArchivePipeline, ParsePipeline, ValidatePipeline
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.crawl.run import EXIT_CODE, EXIT_FAIL, ArchiveRun
from cqcscraper.parse import validation
from cqcscraper.parse.media import IMAGE, MediaLink
from cqcscraper.parse.records import (
    ArticlePage,
    FileUnchanged,
    ParsedPage,
    PressRelease,
    RawResponse,
    ReleaseMedia,
    StoredFile,
)
from cqcscraper.spiders.press import PressSpider
from cqcscraper.store.archive import Archive
from cqcscraper.store.lock import ArchiveBusy, RunLock

MIRRORED = "http://127.0.0.1:8123/www/english/c/2024-09-10/597552.shtml"
CANONICAL = "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml"
# Every page of the site links to others; an answer that does not is no page of the site.
NAV = "<a href='/www/english/'>Home</a>"


@pytest.fixture
def parse() -> ParsePipeline:
    crawler = get_crawler()
    crawler.stats.open_spider()
    return ParsePipeline.from_crawler(crawler)


def page(
    url: str = MIRRORED,
    status: int = 200,
    html: str | None = None,
    error: str = "",
    reason: str | None = None,
) -> ArticlePage:
    fetched = "2026-01-01T00:00:00Z"
    return ArticlePage(url, status, fetched, html=html, error=error or None, reason=reason)


def test_fetched_article_becomes_a_record_at_its_canonical_url(parse: ParsePipeline) -> None:
    item = page(html=read_page(page_of(597552)))
    parsed = parse.process_item(item)
    assert isinstance(parsed, ParsedPage)
    assert isinstance(parsed.record, PressRelease)
    assert parsed.page is item
    assert (parsed.record.id, parsed.record.url) == (597552, CANONICAL)
    assert ValidatePipeline().process_item(parsed) is parsed
    assert parse.stats.get_value("cqc/parsed") == 1
    for name in ["title", "published", "origin", "body"]:
        assert parse.stats.get_value(f"cqc/fields/{name}") == 1, name


@pytest.mark.parametrize(
    ("item", "reason", "detail"),
    [
        (page(status=404, error="HTTP 404"), validation.NOT_FOUND, "HTTP 404"),
        (page(status=410, error="HTTP 410"), validation.NOT_FOUND, "HTTP 410"),
        (page(status=503, error="HTTP 503"), validation.FETCH_FAILED, "HTTP 503"),
        (
            page(status=0, error="TimeoutError: took too long"),
            validation.FETCH_FAILED,
            "TimeoutError: took too long",
        ),
        (
            page(status=200, error="content type application/pdf", reason=validation.NOT_HTML),
            validation.NOT_HTML,
            "content type application/pdf",
        ),
        (
            page(status=0, error="ResponseDataLossError: ...", reason=validation.TRUNCATED),
            validation.TRUNCATED,
            "ResponseDataLossError: ...",
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
            "<title>CQC English</title><div class='TRS_Editor'><p>&nbsp;</p></div>",
            validation.NO_TITLE,
        ),
    ],
)
def test_incomplete_records_are_rejected(parse: ParsePipeline, html: str, reason: str) -> None:
    parsed = parse.process_item(page(html=f"<html><body>{NAV}{html}</body></html>"))
    with pytest.raises(Rejected) as rejected:
        ValidatePipeline().process_item(parsed)
    assert (rejected.value.url, rejected.value.reason) == (CANONICAL, reason)


def test_a_release_with_a_body_and_no_title_anywhere_is_archived_untitled(
    parse: ParsePipeline,
) -> None:
    html = "<p>A body paragraph long enough to count as prose, but no title anywhere.</p>"
    parsed = parse.process_item(page(html=f"<html><body>{NAV}{html}</body></html>"))
    assert ValidatePipeline().process_item(parsed) is parsed
    assert (parsed.record.title, parsed.record.title_from) == (None, None)
    assert parse.stats.get_value("cqc/titles/none") == 1


def test_public_time_that_differs_from_the_url_is_counted(parse: ParsePipeline) -> None:
    html = "<h1>T</h1><p>Public Time:2024-09-11</p><div><p>Body text long enough to be prose.</p>"
    html += NAV
    record = parse.process_item(page(html=html)).record
    assert (record.published, record.published_from) == ("2024-09-11", "public_time")
    assert parse.stats.get_value("cqc/published/differs_from_url") == 1


@pytest.mark.parametrize("shown", ["1970-01-01 08:00:00", "1900-01-01", "2099-05-01"])
def test_a_date_the_page_shows_but_no_release_can_have_is_counted(
    parse: ParsePipeline, shown: str
) -> None:
    html = f"<h1>T</h1><p>Public Time:{shown}</p><div><p>Body text long enough to be prose.</p>"
    record = parse.process_item(page(html=html + NAV)).record
    assert (record.published, record.published_from) == ("2024-09-10", "url")
    assert parse.stats.get_value("cqc/published/not_believed") == 1
    assert parse.stats.get_value("cqc/published/differs_from_url") is None


def test_other_items_pass_through(parse: ParsePipeline) -> None:
    item = {"anything": 1}
    assert parse.process_item(item) is item
    assert ValidatePipeline().process_item(item) is item


def run_crawler(tmp_path: Path, **more: object) -> Crawler:
    """A crawler of the press spider, built with its extensions (``ArchiveRun`` holds the lock)."""
    settings = project_settings(
        CQC_DB=str(tmp_path / "cqc.db"),
        CQC_JSONL=str(tmp_path / "out.jsonl"),
        CQC_ARCHIVE_RUN=True,  # as scrapy crawl sets it
        **more,
    )
    crawler = get_crawler(PressSpider, settings_dict=settings)
    crawler.stats.open_spider()
    crawler.spider = PressSpider.from_crawler(crawler, start_url="http://127.0.0.1:1/www/english/")
    return crawler


def test_the_run_records_every_drop_and_closes_its_row(tmp_path: Path) -> None:
    crawler = run_crawler(tmp_path)
    run = crawler.get_extension(ArchiveRun)
    spider = crawler.spider
    run.spider_opened(spider)
    raw = RawResponse(MIRRORED, 200, {"Content-Type": ["text/html"]}, b"<p>empty</p>")
    fetched = ArticlePage(MIRRORED, 200, "2026-01-01T00:00:00Z", html="<p>empty</p>", raw=raw)
    run.item_dropped(fetched, None, Rejected(CANONICAL, validation.NO_BODY), spider)
    run.item_dropped(page(), None, DropItem("dropped by another component"), spider)
    run.spider_closed(spider, "finished")
    with Archive(tmp_path / "cqc.db") as archive:
        rejects = [(r["url"], r["reason"], r["detail"]) for r in archive.db["rejects"].rows]
        (run_row,) = archive.db["crawls"].rows
        (snapshot,) = archive.snapshots()
    assert rejects == [
        (CANONICAL, "no_body", ""),
        (MIRRORED, "dropped", "dropped by another component"),
    ]
    assert snapshot.raw == raw
    assert (run_row["finish_reason"], run_row["articles_rejected"]) == ("finished", 2)
    assert run_row["verdict"] == "fail"
    assert run_row["verdict_reason"] == (
        "2 of 2 articles fetched were rejected (100% > 10%): see the rejects table"
    )
    assert crawler.stats.get_value(EXIT_CODE) == EXIT_FAIL
    assert (tmp_path / "out.jsonl").read_text() == ""
    with RunLock(tmp_path / "cqc.db"):  # released
        pass


def fetched(article_id: int, when: str) -> ArticlePage:
    body = page_of(article_id).read_bytes()
    url = MIRRORED.replace("597552", str(article_id)).replace(
        "2024-09-10", page_of(article_id).parent.name
    )
    raw = RawResponse(url, 200, {"Content-Type": ["text/html"]}, body)
    return ArticlePage(url, 200, when, html=read_page(page_of(article_id)), raw=raw)


def test_the_archive_pipeline_stores_the_record_with_its_snapshot(
    tmp_path: Path, parse: ParsePipeline
) -> None:
    crawler = run_crawler(tmp_path, CQC_WRITE_BATCH=1)
    archiving = ArchivePipeline.from_crawler(crawler)
    item = fetched(597552, "2026-01-01T00:00:07Z")
    record = archiving.process_item(parse.process_item(item))
    assert isinstance(record, PressRelease)
    assert crawler.stats.get_value("cqc/articles/new") == 1
    row = archiving.archive.db["press_releases"].get(597552)
    assert row["first_seen"] == row["last_seen"] == "2026-01-01T00:00:07Z"
    (snapshot,) = archiving.archive.snapshots()
    assert (snapshot.raw, snapshot.first_fetched) == (item.raw, "2026-01-01T00:00:07Z")


def test_the_archive_pipeline_writes_a_batch_in_one_transaction(
    tmp_path: Path, parse: ParsePipeline
) -> None:
    crawler = run_crawler(tmp_path, CQC_WRITE_BATCH=3, CQC_WRITE_INTERVAL=0.5)
    archiving = ArchivePipeline.from_crawler(crawler)
    timers: list[tuple[float, object, Timer]] = []

    def schedule(delay: float, flush: object) -> Timer:
        timers.append((delay, flush, Timer()))
        return timers[-1][2]

    archiving.schedule = schedule
    db = archiving.archive.db
    for article_id in (597552, 595908):
        archiving.process_item(parse.process_item(fetched(article_id, "2026-01-01T00:00:07Z")))
    assert db["press_releases"].count == 0  # pending, with a flush 0.5 s after the first
    assert [(delay, flush) for delay, flush, _ in timers] == [(0.5, archiving.flush)]
    archiving.process_item(parse.process_item(fetched(595388, "2026-01-01T00:00:08Z")))
    assert db["press_releases"].count == 3  # the third filled the batch
    assert timers[0][2].cancelled
    assert crawler.stats.get_value("cqc/articles/new") == 3
    archiving.process_item(parse.process_item(fetched(597552, "2026-01-01T00:00:09Z")))
    assert len(timers) == 2
    timers[1][1]()  # the timer fires
    assert crawler.stats.get_value("cqc/articles/unchanged") == 1
    assert db["press_releases"].get(597552)["last_seen"] == "2026-01-01T00:00:09Z"
    archiving.process_item(parse.process_item(fetched(595908, "2026-01-01T00:00:10Z")))
    archiving.close_spider()  # the rest goes when the spider closes
    assert timers[2][2].cancelled
    assert crawler.stats.get_value("cqc/articles/unchanged") == 2


PHOTO = "/www/english/c/2024-09-10/W020240910512634581.jpg"


@pytest.mark.parametrize("full", [False, True])
def test_the_media_cache_keeps_a_file_whole_only_until_the_archive_holds_it(
    tmp_path: Path, parse: ParsePipeline, full: bool
) -> None:
    """Scrapy's media cache gives a file fetched once in a run to every release that links it.
    It keeps the file whole (headers, a document's text) until a stored release wrote its row,
    so a run's memory does not grow with its files: then the entry goes (a later release finds
    the file held), or, in a full run (which asks again for every file it holds), becomes
    ``FileUnchanged``. A release refused as a suspect update writes no file: the next release
    still gets it whole."""
    crawler = run_crawler(tmp_path, CQC_WRITE_BATCH=1)
    media = MediaPipeline.from_crawler(crawler)
    media.open_spider()
    media.refetch = full
    archiving = ArchivePipeline.from_crawler(crawler)
    url = f"https://www.cqc.com.cn{PHOTO}"
    request = Request(f"http://127.0.0.1:1{PHOTO}", meta={"cqc_url": url, "cqc_roles": [IMAGE]})
    answer = Response(
        request.url,
        headers={"Content-Type": "image/jpeg", "ETag": '"v1"'},
        body=(SITE / PHOTO.lstrip("/")).read_bytes(),
        request=request,
    )
    stored = asyncio.run(media.media_downloaded(answer, request, media.spiderinfo))
    assert isinstance(stored, StoredFile)
    cached = crawler.request_fingerprinter.fingerprint(request)
    media.spiderinfo.downloaded[cached] = stored  # as Scrapy caches what media_downloaded gave

    def with_photo(item: ParsedPage, release_id: int) -> ParsedPage:
        link = MediaLink(url, IMAGE, 1, "a photo")
        return replace(item, media=ReleaseMedia(release_id, (link,), (stored,)))

    first = parse.process_item(fetched(597552, "2026-01-01T00:00:07Z"))
    archiving.process_item(first)  # archived without the photo
    gutted = replace(first.record, body=first.record.body[:40], content_hash="gutted")
    archiving.process_item(with_photo(replace(first, record=gutted), 597552))
    assert crawler.stats.get_value("cqc/articles/updated") is None  # refused: a suspect update
    assert archiving.archive.db["media_files"].count == 0
    assert media.spiderinfo.downloaded[cached] is stored  # still whole

    second = parse.process_item(fetched(595908, "2026-01-01T00:00:08Z"))
    archiving.process_item(with_photo(second, 595908))
    (row,) = archiving.archive.db["media_files"].rows
    assert (row["url"], row["sha256"]) == (url, stored.sha256)
    assert (
        json.loads(row["headers"])
        == stored.headers
        == {
            "Content-Type": ["image/jpeg"],
            "Etag": ['"v1"'],
        }
    )
    after = media.spiderinfo.downloaded.get(cached)
    assert after == (FileUnchanged(url) if full else None)


class Timer:
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def test_the_run_extension_refuses_a_locked_archive(tmp_path: Path) -> None:
    with RunLock(tmp_path / "cqc.db"), pytest.raises(ArchiveBusy, match="another run holds"):
        run_crawler(tmp_path)
    assert not (tmp_path / "cqc.db").exists()
