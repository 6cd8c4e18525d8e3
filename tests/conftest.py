"""Shared test helpers: the fixture site, golden records, and a fixed clock."""

from __future__ import annotations

import dataclasses
import functools
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

import cqcscraper.settings
from cqcscraper.crawl.pages import read_article, replay_page
from cqcscraper.parse import urls
from cqcscraper.parse.extract import extract
from cqcscraper.parse.media import media_links
from cqcscraper.parse.normalize import content_hash, normalize_article
from cqcscraper.parse.records import PressRelease, RawResponse
from cqcscraper.store.archive import Archive
from cqcscraper.store.history import KEPT_BY_ARCHIVE
from cqcscraper.testing import sitefiles
from cqcscraper.testing.crawls import FIXTURE_SETTINGS, LOCAL_SETTINGS, crawl_command
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.measure import launched, peak_rss_mb, without_report
from cqcscraper.testing.mirror import Mirror
from cqcscraper.testing.stored import store

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "html"
EXPECTED = ROOT / "fixtures" / "expected"
SEEDS = ROOT / "fixtures" / "seeds"


def project_settings(**overrides: object) -> dict:
    """The project's settings (``cqcscraper/settings.py``, where each default is written once)
    as a dict for ``scrapy.utils.test.get_crawler``, with ``overrides``."""
    own = {name: value for name, value in vars(cqcscraper.settings).items() if name.isupper()}
    return {**own, **overrides}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/expected/*.json from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


read_page = sitefiles.decoded


def site_url(path: Path, site: Path = SITE) -> str:
    """The live-site URL of a fixture page."""
    return sitefiles.site_url(path, site)


def article_pages() -> list[Path]:
    return sorted((SITE / "www" / "english" / "c").rglob("*.shtml"))


@functools.cache
def listing_texts(site: Path = SITE) -> dict[int, str]:
    """The listing link texts a crawl of a fixture site carries (``sitefiles.listing_texts``)."""
    return sitefiles.listing_texts(site)


# When the golden records' pages count as fetched (their dates are all before it).
FETCHED = "2026-01-01T08:00:00Z"


def read_fixture(path: Path, url: str, listing_text: str | None = None) -> PressRelease:
    """The record the crawl makes of a saved page served at ``url`` as ``text/html``, with
    the listing text it carried: the crawl's own read (``pages.read_article``), from bytes.
    A page the crawl would reject raises ``Rejected``."""
    raw = RawResponse(url, 200, {"Content-Type": ["text/html"]}, path.read_bytes(), listing_text)
    return read_article(replay_page(raw, FETCHED)).record


def scrapy_response(raw: RawResponse) -> Response:
    """The Scrapy response the downloader builds from these headers and bytes (its class
    guessed as Scrapy guesses it), as the spider receives it."""
    headers = Headers(raw.headers)
    cls = responsetypes.from_args(headers=headers, url=raw.url, body=raw.body)
    return cls(url=raw.url, status=raw.status, headers=headers, body=raw.body)


def record_of(path: Path, *, site: Path = SITE) -> PressRelease:
    """The record a crawl makes of a fixture page: read with its listing's link text."""
    url = site_url(path, site)
    ref = urls.article_ref(url)
    text = listing_texts(site).get(ref.id) if ref else None
    return read_fixture(path, url, text)


def links_of(path: Path, *, site: Path = SITE) -> list[dict[str, object]]:
    """The links to images and documents a crawl finds on a fixture page."""
    url = site_url(path, site)
    raw = extract(read_page(path), url)
    record = normalize_article(raw)
    return [link.to_dict() for link in media_links(record.images, raw.attachments)]


def golden_ids() -> list[int]:
    return sorted(int(p.stem) for p in EXPECTED.glob("[0-9]*.json"))


def page_of(article_id: int) -> Path:
    (path,) = (SITE / "www" / "english" / "c").glob(f"*/{article_id}.shtml")
    return path


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass
class Crawl:
    """What one ``scrapy crawl press`` run did: exit code, log, archive files, paths served."""

    returncode: int
    log: str
    db: Path
    jsonl: Path
    requests: list[str]
    times: list[float]  # when each request was served (time.monotonic())
    peak_rss_mb: float = float("nan")  # of the crawl's process alone
    responses: list[tuple[str, int]] = field(default_factory=list)  # (path, status) served
    sent: dict[str, int] = field(default_factory=dict)  # body bytes sent, by path
    headers: list[dict[str, str]] = field(default_factory=list)  # each request's, as requests

    def asked_with(self, path: str) -> list[dict[str, str]]:
        """The headers of each request for ``path``, in order."""
        return [h for asked, h in zip(self.requests, self.headers, strict=True) if asked == path]

    def served(self, path: str) -> list[float]:
        """When ``path`` was requested, in order."""
        return [
            when for asked, when in zip(self.requests, self.times, strict=True) if asked == path
        ]

    @property
    def last_line(self) -> str:
        return self.log.rstrip().splitlines()[-1]


