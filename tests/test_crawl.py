"""End to end: the real ``scrapy crawl press`` over HTTP against the fixture site on 127.0.0.1.

It runs from the project folder with no settings module in the environment, so scrapy.cfg is
what finds the settings, as when an operator types the command.

The crawl runs once per module as a subprocess, into a temporary archive; each test reads one
aspect of what it wrote.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EXPECTED, ROOT, SITE, golden_ids, load_json
from cqcscraper.archive import TIMESTAMPS, Archive
from cqcscraper.cli import LOCAL_SETTINGS, crawl_command
from cqcscraper.mirror import Mirror

# Linked from Activities/index_1.shtml but absent from the fixture site: the mirror answers 404.
DEAD_LINK = "https://www.cqc.com.cn/www/english/c/2005-06-01/590001.shtml"


@dataclass
class Crawl:
    returncode: int
    log: str
    db: Path
    jsonl: Path
    requests: list[str]


def run_crawl(out: Path, *settings: str) -> Crawl:
    db, jsonl = out / "cqc.db", out / "press_releases.jsonl"
    with Mirror(SITE) as mirror:
        start_url = f"{mirror.url}/www/english/"
        command = crawl_command(start_url, str(db), str(jsonl), *LOCAL_SETTINGS, *settings)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        return Crawl(done.returncode, done.stderr, db, jsonl, list(mirror.requests))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return run_crawl(tmp_path_factory.mktemp("crawl"))


def rows(db: Path) -> list[dict]:
    with Archive(db) as archive:
        return list(archive.records())


def test_crawl_exits_zero(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]


def test_every_row_equals_its_golden_record(crawl: Crawl) -> None:
    archived = {row["id"]: row for row in rows(crawl.db)}
    assert sorted(archived) == golden_ids()
    for article_id, row in archived.items():
        assert all(row.pop(name) for name in TIMESTAMPS)
        assert row == load_json(EXPECTED / f"{article_id}.json")


def test_jsonl_equals_the_table(crawl: Crawl) -> None:
    lines = crawl.jsonl.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == rows(crawl.db)


def test_reject_page_and_dead_link_made_rejects_rows_and_no_record(crawl: Crawl) -> None:
    with Archive(crawl.db) as archive:
        rejects = {(r["url"], r["reason"], r["detail"]) for r in archive.db["rejects"].rows}
    expected = {(r["url"], r["reason"], "") for r in load_json(EXPECTED / "rejects.json")}
    assert rejects == {*expected, (DEAD_LINK, "fetch_failed", "HTTP 404")}


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
    articles = [path for path in crawl.requests if "/c/" in path]
    assert len(articles) == len(golden_ids()) + 2  # and the reject page, and the dead link
    assert "/www/english/News/index_1.shtml" in crawl.requests  # link pagination
    assert "/www/english/Activities/index_1.shtml" in crawl.requests  # script pagination
    for never in [
        "/www/chinese/",
        ".pdf",
        ".jpg",
        "/www/english/search/",
        "/www/english/index.shtml",
    ]:
        assert not [path for path in crawl.requests if never in path], never


def test_crawls_row_counts_the_run(crawl: Crawl) -> None:
    with Archive(crawl.db) as archive:
        (run,) = archive.db["crawls"].rows
    assert run["finish_reason"] == "finished"
    assert (run["articles_new"], run["articles_updated"], run["articles_unchanged"]) == (5, 0, 0)
    assert run["articles_rejected"] == 2
    assert run["requests"] == run["responses"] == len(crawl.requests)
    stats = json.loads(run["stats"])
    assert (stats["cqc/rejects/no_body"], stats["cqc/rejects/fetch_failed"]) == (1, 1)


def test_listing_depth_bounds_discovery(tmp_path: Path) -> None:
    shallow = run_crawl(tmp_path, "CQC_LISTING_DEPTH=0")
    assert shallow.returncode == 0, shallow.log[-3000:]
    assert sorted(shallow.requests) == [
        "/robots.txt",
        "/www/english/",
        "/www/english/c/2023-08-04/595908.shtml",
        "/www/english/c/2024-09-10/597552.shtml",
    ]
    assert sorted(row["id"] for row in rows(shallow.db)) == [595908, 597552]
