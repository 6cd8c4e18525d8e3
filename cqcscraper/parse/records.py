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

from cqcscraper.parse.media import MediaLink


@dataclass(frozen=True)
class RawResponse:
    """An HTTP response as received, and the evidence the crawl carried to it (the text of the
    listing link it was found through): enough to rebuild the record offline (``reparse``)."""

    url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes = field(repr=False)
    listing_text: str | None = None
    # The headers the crawler sent for it (None when not known: a response rebuilt offline).
    request_headers: dict[str, list[str]] | None = field(default=None, repr=False)


def last_header(headers: dict[str, list[str]], name: str) -> str:
    """A header's value as Scrapy's ``Headers.get`` gives it: the last one received under that
    name, compared without case; "" when there is none."""
    wanted = name.lower()
    found = ""
    for key, values in headers.items():
        if values and key.lower() == wanted:
            found = values[-1]
    return found


@dataclass(frozen=True)
class ArticlePage:
    """An article URL as fetched: its HTML, or the HTTP status / error that stopped it.

    ``reason`` is the reject reason when the fetch itself says why the page cannot be read
    (``validation``'s names); else ``pages.read_article`` works it out from the status.
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
        """Its fields by name, ``images`` as a list (every field is flat: no deep copy)."""
        data = {name: getattr(self, name) for name in _RELEASE_FIELDS}
        data["images"] = list(self.images)
        return data


_RELEASE_FIELDS = tuple(f.name for f in dataclasses.fields(PressRelease))


@dataclass(frozen=True)
class StoredFile:
    """A file fetched and written under the media folder, at ``path`` (relative to it, named
    by its sha256); ``text`` is a PDF's text, ``text_error`` why it could not be read (a
    bound of time or memory)."""

    url: str
    sha256: str
    size: int
    content_type: str | None
    status: int
    headers: dict[str, list[str]]
    path: str
    fetched_at: str
    text: str | None = field(default=None, repr=False)
    request_headers: dict[str, list[str]] | None = field(default=None, repr=False)
    text_error: str | None = None


@dataclass(frozen=True)
class FileUnchanged:
    """A file the archive holds already: not fetched (``fetched_at`` None), or fetched again
    conditionally and answered ``304 Not Modified``."""

    url: str
    fetched_at: str | None = None


@dataclass(frozen=True)
class FileFailed:
    """A file that could not be fetched or stored, and why (``validation``'s reasons); the
    next run tries it again unless the reason is permanent (``PERMANENT_FILE_FAILURES``)."""

    url: str
    reason: str
    detail: str
    failed_at: str
    status: int | None = None


FileOutcome = StoredFile | FileUnchanged | FileFailed


@dataclass(frozen=True)
class ReleaseMedia:
    """A release's links to its files and what fetching them gave. Also an item of its own:
    the spider hands one over for each release with files a previous run failed to fetch
    (``complete`` False: those links only, the release's others stay as they are)."""

    release_id: int
    links: tuple[MediaLink, ...]
    files: tuple[FileOutcome, ...] = ()
    complete: bool = True


@dataclass(frozen=True)
class NotModified:
    """An archived article fetched again conditionally and answered ``304 Not Modified``:
    unchanged, and no body was sent."""

    url: str
    article_id: int
    fetched_at: str
    # In a full run, the release's files, to be asked for again too (conditionally).
    media: ReleaseMedia | None = None


@dataclass(frozen=True)
class ParsedPage:
    """A record, the page it was read from, and its files."""

    page: ArticlePage
    record: PressRelease
    media: ReleaseMedia | None = None


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PressRelease))
# The fields whose coverage each run measures (``crawls.coverage_*``, the health verdict).
COVERED_FIELDS = ("title", "published", "origin", "body")
