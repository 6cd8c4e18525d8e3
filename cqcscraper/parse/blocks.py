"""An article page as *blocks*: the lines a browser would show (paragraphs, table cells, runs
of text between ``<br>``), inline markup joined, ``<script>``/``<style>`` left out, each with how
much of it is link text. Every rule of ``extract`` reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)


SKIP_TAGS = frozenset("head script style noscript template select button iframe svg".split())


# A block counts as prose when it is this long and mostly not link text.
MIN_PROSE_CHARS = 20


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


def read_blocks(root: etree._Element) -> list[Block]:
    """The visible lines of the page in document order. lxml's ``iterwalk`` walks the tree in
    C (deep markup is safe, and no Python stack grows with it): an element's start, its end
    (then its tail text follows), and comments and processing instructions, whose tail is
    text too; a skipped element's subtree (script, style) is not walked."""
    found: list[Block] = []
    parts: list[str] = []
    link_chars = 0
    link_count = 0  # <a> elements started in this block
    owners: list[etree._Element] = [root]
    links = 0  # depth of <a> elements we are inside

    def end_block() -> None:
        nonlocal link_chars, link_count
        text = "".join(parts)
        if text.strip():
            found.append(Block(text, owners[-1], link_chars, link_count))
        parts.clear()
        link_chars = link_count = 0

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            tag = el.tag.lower()
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag == "br" or tag in BLOCK_TAGS:
                end_block()
            if tag in BLOCK_TAGS:
                owners.append(el)
            if tag == "a":
                links += 1
                link_count += 1
            text = el.text
        else:
            if event == "end":
                tag = el.tag.lower()
                if tag in BLOCK_TAGS:
                    end_block()
                    owners.pop()
                elif tag == "a":
                    links -= 1
                if el is root:
                    continue
            text = el.tail
        if text:
            parts.append(text)
            if links:
                link_chars += len(text.strip())
    end_block()
    return found
