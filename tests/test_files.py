"""Files are what they claim, come back when lost, and never stall a run (docs/reliability.md).

The fixture site ``fixtures/filesite/`` is in layouts no other fixture uses: a legacy table
whose images load lazily through ``data-original`` and ``<noscript>`` copies, and an HTML5
article with ``data-src``, ``data-srcset`` and ``data-lazy-src`` over a spinner. Its servers
misbehave on demand: an anti-hotlink page answering for an image (labelled as HTML, or as the
image), a "file not found" text answering for a PDF, a PDF that takes minutes to read, header
lines without end.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import (
    ANY_SHARE,
    EXPECTED,
    ROOT,
    cqcscraper_cli,
    crawl_args,
    links_of,
    load_json,
    query,
    record_of,
    run_crawl,
)
from cqcscraper.crawl import health
from cqcscraper.crawl.documents import Stopped, document_text
from cqcscraper.parse.media import ATTACHMENT, IMAGE, not_what_it_claims, sniff
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.files import heavy_pdf, pdf, png, slow_pdf
from cqcscraper.testing.mirror import Mirror

SITE = ROOT / "fixtures" / "filesite"
GOLDEN = EXPECTED / "filesite"
A = "/www/english/c/2025-03-14/"  # the legacy table: data-original, <noscript>, a PDF
B = "/www/english/c/2025-03-20/"  # the HTML5 article: data-src, data-srcset, data-lazy-src
PHOTO, PDF = A + "W020250314001.jpg", A + "P020250314001.pdf"
FIGURE = B + "img/W020250320001.png"
FILES = (  # the files a reader sees, the placeholders left out
    PHOTO,
    A + "W020250314002.png",
    PDF,
    FIGURE,
    B + "img/W020250320002_1280.png",
    B + "img/W020250320003.png",
)
PLACEHOLDERS = ("/www/english/images/loading.gif", "/www/english/stat/pixel.gif")
HOTLINK, MISSING = "/www/english/errors/hotlink.html", "/www/english/errors/missing.txt"
JPEG = (ROOT / "fixtures/html/www/english/c/2024-09-10/W020240910512634581.jpg").read_bytes()


def stored(db: Path) -> dict[str, str]:
    """Each stored file's site path and sha256."""
    rows = query(db, "SELECT url, sha256 FROM media_files")
    return {url.split("cqc.com.cn", 1)[1]: sha256 for url, sha256 in rows}


def sha256_of(path: str, site: Path = SITE) -> str:
    return hashlib.sha256((site / path.lstrip("/")).read_bytes()).hexdigest()


# -- the rules: pure ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (JPEG, "jpeg"),
        (png(2, 2), "png"),
        (b"GIF89a\x01\x00", "gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (pdf("x"), "pdf"),
        (b"\r\n%PDF-1.7 after a blank line", "pdf"),
        (b"PK\x03\x04 a docx", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a doc", "ole"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        (b"  <HTML><body>Not found</body></HTML>", "html"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
        (b"<html><body><svg viewBox='0 0 1 1'></svg>Forbidden</body></html>", "html"),
        (b"File not found", None),
        (b"", None),
    ],
)
def test_sniff_knows_a_file_by_its_bytes(body: bytes, kind: str | None) -> None:
    assert sniff(body) == kind


@pytest.mark.parametrize(
    ("role", "url", "body", "label", "refused"),
    [
        (IMAGE, "a.jpg", JPEG, "image/jpeg", False),
        (IMAGE, "a.jpg", JPEG, "text/html", False),  # a real image mislabelled is kept
        (IMAGE, "a.jpg", b"<!DOCTYPE html><title>403</title>", "text/html", True),
        (IMAGE, "a.png", b"<html><body>hotlinking</body></html>", "image/png", True),
        (IMAGE, "a.gif", b"Forbidden", "text/plain", True),
        (ATTACHMENT, "r.pdf", pdf("x"), "application/pdf", False),
        (ATTACHMENT, "r.pdf", b"File not found", "text/plain", True),
        (ATTACHMENT, "r.pdf", b"<html>gone</html>", "application/pdf", True),
        (ATTACHMENT, "r.doc", b"PK\x03\x04 a docx named .doc", "application/msword", False),
        (ATTACHMENT, "r.xlsx", b"{'error': 404}", "application/json", True),
        (ATTACHMENT, "list.csv", b"model,year\nA,2024\n", "text/plain", False),
        (ATTACHMENT, "download?id=3", b"\x00\x01 opaque", "application/octet-stream", False),
        (ATTACHMENT, "download?id=3", b"Please log in", "text/plain", True),
    ],
)
def test_a_file_must_be_what_its_link_claims(
    role: str, url: str, body: bytes, label: str, refused: bool
) -> None:
    assert bool(not_what_it_claims(role, f"https://www.cqc.com.cn/{url}", body, label)) is refused


