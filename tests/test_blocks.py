"""The one walk over a page (``blocks.read_blocks``) finds what the page-wide XPaths it
replaced find, in the same order, on every saved page and on generated and mutated markup (the
text of each link and list item too, as ``string()`` gives it); and each element's totals are
the sums of the blocks it holds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from parsel.selector import create_root_node

from conftest import ROOT
from cqcscraper.parse.blocks import SKIP_TAGS, Landmarks, read_blocks
from cqcscraper.testing import sitefiles

# The XPaths the walk replaced: the reference for what it must find.
XPATHS = {
    "h1": "//h1",
    "headings": "//h2 | //h3 | //*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]",
    "links": "//a[@href]",
    "lists": "//ul | //ol",
    "og_title": '//meta[@property="og:title"]/@content',
    "title": "//title/text()",
}
FIRST_ONLY = {"og_title", "title"}
PAGES = sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".html", ".shtml"))


def parsed(html: str) -> etree._Element:
    return create_root_node(html or "<html></html>", etree.HTMLParser)


# The elements whose text the walk keeps: every link and list item.
WITH_TEXT = "//a | //li"


def by_xpath(root: etree._Element) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, xpath in XPATHS.items():
        nodes = root.xpath(xpath)
        found[name] = (str(nodes[0]) if nodes else None) if name in FIRST_ONLY else nodes
    found["texts"] = [str(node.xpath("string()")) for node in root.xpath(WITH_TEXT)]
    return found


def by_walk(root: etree._Element) -> dict[str, object]:
    landmarks: Landmarks = read_blocks(root).landmarks
    found: dict[str, object] = {name: getattr(landmarks, name) for name in XPATHS}
    found["texts"] = [landmarks.text(node) for node in root.xpath(WITH_TEXT)]
    # The walk kept the text of every one it went through (the tree is read again only for
    # those in the subtrees it skips, or beside the root).
    walked = [
        node
        for node in root.xpath(WITH_TEXT)
        if root in (node, *node.iterancestors())
        and not any(a.tag in SKIP_TAGS for a in (node, *node.iterancestors()))
    ]
    assert sorted(map(id, landmarks.texts)) == sorted(map(id, walked))
    return found


def test_the_walk_finds_what_the_xpaths_find_on_every_saved_page() -> None:
    assert len(PAGES) > 40
    for path in PAGES:
        root = parsed(sitefiles.decoded(path))
        assert by_walk(root) == by_xpath(root), path


TAGS = (
    "div p span a h1 h2 h3 h4 ul ol li title meta head script noscript button svg select "
    "template section br"
).split()
ATTRIBUTES = [
    "",
    ' class="title"',
    ' class="  main\ttitle\n"',
    ' class="subtitle"',
    ' class="Title"',
    ' class="title-bar"',
    ' class="x title"',
    ' class="title\xa0x"',
    ' href=""',
    ' href="/www/english/"',
    ' property="og:title" content="An og title"',
    ' property="og:title"',
    ' property="og:description" content="no"',
]

TEXTS = [
    "",
    "<?pi x?>",
    "text",
    " ",
    "<!-- c -->",
    "a title",
    "A line of prose, long enough to count as prose.",
]


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Nested elements of the tags and attributes the rules look at, with text between."""
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        tag = draw(st.sampled_from(TAGS))
        attributes = draw(st.sampled_from(ATTRIBUTES))
        inner = draw(markup(depth + 1))
        parts.append(f"<{tag}{attributes}>{inner}</{tag}>")
        parts.append(draw(st.sampled_from(TEXTS)))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup())
def test_the_walk_finds_what_the_xpaths_find_in_any_markup(html: str) -> None:
    root = parsed(f"<html>{html}</html>")
    assert by_walk(root) == by_xpath(root)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAGES), st.data())
def test_the_walk_finds_what_the_xpaths_find_in_mutated_pages(
    path: Path, data: st.DataObject
) -> None:
    html = sitefiles.decoded(path)
    start = data.draw(st.integers(0, len(html)))
    end = data.draw(st.integers(start, min(len(html), start + 300)))
    root = parsed(html[:start] + data.draw(markup()) + html[end:])
    assert by_walk(root) == by_xpath(root)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup())
def test_each_element_totals_the_blocks_it_holds(html: str) -> None:
    root = parsed(f"<html><body>{html}</body></html>")
    blocks, totals, _ = read_blocks(root)
    expected: dict[etree._Element, list[int]] = {}
    for block in blocks:
        for node in (block.owner, *block.owner.iterancestors()):
            total = expected.setdefault(node, [0, 0, 0, 0])
            total[0] += len(block.text.strip())
            total[1] += block.link_chars
            total[2] += block.links
            total[3] += block.prose
    assert totals == expected


def test_a_link_without_text_is_counted_in_no_line() -> None:
    """A linked image ends with its block and no text: its link is no link of the next line."""
    html = (
        '<html><body><p><a href="/a"><img src="a.jpg"></a></p>'
        "<p>The first line of the release, long enough to read as prose.</p>"
        '<div><a href="/b"><img src="b.jpg"></a><br>A line after a break, long enough too.</div>'
        "</body></html>"
    )
    blocks = read_blocks(parsed(html)).blocks
    assert [(b.text[:9], b.links, b.prose > 0) for b in blocks] == [
        ("The first", 0, True),
        ("A line af", 0, True),
    ]


def test_each_line_counts_the_links_it_holds() -> None:
    """Links are counted in the line they stand in, whatever ends it (a block, a ``<br>``)."""
    html = (
        '<html><body><p>One <a href="/a">link</a> and <a href="/b">another</a></p>'
        '<p>No link</p><div>After <a href="/c">a link</a><br>a break</div>'
        '<ul><li><a href="/d">an item</a></li><li>an item without</li></ul>'
        '<div>Before <a href="/e">a block</a><p>inside</p></div></body></html>'
    )
    blocks = read_blocks(parsed(html)).blocks
    assert [(b.text, b.links) for b in blocks] == [
        ("One link and another", 2),
        ("No link", 0),
        ("After a link", 1),
        ("a break", 0),
        ("an item", 1),
        ("an item without", 0),
        ("Before a block", 1),
        ("inside", 0),
    ]
