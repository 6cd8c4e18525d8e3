"""An article page as *blocks*: the lines a browser would show (paragraphs, table cells, runs
of text between ``<br>``), inline markup joined, ``<script>``/``<style>`` left out, each with how
much of it is link text. Every rule of ``extract`` reads them. The same walk sums them for each
element (``Totals``: what it holds), which the furniture rules read, and gathers the elements
the page-wide rules look for (``Landmarks``: headings, links, lists, the page's titles) and the
text of every link and list item."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)


# Elements that can hold an article body (or a column of the page).
CONTAINER_TAGS = frozenset("article body div main section td".split())


SKIP_TAGS = frozenset("head script style noscript template select button iframe svg".split())


# A block counts as prose when it is this long and mostly not link text.
MIN_PROSE_CHARS = 20


class Block(NamedTuple):
    """One visible line of the page: its text, the block element that holds it, how much of
    it is link text (in how many links), and its length when it reads as prose (long enough,
    mostly not link text; else 0)."""

    text: str
    owner: etree._Element
    link_chars: int
    links: int
    prose: int


_INLINE, _BLOCK, _LINK, _ITEM = 0, 1, 2, 3  # _ITEM: a list item (a block whose text is kept)
_BLOCKS = (_BLOCK, _ITEM)


# What an element holds, summed over the blocks it owns or holds: characters (stripped), link
# characters, links, prose characters.
Totals = list[int]


# A class attribute that names the class ``title``: the token between XML whitespace, as
# ``contains(concat(' ', normalize-space(@class), ' '), ' title ')`` finds it.
_TITLE_CLASS = re.compile(r"(?:^|[ \t\r\n])title(?:[ \t\r\n]|$)")


@dataclass
class Landmarks:
    """What the page-wide rules look for, in document order, anywhere in the page (in the
    subtrees the blocks skip too), as these XPaths would find it; one walk gathers them all
    (``tests/test_blocks.py`` compares them with the XPaths)."""

    h1: list[etree._Element] = field(default_factory=list)  # //h1
    # //h2 | //h3 | //*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]
    headings: list[etree._Element] = field(default_factory=list)
    links: list[etree._Element] = field(default_factory=list)  # //a[@href]
    lists: list[etree._Element] = field(default_factory=list)  # //ul | //ol
    og_title: str | None = None  # the first of //meta[@property="og:title"]/@content
    title: str | None = None  # the first of //title/text()
    # The text of every <a> and <li> the walk went through, in pieces: ``text`` joins them.
    texts: dict[etree._Element, list[str]] = field(default_factory=dict)

    def text(self, el: etree._Element) -> str:
        """The text of a link or list item, as XPath's ``string()`` gives it (the text of its
        scripts too, not its comments'); from the walk where it went, else from the tree."""
        parts = self.texts.get(el)
        return "".join(parts) if parts is not None else _STRING(el)

    def note(self, el: etree._Element, tag: str) -> None:
        """Gather ``el`` (whose tag is ``tag``) where it belongs (an element of another tag than
        ``_LANDMARK_TAGS`` only when it is of class ``title``)."""
        if tag == "h1":
            self.h1.append(el)
        if tag == "h2" or tag == "h3":
            self.headings.append(el)
        else:
            names = el.get("class")
            if names and "title" in names and _TITLE_CLASS.search(names):
                self.headings.append(el)
        if tag == "a":
            if el.get("href") is not None:
                self.links.append(el)
        elif tag == "ul" or tag == "ol":
            self.lists.append(el)
        elif tag == "meta":
            if self.og_title is None and el.get("property") == "og:title":
                self.og_title = el.get("content")
        elif tag == "title" and self.title is None:
            self.title = el.text

    def note_all(self, subtree: etree._Element) -> None:
        """Gather every element of a subtree the walk skips (``head``, ``noscript``, ...)."""
        for el in subtree.iter():
            if isinstance(el.tag, str):
                self.note(el, el.tag.lower())


# The tags ``Landmarks.note`` looks for, whatever their class.
_LANDMARK_TAGS = frozenset("h1 h2 h3 a ul ol meta title".split())


_STRING = etree.XPath("string()", smart_strings=False)


class Page(NamedTuple):
    """The blocks of a page, the ``Totals`` of every element that holds one, and its
    ``Landmarks``."""

    blocks: list[Block]
    totals: dict[etree._Element, Totals]
    landmarks: Landmarks