def crawl_args(start_url: str, out: Path, *options: str) -> list[str]:
    """The command line of a crawl into ``out``; ``options`` are ``-a NAME=V``/``NAME=V``
    (``-a`` for spider arguments, else a setting); polite delays off, fixture thresholds on."""
    settings = [o for o in options if not o.startswith("-a ")]
    command = crawl_command(
        start_url,
        str(out / "cqc.db"),
        str(out / "press_releases.jsonl"),
        *LOCAL_SETTINGS,
        *FIXTURE_SETTINGS,
        *settings,
    )
    for option in options:
        if option.startswith("-a "):
            command += ["-a", option[3:]]
    return command


def run_crawl(
    out: Path,
    *options: str,
    site: Path = SITE,
    faults: list[Fault] | tuple[Fault, ...] = (),
    start: str = "/www/english/",
) -> Crawl:
    """Serve ``site`` (with ``faults``) on 127.0.0.1 and run the real ``scrapy crawl press``
    against it from ``start``, from the project folder (so scrapy.cfg finds the settings, as
    when an operator types it). A crawl that does not end within two minutes fails the test."""
    out.mkdir(parents=True, exist_ok=True)
    with Mirror(site, faults=faults) as mirror:
        command = launched(crawl_args(f"{mirror.url}{start}", out, *options))
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        return Crawl(
            done.returncode,
            without_report(done.stderr),
            out / "cqc.db",
            out / "press_releases.jsonl",
            list(mirror.requests),
            list(mirror.times),
            peak_rss_mb(done.stderr),
            list(mirror.responses),
            dict(mirror.sent),
            list(mirror.headers),
        )


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    """The rows of one SQL query on an archive file, as tuples."""
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def cqcscraper_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``cqcscraper ARGS`` run as a user would, from the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "cqcscraper.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(db: Path) -> list[dict]:
    with Archive(db) as archive:
        return list(archive.records())


def golden_rows(db: Path) -> dict[int, dict]:
    """The archive's rows without what the archive keeps itself, to compare with golden."""
    kept = {"first_seen", "last_seen", "last_changed", *KEPT_BY_ARCHIVE}
    return {row["id"]: {k: v for k, v in row.items() if k not in kept} for row in rows(db)}


def golden_records() -> dict[int, object]:
    return {article_id: load_json(EXPECTED / f"{article_id}.json") for article_id in golden_ids()}


# -- shared by several test files ----------------------------------------------------------------

ANY_SHARE = "CQC_MAX_REJECTED_SHARE=1"  # a run that may meet the fixture site's bad pages alone


def crawls(db: Path) -> list[dict]:
    """The archive's crawls rows, oldest first."""
    with Archive(db) as archive:
        return list(archive.db.query("SELECT * FROM crawls ORDER BY id"))


def release(
    article_id: int = 1, published: str | None = "2024-01-02", **changes: object
) -> PressRelease:
    """A release as a crawl would archive it; any field can be changed."""
    title, body = (
        changes.pop("title", f"Title {article_id}"),
        changes.pop("body", "Photovoltaic modules."),
    )
    base = PressRelease(
        id=article_id,
        url=f"https://www.cqc.com.cn/www/english/c/2024-01-02/{article_id}.shtml",
        title=title,
        title_from="heading",
        published=published,
        published_from="public_time" if published else None,
        origin="China Quality Certification Centre",
        origin_raw="中国质量认证中心",
        body=body,
        images=("https://www.cqc.com.cn/a.jpg",),
        content_hash=content_hash(title, body),
    )
    return dataclasses.replace(base, **changes)


EDITED = 597552  # the fixture release the analysts' tests see edited


def edit_a_release(db: Path, article_id: int = EDITED) -> None:
    """Edit one release of the fixture site's archive, as a refresh run would after the site
    changed it: its earlier text becomes a revision."""
    with Archive(db) as archive:
        row = archive.db["press_releases"].get(article_id)
        fields = {f.name: row[f.name] for f in dataclasses.fields(PressRelease)}
        body = row["body"].replace("a signing ceremony", "a solemn signing ceremony")
        fields.update(body=body, images=tuple(json.loads(row["images"])))
        fields["content_hash"] = content_hash(row["title"], body)
        store(archive, PressRelease(**fields), seen="2099-01-01T00:00:00Z")


def free_port() -> int:
    """A free TCP port on 127.0.0.1, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(server: subprocess.Popen, url: str, name: str) -> None:
    """Until ``url`` answers (the server a test started is up); a server that exits or does
    not answer within a minute fails the test with its stderr."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"{name} did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
