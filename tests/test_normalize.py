"""The text rules of normalize.py, each on its own, and their properties under hypothesis."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqcscraper.parse.dates import _dateparser_date, parse_date
from cqcscraper.parse.extract import RawArticle
from cqcscraper.parse.normalize import (
    CENTRE,
    body_lines,
    canonical_origin,
    content_lines,
    is_furniture,
    normalize_article,
)
from cqcscraper.parse.text import _INVISIBLE, CONTROL, clean_text
from cqcscraper.parse.titles import (
    BODY,
    ELLIPSIS,
    HEADING,
    OG_TITLE,
    TITLE_SOURCES,
    Title,
    choose_title,
    complete,
    shows_markup,
    strip_site_suffix,
)

ARTICLE = "https://www.cqc.com.cn/www/english/c/2020-11-23/595351.shtml"


def raw(**fields: object) -> RawArticle:
    defaults: dict[str, object] = {
        "url": ARTICLE,
        "headings": (),
        "og_title": None,
        "html_title": None,
        "public_time": None,
        "origin": None,
        "paragraphs": (),
        "images": (),
    }
    return RawArticle(**{**defaults, **fields})


# -- whitespace and titles -------------------------------------------------------------------


def test_clean_text_collapses_every_kind_of_space_and_applies_nfc() -> None:
    assert clean_text("\u00a0\u00a0 A\t\u3000 B\n") == "A B"
    assert clean_text("Cafe\u0301\u200b") == "Café"
    assert clean_text("Cafe\u200b\u0301") == "Café"  # the mark composes once the space goes
    assert clean_text("a\x85b \x1c c") == "ab c"  # NEL is removed, not read as a space
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Title--China Quality Certification Centre", "Title"),
        ("Title - China Quality Certification Center", "Title"),
        ("Title | CQC", "Title"),
        ("Title_中国质量认证中心", "Title"),
        ("Title -- CQC -- China Quality Certification Centre", "Title"),
        ("High-quality Development", "High-quality Development"),
        ("CQC - SAMR events", "CQC - SAMR events"),
        ("Agreement(SCA)", "Agreement(SCA)"),
    ],
)
def test_strip_site_suffix(title: str, expected: str) -> None:
    assert strip_site_suffix(title) == expected


def title_of(page: RawArticle, first_line: str = "") -> tuple[str, str] | None:
    chosen = choose_title(page, first_line)
    return (chosen.text, chosen.source) if chosen else None


def test_heading_confirmed_by_og_title_wins_over_logo() -> None:
    page = raw(
        headings=("China Quality Certification Centre", "Related news", "The Title"),
        og_title="The Title",
    )
    assert title_of(page) == ("The Title", "heading")


def test_heading_cut_short_takes_full_title_from_og_title() -> None:
    page = raw(
        headings=("A very long title that was cut...",),
        og_title="A very long title that was cut short",
    )
    assert title_of(page) == ("A very long title that was cut short", "og_title")


def test_heading_cut_short_takes_full_title_from_body_line() -> None:
    page = raw(headings=("Signing of the agreement betw…",), html_title="News--CQC")
    assert title_of(page, "Signing of the agreement between A and B") == (
        "Signing of the agreement between A and B",
        "body",
    )


def test_without_heading_the_title_comes_from_og_title_then_title_tag() -> None:
    assert title_of(raw(og_title="OG", html_title="Tag--CQC")) == ("OG", "og_title")
    assert title_of(raw(html_title="Tag--CQC")) == ("Tag", "html_title")
    assert title_of(raw(html_title="CQC")) is None


def test_heading_and_title_tag_cut_alike_are_completed_from_og_title() -> None:
    """Two cut-short candidates that agree confirm each other's cut form, not the full one."""
    page = raw(
        headings=("CQC and TUV Renew Cooperation on Module…",),
        html_title="CQC and TUV Renew Cooperation on Module… | CQC",
        og_title="CQC and TUV Renew Cooperation on Module Certification",
    )
    assert title_of(page) == ("CQC and TUV Renew Cooperation on Module Certification", "og_title")