@given(st.binary(max_size=2048), st.text(max_size=40))
def test_sniffing_never_fails_on_any_bytes(body: bytes, label: str) -> None:
    sniff(body)
    for role in (IMAGE, ATTACHMENT):
        not_what_it_claims(role, "https://www.cqc.com.cn/a/b.pdf", body, label)


@pytest.mark.parametrize("name", ["599101", "599177"])
def test_lazy_loading_pages_equal_their_golden_records(name: str) -> None:
    """The real images of two lazy-loading layouts, never the spinner or the pixel: whole
    records, and the links the crawl fetches."""
    (path,) = (SITE / "www/english/c").glob(f"*/{name}.shtml")
    assert record_of(path, site=SITE).to_dict() == load_json(GOLDEN / f"{name}.json")
    assert links_of(path, site=SITE) == load_json(GOLDEN / "media.json")[name]


def read(body: bytes, **bounds: object) -> tuple[str | None, str | None]:
    options = {"timeout": 60.0, "memory_mb": 1024, "running": lambda: True, **bounds}
    return asyncio.run(document_text(body, **options))  # type: ignore[arg-type]


def test_a_document_is_read_in_a_bounded_worker() -> None:
    assert read(pdf("Dry breaking strength")) == ("Dry breaking strength", None)
    assert read(b"not a pdf at all") == (None, None)
    text, why = read(slow_pdf(), timeout=1.0)
    assert (text, why) == (None, "not extracted: reading took longer than 1 s")
    text, why = read(heavy_pdf(), memory_mb=150)
    assert (text, why) == (None, "not extracted: reading needed more than 150 MB")


def test_a_document_read_when_the_run_stops_is_abandoned() -> None:
    with pytest.raises(Stopped):
        read(slow_pdf(), running=lambda: False)


def test_the_verdict_names_the_memory_bound_and_the_files_not_restored() -> None:
    thresholds = health.Thresholds(1.0, 0.0, 0.0, 5, 7.0)
    stats = {health.LISTINGS_OK: 1, health.ARTICLES_LINKED: 1, "memusage/max": 300 * 2**20}
    verdict = health.judge(stats, health.MEMORY_EXCEEDED, thresholds)
    assert not verdict.ok
    assert "memory use passed MEMUSAGE_LIMIT_MB (peak 300 MB" in verdict.reason
    verdict = health.judge({**stats, health.FILES_NOT_RESTORED: 2}, "finished", thresholds)
    assert verdict.reason.startswith("2 stored files were missing or damaged")


# -- end to end: real crawls of the file site over 127.0.0.1 -------------------------------------


@pytest.mark.e2e
def test_a_crawl_stores_the_real_images_of_lazy_pages(tmp_path: Path) -> None:
    crawl = run_crawl(tmp_path, ANY_SHARE, site=SITE)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert stored(crawl.db) == {path: sha256_of(path) for path in FILES}
    assert not [p for p in crawl.requests if p.startswith(PLACEHOLDERS)]
    media = tmp_path / "media"
    for (path,) in query(crawl.db, "SELECT path FROM media_files"):
        assert hashlib.sha256((media / path).read_bytes()).hexdigest() in path
    texts = query(crawl.db, "SELECT text, text_error FROM media_files WHERE url LIKE '%.pdf'")
    assert texts == [("Dry breaking strength of the lyocell batch: 4.2 cN/dtex", None)]


