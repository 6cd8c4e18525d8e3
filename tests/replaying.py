"""Replaying an export as archivists do: a real pywb collection and ReplayWeb.page, each
opened in headless Chromium (Debian's package, driven by Playwright), and what a replayed
release shows: its images loaded, its attachment links answering with the stored bytes.

``make test`` installs Chromium (``apt-get install chromium``) and ReplayWeb.page's files
(``npm pack replaywebpage``) into ``.venv/replaywebpage``; a test that finds either missing
fails saying so.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import free_port, query, wait_until_serving
from cqcscraper.parse import urls

BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
REPLAYWEBPAGE = BIN.parent / "replaywebpage"  # ui.js, sw.js, index.html of ReplayWeb.page
# As the machine's notes start it: no sandbox (root), and no background connections (the
# network is closed: each would be refused).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Every title and URL ReplayWeb.page's page list shows (each in a <keyword-mark title=...>,
# inside its components' shadow roots).
PAGE_LIST = """() => { const found = [];
  const walk = (node) => { for (const child of node.children) {
    if (child.tagName === 'KEYWORD-MARK' && child.getAttribute('title'))
      found.push(child.getAttribute('title'));
    if (child.shadowRoot) walk(child.shadowRoot);
    walk(child); } };
  walk(document.body); return found; }"""
# What a replayed page shows: each image's URL and width as loaded, and for each link
# asked about, the status and sha256 of what following it gives.
SHOWN = """async (asked) => {
  const images = [...document.images].map((i) => [i.src, i.complete ? i.naturalWidth : 0]);
  const links = {};
  for (const a of document.querySelectorAll('a[href]')) {
    if (!asked.includes(a.href) || a.href in links) continue;
    const answer = await fetch(a.href);
    const digest = await crypto.subtle.digest('SHA-256', await answer.arrayBuffer());
    links[a.href] = [answer.status,
      [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')];
  }
  return {images, links}; }"""


@dataclass
class Release:
    """What a release's replay must show, from the archive."""

    id: int
    url: str
    title: str
    images: list[str]
    attachments: dict[str, str]  # the link's URL: the stored file's sha256


def releases(db: Path) -> list[Release]:
    found = []
    for release_id, url, title in query(db, "SELECT id, url, title FROM press_releases"):
        links = query(
            db,
            "SELECT l.role, l.url, (SELECT sha256 FROM media_files WHERE url = l.url "
            "ORDER BY id DESC LIMIT 1) FROM media_links AS l WHERE release_id = ? "
            "ORDER BY role, position",
            release_id,
        )
        images = [link for role, link, stored in links if role == "image" and stored]
        attachments = {link: stored for role, link, stored in links if role != "image" and stored}
        found.append(Release(release_id, url, title, images, attachments))
    return found


@contextlib.contextmanager
def chromium() -> Iterator:
    """Headless Chromium from the distribution's package, driven by Playwright."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: make test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def pywb(warc: Path, folder: Path) -> Iterator[str]:
    """A pywb collection ``cqc`` of ``warc`` (wb-manager), served on a free loopback port:
    yields its address."""
    for step in (["init", "cqc"], ["add", "cqc", str(warc)]):
        subprocess.run([BIN / "wb-manager", *step], cwd=folder, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [BIN / "wayback", "-p", str(port), "-b", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/", "pywb")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """``folder`` served as files on a free loopback port (as a web host serves
    ReplayWeb.page and a WACZ): yields its address."""
    handler = functools.partial(_QuietFiles, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def replaywebpage_site(wacz: Path, folder: Path) -> Path:
    """A folder holding ReplayWeb.page's app and ``wacz`` (as ``cqc.wacz``)."""
    if not (REPLAYWEBPAGE / "sw.js").is_file():
        pytest.fail(f"{REPLAYWEBPAGE} is missing: make test fetches it (npm pack replaywebpage)")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "ui.js", "sw.js"):
        (folder / name).write_bytes((REPLAYWEBPAGE / name).read_bytes())
    (folder / "cqc.wacz").write_bytes(wacz.read_bytes())
    return folder


def replay_frame(page, release: Release):
    """The frame a replay tool shows the release's page in (``mp_``: the page as archived,
    its links rewritten to the archive)."""
    ending = urls.as_uri(release.url).split("://", 1)[1]
    for _ in range(300):
        for frame in page.frames:
            if "mp_/" in frame.url and frame.url.endswith(ending):
                frame.wait_for_load_state("load")
                return frame
        page.wait_for_timeout(100)
    pytest.fail(f"no replay frame of {release.url} among {[f.url for f in page.frames]}")


def check_shown(frame, release: Release) -> None:
    """Each of the release's images is shown loaded, and each attachment link answers with
    the stored file (the page's furniture, such as a logo the crawl did not keep, may not)."""
    frame.wait_for_function("() => [...document.images].every((i) => i.complete)")
    shown = frame.evaluate(SHOWN, list(release.attachments))
    loaded = {urls.as_uri(src) for src, width in shown["images"] if width > 0}
    assert set(release.images) <= loaded, (release.url, shown["images"])
    found = {url: tuple(answer) for url, answer in shown["links"].items()}
    assert found == {url: (200, sha256) for url, sha256 in release.attachments.items()}
