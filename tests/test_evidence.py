"""An answer is evidence, not truth: bytes are whole or refused (docs/reliability.md).

A compressed body whose stream stops early while the HTTP framing stays intact (the
``Content-Length`` of what was sent) is ``truncated``: retried, never a release, never replacing
archived text; the next run fetches it again. Two encodings, two situations: a new release cut
in gzip, an archived one cut in deflate on a refresh.
"""

from __future__ import annotations

import gzip
import html
import json
import shutil
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import (
    ANY_SHARE,
    ROOT,
    SITE,
    cqcscraper_cli,
    golden_records,
    golden_rows,
    query,
    run_crawl,
)
from cqcscraper.crawl.whole import stream_is_whole
from cqcscraper.parse.evidence import (
    SHOWN_SHARE,
    SharedTexts,
    placeholder_detail,
    shown_words,
    title_words,
    words,
)
from cqcscraper.parse.extract import RawArticle
from cqcscraper.parse.records import PressRelease
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.mirror import Mirror

ARTICLE = "/www/english/c/2024-09-10/597552.shtml"
PHOTO = "/www/english/c/2024-09-10/W020240910512634582.jpg"
NO_WAIT = "CQC_RETRY_BACKOFF=0"  # the retries of a cut stream, at once


def rejects_of(db: Path, crawl: int) -> dict[str, str]:
    rows = query(db, "SELECT url, reason FROM rejects WHERE crawl_id = ?", crawl)
    return {url.rsplit("/", 1)[1]: reason for url, reason in rows}