def test_title_tag_cut_short_is_completed_by_the_first_body_line_which_leaves_the_body() -> None:
    full = "CQC Delegation Visits the Certification Bodies of Kazakhstan"
    page = raw(
        html_title="CQC Delegation Visits the Certification Bodies of Kaz...--CQC",
        paragraphs=(full, "The delegation met the committee in Astana."),
    )
    record = normalize_article(page)
    assert (record.title, record.title_from) == (full, "body")
    assert record.body == "The delegation met the committee in Astana."


def test_a_page_with_no_title_of_its_own_takes_the_listing_text() -> None:
    page = raw(
        html_title="CQC English",
        listing_text="Notice on Certificates",
        paragraphs=("The notice text.",),
    )
    record = normalize_article(page)
    assert (record.title, record.title_from, record.body) == (
        "Notice on Certificates",
        "listing",
        "The notice text.",
    )


def test_a_confirmed_candidate_beats_an_unconfirmed_heading() -> None:
    page = raw(headings=("Latest news",), og_title="The Release", listing_text="The Release")
    assert title_of(page) == ("The Release", "og_title")


def test_the_listing_confirms_a_heading() -> None:
    page = raw(headings=("Box", "The Release"), og_title="Other", listing_text="The Release")
    assert title_of(page) == ("The Release", "heading")


@pytest.mark.parametrize(
    "furniture",
    [
        "CQC",
        "CQC English",
        "China Quality Certification Centre - Home",
        "Welcome to the official website of China Quality Certification Center",
        "中国质量认证中心英文版",
        "CHINA QUALITY CERTIFICATION CENTRE CO.,LTD.",
        "News",  # a section label: the text of one of the page's menu links
    ],
)
def test_site_and_section_names_are_never_titles(furniture: str) -> None:
    page = raw(
        headings=(furniture,),
        og_title=furniture,
        html_title=f"{furniture} -- CQC",
        link_labels=("Home", "News", "Notices"),
        paragraphs=("Text of the release.",),
    )
    assert choose_title(page, "Text of the release.") is None


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("CQC Signs an Agreement</title> <meta property=", True),
        ("CQC Signs an Agreement> <META NAME=", True),
        ("Line one<br/>line two", True),
        ("CQC Publishes the <Implementation Rules for Toys>", False),
        ("CQC Interprets <<Measures for Labels>>", False),
        ("<Code of Practice for Audits>", False),  # an element's name, no tag's form
        ("Scores rose from 3 < 4 to 5 > 2", False),
    ],
)
def test_a_tag_in_a_title_candidate_is_markup_not_text(text: str, tag: bool) -> None:
    assert shows_markup(text) is tag
    page = raw(og_title=text, html_title="CQC Signs an Agreement - CQC English")
    expected = ("CQC Signs an Agreement", "html_title") if tag else (text, OG_TITLE)
    assert title_of(page) == expected


def test_a_link_text_that_names_no_page_is_no_title() -> None:
    assert title_of(raw(listing_text="More >>")) is None
    assert title_of(raw(listing_text="详细")) is None


def test_a_long_first_body_line_never_completes_a_title() -> None:
    paragraph = "Signing of the agreement " + "with many more words " * 20
    assert title_of(raw(headings=("Signing of the agreement...",)), paragraph) == (
        "Signing of the agreement...",
        "heading",
    )


TITLE_WORDS = st.lists(
    st.sampled_from("CQC quality signs agreement with Yiwu on the certification of toys".split()),
    min_size=1,
    max_size=10,
).map(" ".join)
FURNITURE = st.sampled_from(
    ["CQC", "CQC English", "Home - China Quality Certification Centre", "Notices", "News"]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(TITLE_WORDS, FURNITURE), max_size=3),
    st.one_of(st.none(), TITLE_WORDS, FURNITURE),
    st.one_of(st.none(), TITLE_WORDS, FURNITURE),
    st.one_of(st.none(), TITLE_WORDS, FURNITURE),
    st.one_of(st.just(""), TITLE_WORDS),
)
def test_choose_title_never_returns_furniture(
    headings: list[str], og: str | None, tag: str | None, listing: str | None, line: str
) -> None:
    page = raw(
        headings=tuple(headings),
        og_title=og,
        html_title=tag,
        listing_text=listing,
        link_labels=("News", "Notices"),
    )
    chosen = choose_title(page, line)
    if chosen is not None:
        assert chosen.text not in {
            "CQC",
            "CQC English",
            "Home - China Quality Certification Centre",
        }
        assert chosen.text not in {"Notices", "News"}
        assert chosen.source in TITLE_SOURCES


