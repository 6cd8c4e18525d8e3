"""Extraction finds fields by what a reader sees, whatever the markup around them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import article_pages, page_of, read_page, site_url
from cqcscraper.parse.extract import extract
from cqcscraper.parse.normalize import normalize_article

URL = "https://www.cqc.com.cn/www/english/c/2020-11-23/595351.shtml"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_gbk_page_declared_only_by_meta_tag_decodes_its_chinese_origin() -> None:
    path = page_of(595388)
    assert b"charset=GBK" in path.read_bytes()
    raw = extract(read_page(path), site_url(path))
    assert raw.origin == "中国质量认证中心"


def test_legacy_br_runs_become_paragraphs_with_their_nbsp_indents() -> None:
    raw = extract(read_page(page_of(593364)), site_url(page_of(593364)))
    assert len(raw.paragraphs) == 4  # the repeated title, then three paragraphs
    assert raw.paragraphs[1].lstrip("\r\n").startswith("\u00a0\u00a0\u00a0\u00a0\u00a0 On June 22")


@pytest.mark.parametrize(
    "info",
    [
        "<p>Public Time:2020-11-23 Origin:CQC</p>",
        "<p>Public Time：2020-11-23&nbsp;&nbsp;Origin：CQC</p>",
        "<p><span>Public Time</span><span>:</span><span>2020-11-23</span> <b>Origin</b>: CQC</p>",
        "<div>Public Time:</div><div>2020-11-23</div><div>Origin:</div><div>CQC</div>",
        "<table><tr><td>Public Time:</td><td>2020-11-23</td>"
        "<td>Origin:</td><td>CQC</td></tr></table>",
    ],
)
def test_labels_found_in_one_element_or_split_across_elements(info: str) -> None:
    raw = extract(page(info + "<p>" + "Body text of the release. " * 4 + "</p>"), URL)
    assert (raw.public_time, raw.origin) == ("2020-11-23", "CQC")


def test_label_in_a_long_paragraph_is_not_taken_for_the_info_line() -> None:
    body = "<p>" + "The report names its Source: a survey of 2,000 companies. " * 5 + "</p>"
    raw = extract(page("<p>Public Time:2020-11-23</p>" + body), URL)
    assert (raw.public_time, raw.origin) == ("2020-11-23", None)


def test_stop_labels_end_a_label_value() -> None:
    raw = extract(page("<p>Public Time: 2020-11-23 Views: 120 Origin: CQC Author: X</p>"), URL)
    assert (raw.public_time, raw.origin) == ("2020-11-23", "CQC")


@pytest.mark.parametrize(
    ("info", "published", "origin"),
    [
        # labels as other sites word them
        ("Publication date: 2020-11-20 Source of information: CQC", "2020-11-20", "CQC"),
        ("Date of publication: 20 November 2020 | Publisher: CQC", "2020-11-20", "CQC"),
        ("发表时间：2020-11-20 来源：CQC", "2020-11-20", "CQC"),
        # a date without a label, before the line's label or inside the origin's value
        ("2020-11-20 | Source: CQC", "2020-11-20", "CQC"),
        ("Source: CQC, November 20, 2020 10:32", "2020-11-20", "CQC"),
        # a bare Date: or Time: on a line that holds a label
        ("Author: Li Ming Date: 2020-11-20 Source: CQC", "2020-11-20", "CQC"),
        ("Source: CQC Date: 2020-11-20 Author: Li Ming", "2020-11-20", "CQC"),
        ("Time：2020-11-20 Source：CQC", "2020-11-20", "CQC"),
        # the date an update's label gives is nobody's: the URL's date stands
        ("Updated: 2020-11-21 Source: CQC", "2020-11-23", "CQC"),
        ("Source: CQC | Last modified: 21 November 2020", "2020-11-23", "CQC"),
    ],
)
def test_info_lines_as_other_sites_write_them(info: str, published: str, origin: str) -> None:
    """The line leaves the body, its date is the release's and its origin ends at the date."""
    html = page(f"<h1>{TITLE}</h1><p>{info}</p>" + "".join(f"<p>{p}</p>" for p in PROSE))
    record = normalize_article(extract(html, URL), "2026-01-01")
    assert (record.published, record.origin_raw) == (published, origin)
    assert record.body == "\n\n".join(PROSE)


