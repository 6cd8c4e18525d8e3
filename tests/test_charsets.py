"""A page's bytes decoded without a Scrapy response (``crawl.charsets``), as a Scrapy response
decodes them, and the crawl's read of a response (``pages.article_page``) the same as
``reparse``'s read of its snapshot (``pages.replay_page``), whatever the bytes and headers."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import TextResponse

from conftest import FETCHED, ROOT, scrapy_response
from cqcscraper.crawl.charsets import scrapy_decoding
from cqcscraper.crawl.pages import article_page, replay_page
from cqcscraper.parse import validation
from cqcscraper.parse.records import RawResponse, last_header

URL = "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml"
CHARSETS = ["", "utf-8", "UTF8", "gbk", "gb2312", "latin-1", "cp1252", "utf-16", "no-such"]
CONTENT_TYPES = [
    "",
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "image/png",
    *(f"text/html; charset={name}" for name in CHARSETS[1:]),
]
# Every saved page: the fixture site, the layouts, the lying servers' answers, the replay site.
PAGES = sorted(
    path for path in (ROOT / "fixtures").rglob("*") if path.suffix in (".html", ".shtml")
)


def scrapy_says(body: bytes, content_type: str) -> tuple[str, str]:
    response = scrapy_response(
        RawResponse(URL, 200, {"Content-Type": [content_type]} if content_type else {}, body)
    )
    assert isinstance(response, TextResponse)
    return response.encoding, response.text


@pytest.mark.parametrize("content_type", [c for c in CONTENT_TYPES if "image" not in c])
def test_every_fixture_page_decodes_as_a_scrapy_response_decodes_it(content_type: str) -> None:
    assert len(PAGES) > 40
    for path in PAGES:
        body = path.read_bytes()
        assert scrapy_decoding(body, content_type) == scrapy_says(body, content_type), path


def bodies() -> st.SearchStrategy[bytes]:
    """Bytes with and without a byte-order mark or a ``<meta>`` charset, in and out of UTF-8."""
    text = st.text(max_size=200)
    meta = st.sampled_from(CHARSETS).map(
        lambda name: f'<meta charset="{name}">'.encode() if name else b""
    )
    encoded = st.tuples(text, st.sampled_from(["utf-8", "gb18030", "latin-1", "utf-16"])).map(
        lambda pair: pair[0].encode(pair[1], "replace")
    )
    bom = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
    return st.tuples(bom, meta, st.one_of(encoded, st.binary(max_size=200))).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(), st.sampled_from([c for c in CONTENT_TYPES if "image" not in c]))
def test_any_bytes_decode_as_a_scrapy_response_decodes_them(body: bytes, content_type: str) -> None:
    assert scrapy_decoding(body, content_type) == scrapy_says(body, content_type)


# Bodies Scrapy reads as no text when no Content-Type says what they are, and empty ones.
OTHER_BODIES = [b"%PDF-1.4\n\x00\x01\x02", b"\x89PNG\r\n\x1a\n\x00\x00", b"", b" \n"]


def headers() -> st.SearchStrategy[dict[str, list[str]]]:
    names = st.sampled_from(["Content-Type", "content-type", "Location", "ETag", "X-Other"])
    values = st.lists(
        st.one_of(st.sampled_from(CONTENT_TYPES), st.sampled_from(["/elsewhere", "ftp://x/"])),
        min_size=1,
        max_size=2,
    )
    return st.dictionaries(names, values, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([200, 203, 301, 302, 304, 404, 500]),
    headers(),
    st.one_of(bodies(), st.sampled_from([p.read_bytes() for p in PAGES[:3]] + OTHER_BODIES)),
    st.sampled_from([URL, URL.replace(".shtml", ".pdf"), URL.replace(".shtml", "")]),
)
def test_the_crawl_and_reparse_read_a_response_alike(
    status: int, sent: dict[str, list[str]], body: bytes, url: str
) -> None:
    """What the spider makes of the response Scrapy built is what ``reparse`` makes of the
    snapshot stored from it: the same page, text, error and reason."""
    raw = RawResponse(url, status, sent, body, "a listing's text")
    crawled = article_page(scrapy_response(raw), FETCHED, raw.listing_text)
    assert crawled.raw is not None
    for stored in (crawled.raw, raw):  # as archived (Scrapy's header names), and as sent
        replayed = replay_page(stored, FETCHED)
        assert dataclasses.replace(replayed, raw=None) == dataclasses.replace(crawled, raw=None)


@pytest.mark.parametrize(
    ("content_type", "body", "url"),
    [
        ("", OTHER_BODIES[0], URL.replace(".shtml", ".pdf")),
        ("", b"<html><p>a page</p>", URL.replace(".shtml", ".pdf")),
        ("", OTHER_BODIES[1], URL.replace(".shtml", "")),
        ("; charset=utf-8", OTHER_BODIES[1], URL.replace(".shtml", "")),
        ("", OTHER_BODIES[1], URL),
    ],
)
def test_with_no_content_type_a_response_is_read_as_a_page_when_scrapy_makes_it_text(
    content_type: str, body: bytes, url: str
) -> None:
    """What Scrapy's downloader guesses from the URL and the bytes decides, as in the crawl:
    a response it builds as text is read (and may be rejected as undecodable), another is not
    HTML."""
    raw = RawResponse(url, 200, {"Content-Type": [content_type]} if content_type else {}, body)
    page = replay_page(raw, FETCHED)
    is_text = isinstance(scrapy_response(raw), TextResponse)
    assert (page.reason != validation.NOT_HTML) == is_text, (page.error, is_text)


def test_a_header_is_the_last_value_received_under_its_name_in_any_case() -> None:
    sent = {"content-type": ["text/plain"], "Content-Type": ["text/html", "text/xml"]}
    assert last_header(sent, "CONTENT-TYPE") == "text/xml"
    assert last_header({"ETag": []}, "etag") == ""
    assert last_header({}, "Location") == ""
