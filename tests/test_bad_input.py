"""Bad input to the pure layers: whatever the bytes, reading an article response ends in a
record or a reject with a reason, never an exception, a wrong date or stored markup.

Each test goes through the whole read path of a crawl (``pages.article_page`` then
``pages.build_reading``: decoding, extraction, normalisation, validation), from bytes.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import golden_records, page_of, scrapy_response
from cqcscraper.crawl.pages import article_page, build_reading
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.parse import validation
from cqcscraper.parse.records import PressRelease, RawResponse
from cqcscraper.parse.titles import TITLE_SOURCES

ID = 597552
URL = f"https://www.cqc.com.cn/www/english/c/2024-09-10/{ID}.shtml"
PAGE = page_of(ID).read_bytes()
FETCHED = "2026-01-01T08:00:00Z"
CONTENT_TYPES = [
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=gbk",
    "text/html; charset=no-such-charset",
    "application/xhtml+xml",
    "",
]
REASONS = {value for name, value in vars(validation).items() if name.isupper()}
TEXT_FIELDS = ("title", "published", "origin", "origin_raw", "body")
# As an HTML parser reads a tag: the name right after "<" ("a < b" is text). A comment's
# markers are not in it: a page cut inside a comment shows a stray "-->" as text, as a browser
# does (a comment's content never reaches the text: the parser drops it whole).
MARKUP = re.compile(r"</?(?:script|style|iframe|img|a|p|div|span|br|title)\b", re.I)


def read(body: bytes, content_type: str = "text/html", fetched: str = FETCHED):
    """What the crawl makes of these bytes at the article URL: a record or a ``Rejected``."""
    headers = {"Content-Type": [content_type]} if content_type else {}
    page = article_page(scrapy_response(RawResponse(URL, 200, headers, body)), fetched)
    try:
        return build_reading(page).record
    except Rejected as rejected:
        return rejected


def assert_sound(result: PressRelease | Rejected) -> None:
    """A record holds a body, a title with its source or neither, text into which none of the
    page's elements leaked (these pages show no escaped markup), and a real date or none."""
    if isinstance(result, Rejected):
        assert result.reason in REASONS, result
        return
    assert result.body
    assert (result.title is None) == (result.title_from is None)
    assert result.title_from in (None, *TITLE_SOURCES)
    for name in TEXT_FIELDS:
        value = getattr(result, name) or ""
        assert not MARKUP.search(value), (name, value[:200])
    if result.published:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", result.published)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from(CONTENT_TYPES))
def test_arbitrary_bytes_give_a_record_or_a_reject(body: bytes, content_type: str) -> None:
    assert_sound(read(body, content_type))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_mutations_of_a_fixture_page_give_a_record_or_a_reject(
    data: st.DataObject,
) -> None:
    body = bytearray(PAGE)
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        start = data.draw(st.integers(0, len(body)), label="at")
        end = data.draw(st.integers(start, min(len(body), start + 400)), label="to")
        action = data.draw(st.sampled_from(["delete", "insert", "replace", "repeat", "cut"]))
        junk = data.draw(st.binary(max_size=60), label="bytes")
        if action == "delete":
            del body[start:end]
        elif action == "insert":
            body[start:start] = junk
        elif action == "replace":
            body[start:end] = junk
        elif action == "repeat":
            body[start:start] = body[start:end] * 3
        else:
            del body[start:]
    assert_sound(read(bytes(body), data.draw(st.sampled_from(CONTENT_TYPES), label="type")))


HOSTILE = [
    b"<script>alert('x')</script>",
    b"<script src=//evil.example/x.js></script>",
    b"<style>p{display:none}</style>",
    b"<iframe src='javascript:alert(1)'></iframe>",
    b"<img src=x onerror=alert(1)>",
    b"<a href='javascript:alert(1)' onclick='alert(2)'>click</a>",
    b"<!-- <p>hidden</p> -->",
    b"<noscript><p>no script</p></noscript>",
    b"<svg><script>alert(3)</script></svg>",
    b"<template><p>template</p></template>",
]
BODY_START = PAGE.index(b"On August 9, 2024")
# Where an element may start in the article: in its text, or before one of its tags.
INSERT_AT = [BODY_START + 10] + [i for i in range(BODY_START, BODY_START + 3000) if PAGE[i] == 60]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(HOSTILE), st.sampled_from(INSERT_AT)), min_size=1, max_size=5
    )
)
def test_script_and_markup_in_a_page_never_reach_the_stored_text(
    injections: list[tuple[bytes, int]],
) -> None:
    body = PAGE
    for snippet, at in sorted(injections, key=lambda i: -i[1]):  # from the end: apart
        body = body[:at] + snippet + body[at:]
    result = read(body)
    assert isinstance(result, PressRelease)
    assert_sound(result)
    for word in ("alert", "evil.example", "display:none", "hidden", "no script", "template"):
        assert word not in result.body


