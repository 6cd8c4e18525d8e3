"""Raw fields -> clean fields. Pure text rules, one small function per rule.

The rules are those of DESIGN.md, with the seed pages as examples: collapse whitespace and
apply Unicode NFC everywhere; choose the full title; take ``published`` from the
``Public Time`` label, else from the URL; map both spellings of the centre to one origin; keep
the body's paragraphs and drop the page furniture around them. Every rule is idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from functools import lru_cache

from cqcscraper import urls
from cqcscraper.extract import LABEL, RawArticle
from cqcscraper.records import PressRelease

CENTRE = "China Quality Certification Centre"

# Markup shown as text: a page never shows a tag on purpose; it is what is left of a broken page
# (or of an attack), and the archive stores text only. As in HTML, a tag name follows ``<`` at
# once (so "a < b" is prose); a tag cut off by the end of the text counts too.
_MARKUP_TEXT = re.compile(r"</?[a-z][^\s/>]*(?:[\s/][^>]*)?(?:>|$)|<!--|-->", re.I)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SITE_NAME = re.compile(
    r"(?:cqc|china\s*quality\s*certification\s*cent(?:re|er)|中国质量认证中心)"
    r"(?:\s*(?:english|英文版|website|official\s*website|co\.?,?\s*ltd\.?|有限公司))*",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(
    r"^(?P<title>.*?\S)\s*(?:-{1,2}|–|—|_{1,2}|\||｜|·)\s*(?P<site>[^-–—_|｜·]+)$"
)
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…+)$")
# Lines of the page's header and footer: items separated by slashes or bars, all from here.
_NAV_ITEMS = frozenset(
    "homepage|home|favorites|favourites|add to favorites|中文版|english|加入收藏|设为首页"
    "|introduction of website|exception clause|contact us|sitemap|site map".split("|")
)
_NAV_SEPARATOR = re.compile(r"\s*[/|｜·]\s*")
_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s|版权所有)", re.IGNORECASE)
_PHOTO_MARKER = re.compile(r"^(?:\d{1,3}|图片\s*\d{0,3})$")
_INFO_LABEL = re.compile(r"public|publish|发布|origin|来源", re.IGNORECASE)
_MAX_FURNITURE_LINE = 200
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "23 November 2020", "23 Nov. 2020", "November 23, 2020": English dates, without dateparser
_ENGLISH_DATE = re.compile(
    rf"^(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})\.?,?"
    rf"|(?P<month2>{_MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?,?)"
    r"\s+(?P<year>\d{4})(?:\s+\d{1,2}:\d\d(?::\d\d)?)?$",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(r"(?:colimited|coltd|limited|ltd|有限责任公司|有限公司)$")
_CENTRE_KEYS = frozenset(
    {
        "cqc",
        "中国质量认证中心",
        "chinaqualitycertificationcentre",
        "chinaqualitycertificationcenter",
    }
)


def clean_text(text: str | None) -> str:
    """NFC, invisible characters and markup shown as text removed, every run of whitespace
    (no-break too) one space."""
    if not text:
        return ""
    if not text.isascii():  # ASCII is NFC already and holds no invisible character
        text = unicodedata.normalize("NFC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    while "<" in text or "-->" in text:  # until none is left: "<<b>b>" hides a second tag
        stripped = _MARKUP_TEXT.sub("", text)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())  # str.split() splits on exactly what \s matches


def strip_site_suffix(title: str) -> str:
    """``Title -- China Quality Certification Centre`` -> ``Title`` (repeatedly)."""
    title = clean_text(title)
    while (match := _TITLE_SUFFIX.match(title)) and _is_site_name(match["site"]):
        title = match["title"]
    return title


def _is_site_name(text: str) -> bool:
    return _SITE_NAME.fullmatch(clean_text(text)) is not None


def _same_text(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()


def choose_title(raw: RawArticle, first_paragraph: str = "") -> str | None:
    """The page heading; its full form when the heading is cut short with ``...`` or ``…``.

    A heading confirmed by ``og:title`` or ``<title>`` is taken first; with no heading, those
    two are used in that order. Site names (a logo in an ``<h1>``) never count as a title.
    """
    headings = [h for h in map(clean_text, raw.headings) if h and not _is_site_name(h)]
    fulls = [clean_text(raw.og_title), strip_site_suffix(raw.html_title or "")]
    fulls = [t for t in fulls if t and not _is_site_name(t)]
    for heading in headings:
        if any(_same_text(heading, full) for full in fulls):
            return heading
    if not headings:
        return fulls[0] if fulls else None
    heading = headings[0]
    if _ELLIPSIS.search(heading):
        stem = _ELLIPSIS.sub("", heading).casefold()
        for candidate in [*fulls, clean_text(first_paragraph)]:
            if len(candidate) > len(stem) and candidate.casefold().startswith(stem):
                return candidate
    return heading


def parse_date(text: str | None) -> str | None:
    """An ISO date from a label's value, or None when it holds no valid date.

    ``2020-11-23``, ``2020/11/23 10:32``, ``2020年11月23日``, ``23 Nov 2020`` and
    ``November 23, 2020`` are read by regular expressions; other wordings go to dateparser,
    which is slow, and only when a four-digit year is present (so ``soon`` or ``yesterday``
    never become a date).
    """
    text = clean_text(text)
    if match := _ISO_DATE.search(text):
        return _valid_date(*map(int, match.groups()))
    if match := _ENGLISH_DATE.match(text):
        month = _MONTHS[(match["month"] or match["month2"]).lower()]
        return _valid_date(int(match["year"]), month, int(match["day"] or match["day2"]))
    if not _YEAR.search(text):
        return None
    return _dateparser_date(text[:100])


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _dateparser_date(text: str) -> str | None:
    import dateparser  # imported late: it takes a second to load and most pages never need it

    parsed = dateparser.parse(
        text,
        languages=["en", "zh"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date().isoformat() if parsed else None


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
    """Header and footer links, copyright, the Public Time/Origin line, photo markers."""
    return _is_furniture(clean_text(line))


def _is_furniture(line: str) -> bool:
    """``is_furniture`` of a line already cleaned."""
    if not line or _PHOTO_MARKER.match(line):
        return True
    if len(line) > _MAX_FURNITURE_LINE:
        return False
    items = [item.casefold() for item in _NAV_SEPARATOR.split(line)]
    if all(item in _NAV_ITEMS for item in items):
        return True
    label = LABEL.match(line)
    return bool(_COPYRIGHT.match(line) or (label and _INFO_LABEL.search(label["name"])))


def clean_paragraphs(paragraphs: list[str] | tuple[str, ...], title: str | None) -> list[str]:
    """The body's paragraphs, cleaned, with furniture gone and a leading title line dropped."""
    return _without_title_line(_content_lines(paragraphs), title)


