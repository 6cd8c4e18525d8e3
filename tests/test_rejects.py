"""What went wrong with a fetch -> which reject reason: ``crawl.rejects``, in process, with the
failures Scrapy really raises (constructed here, as Scrapy constructs them)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.python.failure import Failure

from cqcscraper.crawl.offsite import OffSite
from cqcscraper.crawl.rejects import reason_of_failure, reason_of_status
from cqcscraper.parse import validation

URL = "http://127.0.0.1:8000/www/english/c/2024-09-10/597552.shtml"


def failure(error: Exception, **meta: object) -> Failure:
    try:
        raise error
    except type(error):
        made = Failure()
    made.request = Request(URL, meta=meta)  # as Scrapy's errback receives it
    return made


@pytest.mark.parametrize(
    ("error", "reason", "says"),
    [
        (ResponseDataLossError("Getting ... lost data"), validation.TRUNCATED, "ended before"),
        (
            DownloadCancelledError(
                "Cancelling download of ...: expected response size (1) larger than "
                "download max size (0)."
            ),
            validation.TOO_LARGE,
            "max size",
        ),
        (
            IgnoreRequest(
                "Ignored response ... exceeded DOWNLOAD_MAXSIZE (100 B) during decompression."
            ),
            validation.TOO_LARGE,
            "DOWNLOAD_MAXSIZE",
        ),
        (
            OffSite("refused: http://elsewhere/ is not on 127.0.0.1"),
            validation.OFF_SITE_REDIRECT,
            "not followed",
        ),
        (IgnoreRequest("max redirections reached"), validation.REDIRECT_LOOP, "max redirections"),
        (IgnoreRequest("Forbidden by robots.txt"), validation.ROBOTS_TXT, "robots.txt"),
        (
            IgnoreRequest("robots.txt unreachable (HTTP 503): nothing is fetched from h this run"),
            validation.ROBOTS_UNREACHABLE,
            "HTTP 503",
        ),
        (
            ResponseDataLossError("the gzip stream of 10 bytes ends before its end marker"),
            validation.TRUNCATED,
            "gzip stream",
        ),
        (DownloadTimeoutError("took longer than 30.0 seconds"), validation.FETCH_FAILED, "30.0"),
        (IgnoreRequest("something else"), validation.FETCH_FAILED, "something else"),
    ],
)
def test_each_failure_is_its_reason(error: Exception, reason: str, says: str) -> None:
    got, detail = reason_of_failure(failure(error, redirect_urls=["http://127.0.0.1:8000/a"]))
    assert got == reason
    assert says in detail


def test_a_redirect_loop_names_its_last_hops() -> None:
    hops = [f"http://127.0.0.1:8000/{n}" for n in range(6)]
    _, detail = reason_of_failure(failure(IgnoreRequest("max redirections"), redirect_urls=hops))
    assert detail.endswith(f"... {hops[-2]} -> {hops[-1]} -> {URL}")


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, validation.NOT_FOUND), (410, validation.NOT_FOUND), (500, validation.FETCH_FAILED)],
)
def test_each_status_with_no_page_is_its_reason(status: int, reason: str) -> None:
    assert reason_of_status(status) == reason


def test_transient_reasons_are_tried_again_and_the_others_are_not() -> None:
    assert {
        "fetch_failed",
        "truncated",
        "empty",
        "robots_txt_unreachable",
        "not_the_release",
        "interstitial",
        "placeholder",
    } == validation.TRANSIENT
    assert validation.TOO_LARGE not in validation.TRANSIENT
