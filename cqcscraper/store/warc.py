"""The archive as a web archive: WARC/1.1 (ISO 28500) written with warcio, and its WACZ package.

What holds what (docs/archive-format.md):

- one ``warcinfo`` record: the software, the operator's description, the robots policy, and
  how bodies are stored;
- for each stored response (a page snapshot, a media file) a ``request`` and a ``response``
  record, the response with the stored status, headers and body, dated by its first fetch;
- for each release, a ``metadata`` record with its normalised record and its links to files
  (JSON), referring to the response it was read from (``WARC-Refers-To``).

Every record is under the live site's URL (``urls.live_url``): a mirror crawl's pages and files
as the live site serves them, so that a replayed page's relative links find its images and
documents, and the same archive exports the same URLs whatever port the mirror had; the URL a
response was fetched from, when another, is its ``WARC-Source-URI``.

Bodies are stored as the crawler received them after decoding the transfer (Scrapy undoes
gzip or deflate): so the response records carry no ``Content-Encoding`` nor
``Transfer-Encoding``, and a ``Content-Length`` of the stored body, so that every record's
headers agree with its block. The request records hold the request line, ``Host`` and the
headers the crawler sent (``User-Agent``, ``Accept``, the conditional ones), as stored with
each response.
"""

from __future__ import annotations

import contextlib
import http
import io
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cqcscraper.parse import urls
from cqcscraper.store.archive import Archive, ExportError
from cqcscraper.store.export import whole_file

# Headers that describe the transfer, not the stored body: left out of response records.
TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
RELEASE_URN = "urn:cqcscraper:release:"  # + the article id: a metadata record's target
BODIES = (
    "HTTP bodies are stored as the crawler received them after undoing the transfer's "
    "compression (gzip, deflate): response records carry no Content-Encoding or "
    "Transfer-Encoding, and a Content-Length of the stored body. Request records hold the "
    "request line, Host and the headers the crawler sent."
)


@dataclass
class WarcReport:
    """What an export wrote."""

    path: Path
    pages: int = 0
    files: int = 0
    releases: int = 0
    missing: list[str] = field(default_factory=list)  # media files not found on disk

    def __str__(self) -> str:
        text = (
            f"{self.path}: {self.pages} page responses, {self.files} files, "
            f"{self.releases} release records"
        )
        if self.missing:
            text += f"; {len(self.missing)} media files missing (run cqcscraper verify)"
        return text


def http_headers(
    status: int, headers: dict[str, list[str]], length: int, protocol: str = "HTTP/1.1"
) -> StatusAndHeaders:
    """A stored response's status line and headers, consistent with its stored body."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    kept = [
        (name, value)
        for name, values in sorted(headers.items())
        if name.lower() not in TRANSFER_HEADERS
        for value in values
    ]
    kept.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {phrase}", kept, protocol=protocol)


def request_headers(host: str, sent: dict[str, list[str]] | None) -> list[tuple[str, str]]:
    """``Host`` first, then the headers the crawler sent (Scrapy adds ``Host`` itself)."""
    found = [("Host", host)]
    for name, values in sorted((sent or {}).items()):
        if name.lower() != "host":
            found += [(name, value) for value in values]
    return found


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        self.warc = WARCWriter(out, gzip=True, warc_version="1.1")

    def info(self, filename: str, fields: dict[str, str]) -> None:
        self.warc.write_record(self.warc.create_warcinfo_record(filename, fields))

    def exchange(
        self,
        url: str,
        date: str,
        status: int,
        headers: dict[str, list[str]],
        body: bytes,
        sent: dict[str, list[str]] | None,
        source: str | None = None,
    ) -> str:
        """A request (with the headers the crawler sent, when stored) and its response;
        returns the response's WARC-Record-ID. ``url`` is written as a URI (``urls.as_uri``):
        a request line and ``WARC-Target-URI`` take no other characters. ``source``: where
        the response was fetched from, when not from ``url`` (a mirror)."""
        url = urls.as_uri(url)
        fields = {"WARC-Date": date}
        if source and urls.as_uri(source) != url:
            fields["WARC-Source-URI"] = urls.as_uri(source)
        response = self.warc.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers(status, headers, len(body)),
            warc_headers_dict=fields,
        )
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        parts = urlsplit(url)
        target = parts.path or "/"
        target += f"?{parts.query}" if parts.query else ""
        request = self.warc.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", request_headers(parts.netloc, sent), is_http_request=True
            ),
            warc_headers_dict={**fields, "WARC-Concurrent-To": record_id},
        )
        self.warc.write_record(response)
        self.warc.write_record(request)
        return record_id

    def metadata(self, url: str, date: str, refers_to: str, data: dict[str, Any]) -> None:
        """A release's record, named by its own URN (under the page's URL, a replay tool
        would show it instead of the page), referring to the page's response."""
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self.warc.create_warc_record(
            f"{RELEASE_URN}{data['id']}",
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/json",
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Refers-To": refers_to,
                "WARC-Refers-To-Target-URI": urls.as_uri(url),
                "WARC-Refers-To-Date": date,
            },
        )
        self.warc.write_record(record)


