"""The items that flow through the pipelines, and the one place record fields are listed.

``ArticlePage`` is what the spider hands over: a fetched article (with the raw response, kept
as a snapshot) or why it could not be fetched. ``PressRelease`` is a clean record, one row of
the archive; ``ParsedPage`` carries a record together with the page it was read from, so the
archive stores both in one transaction. The archive's columns are ``PressRelease``'s fields
plus what the archive keeps itself (timestamps, ``duplicate_of``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawResponse:
    """An HTTP response as received, and the evidence the crawl carried to it (the text of the
    listing link it was found through): enough to rebuild the record offline (``reparse``)."""

    url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes = field(repr=False)
    listing_text: str | None = None


@dataclass(frozen=True)
class ArticlePage:
    """An article URL as fetched: its HTML, or the HTTP status / error that stopped it.

    ``reason`` is the reject reason when the fetch itself says why the page cannot be read
    (``validation``'s names); else ``pages.read_page`` works it out from the status.
    """

    url: str
    status: int
    fetched_at: str
    html: str | None = field(default=None, repr=False)
    error: str | None = None
    raw: RawResponse | None = field(default=None, repr=False)
    reason: str | None = None
    # The URL the listing linked, when a redirect led elsewhere (``url`` is where it ended).
    linked_url: str | None = None


@dataclass(frozen=True)
class PressRelease:
    """One press release, normalised. ``id`` is the site's article id."""

    id: int
    url: str
    title: str | None
    title_from: str | None
    published: str | None
    published_from: str | None
    origin: str | None
    origin_raw: str | None
    body: str = field(repr=False)
    images: tuple[str, ...]
    content_hash: str

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["images"] = list(self.images)
        return data


@dataclass(frozen=True)
class ParsedPage:
    """A record and the page it was read from."""

    page: ArticlePage
    record: PressRelease


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PressRelease))
# The fields whose coverage each run measures (``crawls.coverage_*``, the health verdict).
COVERED_FIELDS = ("title", "published", "origin", "body")