@settings(max_examples=200, deadline=None)
@given(TITLE_WORDS, st.integers(8, 60), st.sampled_from(["...", "…", " ..."]), TITLE_WORDS)
def test_completion_is_idempotent(full: str, cut_at: int, ellipsis: str, other: str) -> None:
    cut = Title(full[:cut_at] + ellipsis, HEADING)
    candidates = [Title(other, OG_TITLE), Title(full, OG_TITLE)]
    once = complete(cut, candidates)
    assert complete(once, candidates) == once
    stem = full[:cut_at].rstrip()
    if (
        len(stem) >= 8
        and len(full) > len(stem)
        and not other.casefold().startswith(stem.casefold())
    ):
        assert once.text == full


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-11-23", "2020-11-23"),
        ("2020-11-23 10:32:11", "2020-11-23"),
        (" 2020/1/5 ", "2020-01-05"),
        ("2020年11月23日", "2020-11-23"),
        ("Date 2006.11.15 Views 12", "2006-11-15"),
        ("23 November 2020", "2020-11-23"),
        ("November 23, 2020", "2020-11-23"),
        ("2020-13-45", None),
        ("", None),
        (None, None),
        ("soon", None),
        ("yesterday", None),
        ("November 2020", None),
    ],
)
def test_parse_date(text: str | None, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_public_time_wins_over_url_date_and_url_date_is_the_fallback() -> None:
    labelled = normalize_article(raw(public_time="2020-11-24", paragraphs=("Body text.",)))
    assert (labelled.published, labelled.published_from) == ("2020-11-24", "public_time")
    unlabelled = normalize_article(raw(paragraphs=("Body text.",)))
    assert (unlabelled.published, unlabelled.published_from) == ("2020-11-23", "url")
    broken = normalize_article(raw(public_time="2020-13-45", paragraphs=("Body text.",)))
    assert (broken.published, broken.published_from) == ("2020-11-23", "url")


@pytest.mark.parametrize(
    "unset", ["1970-01-01 08:00:00", "1900-01-01", "1970年01月01日", "0001-01-01 00:00"]
)
def test_a_date_before_the_site_existed_is_not_believed(unset: str) -> None:
    """A CMS's unset date printed as a date (the epoch in China time, 1900-01-01): the URL's
    date is the release's."""
    record = normalize_article(raw(public_time=unset, paragraphs=("Body text.",)))
    assert (record.published, record.published_from) == ("2020-11-23", "url")


def test_no_date_anywhere_is_null() -> None:
    page = raw(url="https://www.cqc.com.cn/www/english/c/2020-02-30/1.shtml", paragraphs=("B",))
    record = normalize_article(page)
    assert (record.published, record.published_from) == (None, None)


def test_normalize_refuses_a_non_article_url() -> None:
    with pytest.raises(ValueError, match="not an article URL"):
        normalize_article(raw(url="https://www.cqc.com.cn/www/english/News/"))


# -- origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "中国质量认证中心",
        "中国质量认证中心有限公司",
        "CHINA QUALITY CERTIFICATION CENTRE CO.,LTD.",
        "China Quality Certification Centre",
        "china  quality certification center",
        "China Quality Certification Centre Co., Ltd",
        "ＣＱＣ",
        "CQC",
    ],
)
def test_both_names_of_the_centre_map_to_one(name: str) -> None:
    assert canonical_origin(name) == CENTRE


def test_unknown_origin_kept_verbatim_and_missing_stays_none() -> None:
    assert canonical_origin("State Administration for  Market Regulation") == (
        "State Administration for Market Regulation"
    )
    assert canonical_origin("") is None
    assert canonical_origin(None) is None


# -- body ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Homepage / Favorites / 中文版",
        "Introduction of Website / Exception Clause",
        "Copyright by CHINA QUALITY CERTIFICATION CENTRE CO., LTD.",
        "© 2024 CQC",
        "Public Time:2020-11-23 Origin:中国质量认证中心",
        "Origin：CQC",
        "1",
        "12",
        "图片",
        "图片1",
        "\u00a0\u00a0",
        "",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(clean_text(line))
    assert content_lines([line, "Text."]) == ["Text."]


