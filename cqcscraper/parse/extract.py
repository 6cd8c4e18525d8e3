"""Article page -> raw fields. Pure: a string of HTML and its URL in, plain data out.

The live markup is not known and drifts, so every field is found by what a reader sees:

- the page is read as *blocks* (``blocks``), the lines a browser would show (paragraphs,
  table cells, runs of text between ``<br>``), with inline markup joined, so a label split
  across ``<span>`` elements reads as one line;
- the body is the deepest container that holds most of the page's prose (no class of the
  site's CMS is looked for);
- ``Public Time`` and ``Origin`` are found by their label text on a short line, wherever the
  line stands; a label alone on its line takes the next line as its value;
- title candidates are kept in order of trust (heading, ``og:title``, ``<title>``) and
  chosen in ``normalize``, together with the evidence the crawl carried (the text of the
  listing link that led to the page) and the texts of the page's links to other pages (its
  menus and section labels, which are never a title);
- page *furniture* (``furniture``) is recognised by what it is to a reader, not by its
  classes: blocks inside ``aside``/``nav``/``menu`` (or ARIA navigation, complementary,
  banner, contentinfo or search roles), a page-level ``header``/``footer``, and *link boxes*
  (an element holding two or more links, mostly link text and no prose: related and
  latest-news boxes, share bars, section lists, previous/next links). No furniture joins the
  body, and no heading inside furniture, right before a link box, or after the body's first
  paragraph is a title candidate.

What the page links (its images, documents and menu labels) is ``linked``'s. Nothing here
cleans text beyond joining it: that is ``normalize``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from parsel.selector import create_root_node

from cqcscraper.parse.blocks import (
    BLOCK_TAGS,
    CONTAINER_TAGS,
    Block,
    Totals,
    left_out_prose,
    read_blocks,
)
from cqcscraper.parse.dates import DATE_IN_TEXT
from cqcscraper.parse.furniture import Furniture, side_columns
from cqcscraper.parse.linked import MAX_LABEL_CHARS, attachments, images, link_labels, links_to_site

# The labels of a page's info line, as sites write them: the one table of them. A date's
# (``Public Time``, ``Published``, ``Publication Date``, ``Date of Publication``, ``Release
# Date``/``Time``, ``Released``, ``Posted on``, ``发布时间``, ``发布日期``, ``发表时间``,
# ``发文日期``), an origin's (``Origin``, ``Source``, ``Source of Information``, ``来源``,
# ``出处``), and others a line may hold. A bare ``Date:``, ``Time:`` or ``From:`` is not here:
# ordinary lines of a text start so too ("Date: 5 March, Venue: ...").
_DATE_NAMES = [
    r"Public\s*Time", r"Publish(?:ed)?(?:\s*(?:Time|Date|on))?", r"Publication\s*(?:Date|Time)",
    r"Date\s*(?:of\s*(?:Publication|Release|Issue)|Published|Released)",
    r"Release\s*(?:Date|Time)", r"Released(?:\s*on)?", r"Posted(?:\s*(?:on|at))?",
    "发布时间", "发布日期", "发表(?:时间|日期)", "发文(?:时间|日期)",
]  # fmt: skip
_ORIGIN_NAMES = [
    r"Origin",
    r"Source(?:\s*of\s*(?:Information|the\s*News|News))?",
    "Publisher",
    "来源",
    "出处",
]
# When the page was changed: no date of the release (the date after it is nobody's).
_UPDATE_NAMES = [
    r"Last\s*Updated(?:\s*on)?", r"Updated(?:\s*on)?", r"Last\s*Modified(?:\s*on)?",
    r"Modified(?:\s*on)?", "更新时间", "更新日期", "修改时间",
]  # fmt: skip
_OTHER_NAMES = ["Views", "Clicks", "Hits", "Author", "Editor", "浏览次数", "作者", *_UPDATE_NAMES]
# On a line that holds a label (an *info line*), a bare ``Date:`` or ``Time:`` labels a value
# too: it ends the value before it ("Source: CQC Date: 2025-05-20"); the date after it is the
# line's unlabelled date.
_BARE_DATE_NAMES = ["Date", "Time", "日期", "时间"]


def _label_pattern(names: list[str]) -> re.Pattern[str]:
    """A label of ``names`` (each starting with a letter of its own) and its colon. A
    lookahead for the letters a name starts with lets the search skip every other place of
    a line at once (a line's search was 4.7 us, where it is 1.1)."""
    starts = "".join(sorted({name[0].lower() for name in names}))
    alternatives = "|".join(names)
    return re.compile(rf"(?=[{starts}])(?P<name>{alternatives})\s*[:：]", re.IGNORECASE)


LABEL = _label_pattern([*_DATE_NAMES, *_ORIGIN_NAMES, *_OTHER_NAMES])
_INFO_LABEL = _label_pattern([*_DATE_NAMES, *_ORIGIN_NAMES, *_OTHER_NAMES, *_BARE_DATE_NAMES])
_BARE_DATE_LABEL = re.compile(rf"(?:{'|'.join(_BARE_DATE_NAMES)})\s*[:：]\s*", re.IGNORECASE)
DATE_LABELS = re.compile(r"public|publish(?!er)|release|posted|issue|发布|发表|发文", re.IGNORECASE)
ORIGIN_LABELS = re.compile(r"origin|source|publisher|来源|出处", re.IGNORECASE)
UPDATE_LABELS = re.compile("|".join(_UPDATE_NAMES), re.IGNORECASE)
# A value also ends where a separator or a widget of the same line starts ("Source: Xinhua |
# Print", "来源：国家认监委 【字体：大 中 小】").
_VALUE_END = re.compile(r"\s[|｜]|[|｜]\s|【|\s\[")
# What stands between an info line's leading date and its first label, or ends an origin's
# value before a date ("2025-05-20 | Source: CQC", "Source: CQC, 2025-05-20").
_SEPARATORS = " \t|｜/·,\uff0c、;\uff1b-—"  # fullwidth comma and semicolon too


# An info line is short; a body paragraph that happens to say "Source:" is not one.
MAX_INFO_LINE = 200


def info_label(text: str) -> re.Match[str] | None:
    """The label a line starts with, if any: at its start or after a date (with a bare
    ``Date:`` or ``Time:`` perhaps) and separators ("2025-05-20 | Source: CQC", "Time：
    2025-05-20 Source：CQC"), on a line as ``clean_text`` leaves it."""
    found = LABEL.match(text)
    bare = _BARE_DATE_LABEL.match(text)
    if found is None and (date := DATE_IN_TEXT.match(text, bare.end() if bare else 0)):
        start = date.end()
        while start < len(text) and text[start] in _SEPARATORS:
            start += 1
        found = LABEL.match(text, start)
    return found


def is_field_label(name: str) -> bool:
    """Whether a label names a field of the record (its date or origin)."""
    return bool(DATE_LABELS.search(name) or ORIGIN_LABELS.search(name))


def is_info_line(text: str) -> bool:
    """Whether a line (as ``clean_text`` leaves it) is an info line, no body: short, starting
    with a label (``info_label``), and naming a field of the record or showing a date
    ("Source: Xinhua", "Views: 12 | Source: CQC", "Author: Li Date: 2025-05-20")."""
    if len(text) > MAX_INFO_LINE or info_label(text) is None:
        return False
    return any(is_field_label(found["name"]) for found in LABEL.finditer(text)) or bool(
        DATE_IN_TEXT.search(text)
    )


# The body is the deepest container holding at least this share of the page's prose.
BODY_SHARE = 0.75

# Compiled once: lxml XPath objects on the parsed tree, with no parsel wrapper per node.
_HEADING_TEXT = etree.XPath(".//text()[not(ancestor::script)]")
# The article's date as a machine reads it: a <time datetime> that is not an item of a list of
# links (a "related news" box dates its entries too).
_ARTICLE_TIME = etree.XPath("//time[not(ancestor::a) and not(ancestor::li)]/@datetime")


@dataclass(frozen=True)
class RawArticle:
    """Fields as the page shows them, before any clean-up."""

    url: str
    headings: tuple[str, ...]
    og_title: str | None
    html_title: str | None
    public_time: str | None
    origin: str | None
    paragraphs: tuple[str, ...]
    images: tuple[str, ...]
    # Evidence the crawl carried: the text of the listing link that led to this page.
    listing_text: str | None = None
    # Texts of the page's links to pages that are not articles (menus, breadcrumbs, section
    # lists): a candidate equal to one of them is a label, not a title.
    link_labels: tuple[str, ...] = ()
    # The body's links to documents ``(url, link text)`` in page order (``media``).
    attachments: tuple[tuple[str, str], ...] = ()
    # Whether the page links to another page of the site, as every page of its template does
    # (a challenge, proxy or CDN error page does not: ``evidence``).
    site_links: bool = True


def extract(html: str, url: str, *, listing_text: str | None = None) -> RawArticle:
    """Raw fields of an article page. ``url`` is the base for relative image links;
    ``listing_text`` is the text of the listing link the crawl followed to it, if any."""
    # Parsed as parsel (and so Scrapy) parses HTML, but into plain lxml elements: lxml.html's
    # element classes cost a lookup on every node visited.
    root = create_root_node(html or "<html></html>", etree.HTMLParser)
    if not _is_element(root):
        return RawArticle(url, (), None, None, None, None, (), (), listing_text)
    blocks, totals, landmarks = read_blocks(root)
    furniture = Furniture(totals, landmarks)
    # Headings in order of trust: every <h1> first, then the <h2>, <h3> and elements of class
    # ``title`` in document order.
    heading_nodes = landmarks.h1 + landmarks.headings
    headings = [node for node in heading_nodes if not furniture.holds(node)]
    furniture.add(side_columns(headings, blocks, totals, furniture))
    container = _body_container(root, blocks, totals, furniture)
    kept = _body_blocks(blocks, container, furniture)
    body = [b for b, keep in zip(blocks, kept, strict=True) if keep]
    public_time, origin = _labels(blocks)
    if public_time is None:  # no label: the article's own <time datetime>, if it has one
        public_time = _first(_ARTICLE_TIME(root))
    return RawArticle(
        url=url,
        headings=tuple(_headings(heading_nodes, blocks, kept, furniture)),
        og_title=landmarks.og_title,
        html_title=landmarks.title,
        public_time=public_time,
        origin=origin,
        paragraphs=tuple(b.text for b in body),
        images=tuple(images(container, url, furniture)) if container is not None else (),
        listing_text=listing_text,
        link_labels=tuple(link_labels(landmarks, url)),
        attachments=tuple(attachments(container, url)) if container is not None else (),
        site_links=links_to_site(landmarks.links, url),
    )


def _first(found: list) -> str | None:
    return str(found[0]) if found else None


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _within(node: etree._Element, container: etree._Element) -> bool:
    return node is container or any(a is container for a in node.iterancestors())


def _body_container(
    root: etree._Element,
    blocks: list[Block],
    totals: dict[etree._Element, Totals],
    furniture: Furniture,
) -> etree._Element | None:
    """The body's container: the deepest of ``CONTAINER_TAGS`` that holds ``BODY_SHARE`` of
    the prose that can be the body's. (A CMS's body classes, ``div.TRS_Editor``, were tried
    first: they found the same container on every page, slower than this.)"""
    # Each element's share of the body's prose: the prose it holds (the walk's totals) less
    # that of the prose lines that cannot be the body's (a heading, an info line, furniture).
    left_out = left_out_prose(blocks, lambda block: not _body_prose(block, furniture))
    total = totals[root][3] - left_out.get(root, 0) if root in totals else 0
    if total <= 0:
        return None
    holders = [
        node
        for node, held in totals.items()
        if node.tag in CONTAINER_TAGS and held[3] - left_out.get(node, 0) >= BODY_SHARE * total
    ]
    if not holders:  # the prose lies in no container (text straight under <html>)
        return None
    return max(holders, key=lambda node: sum(1 for _ in node.iterancestors()))


def _body_prose(block: Block, furniture: Furniture) -> bool:
    """Prose that can be the body's: not a heading (the title is no body text), not an info
    line (``Public Time: ...``), not in furniture."""
    if not block.prose:
        return False
    tag = block.owner.tag.lower() if isinstance(block.owner.tag, str) else ""
    if tag in HEADING_TAGS:
        return False
    text = block.text.strip()
    if len(text) <= MAX_INFO_LINE and info_label(text):
        return False
    return not furniture.holds(block.owner)


def _labels(blocks: list[Block]) -> tuple[str | None, str | None]:
    """The values of the first date and origin labels on an *info line*: a short line that
    holds a label. With no date label, the first date an info line shows without one
    ("2025-05-20 | Source: CQC", "来源：CQC 2025-05-20", "Author: Li Date: 2025-05-20"), but
    for one an update's label gives ("Updated: ..."). An origin's value ends where a date
    starts."""
    public_time = origin = None
    dated: list[str] = []  # each info line, less what an update's label says
    for index, block in enumerate(blocks):
        if ":" not in block.text and "：" not in block.text:
            continue  # no label here (every label ends with a colon)
        text = " ".join(block.text.split())
        if len(text) > MAX_INFO_LINE or not LABEL.search(text):
            continue
        matches = list(_INFO_LABEL.finditer(text))
        line = text
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            if UPDATE_LABELS.fullmatch(match.group("name")):
                line = line[: match.start()] + " " * (end - match.start()) + line[end:]
            value = _VALUE_END.split(text[match.end() : end], 1)[0].strip()
            if not value and i + 1 == len(matches) and index + 1 < len(blocks):
                value = " ".join(blocks[index + 1].text.split())
            name = match.group("name")
            if DATE_LABELS.search(name):
                if public_time is None:
                    public_time = value
            elif origin is None and ORIGIN_LABELS.search(name):
                if (date := DATE_IN_TEXT.search(value)) is not None:
                    value = value[: date.start()].rstrip(_SEPARATORS)
                origin = value
        dated.append(line)
    if public_time is None:  # searched only then: most pages label their date
        found = (DATE_IN_TEXT.search(line) for line in dated)
        public_time = next((date.group() for date in found if date is not None), None)
    return public_time, origin


def _body_blocks(
    blocks: list[Block], container: etree._Element | None, furniture: Furniture
) -> list[bool]:
    """Which blocks are the body's: inside the container, not furniture, and not the heading
    of a box that follows it (``<h3>Related</h3><ul>...</ul>``)."""
    if container is None:
        return [False] * len(blocks)
    boxed = [furniture.holds(b.owner) for b in blocks]
    kept = []
    for index, block in enumerate(blocks):
        keep = not boxed[index] and _within(block.owner, container)
        if keep and index + 1 < len(blocks) and boxed[index + 1] and _box_heading(block):
            keep = False
        kept.append(keep)
    return kept


def _box_heading(block: Block) -> bool:
    """A short line that reads as the heading of what follows it."""
    text = block.text.strip()
    if block.prose or len(text) > MAX_LABEL_CHARS:
        return False
    tag = block.owner.tag.lower() if isinstance(block.owner.tag, str) else ""
    return tag in HEADING_TAGS or text.endswith((":", "："))


HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6 dt caption legend".split())


def _headings(
    heading_nodes: list[etree._Element],
    blocks: list[Block],
    kept: list[bool],
    furniture: Furniture,
) -> Iterator[str]:
    """The page's own headings (of ``heading_nodes``, in their order of trust): before the
    body's first paragraph, in no furniture, heading no link box."""
    nodes = [
        node
        for node in heading_nodes
        if not furniture.holds(node) and not furniture.heads_a_box(node)
    ]
    in_heading = {n for node in nodes for n in node.iter()}  # a long heading is not prose
    first_prose = next(
        (
            index
            for index, (block, keep) in enumerate(zip(blocks, kept, strict=True))
            if keep and block.prose and block.owner not in in_heading
        ),
        len(blocks),
    )
    lead_owners = {block.owner for block in blocks[:first_prose]}
    for node in nodes:
        if _leads(node, lead_owners):
            text = " ".join(map(str, _HEADING_TEXT(node)))
            if text.strip():
                yield text


def _leads(node: etree._Element, lead_owners: set[etree._Element]) -> bool:
    """Whether the text of ``node`` stands before the body's first paragraph."""
    if node in lead_owners or any(d in lead_owners for d in node.iterdescendants()):
        return True
    for ancestor in node.iterancestors():  # an inline heading: its line's owner decides
        if isinstance(ancestor.tag, str) and ancestor.tag.lower() in BLOCK_TAGS:
            return ancestor in lead_owners
    return False
