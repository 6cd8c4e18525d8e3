"""Article page -> raw fields. Pure: a string of HTML and its URL in, plain data out.

The live markup is not known and drifts, so every field is found by what a reader sees:

- the page is read as *blocks*, the lines a browser would show (paragraphs, table cells,
  runs of text between ``<br>``), with inline markup joined, so a label split across
  ``<span>`` elements reads as one line;
- the body is the deepest container that holds most of the page's prose; a few selectors of
  the site's CMS are tried first only because they are faster;
- ``Public Time`` and ``Origin`` are found by their label text on a short line, wherever the
  line stands; a label alone on its line takes the next line as its value;
- title candidates are kept in order of trust (heading, ``og:title``, ``<title>``) and
  chosen in ``normalize``, together with the evidence the crawl carried (the text of the
  listing link that led to the page) and the texts of the page's links to other pages (its
  menus and section labels, which are never a title);
- page *furniture* is recognised by what it is to a reader, not by its classes: blocks inside
  ``aside``/``nav``/``menu`` (or ARIA navigation, complementary, banner, contentinfo or search
  roles), a page-level ``header``/``footer``, and *link boxes* (an element holding two or more
  links, mostly link text and no prose: related and latest-news boxes, share bars, section
  lists, previous/next links). No furniture joins the body, and no heading inside furniture,
  right before a link box, or after the body's first paragraph is a title candidate.

Nothing here cleans text beyond joining it: that is ``normalize``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from parsel.csstranslator import HTMLTranslator
from parsel.selector import create_root_node

from cqcscraper.parse import media, urls

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
SKIP_TAGS = frozenset("head script style noscript template select button iframe svg".split())
# Elements that can hold an article body.
CONTAINER_TAGS = frozenset("article body div main section td".split())
# Fast first try: body containers of the site's CMS (TRS WCM) and of common templates.
BODY_SELECTORS = ("div.TRS_Editor", "div#zoom", "article div.content", "div.article-content")
# Headings in order of trust: every <h1> first, then the rest in document order.
HEADING_XPATHS = (
    "//h1",
    "//h2 | //h3 | //*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]",
)

# The labels of a page's info line, as sites write them: the one table of them. A date's
# (``Public Time``, ``Published``, ``Release Date``/``Time``, ``Released``, ``Posted on``,
# ``发布时间``, ``发布日期``), an origin's
# (``Origin``, ``Source``, ``来源``, ``出处``), and others a line may hold. A bare ``Date:`` or
# ``From:`` is not here: ordinary lines of a text start so too ("Date: 5 March, Venue: ...").
LABEL = re.compile(
    r"(?P<name>Public\s*Time|Publish(?:ed)?(?:\s*(?:Time|Date|on))?|Release\s*(?:Date|Time)"
    r"|Released(?:\s*on)?|Posted(?:\s*(?:on|at))?"
    r"|发布时间|发布日期|Origin|Source|来源|出处"
    r"|Views|Clicks|Hits|Author|Editor|浏览次数|作者)\s*[:：]",
    re.IGNORECASE,
)
DATE_LABELS = re.compile(r"public|publish|release|posted|发布", re.IGNORECASE)
ORIGIN_LABELS = re.compile(r"origin|source|来源|出处", re.IGNORECASE)
# A value also ends where a separator or a widget of the same line starts ("Source: Xinhua |
# Print", "来源：国家认监委 【字体：大 中 小】").
_VALUE_END = re.compile(r"\s[|｜]|[|｜]\s|【|\s\[")


def is_field_label(name: str) -> bool:
    """Whether a label names a field of the record (its date or origin): its line is no body."""
    return bool(DATE_LABELS.search(name) or ORIGIN_LABELS.search(name))


# An info line is short; a body paragraph that happens to say "Source:" is not one.
MAX_INFO_LINE = 200
# A block counts as prose when it is this long and mostly not link text.
MIN_PROSE_CHARS = 20
# Furniture by what it is: navigation and complementary content, by tag or ARIA role. A
# ``header``/``footer`` is furniture only at page level: inside an article it is the
# article's own (``<article><header><h1>``).
FURNITURE_TAGS = frozenset("aside nav menu".split())
FRAME_TAGS = frozenset("header footer".split())
SECTIONING_TAGS = frozenset("article main section".split())
FURNITURE_ROLES = frozenset(
    "navigation complementary banner contentinfo search menu menubar".split()
)
# A link box holds at least this many links ...
LINK_BOX_LINKS = 2
# ... and at least this share of its text is link text (and none of it is prose).
LINK_BOX_SHARE = 0.5
# A link label longer than this is a headline, not a menu or section label.
MAX_LABEL_CHARS = 60
# The body is the deepest container holding at least this share of the page's prose.
BODY_SHARE = 0.75

# Compiled once: lxml XPath objects on the parsed tree, with no parsel wrapper per node.
_HEADINGS = tuple(etree.XPath(xpath) for xpath in HEADING_XPATHS)
_HEADING_TEXT = etree.XPath(".//text()[not(ancestor::script)]")
_OG_TITLE = etree.XPath('//meta[@property="og:title"]/@content')
_TITLE = etree.XPath("//title/text()")
# The article's date as a machine reads it: a <time datetime> that is not an item of a list of
# links (a "related news" box dates its entries too).
_ARTICLE_TIME = etree.XPath("//time[not(ancestor::a) and not(ancestor::li)]/@datetime")
_BODIES = tuple(etree.XPath(HTMLTranslator().css_to_xpath(css)) for css in BODY_SELECTORS)


@dataclass(frozen=True)
class Block:
    """One visible line of the page: its text, the block element that holds it, and how much
    of it is link text (in how many links)."""

    text: str
    owner: etree._Element
    link_chars: int
    links: int = 0
    # Its length when it reads as prose (long enough, mostly not link text), else 0.
    prose: int = field(init=False)

    def __post_init__(self) -> None:
        size = len(self.text.strip())
        prose = size if size >= MIN_PROSE_CHARS and self.link_chars * 2 < size else 0
        object.__setattr__(self, "prose", prose)  # computed once: it is read on every pass


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


def extract(
    html: str, url: str, *, listing_text: str | None = None, fast_path: bool = True
) -> RawArticle:
    """Raw fields of an article page. ``url`` is the base for relative image links;
    ``listing_text`` is the text of the listing link the crawl followed to it, if any.

    ``fast_path=False`` skips the CMS selectors and uses only the layout-independent rules
    (the tests run both ways, so the fallback is proven on every fixture).
    """
    # Parsed as parsel (and so Scrapy) parses HTML, but into plain lxml elements: lxml.html's
    # element classes cost a lookup on every node visited.
    root = create_root_node(html or "<html></html>", etree.HTMLParser)
    if not _is_element(root):
        return RawArticle(url, (), None, None, None, None, (), (), listing_text)
    blocks = list(_blocks(root))
    furniture = _Furniture(root, blocks)
    furniture.add(_side_columns(root, blocks, furniture))
    container = _body_container(root, blocks, fast_path, furniture)
    kept = _body_blocks(blocks, container, furniture)
    body = [b for b, keep in zip(blocks, kept, strict=True) if keep]
    public_time, origin = _labels(blocks)
    if public_time is None:  # no label: the article's own <time datetime>, if it has one
        public_time = _first(_ARTICLE_TIME(root))
    return RawArticle(
        url=url,
        headings=tuple(_headings(root, blocks, kept, furniture)),
        og_title=_first(_OG_TITLE(root)),
        html_title=_first(_TITLE(root)),
        public_time=public_time,
        origin=origin,
        paragraphs=tuple(b.text for b in body),
        images=tuple(_images(container, url, furniture)) if container is not None else (),
        listing_text=listing_text,
        link_labels=tuple(_link_labels(root, url)),
        attachments=tuple(_attachments(container, url)) if container is not None else (),
        site_links=_links_to_site(root, url),
    )


def _first(found: list) -> str | None:
    return str(found[0]) if found else None


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _blocks(root: etree._Element) -> Iterator[Block]:
    """The visible lines of the page in document order (iterative: deep markup is safe)."""
    parts: list[str] = []
    link_chars = 0
    link_count = 0  # <a> elements started in this block
    owners: list[etree._Element] = [root]
    links = 0  # depth of <a> elements we are inside

    def end_block() -> Iterator[Block]:
        nonlocal link_chars, link_count
        text = "".join(parts)
        if text.strip():
            yield Block(text, owners[-1], link_chars, link_count)
        parts.clear()
        link_chars = link_count = 0

    def add(text: str | None) -> None:
        nonlocal link_chars, link_count
        if text:
            parts.append(text)
            if links:
                link_chars += len(text.strip())

    # An explicit stack, not recursion: deeply nested markup cannot overflow it. An entry is
    # (element, closing): the element's start, or its end (then its tail text follows).
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if closing:
            if tag in BLOCK_TAGS:
                yield from end_block()
                owners.pop()
            elif tag == "a":
                links -= 1
        elif tag and tag not in SKIP_TAGS:
            if tag == "br" or tag in BLOCK_TAGS:
                yield from end_block()
            if tag in BLOCK_TAGS:
                owners.append(el)
            if tag == "a":
                links += 1
                link_count += 1
            add(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
            continue
        # Ended, skipped (script, style) or not an element (a comment): its tail is still text.
        if el is not root:
            add(el.tail)
    yield from end_block()


def _within(node: etree._Element, container: etree._Element) -> bool:
    return node is container or any(a is container for a in node.iterancestors())


def _body_container(
    root: etree._Element, blocks: list[Block], fast_path: bool, furniture: _Furniture
) -> etree._Element | None:
    if fast_path:
        for xpath in _BODIES:
            for found in xpath(root):
                if any(b.prose and _within(b.owner, found) for b in blocks):
                    return found
    scores: dict[etree._Element, int] = {}
    total = 0
    for block in blocks:
        if not _body_prose(block, furniture):
            continue
        total += block.prose
        for node in (block.owner, *block.owner.iterancestors()):
            if node.tag in CONTAINER_TAGS:
                scores[node] = scores.get(node, 0) + block.prose
    holders = [node for node, score in scores.items() if score >= BODY_SHARE * total]
    if not holders:
        return None
    return max(holders, key=lambda node: sum(1 for _ in node.iterancestors()))


def _body_prose(block: Block, furniture: _Furniture) -> bool:
    """Prose that can be the body's: not a heading (the title is no body text), not an info
    line (``Public Time: ...``), not in furniture."""
    if not block.prose:
        return False
    tag = block.owner.tag.lower() if isinstance(block.owner.tag, str) else ""
    if tag in HEADING_TAGS:
        return False
    text = block.text.strip()
    if len(text) <= MAX_INFO_LINE and LABEL.match(text):
        return False
    return not furniture.holds(block.owner)


def _labels(blocks: list[Block]) -> tuple[str | None, str | None]:
    """The text after the first ``Public Time`` and ``Origin`` labels on a short line."""
    public_time = origin = None
    for index, block in enumerate(blocks):
        if ":" not in block.text and "：" not in block.text:
            continue  # no label here (every label ends with a colon)
        text = " ".join(block.text.split())
        if len(text) > MAX_INFO_LINE:
            continue
        matches = list(LABEL.finditer(text))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = _VALUE_END.split(text[match.end() : end], 1)[0].strip()
            if not value and i + 1 == len(matches) and index + 1 < len(blocks):
                value = " ".join(blocks[index + 1].text.split())
            name = match.group("name")
            if public_time is None and DATE_LABELS.search(name):
                public_time = value
            elif origin is None and ORIGIN_LABELS.search(name):
                origin = value
    return public_time, origin


class _Furniture:
    """Which elements of a page are furniture: navigation, complementary boxes, page frame."""

    def __init__(self, root: etree._Element, blocks: list[Block]) -> None:
        totals: dict[etree._Element, list[int]] = {}  # chars, link chars, links, prose
        for block in blocks:
            size = len(block.text.strip())
            for node in (block.owner, *block.owner.iterancestors()):
                total = totals.get(node)
                if total is None:
                    total = totals[node] = [0, 0, 0, 0]
                total[0] += size
                total[1] += block.link_chars
                total[2] += block.links
                total[3] += block.prose
        self.boxes = {
            node
            for node, (chars, link_chars, links, prose) in totals.items()
            if links >= LINK_BOX_LINKS and not prose and link_chars >= LINK_BOX_SHARE * chars
        }
        self.boxes.update(_link_lists(root))
        self._held: dict[etree._Element, bool] = {}

    def add(self, nodes: Iterator[etree._Element]) -> None:
        """More furniture (side columns, found once boxes are known)."""
        self.boxes.update(nodes)
        self._held.clear()

    def _marks_furniture(self, node: etree._Element) -> bool:
        if node in self.boxes:
            return True
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in FURNITURE_TAGS:
            return True
        if (node.get("role") or "").strip().lower() in FURNITURE_ROLES:
            return True
        return tag in FRAME_TAGS and not any(
            isinstance(a.tag, str) and a.tag.lower() in SECTIONING_TAGS
            for a in node.iterancestors()
        )

    def holds(self, node: etree._Element) -> bool:
        """Whether ``node`` is furniture or lies inside furniture (iterative, cached)."""
        path: list[etree._Element] = []
        current: etree._Element | None = node
        found = False
        while current is not None:
            cached = self._held.get(current)
            if cached is not None:
                found = cached
                break
            path.append(current)
            if self._marks_furniture(current):
                found = True
                break
            current = current.getparent()
        for seen in path:
            self._held[seen] = found
        return found

    def heads_a_box(self, node: etree._Element) -> bool:
        """Whether a link box follows ``node`` (or the wrapper that holds only ``node``)."""
        for _ in range(3):
            following = node.getnext()
            while following is not None and not isinstance(following.tag, str):
                following = following.getnext()
            if following is not None:
                return following in self.boxes
            parent = node.getparent()
            if parent is None or len(parent) != 1:
                return False
            node = parent
        return False


def _side_columns(
    root: etree._Element, blocks: list[Block], furniture: _Furniture
) -> Iterator[etree._Element]:
    """Columns beside the article's: an element that holds a link box and prose but no heading
    of the page, next to one that holds a heading and the article's prose (a sidebar whose
    panels have a paragraph of their own, such as *About us*, besides its links)."""
    headings = {n for xpath in _HEADINGS for n in xpath(root) if not furniture.holds(n)}
    if not headings:
        return
    prose_of: dict[etree._Element, int] = {}
    for block in blocks:
        if block.prose and not furniture.holds(block.owner):
            prose_of[block.owner] = prose_of.get(block.owner, 0) + block.prose
    prose_owners = set(prose_of)
    link_boxes = furniture.boxes

    def holds(node: etree._Element, found: set[etree._Element]) -> bool:
        return node in found or any(d in found for d in node.iterdescendants())

    def prose_in(node: etree._Element) -> int:
        return sum(prose_of.get(n, 0) for n in (node, *node.iterdescendants()))

    seen: set[etree._Element] = set()
    for heading in headings:
        for branch in heading.iterancestors():
            parent = branch.getparent()
            if parent is None or not holds(branch, prose_owners):
                continue
            branch_prose = prose_in(branch)
            for side in parent:
                if side is branch or side in seen or not isinstance(side.tag, str):
                    continue
                seen.add(side)
                if (
                    holds(side, link_boxes)
                    and holds(side, prose_owners)
                    and not holds(side, headings)
                    # the article's is the column with more prose (a box's own long heading
                    # makes no column the article's)
                    and prose_in(side) < branch_prose
                ):
                    yield side
            break  # the nearest branch that holds prose decides


_LISTS = etree.XPath("//ul | //ol")
_ITEM_TEXT = etree.XPath("string()")
_ITEM_LINKS = etree.XPath(".//a")


def _link_lists(root: etree._Element) -> Iterator[etree._Element]:
    """Lists whose items are links but one at most (a breadcrumb trail ends on the page's own
    unlinked name; a menu or a related list links every item): navigation, not text."""
    for listing in _LISTS(root):
        items = [item for item in listing if isinstance(item.tag, str) and item.tag == "li"]
        if len(items) < 2:
            continue
        linked = 0
        for item in items:
            text = " ".join(str(_ITEM_TEXT(item)).split())
            link_text = " ".join(" ".join(str(_ITEM_TEXT(a)) for a in _ITEM_LINKS(item)).split())
            if text and len(link_text) * 2 >= len(text):
                linked += 1
        if linked >= len(items) - 1 and linked >= 2:
            yield listing


def _body_blocks(
    blocks: list[Block], container: etree._Element | None, furniture: _Furniture
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
    root: etree._Element, blocks: list[Block], kept: list[bool], furniture: _Furniture
) -> Iterator[str]:
    """The page's own headings: before the body's first paragraph, in no furniture, heading
    no link box."""
    nodes = [
        node
        for xpath in _HEADINGS
        for node in xpath(root)
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


_LINKS = etree.XPath("//a[@href]")
_LINK_TEXT = etree.XPath("string()")


# Every article URL ends in its numeric id and .shtml; a link without that is no article link.
_ARTICLE_HINT = re.compile(r"\d\.shtml")


def _link_labels(root: etree._Element, base_url: str) -> Iterator[str]:
    """Texts of links to pages that are not articles: menus, breadcrumbs, section lists."""
    seen = set()
    for link in _LINKS(root):
        text = " ".join(str(_LINK_TEXT(link)).split())
        if not text or len(text) > MAX_LABEL_CHARS or text in seen:
            continue
        href = (link.get("href") or "").strip()
        if _ARTICLE_HINT.search(href):  # perhaps an article link: resolve it to be sure
            target = urls.join(base_url, href)
            if target is None or urls.article_ref(target) is not None:
                continue
        if href:
            seen.add(text)
            yield text


_NOT_A_PAGE = ("#", "javascript:", "mailto:", "tel:", "data:")


def _links_to_site(root: etree._Element, url: str) -> bool:
    """Whether any link leads to another page of the site (``url``'s, or a relative link)."""
    hosts = urls.same_site_hosts(url)
    for link in _LINKS(root):
        href = (link.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_A_PAGE):
            continue
        target = urls.join(url, href)
        if target and urls.host_of(target) in hosts and target.split("#")[0] != url:
            return True
    return False


# Attributes where lazy-loading scripts keep an image's real address while ``src`` shows a
# placeholder (a spinner, a grey pixel); the first found wins. Any other ``data-`` attribute
# that holds an image's address counts too (a loader this list does not name).
_LAZY_SOURCES = (
    "data-original",
    "data-src",
    "data-lazy-src",
    "data-lazyload",
    "data-actualsrc",
    "data-echo",
    "data-url",
    "data-lazy",
)
_SRCSET_ITEM = re.compile(r"\s*(\S+)(?:\s+(\d+(?:\.\d+)?)([wx]))?\s*(?:,|$)")


def _largest_in_srcset(srcset: str) -> str | None:
    """The largest candidate of a ``srcset`` (by its ``w`` or ``x`` descriptor; none: 1x)."""
    best, size = None, -1.0
    for found in _SRCSET_ITEM.finditer(srcset):
        if found[1] and (value := float(found[2] or 1)) > size:
            best, size = found[1].rstrip(","), value
    return best


def _is_placeholder(img: etree._Element) -> bool:
    """A spacer or tracking pixel (declared 0 or 1 pixel wide or high), or a scripted copy
    of the image a ``<noscript>`` beside it holds."""
    for name in ("width", "height"):
        if (img.get(name) or "").strip() in ("0", "1", "0px", "1px"):
            return True
    following = img.getnext()
    return (
        following is not None
        and following.tag == "noscript"
        and next(following.iter("img"), None) is not None
        and not any(img.get(name) for name in _LAZY_SOURCES)
    )


def _image_source(img: etree._Element) -> str | None:
    """Where an ``<img>`` shows its image from: a lazy loader's attribute, else the largest
    ``srcset`` candidate, else ``src``; None for a placeholder."""
    if _is_placeholder(img):
        return None
    for name in _LAZY_SOURCES:
        if value := (img.get(name) or "").strip():
            return value
    for name, value in img.attrib.items():
        if name.startswith("data-") and "srcset" not in name:
            value = value.strip()
            if " " not in value and media.extension(value) in media.IMAGE_EXTENSIONS:
                return value
    for name in ("data-srcset", "srcset"):
        if largest := _largest_in_srcset(img.get(name) or ""):
            return largest
    return (img.get("src") or "").strip() or None


def _images(container: etree._Element, base_url: str, furniture: _Furniture) -> Iterator[str]:
    seen = set()
    for img in container.iter("img"):
        if furniture.holds(img):
            continue
        src = _image_source(img)
        if not src:
            continue
        url = urls.join(base_url, src)
        if url is None:
            continue
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen.add(url)
            yield url


def _attachments(container: etree._Element, base_url: str) -> Iterator[tuple[str, str]]:
    """The body's links to documents, furniture or not: a list of attachments is a link list,
    but what it links is part of the release (a document is never navigation)."""
    seen = set()
    for link in container.iter("a"):
        href = (link.get("href") or "").strip()
        url = urls.join(base_url, href) if href else None
        if url is None or urlsplit(url).scheme not in ("http", "https"):
            continue
        url = url.split("#", 1)[0]
        text = " ".join("".join(link.itertext()).split()) or (link.get("title") or "").strip()
        if url not in seen and media.is_document_link(url, text):
            seen.add(url)
            yield url, text