@pytest.mark.e2e
def test_error_pages_answering_for_files_are_refused_then_replaced(tmp_path: Path) -> None:
    """An anti-hotlink page as the photo (labelled HTML) and as a figure (labelled PNG), and
    a "file not found" text as the PDF: none is stored, each is a transient ``not_a_file``;
    the next run, with the files served again, stores the real ones."""
    faults = [
        Fault(path=f"{PHOTO}$", fault="same_page", location=HOTLINK),
        Fault(path=f"{FIGURE}$", fault="same_page", location=HOTLINK, content_type="image/png"),
        Fault(path=f"{PDF}$", fault="same_page", location=MISSING, content_type="text/plain"),
    ]
    first = run_crawl(tmp_path, ANY_SHARE, site=SITE, faults=faults)
    assert first.returncode == 0, first.log[-2000:]
    assert stored(first.db) == {p: sha256_of(p) for p in FILES if p not in (PHOTO, FIGURE, PDF)}
    failures = query(first.db, "SELECT url, reason, detail FROM media_failures ORDER BY url")
    assert [(url.rsplit("/", 1)[1], reason) for url, reason, _ in failures] == [
        ("P020250314001.pdf", "not_a_file"),
        ("W020250314001.jpg", "not_a_file"),
        ("W020250320001.png", "not_a_file"),
    ]
    assert "html (image/png)" in failures[2][2]
    assert query(first.db, "SELECT attachment_text FROM press_releases WHERE id = 599101") == [
        (None,)
    ]
    second = run_crawl(tmp_path, ANY_SHARE, site=SITE)
    assert second.returncode == 0, second.log[-2000:]
    assert sorted(p for p in second.requests if "/c/" in p and "shtml" not in p) == sorted(
        [PHOTO, FIGURE, PDF]
    )
    assert stored(second.db) == {path: sha256_of(path) for path in FILES}
    assert query(second.db, "SELECT count(*) FROM media_failures") == [(0,)]
    (text,) = query(second.db, "SELECT attachment_text FROM press_releases WHERE id = 599101")[0]
    assert "lyocell" in text


@pytest.mark.e2e
def test_lost_and_damaged_copies_are_fetched_whole_and_restored(tmp_path: Path) -> None:
    """The media folder deleted, a page snapshot damaged: ``verify`` fails; a ``full=1`` run
    asks for none of them with validators (a 304 would bring nothing back), stores them again,
    and ``verify`` passes."""
    first = run_crawl(tmp_path, ANY_SHARE, site=SITE)
    assert first.returncode == 0, first.log[-2000:]
    shutil.rmtree(tmp_path / "media")
    with sqlite3.connect(first.db) as connection:
        connection.execute(
            "UPDATE snapshots SET body = zeroblob(40) WHERE article_id = 599177 AND status = 200"
        )
    assert cqcscraper_cli("verify", "--db", str(first.db)).returncode == 1
    full = run_crawl(tmp_path, ANY_SHARE, "-a full=1", site=SITE)
    assert full.returncode == 0, full.log[-2000:]
    for path in FILES:
        (asked,) = full.asked_with(path)
        assert "If-None-Match" not in asked, path
    (damaged,) = full.asked_with(B + "599177.shtml")
    assert "If-None-Match" not in damaged
    (intact,) = full.asked_with(A + "599101.shtml")
    assert "If-None-Match" in intact  # a sound snapshot is still asked for conditionally
    verified = cqcscraper_cli("verify", "--db", str(first.db))
    assert verified.returncode == 0, verified.stdout
    assert "media files: ok" in verified.stdout
    assert "crawl 2 ok" in full.last_line


@pytest.mark.e2e
def test_the_nightly_refresh_restores_the_lost_files_of_recent_releases(tmp_path: Path) -> None:
    """The documented nightly run (``refresh_days``): its releases answer 304, and the files
    of theirs whose stored copy is gone are fetched again; those it holds are not."""
    first = run_crawl(tmp_path, ANY_SHARE, site=SITE)
    assert first.returncode == 0, first.log[-2000:]
    (path,) = query(first.db, "SELECT path FROM media_files WHERE url LIKE ?", f"%{FIGURE}")[0]
    (tmp_path / "media" / path).unlink()
    nightly = run_crawl(tmp_path, ANY_SHARE, "-a refresh_days=100000", site=SITE)
    assert nightly.returncode == 0, nightly.log[-2000:]
    assert {status for p, status in nightly.responses if p.endswith(".shtml") and "/c/" in p} == {
        304
    }
    assert [p for p in nightly.requests if p in FILES] == [FIGURE]
    assert cqcscraper_cli("verify", "--db", str(first.db)).returncode == 0


