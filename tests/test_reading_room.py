"""The reading room in a real browser: Datasette with the project's plugin (cqcscraper.room),
serving an archive of the fixture site crawled by the real ``scrapy crawl press`` (with its
images and documents), plus one release edited and one whose title and body hold markup and
script, opened in headless Chromium at 1280x900 (docs/analysts.md, "The reading room").

``--update-golden`` also writes the screenshots docs/analysts.md shows (docs/img/).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import (
    EDITED,
    ROOT,
    edit_a_release,
    free_port,
    query,
    release,
    run_crawl,
    wait_until_serving,
)
from cqcscraper.store import search
from cqcscraper.store.archive import Archive
from cqcscraper.testing.stored import store, store_many
from replaying import BIN, VIEWPORT, chromium

pytestmark = pytest.mark.e2e

SCREENSHOTS = ROOT / "docs" / "img"
HOSTILE = 999001
HOSTILE_TITLE = '<img src=x onerror="window.pwned=1"> Notice & "quotes"'
HOSTILE_BODY = "First <script>window.pwned=2</script> paragraph.\n\n<b>bold?</b> [not a mark]"
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Room:
    url: str
    db: Path


def _edit(db: Path) -> None:
    """One release edited (a revision to show) and one holding markup and script."""
    edit_a_release(db)
    with Archive(db) as archive:
        hostile = release(
            HOSTILE,
            published="2021-06-30",
            title=HOSTILE_TITLE,
            body=HOSTILE_BODY,
            url="javascript:window.pwned=3",
            images=(),
        )
        store(archive, hostile, seen="2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    out = tmp_path_factory.mktemp("room")
    crawl = run_crawl(out)
    assert crawl.returncode == 0, crawl.log[-2000:]
    _edit(crawl.db)
    mirror = out / "mirror.db"  # any archive name gets the reading room
    shutil.copy(crawl.db, mirror)
    with Archive(mirror) as archive:  # more matches of one word than a search gives
        store_many(archive, [(release(HOSTILE + n, body="Zebra crossing."), None, None)
                             for n in range(1, search.BEST + 21)])  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [BIN / "datasette", "serve", crawl.db, mirror, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(server, f"{url}/-/versions.json", "datasette")
    yield Room(url, crawl.db)
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as opened:
        yield opened


@pytest.fixture
def page(browser):
    opened = browser.new_page(viewport=VIEWPORT)
    opened.add_init_script("window.pwned = 0")
    yield opened
    opened.close()


def screenshot(
    page, name: str, update_golden: bool, tmp_path: Path, *, full_page: bool = False
) -> None:
    """A screenshot of what the page shows: into docs/img/ with ``--update-golden``."""
    folder = SCREENSHOTS if update_golden else tmp_path
    folder.mkdir(exist_ok=True)
    page.screenshot(path=folder / name, full_page=full_page)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def overflow(page) -> int:
    """How far the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_search_first_with_hits_linking_their_releases(
    room: Room, page, update_golden: bool, tmp_path: Path
) -> None:
    page.goto(f"{room.url}/cqc/search")
    box = page.locator("input[name=term]")
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= 900
    assert page.title().startswith("Search releases")
    assert "WITH RECURSIVE" not in page.content()  # the SQL one click away, not shown
    box.fill("cooperation")
    page.locator("input[name=since]").fill("2021")
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".cqc-hits")
    hits = page.locator(".cqc-hit-title")
    assert hits.count() == 4
    assert page.locator(".cqc-snippet mark").count() >= 1
    screenshot(page, "reading-room-search.png", update_golden, tmp_path)
    hrefs = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
    assert all(href.startswith("/cqc/press_releases/") for href in hrefs)
    hits.first.click()
    page.wait_for_selector("article.cqc-release h1")
    assert page.url.split("/")[-1] == hrefs[0].split("/")[-1]
    page.goto(f"{room.url}/cqc/search?term=cooperation&_show_sql=1")
    assert "WITH RECURSIVE" in page.locator("#sql-query").inner_text()


