"""Links to a release's images and documents, and its dateline, on layouts no crawled fixture
shows (``fixtures/layouts/``):
a legacy table with ``附件`` labels and download scripts, and an HTML5 article with a figure,
documents linked inside a sentence and a Downloads box beside it (which is no release's)."""

from __future__ import annotations

import pytest

from conftest import ROOT, load_json, read_fixture
from cqcscraper.parse.dates import is_date_line
from cqcscraper.parse.extract import extract
from cqcscraper.parse.media import media_links
from cqcscraper.parse.normalize import normalize_article

URL = "https://www.cqc.com.cn/www/english/c/2025-02-11/599001.shtml"
BASE = "https://www.cqc.com.cn"
LAYOUTS = ROOT / "fixtures" / "layouts"  # pages no crawl serves: only these tests read them
LEGACY = "legacy_attachments.html"  # a table, 附件 labels, documents behind download scripts
HTML5 = "html5_downloads.html"  # a figure, documents in a sentence, a Downloads box beside


def assert_golden(name: str, url: str, listing_text: str | None = None) -> None:
    """The layout read as a crawl reads it at ``url`` is its golden record, whole."""
    record = read_fixture(LAYOUTS / f"{name}.html", url, listing_text)
    assert record.to_dict() == load_json(ROOT / "fixtures/expected/layouts" / f"{name}.json")


def page(name: str) -> str:
    return (LAYOUTS / name).read_text(encoding="utf-8")


def links(name: str) -> list[tuple[str, str, str | None]]:
    raw = extract(page(name), URL)
    record = normalize_article(raw)
    return [(k.role, k.url, k.text) for k in media_links(record.images, raw.attachments)]


def test_legacy_attachments_behind_download_scripts() -> None:
    assert links(LEGACY) == [
        ("image", f"{BASE}/www/english/images/qrcode.png", None),
        ("attachment", f"{BASE}/www/english/download.jsp?id=3301", "CNCA-C22-01:2025 实施规则.pdf"),
        ("attachment", f"{BASE}/servlet/Download?fileid=88", "Application form (download)"),
    ]


def test_documents_linked_in_a_sentence_count_and_a_box_beside_the_article_does_not() -> None:
    folder = f"{BASE}/www/english/c/2025-02-11"
    assert links(HTML5) == [
        ("image", f"{folder}/img/passport.webp", None),
        ("attachment", f"{folder}/files/guidance-2025.PDF", "a PDF document"),
        ("attachment", f"{folder}/files/model.xlsx", "a spreadsheet"),
    ]


def test_a_dateline_before_the_text_is_not_body() -> None:
    record = normalize_article(extract(page(HTML5), URL))
    assert record.body.split("\n\n")[0] == "The passport template"
    assert "2025-02-11" not in record.body


@pytest.mark.parametrize(
    ("line", "date_only"),
    [
        ("2025-02-11", True),
        ("11 February 2025", True),
        ("2025年2月11日 10:30", True),
        ("Published 2025-02-11", False),
        ("On 2025-02-11 CQC signed the agreement", False),
        ("2025-02-11 | Source: CQC", False),
    ],
)
def test_what_is_a_dateline(line: str, date_only: bool) -> None:
    assert is_date_line(line) is date_only


@pytest.mark.parametrize(
    ("name", "url"),
    [
        # an HTML5 article citing rules as &lt;...&gt;, in its heading, og:title and text
        ("escaped_title_marks", "https://www.cqc.com.cn/www/english/c/2024-05-06/598001.shtml"),
        # a GB2312 table page citing them as &lt;&lt;...&gt;&gt; (its title in a span only)
        ("escaped_double_marks", "https://www.cqc.com.cn/www/english/c/2023-03-21/596002.shtml"),
    ],
)
def test_escaped_markup_is_text_the_reader_sees(name: str, url: str) -> None:
    """``&lt;Rules&gt;`` and ``&lt;&lt;Rules&gt;&gt;`` (the ASCII forms of the book-title
    marks 《》) are text: the title is never cut at them, the body keeps them (whole records)."""
    assert_golden(name, url)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        # HTML5: og:title's closing quote missing, so it runs on into "<meta name=" (the title
        # shown in a span above the article)
        ("swallowed_og_title", "https://www.cqc.com.cn/www/english/c/2025-06-04/599601.shtml"),
        # a table page: the same into "</head> <body class=", Chinese labels, the title in a cell
        ("swallowed_og_title_cn", "https://www.cqc.com.cn/www/english/c/2025-06-10/599602.shtml"),
    ],
)
def test_markup_a_broken_page_lets_into_a_title_is_no_title(name: str, url: str) -> None:
    """A candidate showing an HTML tag (``Title> <meta name=``) is the page's markup, not its
    title: the next candidate wins, with no tag in any field (whole records). Book-title marks
    (``<Rules>``, above) are not tags."""
    assert_golden(name, url)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        # Release Date: ... | Source: ... | Print: the origin as "Source"
        ("source_label", "https://www.cqc.com.cn/www/english/c/2025-04-08/599301.shtml"),
        # 发布时间：... 来源：... 【字体：大 中 小】, the page's date a day before its URL folder's
        ("chinese_labels", "https://www.cqc.com.cn/www/english/c/2025-04-11/599322.shtml"),
        # "Release time: ... Origin: ..." in a paragraph under an h2 (the date was the URL's)
        ("release_time", "https://www.cqc.com.cn/www/english/c/2025-05-21/599501.shtml"),
        # "Posted on: May 20, 2025" and "Source:" as items of a list in an HTML5 header
        ("posted_on", "https://www.cqc.com.cn/www/english/c/2025-05-21/599502.shtml"),
        # "20 May 2025 · Source of information: ...": the date without a label, before the
        # line's one label, a day before the URL's folder
        (
            "info_line_unlabelled_date",
            "https://www.cqc.com.cn/www/english/c/2025-05-21/599601.shtml",
        ),
        # "Author：... 来源：中国质量认证中心　2025年5月19日 16:02　浏览次数：350": the date
        # inside the origin's value, in a table
        (
            "info_line_date_in_origin",
            "https://www.cqc.com.cn/www/english/c/2025-05-21/599602.shtml",
        ),
    ],
)
def test_field_labels_as_sites_write_them(name: str, url: str) -> None:
    """The labels of one table (``extract.LABEL``): the line is read once, gives the date and
    the origin, ends at a separator, a widget or a date, and leaves the body; a date the line
    shows without a label is the release's when no label gives one (whole records)."""
    assert_golden(name, url)


@pytest.mark.parametrize(
    ("name", "url", "listing_text"),
    [
        # HTML5: <title> and og:title both "News Center"; the date only in <time datetime>, a
        # day before the URL's folder; a "More news" box dates its own items
        ("section_title", "https://www.cqc.com.cn/www/english/c/2025-03-02/599401.shtml", None),
        # a table page: "新闻中心" in both, its title in a span (the listing names it), an unset
        # Public Time printed as the epoch, a dated list of links beside
        (
            "section_title_cn",
            "https://www.cqc.com.cn/www/english/c/2025-01-16/599120.shtml",
            "CQC Holds a Training Course on Green Product Certification",
        ),
    ],
)
def test_a_section_name_in_every_page_title_is_no_title(
    name: str, url: str, listing_text: str | None
) -> None:
    """``og:title`` and ``<title>`` come from one field of the template: their agreement
    confirms nothing, and the release's heading or its listing's title wins; a date the page
    shows only as ``<time datetime>`` is its date, an epoch is not (whole records)."""
    assert_golden(name, url, listing_text)