@pytest.mark.parametrize(
    "line",
    [
        "2024 was a good year for certification.",
        "Home appliances / electronics were covered.",
        "Source: the 2023 annual report shows growth in every field." * 5,
        "1,000 companies attended.",
    ],
)
def test_prose_is_not_furniture(line: str) -> None:
    assert not is_furniture(clean_text(line))


def test_the_body_leaves_furniture_and_a_leading_title_line_and_keeps_breaks() -> None:
    paragraphs = [
        "Homepage / Favorites / 中文版",
        "The  Title",
        "\u00a0\u00a0 First.",
        "",
        "2",
        "Second.",
    ]
    assert body_lines(content_lines(paragraphs), "The Title") == ["First.", "Second."]
    assert body_lines(["First.", "The Title"], "The Title") == ["First.", "The Title"]
    assert body_lines(["News", "First."], None, labels=("Home", "News")) == ["First."]
    record = normalize_article(raw(headings=("The Title",), paragraphs=tuple(paragraphs)))
    assert (record.title, record.body) == ("The Title", "First.\n\nSecond.")


# -- properties ------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@given(TEXT)
def test_clean_text_is_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


@given(TEXT)
def test_clean_text_is_its_rules_applied_in_full(text: str) -> None:
    """Its short ways (the search for characters to remove only when what is left is not
    printable; no NFC for ASCII) give what every rule gives, applied in turn."""
    full = unicodedata.normalize("NFC", _INVISIBLE.sub("", CONTROL.sub("", text)))
    assert clean_text(text) == " ".join(full.split())


@given(st.text(alphabet=st.sampled_from(["a", " ", ".", "…", "\n", "\t", "x"]), max_size=12))
def test_a_title_is_cut_where_the_ellipsis_pattern_finds_one(text: str) -> None:
    assert Title(text, BODY).cut == (ELLIPSIS.search(text) is not None)


@given(TEXT)
def test_strip_site_suffix_is_idempotent(text: str) -> None:
    once = strip_site_suffix(text)
    assert strip_site_suffix(once) == once


@given(TEXT)
def test_canonical_origin_is_idempotent(text: str) -> None:
    once = canonical_origin(text)
    assert canonical_origin(once) == once


@given(st.lists(TEXT, max_size=8), st.one_of(st.none(), TEXT))
def test_the_body_rules_are_idempotent(paragraphs: list[str], title: str | None) -> None:
    once = body_lines(content_lines(paragraphs), title)
    assert body_lines(content_lines(once), title) == once
    assert all(p == clean_text(p) and p for p in once)


@settings(max_examples=200)
@given(TEXT)
def test_parse_date_never_raises_and_gives_iso_or_none(text: str) -> None:
    result = parse_date(text)
    assert result is None or (len(result) == 10 and parse_date(result) == result)


@given(
    st.lists(TEXT, max_size=4),
    st.one_of(st.none(), TEXT),
    st.one_of(st.none(), TEXT),
    st.one_of(st.none(), TEXT),
    st.lists(TEXT, max_size=6),
)
def test_normalize_article_never_raises(
    headings: list[str],
    title: str | None,
    public_time: str | None,
    origin: str | None,
    body: list[str],
) -> None:
    page = raw(
        headings=tuple(headings),
        og_title=title,
        html_title=title,
        public_time=public_time,
        origin=origin,
        paragraphs=tuple(body),
    )
    record = normalize_article(page)
    assert record.body == "\n\n".join(content_lines(record.body.split("\n\n")))


ENGLISH_FORMATS = [
    "{d} {B} {Y}",
    "{d} {b}. {Y}",
    "{B} {d}, {Y}",
    "{b} {d} {Y}",
    "{d}th {B} {Y} 10:32",
]


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)), st.sampled_from(ENGLISH_FORMATS))
def test_english_dates_are_read_without_dateparser_as_dateparser_reads_them(
    day: dt.date, form: str
) -> None:
    text = form.format(d=day.day, B=day.strftime("%B"), b=day.strftime("%b"), Y=day.year)
    assert parse_date(text) == day.isoformat()
    assert _dateparser_date(text) == day.isoformat()
