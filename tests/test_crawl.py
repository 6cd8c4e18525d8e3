"""End to end: the real ``scrapy crawl press`` over HTTP against the fixture site on 127.0.0.1.

The crawl runs once per module as a subprocess (``conftest.run_crawl``), into a temporary
archive; each test reads one aspect of what it wrote. Runs after the first (incremental runs,
edits, reparse, the health verdict, overlap and interruption) are in ``test_scheduled.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import (
    EXPECTED,
    SITE,
    Crawl,
    golden_ids,
    golden_records,
    golden_rows,
    load_json,
    rows,
    run_crawl,
)
from cqcscraper.store.archive import Archive

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

# Linked from Activities/index_1.shtml but absent from the fixture site: the mirror answers 404.
DEAD_LINK = "https://www.cqc.com.cn/www/english/c/2005-06-01/590001.shtml"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return run_crawl(tmp_path_factory.mktemp("crawl"))


def test_crawl_exits_zero(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]


def test_every_row_equals_its_golden_record(crawl: Crawl) -> None:
    assert golden_rows(crawl.db) == golden_records()
    for row in rows(crawl.db):
        assert row["first_seen"] == row["last_seen"] == row["last_changed"]
        assert row["duplicate_of"] is None


def test_jsonl_equals_the_table(crawl: Crawl) -> None:
    lines = crawl.jsonl.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == rows(crawl.db)


def test_reject_page_and_dead_link_made_rejects_rows_and_no_record(crawl: Crawl) -> None:
    with Archive(crawl.db) as archive:
        rejects = {(r["url"], r["reason"], r["detail"]) for r in archive.db["rejects"].rows}
    expected = {(r["url"], r["reason"], "") for r in load_json(EXPECTED / "rejects.json")}
    assert rejects == {*expected, (DEAD_LINK, "not_found", "HTTP 404")}


def test_non_article_pages_were_crawled_and_made_no_row(crawl: Crawl) -> None:
    for path in [
        "/www/english/About/",
        "/www/english/About/clause.shtml",
        "/www/english/Service/certquery.shtml",
    ]:
        assert path in crawl.requests
    urls = {row["url"] for row in rows(crawl.db)}
    assert all("/www/english/c/" in url for url in urls)


def test_what_was_fetched_once_and_what_never(crawl: Crawl) -> None:
    assert len(crawl.requests) == len(set(crawl.requests)), "a page was fetched twice"
    articles = [path for path in crawl.requests if "/c/" in path and path.endswith(".shtml")]
    assert len(articles) == len(golden_ids()) + 2  # and the reject page, and the dead link
    assert "/www/english/News/index_1.shtml" in crawl.requests  # link pagination
    assert "/www/english/Activities/index_1.shtml" in crawl.requests  # script pagination
    files = [path for path in crawl.requests if "/c/" in path and not path.endswith(".shtml")]
    assert len(files) == 6  # the releases' photos and documents (test_preservation.py)
    # the home page's brochure and banner are no release's files: never fetched
    for never in [
        "/www/chinese/",
        "/www/english/upload/CQC_Brochure.pdf",
        "/www/english/images/banner.jpg",
        "/www/english/search/",
        "/www/english/index.shtml",
    ]:
        assert not [path for path in crawl.requests if never in path], never


def test_crawls_row_counts_the_run(crawl: Crawl) -> None:
    with Archive(crawl.db) as archive:
        (run,) = archive.db["crawls"].rows
    assert run["finish_reason"] == "finished"
    assert (run["articles_new"], run["articles_updated"], run["articles_unchanged"]) == (10, 0, 0)
    assert (run["articles_linked"], run["articles_rejected"]) == (12, 2)
    assert run["requests"] == run["responses"] == len(crawl.requests)
    assert json.loads(run["statuses"]) == {"200": len(crawl.requests) - 1, "404": 1}
    # 11 article pages were read (the 404 was not): all have a title and a date (the empty
    # page's from its URL), 10 a body, 9 an origin.
    coverage = [run[f"coverage_{name}"] for name in ["title", "published", "origin", "body"]]
    assert coverage == [1.0, 1.0, 9 / 11, 10 / 11]
    # Where the titles of those 10 pages came from: the untitled notice's from the listing.
    assert json.loads(run["title_sources"]) == {
        "heading": 6, "og_title": 2, "html_title": 1, "listing": 1, "body": 1,
    }  # fmt: skip
    assert run["titles_own_share"] == 9 / 11
    assert (run["verdict"], run["verdict_reason"]) == (
        "ok",
        "12 articles linked; 10 new, 0 updated, 0 unchanged, 2 rejected, 1 pending",
    )
    stats = json.loads(run["stats"])
    assert (stats["cqc/rejects/no_body"], stats["cqc/rejects/not_found"]) == (1, 1)


def test_every_article_response_is_kept_as_a_snapshot(crawl: Crawl) -> None:
    with Archive(crawl.db) as archive:
        snapshots = list(archive.snapshots())
    articles = sorted(p for p in crawl.requests if "/c/" in p and p.endswith(".shtml"))
    assert sorted(urlsplit(s.raw.url).path for s in snapshots) == articles
    for snapshot in snapshots:
        served = SITE / urlsplit(snapshot.raw.url).path.lstrip("/")
        if snapshot.raw.status == 200:
            assert snapshot.raw.body == served.read_bytes()
        assert snapshot.raw.headers["Content-Type"][0].startswith("text/html")


def test_listing_depth_bounds_discovery(tmp_path: Path) -> None:
    shallow = run_crawl(tmp_path, "CQC_LISTING_DEPTH=0")
    assert shallow.returncode == 0, shallow.log[-3000:]
    assert sorted(shallow.requests) == [
        "/robots.txt",
        "/www/english/",
        "/www/english/c/2023-08-04/595908.shtml",
        "/www/english/c/2024-09-10/597552.shtml",
        *(f"/www/english/c/2024-09-10/W02024091051263458{n}.jpg" for n in (1, 2, 3)),
    ]  # the home page's two articles, and the photos of 597552
    assert sorted(row["id"] for row in rows(shallow.db)) == [595908, 597552]


def test_a_page_with_no_title_element_is_archived_with_its_listings_text(crawl: Crawl) -> None:
    """The notice's page has no heading, no og:title and a <title> that is the site's name;
    the Notices listing names it (cut short, with the full form in the link's title)."""
    untitled = {row["id"]: row for row in rows(crawl.db)}[596101]
    assert (untitled["title"], untitled["title_from"]) == (
        "Notice on the Suspension of Certificates After Overdue Factory Inspections",
        "listing",
    )
    assert untitled["body"].startswith("To all certificate holders")
    with Archive(crawl.db) as archive:
        texts = dict(
            archive.db.execute("SELECT article_id, listing_text FROM snapshots").fetchall()
        )
    assert texts[596101] == untitled["title"]  # kept with the page: reparse sees the same
    assert texts[594820] == "CQC Delegation Visits the Certification Bodies..."
    assert texts[590001] == "CQC opens its English website"  # a reject's snapshot keeps it too


def test_every_row_says_where_its_title_came_from(crawl: Crawl) -> None:
    sources = {row["id"]: row["title_from"] for row in rows(crawl.db)}
    assert sources == {
        593364: "html_title",
        594820: "body",
        595351: "heading",
        595388: "og_title",
        595908: "heading",
        596101: "listing",
        596620: "heading",
        596777: "og_title",
        596880: "heading",
        597552: "heading",
    }