def test_a_year_as_a_bound_means_all_of_it_and_a_bad_date_says_so(room: Room, page) -> None:
    def found(since: str, until: str) -> set[int]:
        args = urllib.parse.urlencode({"term": "certification", "since": since, "until": until})
        with urllib.request.urlopen(f"{room.url}/cqc/search.json?{args}&_shape=array") as answer:
            return {row["id"] for row in json.load(answer)}

    matching = (
        "SELECT p.id FROM press_releases_fts JOIN press_releases AS p ON p.id = "
        "press_releases_fts.rowid WHERE press_releases_fts MATCH 'certification' "
        "AND p.published LIKE '2021%'"
    )
    in_2021 = {row[0] for row in query(room.db, matching)}
    assert in_2021
    assert found("2021", "2021") == in_2021
    assert found("2021-1-1", "2021-12") == found("2021-01-01", "2021-12-31") == in_2021
    assert found("abc", "") == set()
    page.goto(f"{room.url}/cqc/search?term=cooperation&since=abc&until=2021-13")
    problems = page.locator(".message-error").all_inner_texts()
    assert problems == [
        "since = 'abc' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
        "until = '2021-13' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
    ]


def test_a_release_page_reads_like_the_release(
    room: Room, page, update_golden: bool, tmp_path: Path
) -> None:
    """Title, date and origin, the body in paragraphs, every image loaded from the reading
    room (never the live site), the documents with type and size, nothing wider than the
    window."""
    (release_id,) = query(room.db, "SELECT release_id FROM media_links WHERE role = 'image' "
                          "GROUP BY release_id ORDER BY count(*) DESC LIMIT 1")[0]  # fmt: skip
    title, published, origin, body = query(
        room.db, "SELECT title, published, origin, body FROM press_releases WHERE id = ?",
        release_id,
    )[0]  # fmt: skip
    page.goto(f"{room.url}/cqc/press_releases/{release_id}")
    page.wait_for_load_state("load")
    assert page.locator("article h1").inner_text() == title
    meta = page.locator("article .cqc-meta").first.inner_text()
    assert published in meta
    assert origin in meta
    shown = page.locator(".cqc-body p").all_inner_texts()
    assert shown == [p.strip() for p in body.split("\n\n") if p.strip()]
    images = page.evaluate("() => [...document.images].map((i) => [i.src, i.naturalWidth])")
    stored = query(
        room.db,
        "SELECT count(*) FROM media_links WHERE release_id = ? AND role = 'image' "
        "AND url IN (SELECT url FROM media_files)",
        release_id,
    )[0][0]
    assert len(images) == stored >= 2
    assert all(src.startswith(f"{room.url}/cqc/-/media/") and width > 0 for src, width in images)
    assert overflow(page) <= 0
    screenshot(page, "reading-room-release.png", update_golden, tmp_path, full_page=True)


def test_an_attachment_link_downloads_the_stored_bytes(room: Room, page) -> None:
    release_id, sha256, path = query(
        room.db, "SELECT l.release_id, f.sha256, f.path FROM media_links AS l JOIN media_files "
        "AS f USING (url) WHERE l.role = 'attachment' AND f.content_type LIKE '%pdf%' LIMIT 1",
    )[0]  # fmt: skip
    page.goto(f"{room.url}/cqc/press_releases/{release_id}")
    with page.expect_download() as download:
        page.locator(f"a[href$='{sha256}']").click()
    saved = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(saved).hexdigest() == sha256
    assert saved == (room.db.with_name("media") / path).read_bytes()
    assert "Its text" in page.locator(".cqc-release").inner_text()  # the PDF's text


def test_an_edited_release_shows_what_changed(room: Room, page) -> None:
    page.goto(f"{room.url}/cqc/press_releases/{EDITED}")
    assert page.locator("details ins").first.inner_text().strip() == "solemn"
    assert overflow(page) <= 0