PAGE = b"<html><body>" + b"<p>A paragraph of a release.</p>" * 400 + b"</body></html>"
RAW = zlib.compressobj(9, zlib.DEFLATED, -15)


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (gzip.compress(PAGE), "gzip"),
        (zlib.compress(PAGE), "deflate"),
        (RAW.compress(PAGE) + RAW.flush(zlib.Z_SYNC_FLUSH), "deflate"),  # raw, never finished
        (gzip.compress(PAGE) + gzip.compress(PAGE), "gzip"),
    ],
)
def test_a_stream_is_whole_only_to_its_end_marker(body: bytes, encoding: str) -> None:
    whole = encoding != "deflate" or body[:1] == b"\x78"  # the raw stream was never flushed
    assert stream_is_whole(body, encoding) is whole
    assert not stream_is_whole(body[: len(body) * 2 // 3], encoding)
    assert not stream_is_whole(b"", encoding)
    assert stream_is_whole(b"anything", "identity")


@pytest.mark.e2e
def test_a_cut_gzip_stream_is_truncated_never_a_release_and_the_next_run_stores_it(
    tmp_path: Path,
) -> None:
    faults = [
        Fault(path=f"{ARTICLE}$", fault="cut_stream", encoding="gzip"),
        Fault(path=f"{PHOTO}$", fault="cut_stream", encoding="gzip"),
    ]
    first = run_crawl(tmp_path, ANY_SHARE, NO_WAIT, faults=faults)
    assert first.returncode == 0, first.log[-2000:]
    assert 597552 not in golden_rows(first.db)
    assert rejects_of(first.db, 1)["597552.shtml"] == "truncated"
    assert first.requests.count(ARTICLE) == 4  # the first try and RETRY_TIMES (3) retries
    second = run_crawl(tmp_path, ANY_SHARE)
    assert second.returncode == 0, second.log[-2000:]
    assert golden_rows(second.db)[597552] == golden_records()[597552]
    photo = query(second.db, "SELECT count(*) FROM media_files WHERE url LIKE ?", f"%{PHOTO}")
    assert photo == [(1,)]


@pytest.mark.e2e
def test_a_cut_deflate_stream_on_a_refresh_never_replaces_the_archived_text(
    tmp_path: Path,
) -> None:
    first = run_crawl(tmp_path, ANY_SHARE)
    assert first.returncode == 0, first.log[-2000:]
    revisions = query(first.db, "SELECT count(*) FROM revisions WHERE id = 597552")
    fault = Fault(path=f"{ARTICLE}$", fault="cut_stream", encoding="deflate")
    full = run_crawl(tmp_path, ANY_SHARE, NO_WAIT, "-a full=1", faults=[fault])
    assert full.returncode == 0, full.log[-2000:]
    assert golden_rows(full.db) == golden_records()
    assert rejects_of(full.db, 2)["597552.shtml"] == "truncated"
    assert query(full.db, "SELECT count(*) FROM revisions WHERE id = 597552") == revisions


# -- an unreachable robots.txt forbids everything (RFC 9309), for that run only ------------------


@pytest.mark.e2e
def test_a_robots_txt_answering_503_stops_the_run_and_the_next_run_crawls(tmp_path: Path) -> None:
    down = run_crawl(tmp_path, NO_WAIT, faults=[Fault(path="^/robots.txt$", fault="status")])
    assert down.returncode == 1
    assert "robots.txt could not be read" in down.last_line
    assert "HTTP 503" in down.last_line
    assert set(down.requests) == {"/robots.txt"}  # tried with its retries; nothing else asked
    up = run_crawl(tmp_path, ANY_SHARE)
    assert up.returncode == 0, up.log[-2000:]
    assert golden_rows(up.db) == golden_records()


@pytest.mark.e2e
def test_a_robots_txt_that_times_out_stops_the_run(tmp_path: Path) -> None:
    slow = Fault(path="^/robots.txt$", fault="slow", seconds=4)
    down = run_crawl(tmp_path, NO_WAIT, "DOWNLOAD_TIMEOUT=1", "RETRY_TIMES=1", faults=[slow])
    assert down.returncode == 1
    assert "robots.txt could not be read" in down.last_line
    assert "TimeoutError" in down.last_line
    assert set(down.requests) == {"/robots.txt"}


# -- a site that moved -------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_start_page_that_redirects_to_another_host_names_it(tmp_path: Path) -> None:
    """Every listing redirected (301) to another host, as when the site moves: the run fails,
    and its last line names where the site went; nothing is fetched there."""
    with Mirror(SITE) as elsewhere:
        new_host = f"localhost:{elsewhere.port}"
        moved = Fault(
            path=r"^/www/english/", fault="redirect", location=f"http://{new_host}/www/english/"
        )
        crawl = run_crawl(tmp_path, faults=[moved])
        assert elsewhere.requests == []
    assert crawl.returncode == 1
    assert f"redirected to another host, {new_host}" in crawl.last_line
    assert "has the site moved?" in crawl.last_line


@pytest.mark.e2e
def test_a_section_that_moved_to_another_host_fails_the_run_naming_it(tmp_path: Path) -> None:
    """One section's listing (News) redirected to another host while the rest of the site
    stays: its releases would stop coming without a word. The run fails naming the new host;
    the other sections are archived; nothing is fetched there."""
    with Mirror(SITE) as elsewhere:
        new_host = f"localhost:{elsewhere.port}"
        moved = Fault(
            path=r"^/www/english/News/", fault="redirect", location=f"http://{new_host}/news/"
        )
        crawl = run_crawl(tmp_path, ANY_SHARE, faults=[moved])
        assert elsewhere.requests == []
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert "a listing page was not read: " in crawl.last_line
    assert f"/www/english/News/: redirected to another host, {new_host}" in crawl.last_line
    assert "has the site moved?" in crawl.last_line
    assert release_ids(crawl.db)  # the sections that stayed are read


# -- answers that say nothing of the page are not final ------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("status", [304, 300])
def test_a_3xx_with_no_page_and_nowhere_to_go_is_tried_again(tmp_path: Path, status: int) -> None:
    """A 304 to a request that sent no validators (a confused cache), a 300 with no Location:
    ``fetch_failed`` (transient), never a permanent ``off_site_redirect``; the next run
    archives the release."""
    fault = Fault(path=f"{ARTICLE}$", fault="status", status=status)
    first = run_crawl(tmp_path, ANY_SHARE, faults=[fault])
    assert first.returncode == 0, first.log[-2000:]
    assert rejects_of(first.db, 1)["597552.shtml"] == "fetch_failed"
    second = run_crawl(tmp_path, ANY_SHARE)
    assert second.returncode == 0, second.log[-2000:]
    assert golden_rows(second.db)[597552] == golden_records()[597552]


# -- evidence before a page becomes a release -------------------------------------------------

ANSWERS = ROOT / "fixtures" / "answers"


def site_with_answers(tmp_path: Path) -> Path:
    """The fixture site, with the false answers of ``fixtures/answers`` under ``/answers/``."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    shutil.copytree(ANSWERS, site / "answers")
    return site


def release_ids(db: Path) -> set[int]:
    return {row[0] for row in query(db, "SELECT id FROM press_releases")}


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        # a "page not found" in a redesigned template of the site, HTTP 200
        ("/answers/soft404.html", "not_the_release"),
        # a maintenance notice in Chinese and English, in a legacy table layout
        ("/answers/maintenance.html", "not_the_release"),
        # the site's own disclaimer, served while the CMS has not published the release
        ("/www/english/About/clause.shtml", "not_the_release"),
        # a challenge page after a rate limit: scripts, no text, no link
        ("/answers/challenge.html", "interstitial"),
        # a CDN's error page with a paragraph of text and a link to the CDN alone
        ("/answers/gateway.html", "interstitial"),
    ],
)
def test_a_page_that_is_not_the_announced_release_is_refused_and_tried_again(
    tmp_path: Path, answer: str, reason: str
) -> None:
    """The listing announced a release by its title; the URL answered 200 with another page.
    Refused with its own reason and kept as a snapshot, never a release; the next run, with the
    release published, archives it."""
    site = site_with_answers(tmp_path)
    fault = Fault(path=f"{ARTICLE}$", fault="same_page", location=answer)
    first = run_crawl(tmp_path / "out", ANY_SHARE, site=site, faults=[fault])
    assert first.returncode == 0, first.log[-2000:]
    assert rejects_of(first.db, 1)["597552.shtml"] == reason
    assert 597552 not in release_ids(first.db)
    assert query(first.db, "SELECT count(*) FROM snapshots WHERE article_id = 597552") == [(1,)]
    assert release_ids(first.db) == set(golden_records()) - {597552}  # the others are whole
    summary = cqcscraper_cli("summary", "--db", str(first.db)).stdout
    assert "pending: 2 articles whose last fetch failed" in summary, summary  # and a 404
    assert f"597552 ({reason}, 1 tries since" in summary, summary
    second = run_crawl(tmp_path / "out", ANY_SHARE, site=site)
    assert second.returncode == 0, second.log[-2000:]
    assert golden_rows(second.db)[597552] == golden_records()[597552]
    # asked for directly and linked by the listings too: one request, one URL
    assert second.requests.count(ARTICLE) == 1
    assert "is linked as" not in second.log


def release(article_id: int, body: str) -> PressRelease:
    return PressRelease(
        id=article_id, url=f"u{article_id}", title=None, title_from=None, published=None,
        published_from=None, origin=None, origin_raw=None, body=body, images=(),
        content_hash="",
    )  # fmt: skip


def test_the_same_text_at_a_second_article_is_a_placeholder_unless_a_title_confirms_it() -> None:
    shared = SharedTexts()
    assert shared.placeholder(release(1, "We are upgrading."), "Read more") is None
    assert shared.placeholder(release(1, "We are upgrading."), "Read more") is None  # itself
    reason, detail = shared.placeholder(release(2, "We are upgrading."), "详细 >>")
    assert reason == "placeholder"
    assert "article 1" in detail
    # one release published twice, each announced by its title: a duplicate, not a placeholder
    assert (
        shared.placeholder(release(3, "We are upgrading."), "CQC Opens a New Lab in Wuxi") is None
    )
    assert shared.placeholder(release(4, "Another text."), None) is None
    assert shared.unconfirmed == {1}  # the first of the shared text: nothing confirmed it
    confirmed = SharedTexts()
    assert confirmed.placeholder(release(5, "Same."), "CQC Opens a New Lab in Wuxi") is None
    assert confirmed.placeholder(release(6, "Same."), "Read more")[0] == "placeholder"
    assert confirmed.unconfirmed == set()  # the first was confirmed by its listing's title
    # a new article showing an archived release's text, with nothing to confirm it
    archive = SharedTexts()
    refused = archive.placeholder(release(7, "Archived text."), "More", lambda: 3)
    assert refused == ("placeholder", placeholder_detail("that of archived release 3"))
    assert archive.placeholder(release(8, "Other."), "More", lambda: None) is None
    asked = []
    assert archive.placeholder(release(9, "Xy."), "CQC Opens a New Lab", asked.append) is None
    assert asked == []  # a page its listing confirms costs no question to the archive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CQC and Yiwu Sign an Agreement", {"cqc", "and", "yiwu", "sign", "agreement"}),
        ("CQC Publishes the Implementation Ru...", {"cqc", "publishes", "the", "implementation"}),
        ("产品认证实施规则", {"产品", "品认", "认证", "证实", "实施", "施规", "规则"}),
        ("中国质量认证中心", set()),  # the centre's name: no release's title
        ("Read more >>", set()),  # a generic link: no evidence
        ("Notices", set()),  # too short to name one release
        ("", set()),
    ],
)
def test_a_listing_text_is_evidence_of_a_title_only_when_it_can_be_one(
    text: str, expected: set[str]
) -> None:
    assert title_words(text) == expected


@given(st.text())
def test_words_never_crash_and_are_lower_case(text: str) -> None:
    found = words(text)
    assert found == words(text.upper().lower()) or any(c.isupper() for c in text)
    assert all(word == word.casefold() for word in found)


BRIEFS = [  # new articles, copies of archived layouts, listed by a section of generic links
    ("/www/english/c/2025-05-06/599501.shtml", "www/english/c/2020-11-23/595351.shtml"),
    ("/www/english/c/2025-05-07/599502.shtml", "www/english/c/2021-06-18/596101.shtml"),
    ("/www/english/c/2025-05-08/599503.shtml", "www/english/c/2023-03-21/596777.shtml"),
]


def site_with_briefs(tmp_path: Path, link_text: str) -> Path:
    """The site with a section that links three new articles by ``link_text`` alone."""
    site = site_with_answers(tmp_path)
    for number, (path, like) in enumerate(BRIEFS):
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        # a release of its own: the layout of an archived one, a text of its own
        page = (site / like).read_bytes()
        opening = golden_records()[int(Path(like).stem)]["body"][:24].encode()
        assert opening in page
        target.write_bytes(page.replace(opening, f"Brief {number}: ".encode() + opening, 1))
    items = "".join(f'<li><a href="{path}">{link_text}</a></li>' for path, _ in BRIEFS)
    listing = site / "www/english/Briefs/index.shtml"
    listing.parent.mkdir()
    listing.write_text(
        f"<html><body><a href='/www/english/'>Home</a><ul>{items}</ul></body></html>",
        encoding="utf-8",
    )
    home = site / "www/english/index.shtml"
    text = home.read_text(encoding="utf-8")
    link = '<li><a href="/www/english/News/">News</a></li>'
    home.write_text(text.replace(link, link + '<li><a href="/www/english/Briefs/">Briefs</a></li>'))
    return site


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("link_text", "answer"),
    [("Read more &gt;&gt;", "/answers/maintenance.html"), ("详细", "/answers/soft404.html")],
)
def test_one_page_at_many_new_articles_that_no_listing_names_is_never_a_release(
    tmp_path: Path, link_text: str, answer: str
) -> None:
    """Listed by generic links only ("Read more", "详细"), three new articles answer with one
    page: no listing title tells them apart, the shared text does. None becomes a release (the
    first, stored before the second came, is withdrawn at the end of the run); the next run,
    with the releases published, archives all three."""
    site = site_with_briefs(tmp_path, link_text)
    ids = "|".join(path.rsplit("/", 1)[1].split(".")[0] for path, _ in BRIEFS)
    fault = Fault(path=rf"/({ids})\.shtml$", fault="same_page", location=answer)
    first = run_crawl(tmp_path / "out", ANY_SHARE, site=site, faults=[fault])
    assert first.returncode == 0, first.log[-2000:]
    assert {599501, 599502, 599503}.isdisjoint(release_ids(first.db))
    reasons = {name: reason for name, reason in rejects_of(first.db, 1).items() if "5995" in name}
    assert reasons == dict.fromkeys(["599501.shtml", "599502.shtml", "599503.shtml"], "placeholder")
    exported = {json.loads(line)["id"] for line in first.jsonl.read_text().splitlines()}
    assert exported == release_ids(first.db)
    # reparse does not undo it: the placeholders' snapshots were refused on the run's evidence
    rebuilt = cqcscraper_cli("reparse", "--db", str(first.db))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "snapshots not applied: 3 that the crawl refused on its run's evidence" in (
        rebuilt.stdout
    )
    assert {599501, 599502, 599503}.isdisjoint(release_ids(first.db))
    second = run_crawl(tmp_path / "out", ANY_SHARE, site=site)
    assert second.returncode == 0, second.log[-2000:]
    assert {599501, 599502, 599503} <= release_ids(second.db)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("fault", "limit", "reason"),
    [
        # a 503 on every try: named by the second run that tries it (2 tries)
        (Fault(path=f"{ARTICLE}$", fault="status", status=503), "CQC_PENDING_MAX_TRIES=2",
         "fetch_failed"),
        # a challenge page, still served: named at once when failing for 0 days is too long
        (Fault(path=f"{ARTICLE}$", fault="same_page", location="/answers/challenge.html"),
         "CQC_PENDING_MAX_DAYS=0", "interstitial"),
    ],
)  # fmt: skip
def test_an_article_that_keeps_failing_is_named_by_the_verdict(
    tmp_path: Path, fault: Fault, limit: str, reason: str
) -> None:
    """A passing fault that does not pass: the article is tried again by the next runs, and
    once it has failed the bound's tries or days, the run that tries it fails naming it."""
    site = site_with_answers(tmp_path)
    out = tmp_path / "out"
    options = (ANY_SHARE, limit, "RETRY_TIMES=0")
    runs = [run_crawl(out, *options, site=site, faults=[fault]) for _ in range(2)]
    named = [crawl for crawl in runs if "articles still failing after" in crawl.last_line]
    assert named, runs[-1].last_line
    assert named[0].returncode == 1
    assert f"597552 ({reason}, " in named[0].last_line
    assert ARTICLE in runs[1].requests  # tried again by the next run, wherever it is listed
    health = cqcscraper_cli("health", "--db", str(runs[1].db))
    assert health.returncode == 1
    assert "pending: 1 articles whose last fetch failed for a reason that may pass" in (
        health.stdout
    )
    assert f"597552 ({reason}, 2 tries since" in health.stdout


LAYOUTS = {  # the layouts no crawled fixture shows, at their own URLs (tests/test_layouts.py)
    "escaped_title_marks": "/www/english/c/2024-05-06/598001.shtml",
    "escaped_double_marks": "/www/english/c/2023-03-21/596002.shtml",
    "source_label": "/www/english/c/2025-04-08/599301.shtml",
    "chinese_labels": "/www/english/c/2025-04-11/599322.shtml",
    "section_title": "/www/english/c/2025-03-02/599401.shtml",
    "section_title_cn": "/www/english/c/2025-01-16/599120.shtml",
    "release_time": "/www/english/c/2025-05-21/599501.shtml",
    "posted_on": "/www/english/c/2025-05-21/599502.shtml",
    "swallowed_og_title": "/www/english/c/2025-06-04/599601.shtml",
    "swallowed_og_title_cn": "/www/english/c/2025-06-10/599602.shtml",
}


@pytest.mark.e2e
def test_text_and_fields_are_what_a_reader_sees_in_a_crawl(tmp_path: Path) -> None:
    """The layouts of the text and field rules, published on the site and listed by their
    titles, as a crawl meets them: escaped markup kept as text, labels as sites write them, a
    section name in every page title, a date given by <time datetime>, an epoch for a date.
    Each archived row is its whole golden record."""
    site = site_with_answers(tmp_path)
    expected = {}
    items = []
    for name, path in LAYOUTS.items():
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "fixtures" / "layouts" / f"{name}.html", target)
        record = json.loads((ROOT / "fixtures/expected/layouts" / f"{name}.json").read_text())
        expected[record["id"]] = record
        items.append(f'<li><a href="{path}">{html.escape(record["title"])}</a></li>')
    news = site / "www/english/News/index.shtml"
    text = news.read_text(encoding="utf-8")
    news.write_text(text.replace('<ul class="list">', '<ul class="list">' + "".join(items), 1))
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, site=site)
    assert crawl.returncode == 0, crawl.log[-2000:]
    archived = golden_rows(crawl.db)
    assert {article_id: archived.get(article_id) for article_id in expected} == expected


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("link_text", "like"),
    [
        ("Read more &gt;&gt;", "www/english/c/2020-11-23/595351.shtml"),
        ("详细", "www/english/c/2023-03-21/596777.shtml"),
    ],
)
def test_a_new_article_showing_an_archived_release_unconfirmed_is_a_placeholder(
    tmp_path: Path, link_text: str, like: str
) -> None:
    """A later run meets a new article, linked by a generic text only, that shows the very
    page of a release the archive holds (a CMS that serves its latest item at URLs it has not
    published yet): a placeholder, never a second copy of that release."""
    site = site_with_briefs(tmp_path, link_text)
    out = tmp_path / "out"
    assert run_crawl(out, ANY_SHARE, site=site).returncode == 0
    lagging = "/www/english/c/2025-05-09/599504.shtml"
    (site / lagging.lstrip("/")).parent.mkdir(parents=True)
    shutil.copy(site / like, site / lagging.lstrip("/"))
    listing = site / "www/english/Briefs/index.shtml"
    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace("<ul>", f'<ul><li><a href="{lagging}">{link_text}</a></li>'))
    later = run_crawl(out, ANY_SHARE, site=site)
    assert later.returncode == 0, later.log[-2000:]
    assert rejects_of(later.db, 2)["599504.shtml"] == "placeholder"
    (detail,) = query(later.db, "SELECT detail FROM rejects WHERE article_id = 599504")[0]
    assert f"that of archived release {Path(like).stem}" in detail
    assert 599504 not in release_ids(later.db)


