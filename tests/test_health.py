"""The health verdict, from the stats of a run: every reason to fail, and a healthy run."""

from __future__ import annotations

import dataclasses

import pytest
from scrapy.settings import Settings

from cqcscraper import settings as project_settings
from cqcscraper.crawl.health import Thresholds, coverage, crawl_row, judge
from cqcscraper.store.schema import CRAWL_BOOKKEEPING, CRAWL_VERDICT, CRAWLS


def thresholds(**changes: float) -> Thresholds:
    """The thresholds of the project's settings (their one default), with ``changes``."""
    settings = Settings()
    settings.setmodule(project_settings)
    return dataclasses.replace(Thresholds.from_settings(settings), **changes)


HEALTHY = {
    "cqc/listings/ok": 6,
    "cqc/articles/linked": 40,
    "cqc/articles/new": 19,
    "cqc/articles/unchanged": 1,
    "cqc/rejects/no_body": 1,
    "cqc/parsed": 21,
    "cqc/fields/title": 21,
    "cqc/fields/published": 20,
    "cqc/fields/origin": 7,
    "cqc/fields/body": 20,
    "cqc/titles/heading": 15,
    "cqc/titles/og_title": 2,
    "cqc/titles/html_title": 1,
    "cqc/titles/listing": 3,
    "downloader/request_count": 30,
    "downloader/response_count": 29,
    "downloader/response_status_count/200": 28,
    "downloader/response_status_count/404": 1,
}


def test_a_healthy_run() -> None:
    verdict = judge(HEALTHY, "finished", thresholds())
    assert (verdict.verdict, verdict.reason) == (
        "ok",
        "40 articles linked; 19 new, 0 updated, 1 unchanged, 1 rejected",
    )


def test_a_no_op_run_is_healthy() -> None:
    stats = {"cqc/listings/ok": 6, "cqc/articles/linked": 12, "cqc/articles/known": 12}
    assert judge(stats, "finished", thresholds()).ok


def test_a_resumed_run_with_no_listing_left_is_healthy() -> None:
    assert judge(
        {"cqc/articles/new": 3, "cqc/parsed": 3, "cqc/fields/published": 3},
        "finished",
        thresholds(),
    ).ok


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"cqc/listings/ok": 0, "cqc/listings/failed": 1, "cqc/start_error": "X: HTTP 503"},
            "the site could not be reached: X: HTTP 503",
        ),
        (
            {"cqc/articles/linked": 0},
            "the 6 listing pages read link to no article (has the site's layout or URL scheme "
            "changed?)",
        ),
        (
            {"cqc/rejects/no_title": 2},
            "3 of 23 articles fetched were rejected (13% > 10%): see the rejects table",
        ),
        (
            {"cqc/fields/published": 19},
            "a publication date was found on 19 of 21 articles (90% < 95%)",
        ),
        ({"cqc/archive_error": "database is locked"}, "archive error: database is locked"),
    ],
)
def test_each_reason_to_fail(changes: dict, reason: str) -> None:
    verdict = judge({**HEALTHY, **changes}, "finished", thresholds())
    assert (verdict.verdict, verdict.reason) == ("fail", reason)


def test_every_reason_is_given_and_an_interrupted_run_fails() -> None:
    stats = {**HEALTHY, "cqc/rejects/no_title": 2, "cqc/fields/published": 19}
    verdict = judge(stats, "shutdown", thresholds())
    assert verdict.reason.split("; ") == [
        "the run did not finish (shutdown)",
        "3 of 23 articles fetched were rejected (13% > 10%): see the rejects table",
        "a publication date was found on 19 of 21 articles (90% < 95%)",
    ]


def test_thresholds_are_settings() -> None:
    lenient = thresholds(max_rejected_share=0.5, min_published_coverage=0.5)
    assert judge({**HEALTHY, "cqc/rejects/no_title": 2}, "finished", lenient).ok


def test_crawl_row() -> None:
    row = crawl_row(HEALTHY)
    assert row == {
        "requests": 30,
        "responses": 29,
        "statuses": '{"200": 28, "404": 1}',
        "articles_linked": 40,
        "articles_new": 19,
        "articles_updated": 0,
        "articles_unchanged": 1,
        "articles_rejected": 1,
        "coverage_title": 1.0,
        "coverage_published": 20 / 21,
        "coverage_origin": 7 / 21,
        "coverage_body": 20 / 21,
        "title_sources": '{"heading": 15, "og_title": 2, "html_title": 1, "listing": 3}',
        "titles_own_share": 18 / 21,
    }
    assert coverage({}) == dict.fromkeys(["title", "published", "origin", "body"])


def test_titles_that_no_longer_come_from_the_pages_fail_the_run_naming_their_sources() -> None:
    stats = {**HEALTHY, "cqc/titles/heading": 3, "cqc/titles/og_title": 0}
    stats |= {"cqc/titles/html_title": 0, "cqc/titles/listing": 16, "cqc/titles/none": 2}
    verdict = judge(stats, "finished", thresholds())
    assert (verdict.verdict, verdict.reason) == (
        "fail",
        "titles came from the pages' own markup on 14% of 21 articles (< 50%; title sources: "
        "heading 3, listing 16, none 2): has the page template dropped its title element?",
    )
    assert judge(stats, "finished", thresholds(min_own_title_share=0.1)).ok


def test_the_title_share_is_judged_only_over_ten_articles_or_more() -> None:
    few = {"cqc/listings/ok": 1, "cqc/articles/linked": 9, "cqc/articles/new": 9}
    few |= {"cqc/parsed": 9, "cqc/fields/published": 9, "cqc/titles/listing": 9}
    assert judge(few, "finished", thresholds()).ok
    ten = {**few, "cqc/articles/linked": 10, "cqc/articles/new": 10, "cqc/parsed": 10}
    ten |= {"cqc/fields/published": 10, "cqc/titles/listing": 10}
    assert not judge(ten, "finished", thresholds()).ok


def test_crawl_row_fills_exactly_the_crawls_columns_the_run_does_not_write_itself() -> None:
    own = {*CRAWL_BOOKKEEPING, *CRAWL_VERDICT}
    assert set(crawl_row(HEALTHY)) == set(CRAWLS) - own


def test_articles_still_failing_past_the_bound_are_named() -> None:
    overdue = "1: 597552 (fetch_failed, 5 tries since 2026-01-01T00:00:00Z)"
    verdict = judge({**HEALTHY, "cqc/pending/overdue": overdue}, "finished", thresholds())
    assert verdict.verdict == "fail"
    assert "articles still failing after 5 tries or 7 days" in verdict.reason
    assert overdue in verdict.reason


def test_a_retry_that_fails_again_is_not_in_the_reject_share_and_pending_is_said() -> None:
    # 3 pending articles tried again, all failing again: the run is judged on the rest
    stats = {**HEALTHY, "cqc/rejects/fetch_failed": 3, "cqc/rejects_again": 3, "cqc/pending": 3}
    verdict = judge(stats, "finished", thresholds(max_rejected_share=0.1))
    assert (verdict.verdict, verdict.reason) == (
        "ok",
        "40 articles linked; 19 new, 0 updated, 1 unchanged, 4 rejected, 3 pending",
    )
    assert not judge({**stats, "cqc/rejects_again": 0}, "finished", thresholds()).ok