def test_markup_and_script_in_a_release_are_shown_as_text_and_run_nothing(room: Room, page) -> None:
    for path in (f"/cqc/press_releases/{HOSTILE}", "/cqc/search?term=notice+quotes",
                 "/cqc/press_releases", "/cqc/releases?_search=notice"):  # fmt: skip
        page.goto(room.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.pwned") == 0, path
        assert page.locator("script:has-text('pwned')").count() == 0, path
        assert "<img src=x" in page.locator("body").inner_text(), path
    page.goto(f"{room.url}/cqc/press_releases/{HOSTILE}")
    assert page.locator(".cqc-body p").all_inner_texts() == [
        "First <script>window.pwned=2</script> paragraph.",
        "<b>bold?</b> [not a mark]",
    ]
    assert page.locator("a[href^='javascript:']").count() == 0


def test_stored_files_are_served_by_hash_as_what_they_are(room: Room) -> None:
    sha256, kind = query(room.db, "SELECT sha256, content_type FROM media_files "
                         "WHERE content_type LIKE 'image/%' LIMIT 1")[0]  # fmt: skip
    status, headers, _ = fetch(f"{room.url}/cqc/-/media/{sha256}")
    assert (status, headers["content-type"]) == (200, kind)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    (pdf,) = query(room.db, "SELECT sha256 FROM media_files WHERE content_type LIKE '%pdf%'")[0]
    assert fetch(f"{room.url}/cqc/-/media/{pdf}")[1]["Content-Disposition"].startswith("attachment")
    unknown = "0" * 64
    for path in (unknown, "..", "..%2F..%2Fcqc.db", f"{sha256[:-1]}", "../../cqc.db"):
        assert fetch(f"{room.url}/cqc/-/media/{path}")[0] == 404, path
    assert fetch(f"{room.url}/no/such/page")[0] == 404  # Datasette's own 404, not a 500


def test_the_feeds_parse_as_atom_and_link_their_releases(room: Room) -> None:
    for path, least in (("/cqc/feed.atom", 10), ("/cqc/search.atom?term=cooperation", 4)):
        status, headers, body = fetch(room.url + path)
        assert status == 200
        assert headers["content-type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(body)
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) >= least, path
        for entry in entries:
            link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
            assert link.startswith(f"{room.url}/cqc/press_releases/")
            assert entry.find(f"{ATOM}title").text
            assert entry.find(f"{ATOM}updated").text
            assert fetch(link)[0] == 200
    newest = ElementTree.fromstring(fetch(room.url + "/cqc/feed.atom")[2]).find(f"{ATOM}entry")
    assert newest.find(f"{ATOM}link[@rel='alternate']").get("href").endswith(f"/{EDITED}")


def test_tables_read_short_and_link_their_releases(room: Room, page) -> None:
    page.goto(f"{room.url}/cqc/press_releases?_size=10")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 9000  # each body shortened (was 18,000 px for 10 rows)
    page.goto(f"{room.url}/cqc/revisions")
    assert page.locator(f"td.col-id a[href='/cqc/press_releases/{EDITED}']").count() == 1
    page.goto(f"{room.url}/cqc/press_releases?_search=%22")  # a lone quote typed in the box
    assert page.locator(".message-error").count() == 0
    assert page.locator("table.rows-and-columns").count() == 1


def test_any_archive_name_gets_the_reading_room(room: Room, page) -> None:
    page.goto(f"{room.url}/mirror/search?term=yiwu")
    assert page.locator(".cqc-hit-title").count() == 1
    page.goto(f"{room.url}/mirror/press_releases/{EDITED}")
    assert page.locator("article h1").count() == 1


def test_a_search_with_more_matches_than_it_gives_says_it_gives_the_best(room: Room, page) -> None:
    page.goto(f"{room.url}/mirror/search?term=zebra")
    assert page.locator(".cqc-hit-title").count() == search.BEST
    assert page.locator(".cqc-count").inner_text().startswith(f"The best {search.BEST} releases")
    page.goto(f"{room.url}/mirror/search?term=yiwu")
    assert page.locator(".cqc-count").inner_text().startswith("1 release found")


def test_make_serve_serves_any_archive_named_by_db(room: Room) -> None:
    """``make serve DB=... PORT=...`` (as docs/analysts.md says), stopped with its group."""
    port = free_port()
    mirror = room.db.with_name("mirror.db")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"DB={mirror}", f"PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/mirror/search", "make serve")
        status, _, body = fetch(f"http://127.0.0.1:{port}/mirror/search?term=yiwu")
        assert status == 200
        assert b"cqc-hit-title" in body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        said = server.communicate(timeout=30)[0].decode()
    assert f"the reading room of {mirror}: http://127.0.0.1:{port}/mirror/search" in said
    missing = subprocess.run(
        ["make", "--no-print-directory", "serve", f"DB={room.db.with_name('none.db')}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "does not exist (DB= names an archive" in missing.stderr


def test_other_databases_are_left_as_datasette_shows_them(tmp_path: Path) -> None:
    """Installed beside Datasette, the plugin touches only archives: another file keeps
    Datasette's own metadata (none), pages and 404s."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE press_notes (id INTEGER PRIMARY KEY, title TEXT)")
        connection.execute("INSERT INTO press_notes VALUES (1, '<b>x</b>')")
    for path, expected in (("/-/metadata.json", "{}"), ("/other/search", None)):
        done = subprocess.run(
            [BIN / "datasette", str(other), "--get", path], capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        if expected is not None:
            assert done.stdout.strip() == expected
        else:
            assert "Search releases" not in done.stdout