# -- no command undoes a guard ----------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("answer", "refused", "skipped"),
    [
        # a sign-in wall that shows the title and one line: passes the listing's evidence,
        # loses the body: the update guard refused it
        (
            "/answers/teaser.html",
            "re-fetched releases were not updated",
            "1 that the crawl refused on its run's evidence",
        ),
        # a soft 404: the crawl refused it as not the release; reparse reads the same
        (
            "/answers/soft404.html",
            "articles fetched were rejected",
            "1 not_the_release",  # among the snapshots that give no record
        ),
    ],
)
def test_reparse_never_applies_a_snapshot_the_crawl_refused(
    tmp_path: Path, answer: str, refused: str, skipped: str
) -> None:
    """A refresh met a page that is not the release, which the crawl refused and kept as a
    snapshot. ``cqcscraper reparse`` (after a rule change) rebuilds the release from its
    snapshots without it, says so, and exits 0; the row stays the archived one."""
    site = site_with_answers(tmp_path)
    out = tmp_path / "out"
    assert run_crawl(out, ANY_SHARE, site=site).returncode == 0
    wall = Fault(path=f"{ARTICLE}$", fault="same_page", location=answer)
    refresh = run_crawl(out, "-a full=1", "CQC_MAX_REJECTED_SHARE=0.1", site=site, faults=[wall])
    assert refresh.returncode == 1, refresh.log[-2000:]
    assert refused in refresh.last_line
    assert golden_rows(refresh.db)[597552] == golden_records()[597552]
    rebuilt = cqcscraper_cli("reparse", "--db", str(refresh.db))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert skipped in rebuilt.stdout, rebuilt.stdout
    assert golden_rows(refresh.db)[597552] == golden_records()[597552]
    exported = [json.loads(line) for line in refresh.jsonl.read_text().splitlines()]
    assert {r["id"]: r for r in exported}[597552]["body"] == golden_records()[597552]["body"]


TEXTS = st.lists(
    st.text(alphabet=st.sampled_from("ab cd ef 12 认证中心 -.,"), max_size=30), max_size=5
)


@given(TEXTS, TEXTS, st.text(alphabet=st.sampled_from("ab cd ef 12 认证中心 -"), max_size=30))
def test_the_words_a_page_shows_are_read_no_further_than_needed(
    headings: list[str], paragraphs: list[str], title_text: str
) -> None:
    """Reading the page's texts one by one decides as reading them all at once would."""
    raw = RawArticle("https://x/1.shtml", tuple(headings), None, None, None, None,
                     tuple(paragraphs), ())  # fmt: skip
    title = words(title_text)
    every = title & words(" ".join([*headings, "", "", *paragraphs]))
    shown = shown_words(raw, title)
    needed = SHOWN_SHARE * len(title)
    assert (len(shown) >= needed) == (len(every) >= needed)
    assert shown <= every
    if len(every) < needed:
        assert shown == every
