"""Why a fetched article cannot become a record: the one place where what went wrong with a
fetch (a failure with no response, an HTTP status) is turned into a reject reason. The reasons
themselves, and which are transient, are ``parse.validation``'s.

Scrapy reports several outcomes only in its messages (a size limit, a redirect loop,
robots.txt), so some reasons are read from them here, and nowhere else; each is tested with
the failure Scrapy really raises (``tests/test_rejects.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import DownloadCancelledError, DropItem, IgnoreRequest, ResponseDataLossError
from scrapy.http import Request
from twisted.python.failure import Failure

from cqcscraper.crawl.offsite import OffSite
from cqcscraper.crawl.robots import REFUSAL as ROBOTS_REFUSAL
from cqcscraper.parse import validation


class Rejected(DropItem):
    """A page that cannot become a record; the archive records it with ``reason``."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {url}" + (f" ({detail})" if detail else ""))
        self.url = url
        self.reason = reason
        self.detail = detail


def reason_of_failure(failure: Failure, request: Request | None = None) -> tuple[str, str]:
    """The reject reason of a request that got no response, and the error in words.
    ``request``: the failed request, when the failure does not carry it (a media pipeline's)."""
    message = failure.getErrorMessage()
    error = f"{failure.type.__name__}: {message}" if message else failure.type.__name__
    request = request or failure.request
    if failure.check(ResponseDataLossError):
        return validation.TRUNCATED, f"the body ended before its announced end ({error})"
    if failure.check(DownloadCancelledError) and "max size" in error:
        return validation.TOO_LARGE, error
    if failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in error:  # once decompressed
        return validation.TOO_LARGE, error
    if failure.check(OffSite):
        host = urlsplit(request.url).netloc or request.url
        return validation.OFF_SITE_REDIRECT, (
            f"redirected to another host, {host} ({request.url}), not followed"
        )
    if failure.check(IgnoreRequest):
        if "max redirections" in error:
            hops = " -> ".join([*request.meta.get("redirect_urls", []), request.url][-3:])
            return validation.REDIRECT_LOOP, f"{error}: ... {hops}"
        if ROBOTS_REFUSAL in error:
            return validation.ROBOTS_UNREACHABLE, error
        if "robots.txt" in error:
            return validation.ROBOTS_TXT, error
    return validation.FETCH_FAILED, error


def reason_of_status(status: int) -> str:
    """The reject reason of an article URL that answered ``status`` with no page to read."""
    return validation.NOT_FOUND if status in validation.GONE_STATUSES else validation.FETCH_FAILED
