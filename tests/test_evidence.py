"""An answer is evidence, not truth: bytes are whole or refused (docs/reliability.md).

A compressed body whose stream stops early while the HTTP framing stays intact (the
``Content-Length`` of what was sent) is ``truncated``: retried, never a release, never replacing
archived text; the next run fetches it again. Two encodings, two situations: a new release cut
in gzip, an archived one cut in deflate on a refresh.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from conftest import ANY_SHARE, SITE, golden_records, golden_rows, query, run_crawl
from cqcscraper.crawl.whole import stream_is_whole
from cqcscraper.testing.mirror import Fault, Mirror

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
