"""A release's title, from agreeing candidates: the page's headings, ``og:title``,
``<title>`` without the site's suffix, the listing's link text, the body's first line. Site and
section names, menu labels, generic link texts and markup a broken page let into text are never
titles (docs/architecture.md, "How fields are found")."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass

from lxml.html import defs

from cqcscraper.parse.extract import RawArticle
from cqcscraper.parse.text import clean_text

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
_CUT_ENDINGS = ("..", "…")  # the endings ELLIPSIS matches


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


def strip_site_suffix(title: str) -> str:
    """``Title -- China Quality Certification Centre`` -> ``Title`` (repeatedly)."""
    title = clean_text(title)
    while (match := _TITLE_SUFFIX.match(title)) and is_site_name(match["site"]):
        title = match["title"]
    return title


@functools.lru_cache(maxsize=1024)
def is_site_name(text: str) -> bool:
    """The centre's name or abbreviation, alone or with the words of the site's furniture
    around it (``CQC English``, ``Home - China Quality Certification Centre``). (Cached: a
    page's heading, ``og:title``, ``<title>`` and listing text are often one text.)"""
    text = clean_text(text)
    if not _CENTRE_NAME.search(text):
        return False
    return _SITE_WORDS.fullmatch(_CENTRE_NAME.sub(" ", text)) is not None


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
        """Cut short with ``...`` or ``…``: what ``ELLIPSIS`` finds, told by the ending alone
        (the pattern's search tries every run of spaces; ``$`` also matches before a final
        newline)."""
        return self.text.removesuffix("\n").endswith(_CUT_ENDINGS)

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
    labels = label_set(raw.link_labels)
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


def label_set(link_labels: Collection[str]) -> frozenset[str]:
    """A page's link labels as its rules compare them (clean, casefolded). The title rules,
    the evidence and the body's first lines each read them: made once a page."""
    return _label_set(tuple(link_labels))


@functools.lru_cache(maxsize=64)
def _label_set(link_labels: tuple[str, ...]) -> frozenset[str]:
    return frozenset(clean_text(label).casefold() for label in link_labels)


def _names_a_page(text: str, labels: frozenset[str]) -> bool:
    """Not empty, not the centre's name, not one of the page's menu labels, no markup."""
    return (
        bool(text)
        and not is_site_name(text)
        and text.casefold() not in labels
        and not shows_markup(text)
    )


@functools.lru_cache(maxsize=1024)
def shows_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag (``_TAG``): markup a broken page let into an
    attribute or the ``<title>``, as in ``Title</title> <meta property=``."""
    return any(m[1].lower() in _HTML_ELEMENTS for m in _TAG.finditer(text))


def is_title_text(text: str, link_labels: Collection[str] = ()) -> bool:
    """Whether a link's (clean) text can be a release's title: it names a page
    (``_names_a_page``, with the page's ``link_labels`` as extracted) and is no generic
    ``More>>``."""
    return _is_title_text(text, label_set(link_labels))


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