@pytest.mark.parametrize(
    ("shown", "text"),
    [
        (b"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        (b"&lt;&lt;b&gt;b&gt;bold&lt;/b&gt;", "<<b>b>bold</b>"),
        (b"&lt;!-- note --&gt;", "<!-- note -->"),
        (b"&lt;img src=x onerror=alert(1)&gt;", "<img src=x onerror=alert(1)>"),
        (b"&lt;/p&gt;&lt;div", "</p><div"),
        (b"<<script>alert(2)</script>script>alert(3)</script>", "<script>alert(3)"),
    ],
)
def test_markup_shown_as_text_is_kept_as_the_reader_sees_it(shown: bytes, text: str) -> None:
    """Escaped markup is text a reader sees (a page citing ``<Rules>``, or showing code): it
    is stored as text, character for character; only real elements are markup (a script's
    content is never text). Whatever shows the archive escapes it (docs/analysts.md)."""
    result = read(PAGE[:BODY_START] + shown + b" " + PAGE[BODY_START:])
    assert isinstance(result, PressRelease)
    assert result.body.startswith(f"{text} On August 9, 2024")
    assert "alert(2)" not in result.body


def test_prose_with_comparisons_keeps_its_signs() -> None:
    result = read(
        PAGE[:BODY_START] + b"Scores rose from 3 &lt; 4 to 5 &gt; 2. " + PAGE[BODY_START:]
    )
    assert "from 3 < 4 to 5 > 2." in result.body


def test_an_empty_body_is_rejected_as_empty() -> None:
    for body in (b"", b" \r\n\t "):
        result = read(body)
        assert isinstance(result, Rejected)
        assert result.reason == validation.EMPTY


def test_a_ten_megabyte_page_is_read() -> None:
    filler = b"<div class='related'>" + b"<p>Filler line of a very long page.</p>" * 260_000
    body = PAGE.replace(b"</body>", filler + b"</div></body>")
    assert len(body) > 10_000_000
    result = read(body)
    assert_sound(result)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_markup_is_read(depth: int) -> None:
    nested = b"<div>" * depth + b"<p>Deep paragraph.</p>" + b"</div>" * depth
    body = PAGE.replace(b"</body>", nested + b"</body>")
    assert_sound(read(body))
    assert_sound(read(b"<span>" * depth))


# -- dates ------------------------------------------------------------------------------------

URL_DATE = "2024-09-10"


@pytest.mark.parametrize(
    ("public_time", "fetched", "expected"),
    [
        (b"Public Time:2020-13-45", FETCHED, (URL_DATE, "url")),
        (b"Public Time:", FETCHED, (URL_DATE, "url")),
        (b"Public Time: soon", FETCHED, (URL_DATE, "url")),
        (b"Public Time:2024-02-30", FETCHED, (URL_DATE, "url")),
        (b"Public Time:0000-00-00", FETCHED, (URL_DATE, "url")),
        (b"Public Time:2099-01-01", FETCHED, (URL_DATE, "url")),  # in the future
        (b"Public Time:2026-01-03", FETCHED, (URL_DATE, "url")),  # two days ahead
        (b"Public Time:2026-01-02", FETCHED, ("2026-01-02", "public_time")),  # China time
        (b"Public Time:2024-09-09", FETCHED, ("2024-09-09", "public_time")),
        # fetched before the URL's own date: the URL date is in the future too
        (b"Public Time:2099-01-01", "2024-01-01T00:00:00Z", (None, None)),
    ],
)
def test_malformed_or_future_dates_give_the_url_date_or_null(
    public_time: bytes, fetched: str, expected: tuple[str | None, str | None]
) -> None:
    body = PAGE.replace(b"Public Time:2024-09-10", public_time)
    assert body != PAGE
    record = read(body, fetched=fetched)
    assert isinstance(record, PressRelease)
    assert (record.published, record.published_from) == expected
    golden = golden_records()[ID]
    assert (record.title, record.body) == (golden["title"], golden["body"])
