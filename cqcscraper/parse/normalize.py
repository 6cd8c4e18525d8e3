"""Raw fields -> clean fields. Pure text rules, one small function per rule.

The rules are those of DESIGN.md, with the seed pages as examples: collapse whitespace and
apply Unicode NFC everywhere (``text``); choose the full title (``titles``); take ``published``
from the ``Public Time`` label, else from the URL (``dates``); map both spellings of the centre
to one origin; keep the body's paragraphs and drop the page furniture around them. Every rule
is idempotent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection

from cqcscraper.parse import urls
from cqcscraper.parse.dates import (
    EARLIEST_PLAUSIBLE_DATE,
    is_date_line,
    latest_plausible_date,
    parse_date,
)
from cqcscraper.parse.extract import RawArticle, is_info_line
from cqcscraper.parse.records import PressRelease
from cqcscraper.parse.text import clean_text, same_text
from cqcscraper.parse.titles import BODY, Title, choose_title, label_set

CENTRE = "China Quality Certification Centre"

# Lines of the page's header and footer: items separated by slashes or bars, all from here.
_NAV_ITEMS = frozenset(
    "homepage|home|favorites|favourites|add to favorites|中文版|english|加入收藏|设为首页"
    "|introduction of website|exception clause|contact us|sitemap|site map".split("|")
)
_NAV_SEPARATOR = re.compile(r"\s*[/|｜·]\s*")
_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s|版权所有)", re.IGNORECASE)
_PHOTO_MARKER = re.compile(r"^(?:\d{1,3}|图片\s*\d{0,3})$")
_MAX_FURNITURE_LINE = 200
_COMPANY_SUFFIX = re.compile(r"(?:colimited|coltd|limited|ltd|有限责任公司|有限公司)$")
_CENTRE_KEYS = frozenset(
    {
        "cqc",
        "中国质量认证中心",
        "chinaqualitycertificationcentre",
        "chinaqualitycertificationcenter",
    }
)


def canonical_origin(raw: str | None) -> str | None:
    """Both names of the centre (any case, spacing, ``CO.,LTD.``) -> one name; others as given."""
    text = clean_text(raw)
    if not text:
        return None
    key = "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())
    if _COMPANY_SUFFIX.sub("", key) in _CENTRE_KEYS:
        return CENTRE
    return text


def is_furniture(line: str) -> bool:
    """Whether a line (``clean_text``'s) is furniture: header and footer links, copyright, the
    Public Time/Origin line, photo markers."""
    if not line or _PHOTO_MARKER.match(line):
        return True
    if len(line) > _MAX_FURNITURE_LINE:
        return False
    items = [item.casefold() for item in _NAV_SEPARATOR.split(line)]
    if all(item in _NAV_ITEMS for item in items):
        return True
    return bool(_COPYRIGHT.match(line)) or is_info_line(line)


def content_lines(paragraphs: list[str] | tuple[str, ...]) -> list[str]:
    """The page's lines cleaned (``clean_text``), furniture and empty lines gone."""
    return [p for p in map(clean_text, paragraphs) if not is_furniture(p)]


def body_lines(lines: list[str], title: str | None, labels: Collection[str] = ()) -> list[str]:
    """The body: ``content_lines`` without the ones before the text that only repeat the
    title (whole or cut short), name a section of the site (one of the page's link
    ``labels``, such as what is left of a breadcrumb trail) or only give a date (a dateline
    with no label)."""
    names = label_set(labels)
    heading = Title(title, BODY) if title else None
    start = 0
    for line in lines:
        repeats = heading is not None and (
            same_text(line, heading.text) or Title(line, BODY).completed_by(heading)
        )
        if not repeats and line.casefold() not in names and not is_date_line(line):
            break
        start += 1
    return lines[start:]


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()


def normalize_article(raw: RawArticle, fetched_on: str | None = None) -> PressRelease:
    """The clean record of an article page. ``raw.url`` must be an article URL.

    ``fetched_on`` (``YYYY-MM-DD``, when the page was fetched) rules out dates in the future:
    a ``Public Time`` after it falls back to the URL's date, and a URL date after it to None.
    A ``Public Time`` before ``EARLIEST_PLAUSIBLE_DATE`` is not believed either.
    """
    ref = urls.article_ref(raw.url)
    if ref is None:
        raise ValueError(f"not an article URL: {raw.url}")
    lines = content_lines(raw.paragraphs)  # cleaned once: the title rule reads the first line
    chosen = choose_title(raw, lines[0] if lines else "")
    title, title_from = (chosen.text, chosen.source) if chosen else (None, None)
    body = "\n\n".join(body_lines(lines, title, raw.link_labels))
    latest = latest_plausible_date(fetched_on)
    # (a date, where from, the earliest date believed from there): the URL's folder is the
    # CMS's own filing, never an unset value printed as a date
    candidates = [
        (parse_date(raw.public_time), "public_time", EARLIEST_PLAUSIBLE_DATE),
        (ref.url_date, "url", ""),
    ]
    published, published_from = next(
        (
            (day, source)
            for day, source, earliest in candidates
            if day and day >= earliest and not (latest and day > latest)
        ),
        (None, None),
    )
    origin_raw = clean_text(raw.origin) or None
    return PressRelease(
        id=ref.id,
        url=ref.canonical_url,
        title=title,
        title_from=title_from,
        published=published,
        published_from=published_from,
        origin=canonical_origin(origin_raw),
        origin_raw=origin_raw,
        body=body,
        images=tuple(raw.images),
        content_hash=content_hash(title, body),
    )