def _snapshots(db: sqlite3.Connection, since: str | None) -> Iterator[tuple]:
    yield from db.execute(
        "SELECT snapshot, article_id, url, status, headers, body, first_fetched, "
        "request_headers FROM snapshots WHERE last_fetched >= coalesce(?, '') ORDER BY snapshot",
        [since],
    )


def _releases(archive: Archive) -> dict[int, int]:
    """Each release's latest successful snapshot: the page its record was read from."""
    rows = archive.db.execute(
        "SELECT article_id, max(snapshot) FROM snapshots WHERE status = 200 "
        "AND article_id IN (SELECT id FROM press_releases) GROUP BY article_id"
    )
    return {snapshot: article_id for article_id, snapshot in rows}


def write_warc(
    archive: Archive,
    media_dir: Path,
    out: Path,
    *,
    since: str | None = None,
    description: str = "",
    software: str = "cqcscraper",
) -> WarcReport:
    """Write the archive's pages, files and releases as a WARC/1.1 file (gzip, a member per
    record) at ``out``, whole or not at all (``export.whole_file``): a failure, or a media file
    missing from the folder, leaves the previous file as it was. ``since`` (``YYYY-MM-DD``):
    only what was fetched on or after that day; ``software`` names the writer in the warcinfo
    record. Raises ``ExportError``."""
    report = WarcReport(out)
    with whole_file(out, "WARC export", "wb") as handle:
        _write(archive, media_dir, _Writer(handle), out.name, since, description, software, report)
        if report.missing:  # an incomplete WARC never replaces the last whole one
            raise ExportError(
                f"the WARC export to {out} was not written: {len(report.missing)} media files "
                f"are missing ({report.missing[0]}, ...; cqcscraper verify lists them, scrapy "
                "crawl press -a full=1 fetches them again); the previous file is as it was"
            )
    return report


def _write(
    archive: Archive,
    media_dir: Path,
    writer: _Writer,
    name: str,
    since: str | None,
    description: str,
    software: str,
    report: WarcReport,
) -> None:
    site = archive.site()
    writer.info(
        name,
        {
            "software": f"{software} (warcio/{metadata.version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": description or _about(archive).description,
            "isPartOf": site or "unknown",
            "robots": "obey",
            "http-bodies": BODIES,
        },
    )
    releases = _releases(archive)
    db = archive.db.conn
    for snapshot, article_id, url, status, headers, body, first, sent in _snapshots(db, since):
        body = zlib.decompress(body)
        sent = json.loads(sent) if sent else None
        live = urls.live_url(url, site)
        record_id = writer.exchange(live, first, status, json.loads(headers), body, sent, url)
        report.pages += 1
        if snapshot in releases:
            writer.metadata(live, first, record_id, _release(archive, article_id))
            report.releases += 1
    for url, status, headers, path, first, sent in db.execute(
        "SELECT url, status, headers, path, first_fetched, request_headers FROM media_files "
        "WHERE last_fetched >= coalesce(?, '') ORDER BY id",
        [since],
    ):
        try:
            body = (media_dir / path).read_bytes()
        except FileNotFoundError:
            report.missing.append(str(media_dir / path))
            continue
        live, sent = urls.live_url(url, site), json.loads(sent or "null")
        writer.exchange(live, first, status, json.loads(headers), body, sent, url)
        report.files += 1


def _release(archive: Archive, article_id: int) -> dict[str, Any]:
    """A release's record as the archive holds it, with its links to files."""
    (row,) = archive.db.query("SELECT * FROM press_releases WHERE id = ?", [article_id])
    row["images"] = json.loads(row["images"] or "[]")
    row["media"] = [link.to_dict() for link in archive.links_of(article_id)]
    return row


