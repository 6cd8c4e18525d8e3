"""End to end: a release replays whole. The replay site (files named in Chinese, with spaces,
linked relatively, absolutely under another spelling of the host, and already
percent-encoded) crawled by the real ``scrapy crawl press``, exported with ``cqcscraper warc
--wacz``, checked with ``warcio check`` and ``wacz validate``, then opened in headless
Chromium in a real pywb collection and in ReplayWeb.page: every release shows every image
loaded, and its attachment links answer with the stored bytes (docs/archive-format.md,
"Replaying the archive").
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ANY_SHARE, ROOT, Crawl, cqcscraper_cli, query, run_crawl
from cqcscraper.parse import urls
from replaying import (
    BIN,
    PAGE_LIST,
    VIEWPORT,
    check_shown,
    chromium,
    pywb,
    releases,
    replay_frame,
    replaywebpage_site,
    static_site,
)

pytestmark = pytest.mark.e2e

REPLAY_SITE = ROOT / "fixtures" / "replaysite"
BODY_WORD = "durability"  # in one release's body only, never in a title or URL


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    crawl = run_crawl(tmp_path_factory.mktemp("replay"), ANY_SHARE, site=REPLAY_SITE)
    assert crawl.returncode == 0, crawl.log[-3000:]
    done = cqcscraper_cli("warc", "--db", str(crawl.db), "--wacz")
    assert done.returncode == 0, done.stdout + done.stderr
    return crawl


def test_the_crawl_keeps_every_url_as_a_uri(exported: Crawl) -> None:
    """The files named in Chinese and with spaces are fetched once each, and the archive
    holds their URLs as URIs, as the browser asks for them."""
    files = [url for (url,) in query(exported.db, "SELECT url FROM media_files ORDER BY url")]
    assert len(files) == 6
    assert all(url.isascii() and urls.as_uri(url) == url and " " not in url for url in files)
    links = query(exported.db, "SELECT url FROM media_links EXCEPT SELECT url FROM media_files")
    assert links == []


def test_the_export_passes_warcio_check_and_wacz_validate(exported: Crawl) -> None:
    warc, wacz = exported.db.with_suffix(".warc.gz"), exported.db.with_suffix(".wacz")
    subprocess.run([BIN / "warcio", "check", str(warc)], check=True, capture_output=True)
    done = subprocess.run(
        [BIN / "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_and_files_are_recorded_under_the_live_sites_urls(exported: Crawl) -> None:
    """The mirror's random port is nowhere in the export: each page is under the live site's
    URL, with the URL it was fetched from as its WARC-Source-URI."""
    from warcio.archiveiterator import ArchiveIterator

    targets, sources = [], []
    with exported.db.with_suffix(".warc.gz").open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type in ("request", "response"):
                targets.append(record.rec_headers.get_header("WARC-Target-URI"))
                sources.append(record.rec_headers.get_header("WARC-Source-URI"))
    assert len(targets) == 2 * (2 + 6)
    assert all(urls.host_of(target) == "www.cqc.com.cn" for target in targets)
    pages = [source for source in sources if source and source.endswith(".shtml")]
    assert len(pages) == 2 * 2
    assert all(urls.site_of(source) == urls.LOOPBACK for source in pages)


def test_the_wacz_lists_every_release_with_its_title_and_text(exported: Crawl) -> None:
    with zipfile.ZipFile(exported.db.with_suffix(".wacz")) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode().splitlines()
        package = json.loads(wacz.read("datapackage.json"))
    header, *pages = map(json.loads, lines)
    assert header["hasText"] is True
    stored = query(exported.db, "SELECT id, url, title, body, published FROM press_releases")
    assert len(pages) == len(stored) == 2
    by_url = {page["url"]: page for page in pages}
    for release_id, url, title, body, published in stored:
        page = by_url[url]
        assert (page["id"], page["title"], page["published"]) == (str(release_id), title, published)
        assert body in page["text"]
    assert package["title"] == "CQC press releases (www.cqc.com.cn), 2025-06-05 to 2025-06-12"
    assert "2 press releases" in package["description"]
    assert "a mirror on this machine" in package["description"]


def test_pywb_replays_each_release_with_its_images_and_attachments(
    exported: Crawl, tmp_path: Path
) -> None:
    """In pywb, each release's page (``/cqc/URL``) shows its images loaded, and its
    attachment links give the stored files; the capture list at the address the docs give
    lists every page and file."""
    with pywb(exported.db.with_suffix(".warc.gz"), tmp_path) as server, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        for release in releases(exported.db):
            page.goto(f"{server}/cqc/{release.url}")
            check_shown(replay_frame(page, release), release)
        page.goto(f"{server}/cqc/*?url=www.cqc.com.cn/www/english/&matchType=prefix")
        # the list is drawn by script once the index answers: wait for its count
        page.wait_for_function(r"() => /\d+ results? for matching/.test(document.body.innerText)")
        listed = page.inner_text("body")
        assert "8 results for matching www.cqc.com.cn/www/english/ by prefix" in listed
        for release in releases(exported.db):
            assert release.url in listed
        page.screenshot(path=tmp_path / "pywb-captures.png")


def test_replaywebpage_lists_searches_and_replays_every_release(
    exported: Crawl, tmp_path: Path
) -> None:
    """ReplayWeb.page, served with the WACZ from a loopback web server: its page list holds
    every release's title and URL, its search finds a word only the body holds, and each
    replayed release shows its images and gives its attachments."""
    folder = replaywebpage_site(exported.db.with_suffix(".wacz"), tmp_path / "site")
    stored = releases(exported.db)
    with static_site(folder) as server, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        app = f"{server}/?source={server}/cqc.wacz"
        page.goto(f"{app}#view=pages")
        page.wait_for_function(f"() => ({PAGE_LIST})().length >= {2 * len(stored)}")
        listed = page.evaluate(PAGE_LIST)
        assert sorted(listed) == sorted([r.title for r in stored] + [r.url for r in stored])
        page.get_by_placeholder(re.compile("Search by Page URL, Title, or Text")).fill(BODY_WORD)
        page.wait_for_function(f"() => ({PAGE_LIST})().length == 2")
        (found,) = [r for r in stored if r.title in page.evaluate(PAGE_LIST)]
        assert BODY_WORD in query(exported.db, "SELECT body FROM press_releases WHERE id = ?",
                                  found.id)[0][0]  # fmt: skip
        page.screenshot(path=tmp_path / "replaywebpage-search.png")
        for release in stored:
            page.goto(f"{app}#view=replay&url={release.url}")
            check_shown(replay_frame(page, release), release)


def test_an_archive_of_schema_7_upgraded_fetches_no_file_again(tmp_path: Path) -> None:
    """The replay site archived by schema 7 (file URLs as the pages spelled them), upgraded
    to URIs, read again from its snapshots and crawled again: each link finds its file under
    the new spelling, no file is sent again, and nothing is new or changed."""
    shutil.copy(ROOT / "fixtures" / "archives" / "v7.db", tmp_path / "cqc.db")
    shutil.copytree(ROOT / "fixtures" / "archives" / "v7-media", tmp_path / "media")
    db = tmp_path / "cqc.db"
    reparsed = cqcscraper_cli("reparse", "--db", str(db))  # the links read again, as URIs
    assert reparsed.returncode == 0, reparsed.stdout + reparsed.stderr
    joined = "SELECT count(*) FROM media_links JOIN media_files USING (url)"
    assert query(db, joined) == [(6,)]
    images = (
        "SELECT count(*) FROM press_releases, json_each(images) "
        "JOIN media_files AS f ON f.url = value"
    )
    assert query(db, images) == [(3,)]  # each image the records name is a stored file
    again = run_crawl(tmp_path, ANY_SHARE, "-a full=1", site=REPLAY_SITE)
    assert again.returncode == 0, again.log[-3000:]
    asked = dict(again.responses)
    files = [path for path in asked if not path.endswith((".shtml", "/", ".txt"))]
    assert len(files) == 6
    assert {asked[path] for path in files} == {304}  # asked if changed, never sent again
    runs = query(db, "SELECT articles_new, articles_updated, verdict FROM crawls")
    assert runs[-1] == (0, 0, "ok")
    assert query(db, "SELECT count(*) FROM media_files") == [(6,)]
    verified = cqcscraper_cli("verify", "--db", str(db))
    assert verified.returncode == 0, verified.stdout + verified.stderr