def _content_lines(paragraphs: list[str] | tuple[str, ...]) -> list[str]:
    return [p for p in map(clean_text, paragraphs) if not _is_furniture(p)]


def _without_title_line(lines: list[str], title: str | None) -> list[str]:
    if lines and title and _same_text(lines[0], title):
        return lines[1:]
    return lines


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()


def latest_plausible_date(fetched_on: str | None) -> str | None:
    """The latest publication date a page fetched on ``fetched_on`` (ISO, UTC) can carry:
    the next day, since the site dates pages in China time (UTC+8). None: no limit."""
    try:
        day = dt.date.fromisoformat((fetched_on or "")[:10])
    except ValueError:
        return None
    return (day + dt.timedelta(days=1)).isoformat()


def normalize_article(raw: RawArticle, fetched_on: str | None = None) -> PressRelease:
    """The clean record of an article page. ``raw.url`` must be an article URL.

    ``fetched_on`` (``YYYY-MM-DD``, when the page was fetched) rules out dates in the future:
    a ``Public Time`` after it falls back to the URL's date, and a URL date after it to None.
    """
    ref = urls.article_ref(raw.url)
    if ref is None:
        raise ValueError(f"not an article URL: {raw.url}")
    lines = _content_lines(raw.paragraphs)  # cleaned once: the title rule reads the first line
    title = choose_title(raw, lines[0] if lines else "") or None
    body = "\n\n".join(_without_title_line(lines, title))
    latest = latest_plausible_date(fetched_on)
    candidates = [(parse_date(raw.public_time), "public_time"), (ref.url_date, "url")]
    published, published_from = next(
        ((day, source) for day, source in candidates if day and not (latest and day > latest)),
        (None, None),
    )
    origin_raw = clean_text(raw.origin) or None
    return PressRelease(
        id=ref.id,
        url=ref.canonical_url,
        title=title,
        published=published,
        published_from=published_from,
        origin=canonical_origin(origin_raw),
        origin_raw=origin_raw,
        body=body,
        images=tuple(raw.images),
        content_hash=content_hash(title, body),
    )
