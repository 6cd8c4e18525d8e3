"""What a release consists of besides its page: its images and attached documents. Pure.

An *attachment* is a link in the article's body to a document: recognised by the extension of
its path (``.pdf``, ``.docx``, ...) or of its link text (``Rules.pdf`` linked through
``download?id=3``), or, for a link whose text calls it a download or an attachment, by the
``Content-Type`` it is served with (``is_document_type``). The text of a PDF is read with
pypdf, in bounded work: a hostile file gives None, never an exception.

A fetched file must be what its link claims (``not_what_it_claims``): its bytes are sniffed
by their magic numbers, so an HTML page answering for an image (an anti-hotlink or CDN error
page) or a "file not found" page answering for a ``.pdf`` link is refused, whatever its
``Content-Type`` says, and a real file is kept whatever label a careless server put on it.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

IMAGE = "image"
ATTACHMENT = "attachment"

DOCUMENT_EXTENSIONS = frozenset(
    "pdf doc docx docm dot dotx xls xlsx xlsm xlt csv ppt pptx pps ppsx odt ods odp rtf "
    "wps et dps zip rar 7z gz tgz tar".split()
)
IMAGE_EXTENSIONS = frozenset("jpg jpeg png gif webp bmp tif tiff ico svg avif heic".split())
# Media types of documents (the ``Content-Type`` a server sends for one); prefixes end in "."
_DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/rtf",
    "application/zip",
    "application/x-zip-compressed",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/x-7z-compressed",
    "application/gzip",
    "application/x-tar",
    "application/octet-stream",
    "text/csv",
    "application/vnd.",
    "application/x-msexcel",
    "application/kswps",
)
# A link that names no extension but says it is a download or an attachment.
_DOWNLOAD_WORDS = re.compile(r"download|attachment|附件|下载", re.IGNORECASE)
# What a file's first bytes say it is (the magic numbers of the formats a release links).
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"BM", 0, "bmp"),
    (b"II*\x00", 0, "tiff"),
    (b"MM\x00*", 0, "tiff"),
    (b"\x00\x00\x01\x00", 0, "ico"),
    (b"ftypavif", 4, "avif"),
    (b"ftypheic", 4, "heic"),
    (b"PK\x03\x04", 0, "zip"),  # docx, xlsx, pptx, odt, ... and zip itself
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "ole"),  # doc, xls, ppt, wps
    (b"Rar!\x1a\x07", 0, "rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7z"),
    (b"\x1f\x8b", 0, "gzip"),
    (b"{\\rtf", 0, "rtf"),
    (b"ustar", 257, "tar"),
)
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp", "bmp", "tiff", "ico", "avif", "heic", "svg"})
DOCUMENT_KINDS = frozenset({"pdf", "zip", "ole", "rar", "7z", "gzip", "rtf", "tar"})
# Extensions of binary formats: a link to one that answers with bytes of no known format (a
# text saying "file not found", say) did not get the file. Text formats (csv) are not here.
BINARY_EXTENSIONS = DOCUMENT_EXTENSIONS - {"csv"}
# The start of a page of markup (WHATWG MIME sniffing's HTML patterns, and XML for SVG).
_MARKUP = re.compile(
    rb"\s*(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<h1|<div|<font|<table|<a[\s>]"
    rb"|<style|<title|<b[\s>]|<br|<p[\s>]|<!--|<\?xml|<svg|<meta)",
    re.IGNORECASE,
)
# An SVG image: its root element is <svg> (after an XML declaration, comments, a doctype).
_SVG = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+svg[^>]*>\s*)?<svg[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def sniff(body: bytes) -> str | None:
    """What a file is by its first bytes: an image or document kind (``IMAGE_KINDS``,
    ``DOCUMENT_KINDS``), ``svg``, ``html`` (a page of markup), or None (not known)."""
    for magic, offset, kind in _SIGNATURES:
        if body[offset : offset + len(magic)] == magic:
            return kind
    head = body[:1024].removeprefix(b"\xef\xbb\xbf")
    if b"%PDF-" in head:  # a PDF may have bytes before its header (up to 1 KiB)
        return "pdf"
    if _MARKUP.match(head):
        return "svg" if _SVG.match(head) else "html"
    return None


def not_what_it_claims(role: str, url: str, body: bytes, content_type: str | None) -> str | None:
    """Why a fetched file is not what its link claims (the detail of a ``not_a_file``
    failure), or None.

    An image must be one by its bytes. A document must not be a page of markup or text that
    its server labels a web page, and where its extension promises a binary format (``.pdf``,
    ``.docx``) its bytes must be of a known format. A file's bytes win over its label."""
    kind = sniff(body)
    label = (content_type or "").split(";", 1)[0].strip().lower() or "no Content-Type"
    found = f"{kind or 'unknown bytes'} ({label})"
    if role == IMAGE:
        return None if kind in IMAGE_KINDS else f"an image link answered with {found}"
    if kind == "html":
        return f"a document link answered with a web page: {found}"
    if kind is not None:  # a known format, perhaps not the one its name says: the file it is
        return None
    if extension(url) in BINARY_EXTENSIONS:
        return f"a .{extension(url)} link answered with {found}"
    if label in _WEB_PAGE_TYPES and extension(url) != "csv":
        return f"a document link answered with a web page: {found}"
    return None


