"""End to end: the crawler against a mirror that fails in every way docs/reliability.md lists.

One crawl of a fault site (the fixture site plus a listing of article copies, each copy served
with one fault) is shared by the tests of this module: each test reads what that crawl did to
its article, from the archive and from the mirror's request log. A second pair of crawls checks
that a faulty re-fetch never changes an archived release.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SITE, Crawl, golden_records, golden_rows, page_of, rows, run_crawl
from cqcscraper.parse import urls, validation
from cqcscraper.store.archive import Archive
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.mirror import Mirror

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

RETRIES = 2
REDIRECTS = 5
BACKOFF = 0.25
SETTINGS = (
    f"RETRY_TIMES={RETRIES}",
    f"REDIRECT_MAX_TIMES={REDIRECTS}",
    f"CQC_RETRY_BACKOFF={BACKOFF}",
    "CQC_RETRY_AFTER_MAX=5",
    "DOWNLOAD_TIMEOUT=2",
    "DOWNLOAD_MAXSIZE=200000",
    "CQC_MAX_REJECTED_SHARE=1",  # the faults are the point here; the verdict is tested apart
)
ATTEMPTS = 1 + RETRIES


@dataclass(frozen=True)
class Case:
    """An article copy of ``source`` served with ``fault``; archived, or rejected as ``reason``
    after ``requests`` requests."""

    name: str
    id: int
    fault: dict = field(hash=False)
    reason: str | None  # None: archived, as the golden record of ``source``
    requests: int
    source: int = 597552  # modern layout, UTF-8

    @property
    def page(self) -> Path:
        source = page_of(self.source)
        return source.with_name(f"{self.id}.shtml")

    @property
    def path(self) -> str:
        return "/" + self.page.relative_to(SITE).as_posix()

    @property
    def url(self) -> str:
        return urls.SITE_ORIGIN + self.path


CASES = [
    Case("503-twice", 900001, {"fault": "status", "status": 503, "times": 2}, None, 3),
    Case("500-once", 900002, {"fault": "status", "status": 500, "times": 1}, None, 2),
    Case("502-once", 900003, {"fault": "status", "status": 502, "times": 1}, None, 2),
    Case(
        "429-retry-after-1s",
        900004,
        {"fault": "status", "status": 429, "retry_after": "1", "times": 1},
        None,
        2,
    ),
    Case(
        "429-retry-after-1h",
        900005,
        {"fault": "status", "status": 429, "retry_after": "3600"},
        "fetch_failed",
        1,
    ),
    Case("503-always", 900006, {"fault": "status", "status": 503}, "fetch_failed", ATTEMPTS),
    Case(
        "slower-than-timeout", 900007, {"fault": "slow", "seconds": 600}, "fetch_failed", ATTEMPTS
    ),
    Case("closed-mid-body", 900008, {"fault": "close_mid_body"}, "truncated", ATTEMPTS),
    Case("short-body", 900009, {"fault": "short_body"}, "truncated", ATTEMPTS),
    Case("oversize", 900010, {"fault": "oversize", "size": 300_000}, "too_large", 1),
    Case(
        "redirect-off-host",
        900011,
        {"fault": "redirect", "location": "{trap}/elsewhere.shtml"},
        "off_site_redirect",
        1,
    ),
    Case(
        "redirect-to-file",
        900012,
        {"fault": "redirect", "location": "file:///etc/passwd"},
        "off_site_redirect",
        1,
    ),
    Case("redirect-loop", 900013, {"fault": "redirect_loop"}, "redirect_loop", 1 + REDIRECTS),
    Case("empty-200", 900014, {"fault": "empty"}, "empty", 1),
    Case(
        "pdf-content-type",
        900015,
        {"fault": "content_type", "content_type": "application/pdf"},
        "not_html",
        1,
    ),
    Case("broken-markup", 900016, {"fault": "broken_markup"}, None, 1),
    Case(
        "utf8-header-on-gb2312-page",
        900017,
        {"fault": "charset", "charset": "utf-8"},
        None,
        1,
        source=593364,
    ),  # GB2312
    Case("gbk-header-on-utf8-page", 900018, {"fault": "charset", "charset": "gbk"}, None, 1),
    Case("broken-markup-legacy", 900019, {"fault": "broken_markup"}, None, 1, source=593364),
]
MISSING = Case("404", 900099, {}, "not_found", 1)  # linked, but no such page
BY_ID = {case.id: case for case in [*CASES, MISSING]}
LISTING = "/www/english/Faults/"
DETAIL = {  # what the reject's detail says, for each reason
    "fetch_failed": "",  # HTTP 503, HTTP 429 or DownloadTimeoutError: checked non-empty
    "truncated": "the body ended before its announced end (ResponseDataLossError",
    "too_large": "larger than download max size (200000)",
    "off_site_redirect": ", not followed",
    "redirect_loop": "max redirections reached",
    "empty": "empty body",
    "not_html": "content type application/pdf",
    "not_found": "HTTP 404",
}


def fault_site(root: Path) -> Path:
    """The fixture site, plus the article copies and a listing that links to them."""
    site = root / "site"
    shutil.copytree(SITE, site)
    for case in CASES:
        target = site / case.page.relative_to(SITE)
        target.write_bytes(case.page.with_name(f"{case.source}.shtml").read_bytes())
    # Each copy is announced by its release's title, as a listing of the site does: the same
    # text at many URLs is then one release published many times, not a placeholder.
    titles = golden_records()
    links = "\n".join(
        f'<li><a href="{case.path}">{titles[case.source]["title"]}</a></li>'
        for case in BY_ID.values()
    )
    listing = site / LISTING.strip("/") / "index.shtml"
    listing.parent.mkdir(parents=True)
    listing.write_text(
        f"<html><head><title>Faults</title></head><body><ul>{links}</ul></body></html>",
        encoding="utf-8",
    )
    return site


@dataclass
class FaultyCrawl:
    crawl: Crawl
    trap_requests: list[str]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> FaultyCrawl:
    root = tmp_path_factory.mktemp("faults")
    site = fault_site(root)
    with Mirror(SITE) as trap:  # "another host": localhost is not the start host 127.0.0.1
        trap_url = f"http://localhost:{trap.port}"
        faults = []
        for case in CASES:
            options = {
                k: v.replace("{trap}", trap_url) if k == "location" else v
                for k, v in case.fault.items()
            }
            faults.append(Fault(path=f"^{case.path}$", **options))
        crawl = run_crawl(root / "out", *SETTINGS, site=site, faults=faults, start=LISTING)
        return FaultyCrawl(crawl, list(trap.requests))


def reject_rows(db: Path) -> dict[str, dict]:
    with Archive(db) as archive:
        return {row["url"]: row for row in archive.db["rejects"].rows}


def test_the_crawl_ends_and_every_linked_article_is_archived_or_rejected(
    faulty: FaultyCrawl,
) -> None:
    crawl = faulty.crawl
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.peak_rss_mb < 400  # every fault at once, in bounded memory
    archived = {row["id"] for row in rows(crawl.db)}
    rejected = {urls.article_ref(url).id for url in reject_rows(crawl.db)}
    assert archived.isdisjoint(rejected)
    assert archived | rejected == set(BY_ID)
    assert archived == {case.id for case in BY_ID.values() if case.reason is None}


@pytest.mark.parametrize("case", list(BY_ID.values()), ids=lambda case: case.name)
def test_each_fault_ends_as_expected_after_the_expected_requests(
    faulty: FaultyCrawl, case: Case
) -> None:
    crawl = faulty.crawl
    assert len(crawl.served(case.path)) == case.requests, crawl.requests
    rejects = reject_rows(crawl.db)
    if case.reason is None:
        golden = golden_records()[case.source]
        assert golden_rows(crawl.db)[case.id] == {**golden, "id": case.id, "url": case.url}
        assert case.url not in rejects
    else:
        assert rejects[case.url]["reason"] == case.reason, rejects[case.url]
        assert rejects[case.url]["detail"]
        assert DETAIL[case.reason] in rejects[case.url]["detail"], rejects[case.url]
        assert case.id not in {row["id"] for row in rows(crawl.db)}


def test_the_run_counts_its_rejects_by_reason(faulty: FaultyCrawl) -> None:
    with Archive(faulty.crawl.db) as archive:
        (crawl,) = archive.db["crawls"].rows
    stats = json.loads(crawl["stats"])
    counted = {
        key.removeprefix("cqc/rejects/"): n
        for key, n in stats.items()
        if key.startswith("cqc/rejects/")
    }
    expected: dict[str, int] = {}
    for case in BY_ID.values():
        if case.reason:
            expected[case.reason] = expected.get(case.reason, 0) + 1
    assert counted == expected
    assert crawl["articles_rejected"] == sum(expected.values())
    assert crawl["articles_new"] == sum(1 for case in BY_ID.values() if case.reason is None)


def test_retries_back_off_and_429_waits_as_long_as_retry_after_says(faulty: FaultyCrawl) -> None:
    crawl = faulty.crawl
    first, second, third = crawl.served(BY_ID[900001].path)  # 503, 503, then 200
    assert second - first >= BACKOFF * 0.9
    assert third - second >= 2 * BACKOFF * 0.9
    asked, again = crawl.served(BY_ID[900004].path)  # 429 Retry-After: 1, then 200
    assert again - asked >= 0.9


def test_no_other_host_is_ever_requested(faulty: FaultyCrawl) -> None:
    assert faulty.trap_requests == []
    assert all(path.startswith("/") for path in faulty.crawl.requests)


def test_a_transient_reject_is_tried_again_by_the_next_run(
    faulty: FaultyCrawl, tmp_path: Path
) -> None:
    with Archive(faulty.crawl.db) as archive:
        archive.begin_crawl(urls.START_URL, {})  # as the next run does before it reads them
        pending = archive.pending(validation.TRANSIENT, validation.FINAL_WHEN_SEEN_TWICE)
        due = {waiting.article_id for waiting in pending if waiting.due}
        known = {
            case.id
            for case in BY_ID.values()
            if case.id not in due
            and archive.is_known(case.id, case.url, transient=validation.TRANSIENT)
        }
    retried = {case.id for case in CASES if case.reason in validation.TRANSIENT}
    assert retried == {900005, 900006, 900007, 900008, 900009, 900014}
    retried.add(MISSING.id)  # a 404 seen by one run only: perhaps the site's publish lag
    assert due == retried
    assert retried.isdisjoint(known)
    assert {case.id for case in BY_ID.values()} - retried <= known


# -- a faulty re-fetch of archived releases ---------------------------------------------------


def test_a_faulty_refetch_never_changes_an_archived_release(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_crawl(out)
    assert first.returncode == 0, first.log[-2000:]
    before = rows(first.db)
    faults = [
        Fault(r"/597552\.shtml$", "short_body"),
        Fault(r"/595908\.shtml$", "empty"),
        Fault(r"/595351\.shtml$", "content_type", content_type="application/pdf"),
        Fault(r"/595388\.shtml$", "close_mid_body"),
        Fault(r"/593364\.shtml$", "status", status=503),
        Fault(r"/594820\.shtml$", "status", status=503),
        Fault(r"/596101\.shtml$", "empty"),
        Fault(r"/596620\.shtml$", "short_body"),
        Fault(r"/596777\.shtml$", "close_mid_body"),
        Fault(r"/596880\.shtml$", "empty"),
    ]
    again = run_crawl(out, "-a full=1", *SETTINGS, faults=faults)
    assert again.returncode == 0, again.log[-2000:]
    after = rows(again.db)
    assert after == before  # not a field moved, not even last_seen
    with Archive(again.db) as archive:
        reasons = {
            urls.article_ref(row["url"]).id: row["reason"]
            for row in archive.db.query("SELECT url, reason FROM rejects WHERE crawl_id = 2")
        }
        assert archive.db["revisions"].count == 0
    assert reasons == {
        597552: "truncated",
        595908: "empty",
        595351: "not_html",
        595388: "truncated",
        593364: "fetch_failed",
        594820: "fetch_failed",
        596101: "empty",
        596620: "truncated",
        596777: "truncated",
        596880: "empty",
        596500: "no_body",
        590001: "not_found",
    }
