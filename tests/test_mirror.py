"""The mirror serves a folder at the site's paths, as the live site does."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, SITE
from cqcscraper.mirror import Mirror


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


@pytest.fixture(scope="module")
def mirror() -> Mirror:
    with Mirror(SITE) as running:
        yield running


def test_folder_url_serves_its_index_page(mirror: Mirror) -> None:
    status, _, body = fetch(f"{mirror.url}/www/english/News/")
    assert status == 200
    assert body == (SITE / "www/english/News/index.shtml").read_bytes()


def test_pages_go_out_as_text_html_without_charset(mirror: Mirror) -> None:
    status, content_type, body = fetch(f"{mirror.url}/www/english/c/2020-12-21/595388.shtml")
    assert (status, content_type) == (200, "text/html")
    assert (
        body == (SITE / "www/english/c/2020-12-21/595388.shtml").read_bytes()
    )  # GBK bytes as saved


def test_missing_page_and_folder_without_index_are_404(mirror: Mirror) -> None:
    assert fetch(f"{mirror.url}/www/english/c/2024-01-01/1.shtml")[0] == 404
    assert fetch(f"{mirror.url}/www/english/c/")[0] == 404


def test_command_line_on_port_zero_prints_the_port() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cqcscraper.mirror", str(SITE), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        port = int(line.rsplit("port ", 1)[1].rstrip(")\n"))
        assert port > 0
        assert fetch(f"http://127.0.0.1:{port}/robots.txt")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
