"""The reading room's pure rules (cqcscraper.room.text) and the search's date bounds: what the
pages show of the archive's text is escaped, whatever the text; a search box's text never
makes FTS5 fail; a date bound means what an analyst types."""

from __future__ import annotations

import sqlite3
from xml.etree import ElementTree

import pytest
from datasette.utils import escape_fts
from hypothesis import example, given
from hypothesis import strategies as st

from cqcscraper.room import text
from cqcscraper.store.search import DATES_SQL


@pytest.mark.parametrize(
    ("since", "until", "bounds"),
    [
        ("2021", "2021", ("2021-01-01", "2021-12-31")),  # a year means all of it
        ("2021-1-1", "2021-02", ("2021-01-01", "2021-02-28")),
        ("2020-2", "2024-02", ("2020-02-01", "2024-02-29")),
        (" 2021 ", "", ("2021-01-01", "")),
        ("", "", ("", "")),
        ("abc", "2021-13", (None, None)),  # no date: the search finds nothing, the page says so
        ("2021-02-30", "2021-", (None, None)),
        ("20211", "2021-1-", (None, None)),
    ],
)
def test_date_bounds(since: str, until: str, bounds: tuple) -> None:
    db = sqlite3.connect(":memory:")
    assert db.execute(DATES_SQL, {"since": since, "until": until}).fetchone() == bounds


@given(st.text(), st.text())
def test_date_bounds_take_any_text(since: str, until: str) -> None:
    found = sqlite3.connect(":memory:").execute(DATES_SQL, {"since": since, "until": until})
    for bound in found.fetchone():
        assert bound is None or bound == "" or len(bound) == 10


@given(st.text())
@example('"')
@example('""')
@example('a"b" "')
@example("*")
@example("NEAR(")
def test_a_table_search_box_never_makes_fts5_fail(typed: str) -> None:
    """Datasette quotes each word of a table search (escape_fts); what is left of any text
    after ``plain_search`` is a valid FTS5 query, or no search at all."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.execute("INSERT INTO t VALUES ('quality certification')")
    plain = text.plain_search(typed)
    if plain is not None:
        db.execute("SELECT * FROM t WHERE t MATCH ?", [escape_fts(plain)]).fetchall()


@given(st.text(), st.text())
@example("<script>alert(1)</script> old", "<script>alert(1)</script> new & [x]")
def test_what_changed_is_escaped_and_loses_no_word(before: str, after: str) -> None:
    shown = str(text.word_diff(before, after))
    assert "<script" not in shown
    for tag in ("<del>", "</del>", "<ins>", "</ins>", "<br>"):
        shown = shown.replace(tag, "")
    assert "<" not in shown


def test_what_changed_marks_the_words() -> None:
    shown = str(text.word_diff("a signing ceremony", "a solemn signing ceremony"))
    assert shown == "a<ins> solemn</ins> signing ceremony"


@given(st.text())
@example("[Yiwu] <b>x</b> [")
def test_a_snippet_marks_its_words_and_nothing_else(snippet: str) -> None:
    shown = str(text.marked(snippet)).replace("<mark>", "").replace("</mark>", "")
    assert "<" not in shown


def test_only_web_urls_are_links() -> None:
    assert text.web_link("https://www.cqc.com.cn/a") == "https://www.cqc.com.cn/a"
    for url in ("javascript:alert(1)", "data:text/html,x", "//x", "", None, "http://[::1"):
        assert text.web_link(url) is None


@given(st.text(), st.text())
def test_a_feed_of_any_text_parses_as_atom(title: str, summary: str) -> None:
    entry = text.Entry(1, title, "http://127.0.0.1/cqc/press_releases/1", None, "2024-01-02",
                       "2024-01-02T00:00:00Z", summary)  # fmt: skip
    feed = ElementTree.fromstring(text.atom_feed(title, "urn:x", "http://127.0.0.1/f", [entry]))
    assert len(feed.findall(f"{{{text.ATOM}}}entry")) == 1


def test_paragraphs_and_first_paragraph() -> None:
    assert text.paragraphs("One.\n\n  Two.\n \n\nThree.") == ["One.", "Two.", "Three."]
    assert text.first_paragraph("x" * 700 + "\n\nnext").endswith("…")
    assert text.first_paragraph(None) == ""
