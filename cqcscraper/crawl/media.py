"""``MediaPipeline``: fetch a release's images and documents and store them by content.

Scrapy's ``FilesPipeline`` does the fetching: its requests go through the engine like any
other (robots.txt, politeness, the site fence, retries, the size limit), and it fetches each
URL once per run whatever number of releases link it. What this subclass adds:

- files are stored by the sha256 of their content (``store.media.media_path``) under the
  media folder (``CQC_MEDIA_DIR``, default ``media/`` beside the archive);
- a file the archive holds is not fetched again, except by a ``full=1`` run, which asks for
  it conditionally (``If-None-Match``/``If-Modified-Since``): a ``304`` is "unchanged";
- a file whose stored copy is missing or damaged (a ``full=1`` run reads each one back) is
  fetched whole, never conditionally, and stored again; a run that cannot restore one fails,
  saying how many (``health.FILES_NOT_RESTORED``);
- a file must be what its link claims (``parse.media.not_what_it_claims``): an HTML error
  page answering for an image or a PDF is a ``not_a_file`` failure, never stored, tried
  again by later runs;
- a PDF's text is read in a worker process bounded in time and memory
  (``crawl.documents``), so no document stalls the run; one that hits a bound is kept with
  why its text is missing (``text_error``);
- every outcome becomes a ``FileOutcome`` in the item (``StoredFile``, ``FileUnchanged``,
  ``FileFailed`` with a reason), which the archive pipeline writes with the release. A file
  that fails is a recorded failure, never a lost release; the next run tries it again;
- the run's cache of what each URL gave (Scrapy's, so a file linked by several releases is
  fetched once) keeps a fetched file whole, its headers and a document's text, only until the
  archive holds its row (``FILES_STORED``): then a later release linking it finds it held, or,
  in a full run, is given ``FileUnchanged`` from the cache. The run's memory does not grow
  with the files it fetched;
- a file that cannot be written (a full disk) fails the run, like any archive write.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline
from twisted.python.failure import Failure

from cqcscraper.crawl import health
from cqcscraper.crawl.documents import Stopped, document_text
from cqcscraper.crawl.pages import raw_of
from cqcscraper.crawl.pipelines import FILES_STORED
from cqcscraper.crawl.rejects import reason_of_failure, reason_of_status
from cqcscraper.crawl.run import ArchiveRun
from cqcscraper.parse import media, urls, validation
from cqcscraper.parse.records import (
    FileFailed,
    FileOutcome,
    FileUnchanged,
    NotModified,
    ParsedPage,
    ReleaseMedia,
    StoredFile,
)
from cqcscraper.store.archive import ArchiveWriteError, utc_now
from cqcscraper.store.media import (
    HeldFile,
    conditional_headers,
    is_intact,
    media_folder,
    media_path,
    write_file,
)

logger = logging.getLogger(__name__)

STATS = "cqc/media/{}"  # stored, unchanged, held, failed, failed/REASON, lost, restored


class FileError(Exception):
    """Why a file could not be fetched or stored (a ``FileFailed``'s reason and detail)."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.status = reason, detail, status


class MediaPipeline(FilesPipeline):
    """Fetch and store the files of each ``ParsedPage`` (and each ``ReleaseMedia`` the spider
    hands over to try failed files again)."""

    def __init__(
        self,
        store_uri: str,
        *,
        crawler: Crawler,
        run: ArchiveRun,
        document_timeout: float,
        document_memory_mb: int,
    ) -> None:
        super().__init__(store_uri, crawler=crawler)
        self.run = run
        self.document_timeout = document_timeout
        self.document_memory_mb = document_memory_mb
        self._lost: set[str] = set()  # URLs whose stored copy was found missing or damaged
        self.refetch = False  # a full run asks again for the files it holds (conditionally)
        self._asked: dict[int, list[str]] = {}  # id(item) -> the URLs asked for, in order
        self._failed: dict[str, FileFailed] = {}  # url -> why it failed in this run
        # url -> the cache key (request fingerprint) of each file fetched whose row the
        # archive does not hold yet
        self._unwritten: dict[str, bytes] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MediaPipeline:
        run = crawler.get_extension(ArchiveRun)
        if run is None or not crawler.settings.getbool("CQC_MEDIA"):
            raise NotConfigured("media are fetched by archive runs with CQC_MEDIA on")
        settings = crawler.settings
        folder = media_folder(run.db_path, settings.get("CQC_MEDIA_DIR"))
        pipeline = cls(
            str(folder),
            crawler=crawler,
            run=run,
            document_timeout=settings.getfloat("CQC_DOCUMENT_TIMEOUT"),
            document_memory_mb=settings.getint("CQC_DOCUMENT_MEMORY_MB"),
        )
        crawler.signals.connect(pipeline.files_stored, signal=FILES_STORED)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider()
        self.refetch = self.run.arguments.full

    @staticmethod
    def _media(item: Any) -> ReleaseMedia | None:
        if isinstance(item, ParsedPage | NotModified):
            return item.media
        return item if isinstance(item, ReleaseMedia) else None

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        """A request for each file of the item the archive does not hold (or, in a full run,
        for each, conditionally). Files are known by the URL the page links on the live site,
        as releases are; they are fetched from where the page came (a mirror serves its own)."""
        found = self._media(item)
        if found is None or self.run.failed is not None:
            return []
        page = item.page.url if isinstance(item, ParsedPage) else self.run.arguments.start_url
        asked, requests = [], []
        for url in dict.fromkeys(link.url for link in found.links):
            held = self.run.read(lambda url=url: self.run.archive.held_file(url), None)
            if self.run.failed is not None:  # a damaged archive: the run fails with why
                return []
            if held is not None and not self._intact(held):
                logger.warning("Stored file of %s is missing or damaged: fetched again", url)
                self.crawler.stats.inc_value(STATS.format("lost"))
                self._lost.add(url)
                held = None  # fetched whole: its validators would bring back nothing
            elif held is not None and not self.refetch:
                self.crawler.stats.inc_value(STATS.format("held"))
                continue
            headers = conditional_headers(held.headers) if held else {}
            roles = {link.role for link in found.links if link.url == url}
            meta = {"cqc_url": url, "cqc_held": held is not None, "cqc_roles": sorted(roles)}
            fetched = urls.fetched_from(url, page)
            asked.append(url)
            requests.append(Request(fetched, headers=headers, meta=meta, callback=NO_CALLBACK))
        self._asked[id(item)] = asked
        return requests

    def _intact(self, held: HeldFile) -> bool:
        """Whether the stored copy of a held file is there with its size; a full run, which
        reads what it holds anyway, also checks its sha256."""
        sha256 = held.sha256 if self.refetch else None
        return is_intact(Path(self.store.basedir) / held.path, held.size, sha256)

    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> None:
        return None  # what the archive holds was left out of the requests already

    async def media_downloaded(
        self, response: Response, request: Request, info: Any, *, item: Any = None
    ) -> FileOutcome:
        fetched_at = utc_now()
        url = request.meta["cqc_url"]
        if response.status == 304 and request.meta.get("cqc_held"):
            return FileUnchanged(url, fetched_at)
        if response.status != 200:
            status = response.status
            raise FileError(reason_of_status(status), f"HTTP {status}", status)
        body = response.body
        if not body:
            raise FileError(validation.EMPTY, "empty body", response.status)
        raw = raw_of(response)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        roles = request.meta.get("cqc_roles", [])
        if roles == [media.ATTACHMENT] and not media.is_document(url, content_type):
            detail = f"content type {content_type}"
            raise FileError(validation.NOT_A_DOCUMENT, detail, response.status)
        role = media.IMAGE if media.IMAGE in roles else media.ATTACHMENT
        if why := media.not_what_it_claims(role, url, body, content_type):
            raise FileError(validation.NOT_A_FILE, why, response.status)
        sha256 = hashlib.sha256(body).hexdigest()
        path = media_path(sha256, media.extension(response.url)[:10])
        try:
            write_file(Path(self.store.basedir), path, body)
        except OSError as error:
            self.run.archive_failed(ArchiveWriteError(f"media folder: {error}"))
            raise FileError(validation.UNSTORABLE, str(error)) from error
        text, text_error = None, None
        if media.is_pdf(body):
            try:
                text, text_error = await document_text(
                    body,
                    timeout=self.document_timeout,
                    memory_mb=self.document_memory_mb,
                    running=lambda: self.crawler.crawling,
                )
            except Stopped as stopped:  # nothing known of its text: the next run tries again
                raise FileError(validation.FETCH_FAILED, str(stopped)) from None
            if text_error:
                logger.warning("File %s stored, its text %s", url, text_error)
                self.crawler.stats.inc_value(STATS.format("text_not_extracted"))
        self._unwritten[url] = self.crawler.request_fingerprinter.fingerprint(request)
        return StoredFile(
            url=url,
            sha256=sha256,
            size=len(body),
            content_type=content_type,
            status=response.status,
            headers=raw.headers,
            path=path,
            fetched_at=fetched_at,
            text=text,
            request_headers=raw.request_headers,
            text_error=text_error,
        )

    def files_stored(self, files: list[StoredFile]) -> None:
        """The archive holds these files' rows now, so the cache lets go of their headers and
        text. A later release linking one asks for no file the archive holds, except in a full
        run, which asks again for each (conditionally): there the cache gives it
        ``FileUnchanged`` (held, fetched once this run); elsewhere the entry goes."""
        downloaded = self.spiderinfo.downloaded
        for file in files:
            key = self._unwritten.pop(file.url, None)
            if key is None or downloaded.get(key) is not file:
                continue
            if self.refetch:
                downloaded[key] = FileUnchanged(file.url)
            else:
                del downloaded[key]

    def media_failed(self, failure: Failure, request: Request, info: Any) -> None:
        """Record why a file failed, for ``item_completed``, and return None: the failure is
        the item's to record (one warning line), not an error with a traceback in the log
        (Scrapy logs one for any exception raised here)."""
        error = failure.value
        if isinstance(error, FileError):
            reason, detail, status = error.reason, error.detail, error.status
        else:
            status = None
            reason, detail = reason_of_failure(failure, request)
            if reason == validation.OFF_SITE_REDIRECT and "redirect_urls" not in request.meta:
                reason, detail = validation.OFF_SITE, "on another host than the site's: not fetched"
        url = request.meta["cqc_url"]
        logger.warning("File %s not stored: %s (%s)", request.url, reason, detail)
        self._failed[url] = FileFailed(url, reason, detail, utc_now(), status)

    def item_completed(self, results: list[tuple[bool, Any]], item: Any, info: Any) -> Any:
        found = self._media(item)
        asked = self._asked.pop(id(item), [])
        if found is None:
            return item
        outcomes: list[FileOutcome] = []
        for url, (ok, value) in zip(asked, results, strict=True):
            if ok and value is not None:
                outcomes.append(value)
            else:  # failed here, or earlier in this run for another release
                reason = f"{type(value.value).__name__}: {value.value}" if not ok else ""
                failed = FileFailed(url, validation.FETCH_FAILED, reason, utc_now())
                outcomes.append(self._failed.get(url, failed))
        for outcome in outcomes:
            kind = {StoredFile: "stored", FileUnchanged: "unchanged", FileFailed: "failed"}
            self.crawler.stats.inc_value(STATS.format(kind[type(outcome)]))
            if isinstance(outcome, FileFailed):
                self.crawler.stats.inc_value(STATS.format(f"failed/{outcome.reason}"))
            if outcome.url in self._lost:
                self._lost.discard(outcome.url)
                restored = isinstance(outcome, StoredFile)
                self.crawler.stats.inc_value(
                    health.FILES_RESTORED if restored else health.FILES_NOT_RESTORED
                )
        updated = replace(found, files=tuple(outcomes))
        return updated if isinstance(item, ReleaseMedia) else replace(item, media=updated)
