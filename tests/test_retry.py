"""``BackoffRetryMiddleware`` in process: Scrapy decides whether to retry (so its own settings
hold, ``RETRY_GIVE_UP_LOG_LEVEL`` too), the middleware only adds the wait and the bound on
``Retry-After``. The waits themselves are measured over real HTTP in tests/test_faults.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from conftest import project_settings
from cqcscraper.crawl.retry import BackoffRetryMiddleware, backoff_seconds, retry_after_seconds
from cqcscraper.spiders.press import PressSpider

URL = "http://127.0.0.1:8123/www/english/News/"


def middleware(**settings: object) -> BackoffRetryMiddleware:
    # no wait: the decision is what is tested here
    crawler = get_crawler(
        PressSpider, settings_dict=project_settings(CQC_RETRY_BACKOFF=0, **settings)
    )
    crawler.stats.open_spider()
    crawler.spider = PressSpider.from_crawler(crawler)
    return BackoffRetryMiddleware.from_crawler(crawler)


def answer(
    retry: BackoffRetryMiddleware,
    status: int,
    retries: int = 0,
    meta: dict | None = None,
    **headers: str,
):
    request = Request(URL, meta={"retry_times": retries, **(meta or {})})
    return asyncio.run(retry.process_response(request, Response(URL, status, headers=headers)))


@pytest.mark.parametrize("times", [1, 3])  # RETRY_TIMES, not the project's
def test_scrapy_decides_how_often_a_status_is_retried(times: int) -> None:
    retry = middleware(RETRY_TIMES=times)
    again = answer(retry, 503, retries=times - 1)
    assert isinstance(again, Request)
    assert again.meta["retry_times"] == times
    assert isinstance(answer(retry, 503, retries=times), Response)  # given up
    assert answer(retry, 404).status == 404  # not a status to retry
    stats = retry.crawler.stats
    assert stats.get_value("retry/reason_count/503 Service Unavailable") == 1
    assert stats.get_value("retry/max_reached") == 1


@pytest.mark.parametrize(("level", "in_meta"), [("WARNING", False), ("INFO", True)])
def test_giving_up_is_logged_at_scrapys_give_up_level(
    level: str, in_meta: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """From ``RETRY_GIVE_UP_LOG_LEVEL``, or a request's ``give_up_log_level`` meta key."""
    meta = {"give_up_log_level": level} if in_meta else {}
    retry = middleware(RETRY_TIMES=2, **({} if in_meta else {"RETRY_GIVE_UP_LOG_LEVEL": level}))
    with caplog.at_level(logging.DEBUG):
        answer(retry, 502, retries=2, meta=meta)
    (record,) = [r for r in caplog.records if "Gave up retrying" in r.getMessage()]
    assert record.levelname == level


def test_a_retry_after_past_the_bound_is_not_waited_for() -> None:
    retry = middleware(CQC_RETRY_AFTER_MAX=60)
    assert answer(retry, 429, **{"Retry-After": "3600"}).status == 429
    assert isinstance(answer(retry, 429, **{"Retry-After": "0"}), Request)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Thu, 01 Jan 2026 08:01:30 GMT", now) == 90
    assert retry_after_seconds("Thu, 01 Jan 2026 07:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert [backoff_seconds(n, 2.0, 10.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 10.0]