@pytest.mark.parametrize(
    "line",
    [
        "Date: 5 March 2020, Venue: the Beijing International Convention Centre",
        "Time: 20 November 2020, 9:30 to 17:00, registration from 9:00",
    ],
)
def test_a_bare_date_label_alone_is_text(line: str) -> None:
    """``Date:`` or ``Time:`` on a line of no other label is the text's (an event's date)."""
    html = page(f"<h1>{TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in (*PROSE, line)))
    record = normalize_article(extract(html, URL), "2026-01-01")
    assert (record.published, record.published_from) == ("2020-11-23", "url")
    assert record.body.endswith(line)


def test_body_is_the_container_of_the_prose_not_the_link_lists() -> None:
    prose = "".join(
        f"<p>Paragraph {i} of the release, long enough to be prose.</p>" for i in range(3)
    )
    links = "".join(
        f'<li><a href="/x{i}">A related release with a long link title {i}</a></li>'
        for i in range(9)
    )
    raw = extract(
        page(f'<div class="nav"><ul>{links}</ul></div><div class="text">{prose}</div>'), URL
    )
    assert [p[:11] for p in raw.paragraphs] == ["Paragraph 0", "Paragraph 1", "Paragraph 2"]


def test_images_are_absolute_unique_and_only_from_the_body() -> None:
    body = (
        '<img src="/logo.png"><div class="TRS_Editor">'
        "<p>Paragraph long enough to be prose text.</p>"
        '<p><img src="./W1.jpg"><img src="./W1.jpg">'
        '<img src="data:image/png;base64,AAAA"></p></div>'
    )
    raw = extract(page(body), URL)
    assert raw.images == ("https://www.cqc.com.cn/www/english/c/2020-11-23/W1.jpg",)


def test_scripts_styles_and_comments_are_not_text() -> None:
    body = (
        '<div class="TRS_Editor"><p>Visible paragraph of the release text.</p>'
        '<script>var x = "hidden";</script>'
        "<style>p { color: red }</style><!-- a comment -->tail text</div>"
    )
    raw = extract(page(body), URL)
    assert raw.paragraphs == ("Visible paragraph of the release text.", "tail text")


def test_title_candidates() -> None:
    head = '<title>T--CQC</title><meta property="og:title" content="OG title">'
    raw = extract(page("<h2>Second</h2><h1>First</h1><div class='title'>Third</div>", head), URL)
    assert raw.headings == ("First", "Second", "Third")
    assert (raw.og_title, raw.html_title) == ("OG title", "T--CQC")


@pytest.mark.parametrize("html", ["", " ", "<", "<html>", "\x00\x01", "<p>only</p>", "<!-- -->"])
def test_degenerate_pages_give_empty_fields(html: str) -> None:
    raw = extract(html, URL)
    assert raw.public_time is None
    assert raw.images == ()


@pytest.mark.parametrize(("depth", "read"), [(200, True), (5000, False)])
def test_deeply_nested_markup_does_not_overflow(depth: int, read: bool) -> None:
    """Blocks are walked with an explicit stack: any depth is safe. Past its own limit (256),
    libxml2 stops building the tree, so a paragraph that deep is not read; nothing raises."""
    deep = "<p>Deep paragraph that is long enough.</p>"
    html = page("<div>" * depth + deep + "</div>" * depth)
    expected = ("Deep paragraph that is long enough.",) if read else ()
    assert extract(html, URL).paragraphs == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2000))
def test_extract_never_raises_on_arbitrary_text(text: str) -> None:
    extract(text, URL)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(article_pages()), st.data())
def test_extract_never_raises_on_mutated_fixture_pages(path: Path, data: st.DataObject) -> None:
    html = read_page(path)
    start = data.draw(st.integers(0, len(html)))
    end = data.draw(st.integers(start, min(len(html), start + 500)))
    junk = data.draw(st.text(max_size=50))
    extract(html[:start] + junk + html[end:], site_url(path))


# -- furniture: side boxes, menus, share bars are never a title and never join the body ------

BOX_LINKS = [f"Other release number {n} about quality certification" for n in range(3)]
TITLE = "CQC Signs Agreement on Toy Certification"
PROSE = [f"Paragraph {n} of the release, long enough to read as prose text." for n in range(3)]