@pytest.mark.e2e
def test_a_run_that_cannot_restore_lost_files_fails_saying_how_many(tmp_path: Path) -> None:
    first = run_crawl(tmp_path, ANY_SHARE, site=SITE)
    assert first.returncode == 0, first.log[-2000:]
    for (path,) in query(first.db, "SELECT path FROM media_files WHERE url LIKE '%.png'"):
        (tmp_path / "media" / path).unlink()
    faults = [Fault(path=r"\.png$", fault="status", status=503)]
    full = run_crawl(tmp_path, ANY_SHARE, "-a full=1", "RETRY_TIMES=0", site=SITE, faults=faults)
    assert full.returncode == 1
    assert "4 stored files were missing or damaged and could not be fetched again" in (
        full.last_line
    )


def slow_site(tmp_path: Path) -> Path:
    """The file site with its PDF replaced by one whose text takes minutes to read."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / PDF.lstrip("/")).write_bytes(slow_pdf())
    return site


@pytest.mark.e2e
def test_a_document_past_its_time_bound_is_kept_without_text(tmp_path: Path) -> None:
    site = slow_site(tmp_path)
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, "CQC_DOCUMENT_TIMEOUT=2", site=site)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert stored(crawl.db) == {path: sha256_of(path, site) for path in FILES}
    rows = query(crawl.db, "SELECT text, text_error FROM media_files WHERE url LIKE '%.pdf'")
    assert rows == [(None, "not extracted: reading took longer than 2 s")]
    assert query(crawl.db, "SELECT count(*) FROM press_releases") == [(2,)]


@pytest.mark.e2e
def test_sigterm_stops_a_run_while_a_document_is_read(tmp_path: Path) -> None:
    """With a document bound of ten minutes, SIGTERM while the slow PDF is read ends the run
    at once (well within the minute this test allows): the run is recorded as stopped, and
    the PDF, whose text is unknown, is a transient failure that the next run tries again."""
    site, out = slow_site(tmp_path), tmp_path / "out"
    out.mkdir()
    with Mirror(site) as mirror:
        command = crawl_args(
            f"{mirror.url}/www/english/", out, ANY_SHARE, "CQC_DOCUMENT_TIMEOUT=600"
        )
        crawl = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 120
            while PDF not in mirror.requests and time.monotonic() < deadline:
                assert crawl.poll() is None, crawl.stderr.read().decode()[-2000:]
                time.sleep(0.2)
            assert PDF in mirror.requests
            time.sleep(1)  # the worker is reading (it would for minutes)
            crawl.send_signal(signal.SIGTERM)
            _, log = crawl.communicate(timeout=60)
        finally:
            crawl.kill()
    assert crawl.returncode == 1, log.decode()[-2000:]
    db = out / "cqc.db"
    assert query(db, "SELECT finish_reason, verdict FROM crawls") == [("shutdown", "fail")]
    failures = query(db, "SELECT reason, detail FROM media_failures WHERE url LIKE '%.pdf'")
    assert failures == [("fetch_failed", "the run was stopped while a document was read")]
    assert query(db, "SELECT count(*) FROM media_files WHERE url LIKE '%.pdf'") == [(0,)]


@pytest.mark.e2e
def test_a_server_whose_headers_never_end_fails_the_run_by_its_memory_bound(
    tmp_path: Path,
) -> None:
    """Header lines without end for an article, and a download timeout of ten minutes: the
    run's memory bound ends it, failing with a reason that names the bound."""
    flood = Fault(path=f"{B}599177.shtml$", fault="header_flood", size=8 * 2**30, seconds=300)
    crawl = run_crawl(
        tmp_path,
        ANY_SHARE,
        "MEMUSAGE_LIMIT_MB=256",
        "DOWNLOAD_TIMEOUT=600",
        "CQC_MEMORY_GRACE=2",
        site=SITE,
        faults=[flood],
    )
    assert crawl.returncode == 1
    assert "its memory use passed MEMUSAGE_LIMIT_MB" in crawl.last_line
    verdicts = query(crawl.db, "SELECT finish_reason, verdict FROM crawls")
    assert verdicts == [(health.MEMORY_EXCEEDED, "fail")]
