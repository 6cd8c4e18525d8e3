"""Which records may enter the archive, and the reasons the others are rejected.

A rejected page is never dropped silently: it becomes a ``rejects`` row with one of these
reasons (and a count in the run's stats under ``cqc/rejects/{reason}``).

Most reasons are permanent: the page is what it is, and an incremental run does not fetch it
again (``-a full=1`` does). ``fetch_failed`` is transient (a timeout, a 5xx after the retries
ran out), so the next run tries the article again.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from cqcscraper.records import PressRelease

NO_TITLE = "no_title"  # the page shows no title
NO_BODY = "no_body"  # nothing of the page is left as body text
NOT_AN_ARTICLE = "not_an_article"  # the article URL ended (after redirects) on another kind of page
NOT_HTML = "not_html"  # the article URL answered with something other than HTML
NOT_FOUND = "not_found"  # the article URL answered 404 or 410: the link is dead
FETCH_FAILED = "fetch_failed"  # could not be downloaded this time (timeout, 5xx, ...)

TRANSIENT = frozenset({FETCH_FAILED})
GONE_STATUSES = frozenset({404, 410})


class Rejected(DropItem):
    """A page that cannot become a record; the archive records it with ``reason``."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {url}" + (f" ({detail})" if detail else ""))
        self.url = url
        self.reason = reason
        self.detail = detail


def reject_reason(record: PressRelease) -> str | None:
    """Why ``record`` may not be archived, or None when it may."""
    if not record.title:
        return NO_TITLE
    if not record.body:
        return NO_BODY
    return None
