"""What a release consists of besides its page: its images and attached documents. Pure.

An *attachment* is a link in the article's body to a document: recognised by the extension of
its path (``.pdf``, ``.docx``, ...) or of its link text (``Rules.pdf`` linked through
``download?id=3``), or, for a link whose text calls it a download or an attachment, by the
``Content-Type`` it is served with (``is_document_type``). The text of a PDF is read with
pypdf, in bounded work: a hostile file gives None, never an exception.
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
ROLES = (IMAGE, ATTACHMENT)

DOCUMENT_EXTENSIONS = frozenset(
    "pdf doc docx docm dot dotx xls xlsx xlsm xlt csv ppt pptx pps ppsx odt ods odp rtf "
    "wps et dps zip rar 7z gz tgz tar".split()
)
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


def is_pdf(body: bytes, content_type: str | None = None) -> bool:
    return body[:1024].lstrip().startswith(b"%PDF-") or "pdf" in (content_type or "").lower()


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
    except Exception:  # any damage of a hostile file: no text
        return None
    return "\n\n".join(pages)[:MAX_TEXT_CHARS] or None
