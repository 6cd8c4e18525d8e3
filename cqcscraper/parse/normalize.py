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
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from lxml.html import defs

from cqcscraper.parse import urls
from cqcscraper.parse.extract import LABEL, RawArticle, is_field_label
from cqcscraper.parse.records import PressRelease

CENTRE = "China Quality Certification Centre"

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters (C0 but for whitespace, DEL, C1) and bidirectional overrides, isolates and
# marks: never text a reader sees, and a terminal or an editor may act on them.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CENTRE_NAME = re.compile(
    r"cqc|china\s*quality\s*certification\s*cent(?:re|er)|中国质量认证中心", re.IGNORECASE
)
# Words that stand around the centre's name in the site's own furniture ("CQC English",
# "Welcome to the official website of CQC", "中国质量认证中心英文版 - 首页"), and the
# punctuation between them. A line of the centre's name and only these is the site's name.
_SITE_WORDS = re.compile(
    r"(?:(?:english|edition|version|home|homepage|index|official|site|website|web|portal|news"
    r"|welcome|to|of|the|co|ltd|limited|company)\b"
    r"|英文版|英文|首页|主页|官网|网站|欢迎|访问|有限公司|[\s\W_])*",
    re.IGNORECASE,
)
# What a link says when it names no page in particular: never a title.
_GENERIC_LINK = re.compile(
    r"(?:read\s*more|more|details?|view|click\s*here|full\s*text|next|previous|prev"
    r"|更多|详细|详情|查看|[>»\u203a\s.…])*",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(
    r"^(?P<title>.*?\S)\s*(?:-{1,2}|–|—|_{1,2}|\||｜|·)\s*(?P<site>[^-–—_|｜·]+)$"
)
ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…+)$")
# An HTML tag as a parser reads one: ``<meta property=``, ``<br/>``, ``</title>``, named by an
# element of HTML. ``<Implementation Rules>`` and ``<<Measures>>`` (the ASCII book-title marks)
# are text; a candidate showing a tag is markup a broken page let into text (a quote or the
# ``</title>`` missing), never a title.
_TAG = re.compile(r"</?([a-z][a-z0-9]*)(?:\s+[a-z_:][-\w:.]*\s*=|\s*/?>)", re.IGNORECASE)
_HTML_ELEMENTS = frozenset(defs.tags)
# A cut-short title is completed only from a stem this long (``A...`` completes to anything).
_MIN_STEM_CHARS = 8
# A body line longer than this is a paragraph, never a title.
_MAX_TITLE_CHARS = 300
# Lines of the page's header and footer: items separated by slashes or bars, all from here.
_NAV_ITEMS = frozenset(
    "homepage|home|favorites|favourites|add to favorites|中文版|english|加入收藏|设为首页"
    "|introduction of website|exception clause|contact us|sitemap|site map".split("|")
)
_NAV_SEPARATOR = re.compile(r"\s*[/|｜·]\s*")
_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s|版权所有)", re.IGNORECASE)
_PHOTO_MARKER = re.compile(r"^(?:\d{1,3}|图片\s*\d{0,3})$")
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
    """NFC; invisible, control and bidirectional control characters removed; every run of
    whitespace (no-break too) one space. Text that looks like markup is what the page shows
    (``&lt;Implementation Rules&gt;``, the ASCII form of the book-title marks 《》 that
    releases cite regulations with): it is kept; whatever shows the archive escapes it."""
    if not text:
        return ""
    if CONTROL.search(text):
        text = CONTROL.sub("", text)
    if not text.isascii():  # ASCII is NFC already and holds no invisible character
        text = unicodedata.normalize("NFC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    return " ".join(text.split())  # str.split() splits on exactly what \s matches


def strip_site_suffix(title: str) -> str:
    """``Title -- China Quality Certification Centre`` -> ``Title`` (repeatedly)."""
    title = clean_text(title)
    while (match := _TITLE_SUFFIX.match(title)) and _is_site_name(match["site"]):
        title = match["title"]
    return title


def _is_site_name(text: str) -> bool:
    """The centre's name or abbreviation, alone or with the words of the site's furniture
    around it (``CQC English``, ``Home - China Quality Certification Centre``)."""
    text = clean_text(text)
    if not _CENTRE_NAME.search(text):
        return False
    return _SITE_WORDS.fullmatch(_CENTRE_NAME.sub(" ", text)) is not None


def _same_text(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()


# Where a title came from (``title_from``): the page's own markup first, then the crawl's
# evidence. The first three are the page's own; ``health`` watches their share.
HEADING, OG_TITLE, HTML_TITLE = "heading", "og_title", "html_title"
LISTING, BODY = "listing", "body"
OWN_TITLE_SOURCES = (HEADING, OG_TITLE, HTML_TITLE)
TITLE_SOURCES = (*OWN_TITLE_SOURCES, LISTING, BODY)


@dataclass(frozen=True)
class Title:
    """A title candidate: its clean text and where it came from."""

    text: str
    source: str

    @property
    def cut(self) -> bool:
        """Cut short with ``...`` or ``…``."""
        return ELLIPSIS.search(self.text) is not None

    def completed_by(self, other: Title) -> bool:
        """Whether ``other`` is this cut-short title's full form: it starts with the same words
        and goes on."""
        if not self.cut or other.cut:
            return False
        stem = ELLIPSIS.sub("", self.text).casefold()
        full = other.text.casefold()
        return len(stem) >= _MIN_STEM_CHARS and len(full) > len(stem) and full.startswith(stem)

    def agrees_with(self, other: Title) -> bool:
        """The same title, or one is the other's cut-short form."""
        return (
            self.text.casefold() == other.text.casefold()
            or self.completed_by(other)
            or other.completed_by(self)
        )


def complete(title: Title, candidates: list[Title] | tuple[Title, ...]) -> Title:
    """``title``'s full form from the first candidate that holds it; else ``title``.
    Idempotent: a full title has nothing to complete."""
    return next((other for other in candidates if title.completed_by(other)), title)


def title_candidates(raw: RawArticle, first_line: str = "") -> list[Title]:
    """Every title candidate of a page in order of trust: its own headings, ``og:title``,
    ``<title>`` without the site's suffix, the listing's link text, the body's first line.

    Furniture is left out: the centre's names in any form (``CQC English``, a logo), the
    labels of the page's menus and sections (the texts of its links to other pages), a
    link text that names no page (``More>>``), and a first line too long to be a title.
    """
    labels = _labels_of(raw.link_labels)
    page = [Title(h, HEADING) for h in map(clean_text, raw.headings)]
    page += [Title(clean_text(raw.og_title), OG_TITLE)]
    page += [Title(strip_site_suffix(raw.html_title or ""), HTML_TITLE)]
    found = [t for t in page if _names_a_page(t.text, labels)]
    listing = clean_text(raw.listing_text)
    if _is_title_text(listing, labels):
        found.append(Title(listing, LISTING))
    line = clean_text(first_line)
    if line and len(line) <= _MAX_TITLE_CHARS:
        found.append(Title(line, BODY))
    return found


def _labels_of(link_labels: Collection[str]) -> frozenset[str]:
    return frozenset(clean_text(label).casefold() for label in link_labels)


def _names_a_page(text: str, labels: frozenset[str]) -> bool:
    """Not empty, not the centre's name, not one of the page's menu labels, no markup."""
    return (
        bool(text)
        and not _is_site_name(text)
        and text.casefold() not in labels
        and not shows_markup(text)
    )


def shows_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag (``_TAG``): markup a broken page let into an
    attribute or the ``<title>``, as in ``Title</title> <meta property=``."""
    return any(m[1].lower() in _HTML_ELEMENTS for m in _TAG.finditer(text))


def is_title_text(text: str, link_labels: Collection[str] = ()) -> bool:
    """Whether a link's (clean) text can be a release's title: it names a page
    (``_names_a_page``, with the page's ``link_labels`` as extracted) and is no generic
    ``More>>``."""
    return _is_title_text(text, _labels_of(link_labels))


def _is_title_text(text: str, labels: frozenset[str]) -> bool:
    return _names_a_page(text, labels) and not _GENERIC_LINK.fullmatch(text)


# ``og:title`` and ``<title>`` are filled from one field of the CMS's template: their agreement
# confirms nothing (a section name in both, "News Center", is still a section name).
_ONE_TEMPLATE_FIELD = frozenset({OG_TITLE, HTML_TITLE})


def _independent(a: str, b: str) -> bool:
    """Whether candidates from sources ``a`` and ``b`` confirm each other."""
    return a != b and {a, b} != _ONE_TEMPLATE_FIELD


def choose_title(raw: RawArticle, first_line: str = "") -> Title | None:
    """The release's title and its source, from agreeing candidates (``title_candidates``).

    A candidate of the page or the listing that another candidate of a different source
    confirms wins, in order of trust; a cut-short candidate is completed from whichever
    candidate holds its full form (and the title's source is the one that held it). With no
    confirmation, the first of the page's own candidates wins, then the listing's text. The
    body's first line only confirms or completes: alone it is body text, not a title.
    """
    candidates = title_candidates(raw, first_line)
    choices = [c for c in candidates if c.source != BODY]
    for choice in choices:
        full = complete(choice, candidates)
        if any(
            _independent(other.source, choice.source)
            and (other.agrees_with(choice) or other.agrees_with(full))
            for other in candidates
        ):
            return full
    return complete(choices[0], candidates) if choices else None


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
    """Whether a line (``clean_text``'s) is furniture: header and footer links, copyright, the
    Public Time/Origin line, photo markers."""
    if not line or _PHOTO_MARKER.match(line):
        return True
    if len(line) > _MAX_FURNITURE_LINE:
        return False
    items = [item.casefold() for item in _NAV_SEPARATOR.split(line)]
    if all(item in _NAV_ITEMS for item in items):
        return True
    label = LABEL.match(line)
    return bool(_COPYRIGHT.match(line) or (label and is_field_label(label["name"])))


def content_lines(paragraphs: list[str] | tuple[str, ...]) -> list[str]:
    """The page's lines cleaned (``clean_text``), furniture and empty lines gone."""
    return [p for p in map(clean_text, paragraphs) if not is_furniture(p)]


def body_lines(lines: list[str], title: str | None, labels: Collection[str] = ()) -> list[str]:
    """The body: ``content_lines`` without the ones before the text that only repeat the
    title (whole or cut short), name a section of the site (one of the page's link
    ``labels``, such as what is left of a breadcrumb trail) or only give a date (a dateline
    with no label)."""
    names = {clean_text(label).casefold() for label in labels}
    heading = Title(title, BODY) if title else None
    start = 0
    for line in lines:
        repeats = heading is not None and (
            _same_text(line, heading.text) or Title(line, BODY).completed_by(heading)
        )
        if not repeats and line.casefold() not in names and not _is_date_line(line):
            break
        start += 1
    return lines[start:]


MAX_DATE_LINE = 40  # a date alone on its line, with a time perhaps; longer is text


def _is_date_line(line: str) -> bool:
    """Whether a line is a date and nothing else (``2025-02-11``, ``11 February 2025``,
    ``2025年2月11日 10:30``): no letters besides the date's own."""
    text = clean_text(line)
    if len(text) > MAX_DATE_LINE or parse_date(text) is None:
        return False
    found = _ISO_DATE.search(text) or _ENGLISH_DATE.match(text)
    if found is None:
        return False
    rest = (text[: found.start()] + text[found.end() :]).replace("日", "")
    return not re.search(r"[^\W\d_]", rest)


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()


# No release of the site is older than this: an earlier date is a CMS's unset value printed as
# a date (the Unix epoch, 1970-01-01 08:00:00 in China time; 1900-01-01), not a publication.
EARLIEST_PLAUSIBLE_DATE = "1990-01-01"


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
