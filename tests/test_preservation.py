"""End to end: what a release consists of (its images and documents), the web-archive export,
and fixity, each checked with real clients: the real ``scrapy crawl press`` over HTTP against
the fixture site, ``warcio check``/``index``, ``wacz validate``, and a real pywb collection
served on a free loopback port (docs/archive-format.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path

import pytest

from conftest import (
    ANY_SHARE,
    EXPECTED,
    SITE,
    Crawl,
    cqcscraper_cli,
    load_json,
    query,
    run_crawl,
)
from cqcscraper.parse import urls
from cqcscraper.testing.faults import Fault
from replaying import VIEWPORT, check_shown, chromium, pywb, releases, replay_frame

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
PAGE = "/www/english/c/2024-09-10/597552.shtml"
IMAGE = "/www/english/c/2024-09-10/W020240910512634581.jpg"
PDF = "/www/english/c/2023-05-04/P020230504300001.pdf"
MEDIA_PATHS = ("/W0", "/P0")  # the fixture site's files: images W..., documents P...
ARTICLE = "/www/english/c/"


def is_media(path: str) -> bool:
    return any(marker in path for marker in MEDIA_PATHS)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """The fixture site crawled once, then exported: WARC and WACZ beside the archive."""
    crawl = run_crawl(tmp_path_factory.mktemp("preserve"), ANY_SHARE)
    assert crawl.returncode == 0, crawl.log[-3000:]
    done = cqcscraper_cli("warc", "--db", str(crawl.db), "--wacz", "--description", "fixture site")
    assert done.returncode == 0, done.stderr
    return crawl


def test_links_equal_golden(archive: Crawl) -> None:
    """Every release's links to its images and documents, as the golden file lists them."""
    found: dict[str, list[dict]] = {}
    for release_id, role, position, url, text in query(
        archive.db,
        "SELECT release_id, role, position, url, text FROM media_links "
        "ORDER BY release_id, role = 'attachment', position",
    ):
        link = {"url": url, "role": role, "position": position, "text": text}
        found.setdefault(str(release_id), []).append(link)
    assert found == load_json(EXPECTED / "media.json")


def test_files_stored_by_content(archive: Crawl) -> None:
    """Each on-site file fetched once and stored under media/ by its sha256, byte for byte."""
    media = archive.db.with_name("media")
    stored = query(archive.db, "SELECT url, sha256, size, path, status FROM media_files")
    assert len(stored) == 6  # 3 photos, a PNG, a PDF, a DOCX
    for url, sha256, size, path, status in stored:
        original = (SITE / url.split("/", 3)[3]).read_bytes()
        assert hashlib.sha256(original).hexdigest() == sha256
        assert (media / path).read_bytes() == original
        assert (size, status, path.split("/")[0]) == (len(original), 200, sha256[:2])
    fetched = [path for path in archive.requests if is_media(path)]
    assert sorted(fetched) == sorted(set(fetched))  # once each
    assert len(fetched) == 6


def test_off_site_document_is_recorded_not_fetched(archive: Crawl) -> None:
    failures = query(archive.db, "SELECT url, reason, tries FROM media_failures")
    assert failures == [("https://www.sac.gov.cn/upload/2023/emission-factors.xlsx", "off_site", 1)]