def box_items() -> str:
    """The items of a list of links to other releases (``BOX_LINKS``)."""
    return "".join(
        f'<li><a href="/www/english/c/2020-01-0{n}/59000{n}.shtml">{t}</a></li>'
        for n, t in enumerate(BOX_LINKS, 1)
    )


def side_box(wrapper: str, heading_tag: str, label: str) -> str:
    links = "".join(f'<li><a href="/www/english/c/2020-01-0{n + 1}/59000{n}.shtml">{t}</a></li>'
                    for n, t in enumerate(BOX_LINKS))  # fmt: skip
    heading = (
        f'<div class="title">{label}</div>'
        if heading_tag == "div.title"
        else f"<{heading_tag}>{label}</{heading_tag}>"
    )
    opening = {
        "aside": "<aside>",
        "nav": "<nav>",
        "div": '<div class="col">',
        "role": '<div role="complementary">',
        "bare": "",
    }[wrapper]
    closing = {"aside": "</aside>", "nav": "</nav>", "bare": ""}.get(wrapper, "</div>")
    return f"{opening}{heading}<ul>{links}</ul>{closing}"


@settings(max_examples=150, deadline=None)
@given(
    wrapper=st.sampled_from(["aside", "nav", "div", "role", "bare"]),
    box_heading=st.sampled_from(["h1", "h2", "h3", "div.title"]),
    label=st.one_of(
        st.sampled_from(["Latest News", "Related", "Hot topics", "More news", "Notices"]),
        st.text(st.characters(categories=["L", "Zs"]), min_size=3, max_size=30),
    ),
    before=st.booleans(),
    own_heading=st.sampled_from([None, "h1", "h2", "h3", "div.title"]),
    og=st.booleans(),
    listing=st.booleans(),
    share_bar=st.booleans(),
)
# A box whose own heading is long enough to read as prose, after an article with no heading
# and a share bar: the article's column is the one with more prose (hypothesis found it).
@example(wrapper="div", box_heading="h1", label="A" * 20, before=False, own_heading=None,
         og=False, listing=False, share_bar=True)  # fmt: skip
@example(wrapper="div", box_heading="div.title", label="B" * 24, before=False, own_heading=None,
         og=False, listing=False, share_bar=True)  # fmt: skip
def test_a_side_box_is_never_the_title_and_never_joins_the_body(
    wrapper: str,
    box_heading: str,
    label: str,
    before: bool,
    own_heading: str | None,
    og: bool,
    listing: bool,
    share_bar: bool,
) -> None:
    if TITLE.casefold() in " ".join(label.split()).casefold():
        return
    box = side_box(wrapper, box_heading, label)
    heading = ""
    if own_heading == "div.title":
        heading = f'<div class="title">{TITLE}</div>'
    elif own_heading:
        heading = f"<{own_heading}>{TITLE}</{own_heading}>"
    share = (
        '<div class="share">Share: <a href="#w">WeChat</a> <a href="#x">Weibo</a></div>'
        if share_bar
        else ""
    )
    article = f'<div class="main">{heading}{"".join(f"<p>{p}</p>" for p in PROSE)}{share}</div>'
    head = "<title>CQC English</title>" + (f'<meta property="og:title" content="{TITLE}">' * og)
    html = page(box + article if before else article + box, head)
    record = normalize_article(extract(html, URL, listing_text=TITLE if listing else None))
    if record.title is not None:
        assert record.title == TITLE
    assert record.body == "\n\n".join(PROSE)
    assert record.title_from in {None, "heading", "og_title", "listing"}


def test_a_breadcrumb_trail_and_a_sidebar_with_a_paragraph_of_its_own_stay_out_of_the_body() -> (
    None
):
    crumbs = (
        '<ol><li><a href="/www/english/">Home</a></li><li><a href="/www/english/News/">News</a>'
        "</li><li>The release...</li></ol>"
    )
    article = (
        f'<div class="main">{crumbs}<h3>The release title</h3>'
        + "".join(f"<p>{p}</p>" for p in PROSE)
        + "</div>"
    )
    links = "".join(
        f'<a href="/www/english/c/2020-01-0{n}/59000{n}.shtml">{t}</a><br>'
        for n, t in enumerate(BOX_LINKS, 1)
    )
    about = "Our centre offers certification, inspection and testing services around the world."
    sidebar = (
        f'<div class="side"><div>Hot</div><div>{links}</div><div>About</div><p>{about}</p></div>'
    )
    raw = extract(page(f'<div class="row">{article}{sidebar}</div>'), URL)
    assert raw.paragraphs == ("The release title", *PROSE)  # the title line leaves in normalize
    record = normalize_article(raw)
    assert (record.title, record.title_from) == ("The release title", "heading")
    assert record.body == "\n\n".join(PROSE)