def read_blocks(root: etree._Element) -> Page:
    """The visible lines of the page in document order, and what each element holds. lxml's
    ``iterwalk`` walks the tree in C (deep markup is safe, and no Python stack grows with it):
    an element's start, its end (then its tail text follows), and comments and processing
    instructions, whose tail is text too; a skipped element's subtree (script, style) is not
    walked for blocks (its elements are gathered as landmarks all the same). A block is added
    to its owner's totals; an element's totals, complete at its end, are added to its
    parent's (so each is summed once, not once per ancestor)."""
    found: list[Block] = []
    landmarks = Landmarks()
    note = landmarks.note
    headings = landmarks.headings
    totals: dict[etree._Element, Totals] = {}
    parts: list[str] = []
    link_chars = 0
    link_count = 0  # <a> elements started in this block
    owners: list[etree._Element] = []  # the block elements open (and the root), innermost last
    owned: list[Totals] = []  # their totals
    holding: list[Totals] = []  # the totals of every element open, innermost last
    links = 0  # depth of <a> elements we are inside
    texts = landmarks.texts
    collecting: list[list[str]] = []  # the text of each <a> and <li> open, innermost last

    def end_block() -> None:  # (called when text came; the caller resets link_count)
        nonlocal link_chars
        text = "".join(parts)
        size = len(text.strip())
        if size:
            prose = size if size >= MIN_PROSE_CHARS and link_chars * 2 < size else 0
            found.append(Block(text, owners[-1], link_chars, link_count, prose))
            total = owned[-1]
            total[0] += size
            total[1] += link_chars
            total[2] += link_count
            total[3] += prose
        parts.clear()
        link_chars = 0

    # What each open element is, innermost last: a block (or the root), a link, or neither.
    kinds: list[int] = []
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            tag = el.tag.lower()
            total = [0, 0, 0, 0]
            holding.append(total)  # a skipped element's end comes too
            if tag in SKIP_TAGS:
                kinds.append(_INLINE)
                walker.skip_subtree()
                landmarks.note_all(el)
                if collecting:  # string() holds a script's text
                    text = _STRING(el)
                    for held in collecting:
                        held.append(text)
                continue
            if tag in _LANDMARK_TAGS:
                note(el, tag)
            elif (names := el.get("class")) and "title" in names and _TITLE_CLASS.search(names):
                headings.append(el)
            if tag in BLOCK_TAGS or el is root:
                if parts:
                    end_block()
                link_count = 0  # also when no text came: a link with none is in no line
                owners.append(el)
                owned.append(total)
                if tag == "li":
                    collecting.append(texts.setdefault(el, []))
                    kinds.append(_ITEM)
                else:
                    kinds.append(_BLOCK)
            elif tag == "a":
                links += 1
                link_count += 1
                collecting.append(texts.setdefault(el, []))
                kinds.append(_LINK)
            else:
                if tag == "br":
                    if parts:
                        end_block()
                    link_count = 0
                kinds.append(_INLINE)
            text = el.text
        else:
            if event == "end":
                kind = kinds.pop()
                if kind in _BLOCKS:
                    if parts:
                        end_block()
                    link_count = 0
                    owners.pop()
                    owned.pop()
                    if kind == _ITEM:
                        collecting.pop()
                elif kind == _LINK:
                    links -= 1
                    collecting.pop()
                total = holding.pop()
                if total[0] or total[2]:
                    totals[el] = total
                    if holding:
                        outer = holding[-1]
                        outer[0] += total[0]
                        outer[1] += total[1]
                        outer[2] += total[2]
                        outer[3] += total[3]
                if el is root:
                    continue
            text = el.tail
        if text:
            parts.append(text)
            if links:
                link_chars += len(text.strip())
            for held in collecting:
                held.append(text)
    # Elements beside the root (a page's markup after its ``</html>`` can make a second one):
    # no line of the page, but the XPaths found them.
    for beside in (*reversed(list(root.itersiblings(preceding=True))), *root.itersiblings()):
        landmarks.note_all(beside)
    return Page(found, totals, landmarks)


def left_out_prose(
    blocks: list[Block], leave_out: Callable[[Block], bool]
) -> dict[etree._Element, int]:
    """The prose of the prose blocks ``leave_out`` picks, summed for every element that holds
    them: an element's ``Totals`` prose less this is what it holds of the rest (few lines go
    up their ancestors, where every prose line went)."""
    left: dict[etree._Element, int] = {}
    for block in blocks:
        if block.prose and leave_out(block):
            node: etree._Element | None = block.owner
            while node is not None:
                left[node] = left.get(node, 0) + block.prose
                node = node.getparent()
    return left


def holders(nodes: Iterable[etree._Element]) -> set[etree._Element]:
    """The elements that are or hold one of ``nodes``."""
    found: set[etree._Element] = set()
    for node in nodes:
        current: etree._Element | None = node
        while current is not None and current not in found:
            found.add(current)
            current = current.getparent()
    return found