def test_pdf_text_is_searchable_with_the_releases(archive: Crawl) -> None:
    """A word found only in 596880's PDF finds the release through the full-text index,
    as analysts search it (SQL, and sqlite-utils search)."""
    sql = (
        "SELECT p.id FROM press_releases_fts JOIN press_releases p "
        "ON p.id = press_releases_fts.rowid WHERE press_releases_fts MATCH ?"
    )
    assert query(archive.db, sql, "viscose") == [(596880,)]
    assert query(archive.db, "SELECT count(*) FROM press_releases WHERE body LIKE '%viscose%'") == [
        (0,)
    ]
    found = subprocess.run(
        [BIN / "sqlite-utils", "search", str(archive.db), "press_releases", "viscose", "--csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "596880" in found


def test_incremental_run_fetches_no_file_it_holds(archive: Crawl, tmp_path: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(archive.db.parent, out)
    again = run_crawl(out, ANY_SHARE)
    assert again.returncode == 0, again.log[-2000:]
    assert [path for path in again.requests if is_media(path)] == []


def test_full_run_over_an_unchanged_site_transfers_no_bodies(
    archive: Crawl, tmp_path: Path
) -> None:
    """``full=1`` asks for every article and file it holds with If-None-Match: the mirror
    answers 304, and no article body or file is sent again."""
    out = tmp_path / "full"
    shutil.copytree(archive.db.parent, out)
    full = run_crawl(out, ANY_SHARE, "-a full=1")
    assert full.returncode == 0, full.log[-2000:]
    archived = {path for (path,) in query(out / "cqc.db", "SELECT url FROM press_releases")}
    asked = {
        path: status
        for path, status in full.responses
        if (path.startswith(ARTICLE) and urls.SITE_ORIGIN + path in archived) or is_media(path)
    }
    assert len(asked) == 10 + 6
    assert set(asked.values()) == {304}
    assert sum(full.sent.get(path, 0) for path in asked) == 0
    runs = query(out / "cqc.db", "SELECT articles_unchanged, verdict FROM crawls ORDER BY id")
    assert runs[-1] == (10, "ok")
    snapshots = query(out / "cqc.db", "SELECT max(fetches) FROM snapshots")
    assert snapshots == [(2,)]


def test_failed_file_is_retried_by_the_next_run(tmp_path: Path) -> None:
    """A file the server keeps failing costs no release; the next run stores it."""
    fault = Fault(path=PDF + "$", fault="status", status=500)
    first = run_crawl(tmp_path, ANY_SHARE, faults=[fault])
    assert first.returncode == 0, first.log[-2000:]
    db = tmp_path / "cqc.db"
    assert query(db, "SELECT count(*) FROM press_releases WHERE id = 596880") == [(1,)]
    reason = query(db, "SELECT reason, status FROM media_failures WHERE url LIKE '%.pdf'")
    assert reason == [("fetch_failed", 500)]
    assert query(db, "SELECT attachment_text FROM press_releases WHERE id = 596880") == [(None,)]
    second = run_crawl(tmp_path, ANY_SHARE)
    assert second.returncode == 0, second.log[-2000:]
    assert [path for path in second.requests if is_media(path)] == [PDF]
    assert query(db, "SELECT count(*) FROM media_failures WHERE url LIKE '%.pdf'") == [(0,)]
    (text,) = query(db, "SELECT attachment_text FROM press_releases WHERE id = 596880")[0]
    assert "viscose" in text


def test_media_folder_that_refuses_writes_fails_the_run(tmp_path: Path) -> None:
    """A media folder that cannot be written (here a file stands where a folder must go) is
    an archive failure: the run exits 1 saying so, never ok."""
    media = tmp_path / "media"
    media.mkdir()
    for name in ("7c", "05", "be", "27", "6b"):
        (media / name).write_text("not a folder")
    crawl = run_crawl(tmp_path, ANY_SHARE)
    assert crawl.returncode == 1
    assert "media folder" in crawl.last_line
    assert "fail" in crawl.last_line


def test_warc_passes_warcio_check_and_index(archive: Crawl) -> None:
    warc = archive.db.with_suffix(".warc.gz")
    subprocess.run([BIN / "warcio", "check", "-v", str(warc)], check=True, capture_output=True)
    index = subprocess.run(
        [BIN / "warcio", "index", "-f", "warc-type,warc-target-uri,warc-refers-to", str(warc)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kinds = [json.loads(line)["warc-type"] for line in index.splitlines()]
    assert kinds[0] == "warcinfo"
    assert kinds.count("response") == kinds.count("request") == 12 + 6
    assert kinds.count("metadata") == 10  # one per release, each referring to its response
    records = [json.loads(line) for line in index.splitlines()]
    assert all(r.get("warc-refers-to") for r in records if r["warc-type"] == "metadata")


def test_warc_records_agree_with_the_archive(archive: Crawl) -> None:
    """Headers consistent with the stored bodies; a release's record refers to its page."""
    from warcio.archiveiterator import ArchiveIterator

    stored = dict(query(archive.db, "SELECT sha256, size FROM snapshots"))
    responses, metadata = {}, []
    with archive.db.with_suffix(".warc.gz").open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "warcinfo":
                info = record.content_stream().read().decode()
                assert "robots: obey" in info
                assert "no Content-Encoding" in info
            elif record.rec_type == "response":
                body = record.content_stream().read()
                headers = record.http_headers
                assert headers.get_header("Content-Encoding") is None
                assert int(headers.get_header("Content-Length")) == len(body)
                uri = record.rec_headers.get_header("WARC-Target-URI")
                responses[record.rec_headers.get_header("WARC-Record-ID")] = (uri, body)
            elif record.rec_type == "request":
                assert record.http_headers.get_header("User-Agent").startswith("cqcscraper/")
                uri = record.rec_headers.get_header("WARC-Target-URI")
                assert record.http_headers.get_header("Host") == uri.split("/")[2]
            elif record.rec_type == "metadata":
                refers = record.rec_headers.get_header("WARC-Refers-To")
                metadata.append((refers, json.loads(record.content_stream().read())))
    pages = [body for _, body in responses.values() if hashlib.sha256(body).hexdigest() in stored]
    assert len(pages) == 12
    assert len(metadata) == 10
    for refers, release in metadata:
        uri, _ = responses[refers]  # the page the record was read from
        assert uri.endswith(release["url"].split("/www/", 1)[1])
    (release,) = [r for _, r in metadata if r["id"] == 596880]
    assert [link["role"] for link in release["media"]] == ["attachment"] * 3 + ["image"]


def test_wacz_validates(archive: Crawl) -> None:
    done = subprocess.run(
        [BIN / "wacz", "validate", "-f", str(archive.db.with_suffix(".wacz"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout


def test_pywb_replays_a_page_and_its_image_byte_for_byte(archive: Crawl, tmp_path: Path) -> None:
    """The export loaded into a real pywb collection (wb-manager) and served on a free
    loopback port: the release's page and its photo come back as they were fetched, under
    the live site's URLs."""
    with pywb(archive.db.with_suffix(".warc.gz"), tmp_path) as server:
        for path in (PAGE, IMAGE):
            replay = f"{server}/cqc/id_/{urls.SITE_ORIGIN}{path}"
            with urllib.request.urlopen(replay, timeout=30) as answer:
                assert answer.read() == (SITE / path.lstrip("/")).read_bytes(), path


def test_the_demo_replays_every_release_whole_in_a_browser(archive: Crawl, tmp_path: Path) -> None:
    """Each release of the fixture site, opened in pywb in headless Chromium, shows its
    images loaded and gives its stored attachments (the demo replayed no image: pages were
    recorded under the mirror's URL, their files under the live site's)."""
    stored = releases(archive.db)
    assert sum(len(release.images) for release in stored) == 4
    with pywb(archive.db.with_suffix(".warc.gz"), tmp_path) as server, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        for release in stored:
            page.goto(f"{server}/cqc/{release.url}")
            check_shown(replay_frame(page, release), release)


def test_verify_passes_then_finds_a_flipped_byte_and_a_truncated_file(
    archive: Crawl, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(archive.db.parent, out)
    db = out / "cqc.db"
    clean = cqcscraper_cli("verify", "--db", str(db))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "checked 12 page snapshots and 6 media files: ok" in clean.stdout
    # one byte of one stored page flipped (inside its compressed body), one file cut short
    snapshot, body = query(db, "SELECT snapshot, body FROM snapshots ORDER BY snapshot LIMIT 1")[0]
    page = bytearray(zlib.decompress(body))
    page[len(page) // 2] ^= 0x01
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE snapshots SET body = ? WHERE snapshot = ?",
            [zlib.compress(bytes(page)), snapshot],
        )
    (path,) = query(db, "SELECT path FROM media_files WHERE url LIKE '%.pdf'")[0]
    pdf = out / "media" / path
    pdf.write_bytes(pdf.read_bytes()[:100])
    found = cqcscraper_cli("verify", "--db", str(db))
    assert found.returncode == 1
    assert "2 problems" in found.stdout
    assert f"snapshot {snapshot} " in found.stdout
    assert f"{pdf}" in found.stdout
    assert "of 100 bytes" in found.stdout
