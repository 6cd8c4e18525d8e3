"""URL rules and link discovery: articles by their URL pattern, listings and pagination."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsel import Selector

from conftest import ROOT, SITE, read_page
from cqcscraper.parse import urls
from cqcscraper.parse.discovery import (
    Links,
    anchor_text,
    anchors,
    link_text,
    page_links,
    script_pages,
)
from cqcscraper.testing import sitefiles

MIRROR = "http://127.0.0.1:8123"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml",
        "http://cqc.com.cn/www/english/c/2024-09-10/597552.shtml",
        "https://cqc.com.cn/www/english/c/2024-09-10/597552.shtml?from=list#top",
        "http://127.0.0.1:8123/www/english/c/2024-09-10/597552.shtml",
    ],
)
def test_every_spelling_of_an_article_has_one_id_and_canonical_url(url: str) -> None:
    ref = urls.article_ref(url)
    assert ref == urls.ArticleRef(
        597552, "2024-09-10", "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cqc.com.cn/www/english/News/",
        "https://www.cqc.com.cn/www/chinese/c/2024-09-11/612345.shtml",
        "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.pdf",
        "https://www.cqc.com.cn/www/english/c/2024-09-10/",
        "ftp://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml",
    ],
)
def test_non_articles(url: str) -> None:
    assert urls.article_ref(url) is None


def test_impossible_date_in_url_gives_no_url_date() -> None:
    ref = urls.article_ref("https://www.cqc.com.cn/www/english/c/2024-02-30/1.shtml")
    assert ref is not None
    assert ref.url_date is None


def test_script_pagination_names_every_page_in_the_same_folder() -> None:
    html = '<script>createPageHTML(3, 0, "index", "shtml");</script>'
    assert script_pages(html, "http://h/www/english/News/", 1000) == [
        "http://h/www/english/News/index.shtml",
        "http://h/www/english/News/index_1.shtml",
        "http://h/www/english/News/index_2.shtml",
    ]


@pytest.mark.parametrize("cap", [5, 1000])
def test_script_pagination_stops_at_the_cap_and_says_so(cap: int) -> None:
    """A script call claiming millions of pages names the pages within the cap and the first
    past it (``past_cap``), so the run can fail as a pagination that never ends."""
    html = "<script>createPageHTML(99999999, 0, 'index', 'shtml')</script>"
    assert len(script_pages(html, "http://h/a/", cap)) == cap + 1
    found = page_links(html, f"{MIRROR}/www/english/News/", MIRROR, cap)
    assert len(found.pagination) == cap
    assert found.past_cap == f"{MIRROR}/www/english/News/index_{cap}.shtml"
    assert page_links(html.replace("99999999", str(cap)), MIRROR, MIRROR, cap).past_cap is None


def links_of(path: str, page_url: str) -> Links:
    return page_links(read_page(SITE / path), page_url, MIRROR, 1000)


def test_home_page_links() -> None:
    links = links_of("www/english/index.shtml", f"{MIRROR}/www/english/")
    assert links.articles == [
        f"{MIRROR}/www/english/c/2024-09-10/597552.shtml",
        f"{MIRROR}/www/english/c/2023-08-04/595908.shtml",
    ]
    assert links.pagination == [f"{MIRROR}/www/english/"]
    assert links.sections == [
        f"{MIRROR}/www/english/News/",
        f"{MIRROR}/www/english/Activities/",
        f"{MIRROR}/www/english/Notices/",
        f"{MIRROR}/www/english/About/",
        f"{MIRROR}/www/english/Service/certquery.shtml",
        f"{MIRROR}/www/english/search/",
        f"{MIRROR}/www/english/About/clause.shtml",
    ]


def test_plain_link_pagination_and_host_spellings() -> None:
    first = links_of("www/english/News/index.shtml", f"{MIRROR}/www/english/News/")
    assert set(first.pagination) == {
        f"{MIRROR}/www/english/News/",
        f"{MIRROR}/www/english/News/index_1.shtml",
    }
    assert f"{MIRROR}/www/english/c/2023-08-04/595908.shtml" in first.articles  # fragment dropped
    second = links_of("www/english/News/index_1.shtml", f"{MIRROR}/www/english/News/index_1.shtml")
    assert (
        second.articles[0] == f"{MIRROR}/www/english/c/2020-12-21/595388.shtml"
    )  # http://cqc.com.cn
    assert second.pagination == [f"{MIRROR}/www/english/News/"]


def test_script_only_pagination_is_found() -> None:
    links = links_of("www/english/Activities/index.shtml", f"{MIRROR}/www/english/Activities/")
    assert links.pagination == [
        f"{MIRROR}/www/english/Activities/",
        f"{MIRROR}/www/english/Activities/index_1.shtml",
    ]
    assert links.articles == [f"{MIRROR}/www/english/c/2020-11-23/595351.shtml"]


def test_links_elsewhere_are_never_followed() -> None:
    html = """
      <a href="https://www.samr.gov.cn/www/english/c/2024-01-01/1.shtml">other site</a>
      <a href="mailto:a@b.c">mail</a> <a href="javascript:void(0)">js</a>
      <a href="/www/english/upload/a.pdf">pdf</a> <a href="/www/english/img/a.jpg">image</a>
      <a href="/www/chinese/index.shtml">Chinese</a> <a href="/">root</a>
      <a href="ftp://www.cqc.com.cn/www/english/">ftp</a>
    """
    links = page_links(html, f"{MIRROR}/www/english/", MIRROR, 1000)
    assert (links.articles, links.pagination, links.sections) == ([], [], [])


def test_article_link_texts_are_kept_longest_and_completed_from_the_title_attribute() -> None:
    links = links_of("www/english/Notices/index.shtml", f"{MIRROR}/www/english/Notices/")
    assert links.article_texts == {
        f"{MIRROR}/www/english/c/2023-03-21/596777.shtml": (
            "CQC and TÜV Rheinland Renew Cooperation on Photovoltaic..."
        ),
        f"{MIRROR}/www/english/c/2023-05-04/596880.shtml": (
            "CQC Issues First Carbon Footprint Certificates for Textiles"
        ),
        f"{MIRROR}/www/english/c/2022-11-08/596620.shtml": (
            "CQC Signs Mutual Recognition Agreement with KTL of Korea"
        ),
        # cut short in the text, full in the link's title; linked again by an image: no text
        f"{MIRROR}/www/english/c/2021-06-18/596101.shtml": (
            "Notice on the Suspension of Certificates After Overdue Factory Inspections"
        ),
        f"{MIRROR}/www/english/c/2019-04-02/594820.shtml": (
            "CQC Delegation Visits the Certification Bodies..."
        ),
    }


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("  Notice on\n the fees ", None, "Notice on the fees"),
        (
            "Notice on the adjustment...",
            "Notice on the adjustment of fees",
            "Notice on the adjustment of fees",
        ),
        ("Notice on the adjustment…", "Open in a new window", "Notice on the adjustment…"),
        ("Notice on the fees", "Notice on the fees of 2024", "Notice on the fees"),
    ],
)
def test_link_text(text: str, title: str | None, expected: str) -> None:
    assert link_text(text, title) == expected


def test_one_odd_link_never_stops_a_listing_from_being_read() -> None:
    html = (
        '<a href="http://[">broken</a><a href="http://x:port/">bad port</a>'
        '<a href="/www/english/c/2024-09-10/597552.shtml">Yiwu</a>'
    )
    links = page_links(html, f"{MIRROR}/www/english/News/", MIRROR, 1000)
    assert links.articles == [f"{MIRROR}/www/english/c/2024-09-10/597552.shtml"]


@pytest.mark.parametrize(
    "generic", ["Continue reading the full story", "点击查看全文内容详情页面", "Read more &gt;&gt;"]
)
def test_a_text_given_to_links_to_several_articles_never_beats_a_title(generic: str) -> None:
    """What repeats across a listing's items is the template's: a link text the page gives to
    several articles never beats an article's own title, however long; an article with no
    text of its own keeps what it has (only generic links, or one title listed twice)."""
    base = "https://www.cqc.com.cn/www/english/c/2025-05-0"
    items = "".join(
        f'<li><a href="{base}{n}/59950{n}.shtml">{title}</a> '
        f'<a href="{base}{n}/59950{n}.shtml">{generic}</a></li>'
        for n, title in [(1, "CQC Opens a Lab"), (2, "CQC Signs with SIRIM")]
    )
    alone = f'<li><a href="{base}3/599503.shtml">{generic}</a></li>'
    twice = "".join(f'<li><a href="{base}{n}/59950{n}.shtml">CQC Notice</a></li>' for n in (4, 5))
    html = f"<ul>{items}{alone}{twice}</ul>"
    found = page_links(html, "https://www.cqc.com.cn/www/english/News/", urls.SITE_ORIGIN, 1000)
    shown = html_text(generic)
    assert found.article_texts == {
        f"{base}1/599501.shtml": "CQC Opens a Lab",
        f"{base}2/599502.shtml": "CQC Signs with SIRIM",
        f"{base}3/599503.shtml": shown,
        f"{base}4/599504.shtml": "CQC Notice",
        f"{base}5/599505.shtml": "CQC Notice",
    }


def html_text(markup: str) -> str:
    return markup.replace("&gt;", ">")


@given(st.text(max_size=80), st.sampled_from(["www.cqc.com.cn", "例子.中国", "127.0.0.1:8000"]))
def test_as_uri_never_raises_is_ascii_and_idempotent(tail: str, host: str) -> None:
    uri = urls.as_uri(f"https://{host}/{tail}")
    assert uri.isascii()
    assert urls.as_uri(uri) == uri


# Bases and links as pages have them, odd ones among them: hypothesis puts the pieces together.
BASES = st.sampled_from(
    [
        "https://www.cqc.com.cn/www/english/News/index_45.shtml",
        "http://127.0.0.1:8000/www/english/News/",
        "http://127.0.0.1:8000/www/english/c/2024-09-10/597552.shtml?x=1#top",
        "https://WWW.cqc.com.cn/www//english/./News/a.html",
        "https://www.cqc.com.cn/www/english/中文/index.shtml",
        "https://www.cqc.com.cn/www/english/%E4%B8%AD/x;p=1/index.shtml",
        "https://www.cqc.com.cn",
        "https://www.cqc.com.cn/",
        "https://user@www.cqc.com.cn:8443/a/b/",
        "ftp://example.com/a/b",
    ]
)
PIECES = [*"ab./:?#%;= _~-中", "index_4.shtml", "//", "..", "/www/english/"]
HREFS = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@given(BASES, HREFS)
def test_a_plain_link_joins_as_urllib_joins_it(base: str, href: str) -> None:
    """``join`` takes plain paths against plain bases the short way: it gives what urllib's
    ``urljoin`` then ``as_uri`` give, for every link."""
    assert urls.join(base, href) == urls._joined_by_urllib(base, href.strip())


def by_parsel(html: str, page_url: str) -> list[tuple[str, str]]:
    """The reference ``anchors`` replaced: parsel's selectors over the page read as HTML."""
    selector = Selector(text=html, type="html")
    base = urls.join(page_url, selector.css("base::attr(href)").get() or "") or page_url
    found = []
    for link in selector.css("a[href], area[href]"):
        if url := urls.join(base, link.attrib.get("href") or ""):
            if link.root.tag == "area":
                text = link_text(link.attrib.get("alt") or "")
            else:
                text = link_text(
                    " ".join(link.xpath(".//text()").getall()), link.attrib.get("title")
                )
            found.append((url, text))
    return found