# pypdf's reading is bounded: a real attachment has a few dozen pages.
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 1_000_000


@dataclass(frozen=True)
class MediaLink:
    """A release's link to a file: its role (``image`` or ``attachment``), its position among
    the release's links of that role (from 0, in page order) and the link's text."""

    url: str
    role: str
    position: int
    text: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"url": self.url, "role": self.role, "position": self.position, "text": self.text}


def extension(text: str) -> str:
    """The lower-case extension of a URL's path or a file name ('' when none)."""
    path = urlsplit(text).path if "://" in text else text
    return PurePosixPath(unquote(path).strip()).suffix.lower().lstrip(".")


def is_document_link(url: str, text: str | None) -> bool:
    """Whether a body link points to a document (see the module's docstring); a link to an
    HTML page (``.shtml``, ``.html``, ``.htm``) with no download words never does."""
    if extension(url) in DOCUMENT_EXTENSIONS or extension(text or "") in DOCUMENT_EXTENSIONS:
        return True
    return not extension(url) and bool(_DOWNLOAD_WORDS.search(text or ""))


def is_document_type(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is a document's (not a web page's)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return any(
        media_type.startswith(known) if known.endswith(".") else media_type == known
        for known in _DOCUMENT_TYPES
    )


def is_document(url: str, content_type: str | None) -> bool:
    """A fetched attachment is a document by its URL's extension or the type it was served
    with (a link taken for a download that answers with a web page is not)."""
    return extension(url) in DOCUMENT_EXTENSIONS or is_document_type(content_type)


def media_links(
    images: tuple[str, ...], attachments: tuple[tuple[str, str], ...]
) -> tuple[MediaLink, ...]:
    """A release's links, images first, each role numbered in page order."""
    found = [MediaLink(url, IMAGE, n) for n, url in enumerate(images)]
    for n, (url, text) in enumerate(attachments):
        found.append(MediaLink(url, ATTACHMENT, n, text or None))
    return tuple(found)


def is_pdf(body: bytes) -> bool:
    return sniff(body) == "pdf"


def pdf_text(body: bytes) -> str | None:
    """The text of a PDF (pages joined by blank lines, whitespace runs made single), or None
    when it has none or cannot be read. Reads at most ``MAX_PDF_PAGES`` pages."""
    from pypdf import PdfReader  # imported here: only a crawl that meets a PDF pays for it

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is no crawl warning
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        pages = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = " ".join((page.extract_text() or "").split())
            if text:
                pages.append(text)
            if sum(map(len, pages)) > MAX_TEXT_CHARS:
                break
    except MemoryError:  # the reader's bound (crawl.documents), not damage: said as such
        raise
    except Exception:  # any damage of a hostile file: no text
        return None
    return "\n\n".join(pages)[:MAX_TEXT_CHARS] or None
