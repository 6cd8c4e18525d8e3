"""Page *furniture*, recognised by what it is to a reader, not by its classes: ``aside``/
``nav``/``menu`` (or ARIA navigation, complementary, banner, contentinfo or search roles), a
page-level ``header``/``footer``, *link boxes* (an element holding two or more links, mostly link
text and no prose), lists of links, and side columns beside the article's."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from cqcscraper.parse.blocks import (
    CONTAINER_TAGS,
    Block,
    Landmarks,
    Totals,
    holders,
    left_out_prose,
)

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


class Furniture:
    """Which elements of a page are furniture: navigation, complementary boxes, page frame."""

    def __init__(self, totals: dict[etree._Element, Totals], landmarks: Landmarks) -> None:
        """From what each element holds (``blocks.Totals``) and the page's lists."""
        self.boxes = {
            node
            for node, (chars, link_chars, links, prose) in totals.items()
            if links >= LINK_BOX_LINKS and not prose and link_chars >= LINK_BOX_SHARE * chars
        }
        self.boxes.update(link_lists(landmarks))
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


def side_columns(
    headings: list[etree._Element],
    blocks: list[Block],
    totals: dict[etree._Element, Totals],
    furniture: Furniture,
) -> Iterator[etree._Element]:
    """Columns beside the article's, seen from each heading of the page (``headings``, those in
    no furniture, in order) and the nearest element that holds it and prose (its *branch*):

    - a column beside the branch that holds a link box and prose but no heading, and less
      prose than the branch (a sidebar whose panels have a paragraph of their own, such as
      *About us*, besides their links; a box's own long heading makes no column the
      article's);
    - the branch itself when it holds a link box and prose but none of the page's title
      headings (its ``h1``, or any heading when it has none), and a column beside it (an
      element that can hold a body, not a paragraph) holds most of their prose (a sidebar
      whose panel has a heading of its own, beside the article's text under a title above
      both).

    Prose in furniture counts for none."""
    if not headings:
        return
    furnished = left_out_prose(blocks, lambda block: furniture.holds(block.owner))

    def prose_in(node: etree._Element) -> int:
        held = totals.get(node)
        return held[3] - furnished.get(node, 0) if held else 0

    holding_a_box = holders(furniture.boxes)
    holding_a_heading = holders(headings)
    titled = holders([node for node in headings if node.tag == "h1"] or headings)
    seen: set[etree._Element] = set()  # the columns weighed beside a branch
    weighed: set[etree._Element] = set()  # the branches weighed themselves
    for heading in headings:
        for branch in heading.iterancestors():
            parent = branch.getparent()
            branch_prose = prose_in(branch)
            if parent is None or not branch_prose:
                continue
            columns = [
                (n, prose_in(n)) for n in parent if n is not branch and isinstance(n.tag, str)
            ]
            for side, prose in columns:
                if side in seen:
                    continue
                seen.add(side)
                if (
                    side in holding_a_box
                    and side not in holding_a_heading
                    and 0 < prose < branch_prose
                ):
                    yield side
            held = branch_prose + sum(prose for _, prose in columns)
            if (
                branch not in weighed
                and branch in holding_a_box
                and branch not in titled
                and any(
                    prose * 2 > held and column.tag in CONTAINER_TAGS for column, prose in columns
                )
            ):
                yield branch
            weighed.add(branch)
            break  # the nearest branch that holds prose decides


def link_lists(landmarks: Landmarks) -> Iterator[etree._Element]:
    """Lists (the page's ``ul``/``ol``) whose items are links but one at most (a breadcrumb
    trail ends on the page's own unlinked name; a menu or a related list links every item):
    navigation, not text."""
    text_of = landmarks.text
    for listing in landmarks.lists:
        items = [item for item in listing if item.tag == "li"]
        if len(items) < 2:
            continue
        linked = 0
        for item in items:
            text = " ".join(text_of(item).split())
            link_text = " ".join(" ".join(text_of(a) for a in item.iter("a")).split())
            if text and len(link_text) * 2 >= len(text):
                linked += 1
        if linked >= len(items) - 1 and linked >= 2:
            yield listing