def by_anchors(html: str, page_url: str) -> list[tuple[str, str]]:
    return [(url, anchor_text(link)) for url, link in anchors(html, page_url)]


def test_anchors_find_what_parsel_finds_on_every_saved_page() -> None:
    pages = sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".html", ".shtml"))
    assert len(pages) > 40
    for path in pages:
        html = sitefiles.decoded(path)
        assert by_anchors(html, f"{MIRROR}/www/english/News/") == by_parsel(
            html, f"{MIRROR}/www/english/News/"
        ), path


LINK_MARKUP = st.lists(
    st.sampled_from(
        [
            '<a href="/www/english/c/2024-09-10/597552.shtml">A release</a>',
            '<a href="c/2024-09-11/1.shtml" title="The full title of a release">The full...</a>',
            '<a href="index_2.shtml"><span>2</span><!-- two --></a>',
            "<a>no href</a>",
            '<a href="">empty</a>',
            '<a href="http://[::1">odd</a>',
            '<A HREF="/www/english/News/">News <script>var s = 1;</script></A>',
            '<area href="/www/english/c/2024-09-12/2.shtml" alt=" An area ">',
            '<base href="/www/english/Events/">',
            '<base target="_blank">',
            "<p>text <b>bold</b></p>",
            '<noscript><a href="/www/english/c/2024-09-13/3.shtml">in noscript</a></noscript>',
        ]
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINK_MARKUP)
def test_anchors_find_what_parsel_finds_in_any_markup(parts: list[str]) -> None:
    html = f"<html><head></head><body>{''.join(parts)}</body></html>"
    page_url = f"{MIRROR}/www/english/News/index.shtml"
    assert by_anchors(html, page_url) == by_parsel(html, page_url)


@pytest.mark.parametrize(
    "page",
    [
        # XHTML, its XML declaration first
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
        'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html '
        'xmlns="http://www.w3.org/1999/xhtml"><body><ul class="news"><li><a '
        'href="/www/english/c/2024-09-10/597552.shtml">A release</a></li></ul><div '
        'class="pages"><a href="index_1.shtml">2</a></div></body></html>',
        # a byte order mark and spaces before the declaration, a table of upper-case tags
        '\ufeff  <?xml version="1.0"?><HTML xmlns="http://www.w3.org/1999/xhtml"><BODY><TABLE>'
        '<TR><TD><A HREF="../c/2024-09-10/597552.shtml">A release</A></TD></TR></TABLE>'
        '<P>Page <A HREF="index_1.shtml">next</A></P></BODY></HTML>',
    ],
)
def test_a_listing_declared_as_xml_is_read_as_html(page: str) -> None:
    """parsel read a page that starts with ``<?xml`` as XML: an XHTML listing's links are in
    its namespace, and no selector found one (the listing gave no article)."""
    found = page_links(page, f"{MIRROR}/www/english/News/", MIRROR, 1000)
    article = f"{MIRROR}/www/english/c/2024-09-10/597552.shtml"
    assert found.articles == [article]
    assert found.article_texts == {article: "A release"}
    assert found.pagination == [f"{MIRROR}/www/english/News/index_1.shtml"]