def check_warc(path: Path) -> tuple[int, list[str]]:
    """Read a WARC file back as replay tools read it (warcio's ``ArchiveIterator`` checking
    every block and payload digest, as ``warcio check`` does): how many records it holds, and
    the problems found (none for a sound file)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records, problems = 0, []
    try:
        with path.open("rb") as handle:
            found = ArchiveIterator(handle, check_digests=True)
            for record in found:
                while record.content_stream().read(1 << 20):
                    pass
                records += 1
                if record.digest_checker.passed is False:
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    problems += [f"{record_id}: {p}" for p in record.digest_checker.problems]
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error) as error:
        problems.append(f"{path} cannot be read as WARC: {error}")
    return records, problems


class About(NamedTuple):
    """How an export names itself (the WACZ's title and description, the warcinfo's)."""

    title: str
    description: str


def _about(archive: Archive) -> About:
    """The site and the dates the archive covers, in words."""
    (count, first, last, fetched, refetched), *_ = archive.db.execute(
        "SELECT count(*), min(published), max(published), "
        "(SELECT min(first_fetched) FROM snapshots), (SELECT max(last_fetched) FROM snapshots) "
        "FROM press_releases"
    )
    site = archive.site()
    host = urlsplit(urls.SITE_ORIGIN).netloc
    dates = f"{first} to {last}" if first else "undated"
    source = {None: "no crawl yet", urls.SITE_ORIGIN: "the live site"}.get(site, "")
    source = source or (
        "a mirror on this machine" if site == urls.LOOPBACK else f"a mirror at {site}"
    )
    when = f", fetched {fetched[:10]} to {refetched[:10]}" if fetched else ""
    return About(
        f"CQC press releases ({host}), {dates}",
        f"{count} press releases of the China Quality Certification Centre ({host}) published "
        f"{dates}, with their images and documents, archived by cqcscraper from {source}{when}. "
        "Every page and file is recorded under the live site's URL.",
    )


def _pages(archive: Archive) -> Iterator[dict[str, Any]]:
    """A page per release, as ReplayWeb.page lists and searches them: its URL (as the WARC
    records it), date of capture, title, publication date and text."""
    site = archive.site()
    for article_id, url, fetched, title, published, body, files in archive.db.execute(
        "SELECT p.id, s.url, s.first_fetched, p.title, p.published, p.body, "
        "p.attachment_text FROM press_releases AS p JOIN snapshots AS s ON s.snapshot = "
        "(SELECT max(snapshot) FROM snapshots WHERE article_id = p.id AND status = 200) "
        "ORDER BY p.published, p.id"
    ):
        url = urls.as_uri(urls.live_url(url, site))
        text = "\n\n".join(part for part in (title, body, files) if part)
        yield {
            "id": str(article_id),
            "url": url,
            "ts": fetched,
            "title": title or url,
            "published": published,
            "text": text,
        }


def write_wacz(warc: Path, out: Path, archive: Archive) -> None:
    """Package a WARC written by ``write_warc`` as WACZ (py-wacz: the WARC, its CDXJ index,
    ``pages/pages.jsonl`` with each release's title, date and text for ReplayWeb.page's
    search, and a datapackage manifest with every file's sha256, titled by what it holds)."""
    pages = out.with_name(f".{out.name}.pages.jsonl")
    partial = out.with_name(f".{out.name}.partial")
    about = _about(archive)
    try:
        with pages.open("w", encoding="utf-8") as handle:
            header = {"format": "json-pages-1.0", "id": "pages", "title": "Press releases"}
            handle.write(json.dumps({**header, "hasText": True}) + "\n")
            for page in _pages(archive):
                handle.write(json.dumps(page, ensure_ascii=False) + "\n")
        # py-wacz's documented command line (its Python entry point is that CLI's own)
        arguments = ["create", "-o", str(partial), "-p", str(pages), "--copy-pages", str(warc)]
        arguments += ["--title", about.title, "--desc", about.description]
        done = subprocess.run(
            [sys.executable, "-m", "wacz", *arguments], capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not partial.is_file():
            said = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            raise ExportError(f"the WACZ package {out} failed: {said[0]}")
        os.replace(partial, out)
    except OSError as error:
        raise ExportError(f"the WACZ package {out} failed: {error}") from error
    finally:
        for leftover in (pages, partial):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
