"""The mirror serves a folder at the site's paths, as the live site does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from conftest import ROOT, SITE, golden_records, listing_texts, page_of, site_url
from cqcscraper.crawl.pages import article_page, read_article
from cqcscraper.testing.faults import Fault, break_markup
from cqcscraper.testing.mirror import Mirror


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


def test_command_line_on_port_zero_prints_the_port_and_takes_faults(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text('[{"path": "^/robots", "fault": "status", "status": 502, "times": 1}]')
    command = [
        sys.executable,
        "-m",
        "cqcscraper.mirror",
        str(SITE),
        "--port",
        "0",
        "--quiet",
    ]
    process = subprocess.Popen(
        [*command, "--faults", str(faults)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        port = int(line.rsplit("port ", 1)[1].rstrip(")\n"))
        assert port > 0
        assert fetch(f"http://127.0.0.1:{port}/robots.txt")[0] == 502
        assert fetch(f"http://127.0.0.1:{port}/robots.txt")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_faults_from_a_json_file_apply_per_path_for_their_times(tmp_path: Path) -> None:
    config = tmp_path / "faults.json"
    config.write_text(
        json.dumps(
            [
                {"path": r"/c/2020-", "fault": "status", "status": 503, "times": 2},
                {"path": r"/c/2020-", "fault": "charset", "charset": "utf-8"},
                {"path": r"^/robots", "fault": "empty"},
            ]
        )
    )
    page = "/www/english/c/2020-12-21/595388.shtml"
    with Mirror(SITE, faults=Fault.load(config)) as faulty:
        assert [fetch(faulty.url + page)[0] for _ in range(3)] == [503, 503, 200]
        assert fetch(faulty.url + page)[1] == "text/html; charset=utf-8"  # the next fault
        assert fetch(faulty.url + "/robots.txt")[2] == b""
        assert fetch(faulty.url + "/www/english/News/")[0] == 200  # no fault matches
        assert len(faulty.times) == len(faulty.requests) == 6


def test_an_unknown_fault_or_option_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown fault 'melt'"):
        Fault("/", "melt")
    config = tmp_path / "faults.json"
    config.write_text('[{"path": "/", "fault": "slow", "second": 1}]')
    with pytest.raises(ValueError, match=r"unknown fault option\(s\) \['second'\]"):
        Fault.load(config)


def test_broken_markup_gives_the_same_records() -> None:
    """Markup a browser still shows the same (see ``break_markup``) gives the golden records."""
    for article_id, golden in golden_records().items():
        path = page_of(article_id)
        broken = break_markup(path.read_bytes())
        assert broken != path.read_bytes()
        response = HtmlResponse(site_url(path), body=broken, headers={"Content-Type": "text/html"})
        text = listing_texts().get(article_id)
        record = read_article(article_page(response, "2026-01-01T00:00:00Z", text)).record
        assert record.to_dict() == golden, article_id


def test_the_faults_example_of_reliability_md_runs_as_written(tmp_path: Path) -> None:
    """docs/reliability.md's example: its faults.json and its command line (on a free port):
    the page under the first pattern fails twice with 503, then is served."""
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```console\n(.*?)```", doc, re.DOTALL) if "faults" in b]
    listing, command = block.split("$ ")[1:3]
    (tmp_path / "faults.json").write_text(listing.partition("\n")[2], encoding="utf-8")
    argv = command.strip().replace(".venv/bin/python", sys.executable).split()
    argv[argv.index("--port") + 1] = "0"
    argv[argv.index("fixtures/html")] = str(SITE)
    server = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split(" at ")[1].split()[0]  # "Serving ... at URL/ ..."
        page = f"{url.rstrip('/')}/www/english/c/2024-09-10/597552.shtml"
        statuses = []
        for _ in range(3):
            try:
                with urllib.request.urlopen(page, timeout=30) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [503, 503, 200]
    finally:
        server.terminate()
        server.wait(timeout=30)
