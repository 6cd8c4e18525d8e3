"""Which records may enter the archive, and the reasons the others are rejected.

A rejected page is never dropped silently: it becomes a ``rejects`` row with one of these
reasons (and a count in the run's stats under ``cqc/rejects/{reason}``).
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from cqcscraper.records import PressRelease

NO_TITLE = "no_title"  # the page shows no title
NO_BODY = "no_body"  # nothing of the page is left as body text
NOT_AN_ARTICLE = "not_an_article"  # the article URL ended (after redirects) on another kind of page
NOT_HTML = "not_html"  # the article URL answered with something other than HTML
FETCH_FAILED = "fetch_failed"  # the article could not be downloaded (HTTP error, timeout, ...)


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