@pytest.mark.parametrize(
    ("panel_heading", "share"),
    [
        # a sidebar panel under its own <h2>; the article's share links in a box of their own
        (
            "<h2>The latest from the centre this week</h2>",
            '<div class="share"><a href="/www/english/">Home</a> '
            '<a href="/www/english/News/">News</a></div>',
        ),
        # the panel's heading an element of class title; the share links a paragraph of bars
        (
            '<div class="panel title">What the centre certifies and where</div>',
            '<p><a href="/www/english/">Share</a> | <a href="/www/english/News/">Print</a></p>',
        ),
    ],
)
def test_a_sidebar_panel_with_a_heading_never_makes_the_article_a_side_column(
    panel_heading: str, share: str
) -> None:
    """Seen from a heading in the sidebar, the article's column is the one beside it that
    holds a link box and prose but no heading: the side column is the one with less prose."""
    article = '<div class="main">' + "".join(f"<p>{p}</p>" for p in PROSE) + share + "</div>"
    about = "Our centre offers certification, inspection and testing services worldwide."
    links = box_items()
    sidebar = f'<div class="side">{panel_heading}<p>{about}</p><ul>{links}</ul></div>'
    html = page(f'<h1>{TITLE}</h1><div class="row">{article}{sidebar}</div>')
    record = normalize_article(extract(html, URL))
    assert (record.title, record.body) == (TITLE, "\n\n".join(PROSE))


def test_a_short_release_beside_a_longer_panel_keeps_its_text() -> None:
    """The column under the page's title is never a side column, however little it says. (A
    release a third of its panel's length or less is still lost: its panel then holds the
    share of the prose that makes a body.)"""
    share = '<p><a href="/www/english/">Share</a> | <a href="/www/english/News/">Print</a></p>'
    article = f'<div class="main"><h1>{TITLE}</h1><p>{PROSE[0]}</p>{share}</div>'
    about = " ".join(["Our centre offers certification, inspection and testing services."] * 2)
    links = box_items()
    sidebar = f'<div class="side"><h2>About the centre</h2><p>{about}</p><ul>{links}</ul></div>'
    record = normalize_article(extract(page(f'<div class="row">{article}{sidebar}</div>'), URL))
    assert record.title == TITLE
    assert record.body.startswith(PROSE[0])


@pytest.mark.parametrize(
    "subsection",
    [
        '<div><h2>How to apply</h2><p>{line}</p><p><a href="/www/english/">Form</a> | '
        '<a href="/www/english/News/">Guide</a></p></div>',
        '<section><h3 class="sub">How to apply</h3><p>{line}</p><ul><li><a '
        'href="/www/english/">The form</a></li><li><a href="/www/english/News/">The guide</a>'
        "</li></ul></section>",
    ],
)
def test_a_section_of_the_text_under_its_own_heading_and_with_links_stays_in_the_body(
    subsection: str,
) -> None:
    """Paragraphs are not columns: a part of the text with a subheading and links of its own
    is never a side column beside the paragraphs before it, even one that says most."""
    line = "Applicants submit the form online and receive an answer within ten days."
    text = f"<p>{' '.join(PROSE)}</p><p>{PROSE[0]}</p>" + subsection.format(line=line)
    html = page(f'<h1>{TITLE}</h1><div class="text">{text}</div>')
    record = normalize_article(extract(html, URL))
    assert record.title == TITLE
    assert record.body.endswith(f"How to apply\n\n{line}")


def test_every_label_starts_with_a_letter_of_its_own() -> None:
    """The label patterns skip places by the letters names start with: a name that starts
    with a group or an escape would never be found."""
    from cqcscraper.parse import extract as rules

    names = [
        *rules._DATE_NAMES,
        *rules._ORIGIN_NAMES,
        *rules._OTHER_NAMES,
        *rules._BARE_DATE_NAMES,
    ]
    assert all(name[0].isalpha() for name in names)
    for line in ("Last updated: 1", "更新时间：1", "Source of the news: 1", "date: 1"):
        assert rules._INFO_LABEL.match(line), line
