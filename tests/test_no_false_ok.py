"""No false "ok": a disk that fills up or refuses writes, a damaged archive, an export that
cannot be written, a value the database refuses, a site that serves one page for every article:
each ends in a failed run (exit 1, the reason on the last line) or a reject, never in silent
loss; the previous rows and JSONL stay whole, and the next run completes what this one missed.

The disks really misbehave: a small tmpfs or a read-only bind mount, made by ``unshare`` in a
mount namespace of their own (the tests run as root; without root they are skipped).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import (
    ANY_SHARE,
    ROOT,
    SITE,
    crawl_args,
    golden_records,
    golden_rows,
    rows,
    run_crawl,
)
from cqcscraper.store.archive import Archive
from cqcscraper.store.lock import RunLock
from cqcscraper.testing import synthetic
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.mirror import Mirror

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Namespace:
    """A mount namespace held open by a sleeping process: mounts made in it (a small tmpfs, a
    read-only bind) stay while tests run commands in it and read its files from outside."""

    def __init__(self) -> None:
        if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
            pytest.skip("needs root, unshare(1) and nsenter(1) for a disk that misbehaves")
        self.holder = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sleep", "600"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.pid = self.holder.pid
        # nsenter must not join the pid's namespace before unshare has made it the new one:
        # a mount made then would land on this machine's own file system.
        own = os.readlink("/proc/self/ns/mnt")
        deadline = time.monotonic() + 30
        while os.readlink(f"/proc/{self.pid}/ns/mnt") == own:
            if self.holder.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"unshare did not start: {self.holder.stderr.read()!r}")
            time.sleep(0.01)

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            ["nsenter", "-t", str(self.pid), "-m", f"--wd={ROOT}", "--", *command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check and done.returncode != 0:
            pytest.skip(f"the namespace refused {command}: {done.stderr.strip()}")
        return done

    def inside(self, path: Path) -> Path:
        """``path`` as the namespace sees it, for plain file reads from outside (SQLite follows
        the ``/proc`` link out of the namespace: use ``archive_rows``)."""
        return Path(f"/proc/{self.pid}/root{path}")

    def archive_rows(self, db: Path, copy: Path) -> dict[int, dict]:
        """The rows of an archive inside the namespace, read from a copy made outside it."""
        copy.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):
            source = self.inside(Path(f"{db}{suffix}"))
            target = copy / f"cqc.db{suffix}"
            target.unlink(missing_ok=True)
            if source.exists():
                shutil.copyfile(source, target)
        return {row["id"]: row for row in rows(copy / "cqc.db")}

    def tmpfs(self, folder: Path, size: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))

    def read_only(self, folder: Path) -> None:
        self.run("mount", "--bind", str(folder), str(folder))
        self.run("mount", "-o", "remount,bind,ro", str(folder))

    def close(self) -> None:
        self.holder.kill()
        self.holder.wait(timeout=10)


@pytest.fixture
def namespace() -> Iterator[Namespace]:
    space = Namespace()
    yield space
    space.close()


def crawl_in(
    space: Namespace, start_url: str, out: Path, *options: str
) -> subprocess.CompletedProcess:
    return space.run(*crawl_args(start_url, out, *options), check=False)


def last_line(done: subprocess.CompletedProcess) -> str:
    return done.stderr.rstrip().splitlines()[-1]


# -- 1. storage failures fail the run -----------------------------------------------------------


def test_a_disk_that_fills_up_fails_the_run_keeps_what_was_stored_and_the_next_run_completes(
    namespace: Namespace, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    namespace.tmpfs(disk, "4m")
    jsonl = namespace.inside(disk / "press_releases.jsonl")
    with Mirror(SITE) as mirror:  # the fixture site first: 9 releases
        first = crawl_in(namespace, f"{mirror.url}/www/english/", disk, ANY_SHARE)
    assert first.returncode == 0, first.stderr[-2000:]
    stored = namespace.archive_rows(disk / "cqc.db", tmp_path / "copy1")
    assert len(stored) == 10
    exported = digest(jsonl)
    # Then 60 more releases (a synthetic site, on this machine too), on a disk all but full.
    made = synthetic.write_site(tmp_path / "synthetic", 60)
    free = os.statvfs(namespace.inside(disk))
    namespace.run(
        "dd", "if=/dev/zero", f"of={disk / 'filler'}", "bs=4096",
        f"count={max(free.f_bavail - 16, 1)}",
    )  # fmt: skip
    with Mirror(tmp_path / "synthetic" / "html") as mirror:
        start = f"{mirror.url}/www/english/"
        full = crawl_in(namespace, start, disk, ANY_SHARE)
        assert full.returncode == 1, full.stderr[-3000:]
        assert "archive error:" in last_line(full), last_line(full)
        assert "full" in last_line(full), last_line(full)
        assert "Traceback" not in full.stderr
        after = namespace.archive_rows(disk / "cqc.db", tmp_path / "copy2")
        assert {i: after[i] for i in stored} == stored  # earlier rows intact
        assert digest(jsonl) == exported  # the previous JSONL intact, no temporary file left
        assert [p.name for p in namespace.inside(disk).iterdir() if p.name.startswith(".")] == []
        namespace.run("rm", str(disk / "filler"))  # the fault is gone: the next run completes
        again = crawl_in(namespace, start, disk, ANY_SHARE)
        assert again.returncode == 0, again.stderr[-2000:]
    final = namespace.archive_rows(disk / "cqc.db", tmp_path / "copy3")
    assert set(final) == set(stored) | {a.id for a in made}
    assert {a.id: final[a.id]["title"] for a in made} == {a.id: a.title for a in made}
    assert len(json_lines(jsonl)) == 70
    with Archive(tmp_path / "copy3" / "cqc.db") as archive:
        runs = [(r["finish_reason"], r["verdict"]) for r in archive.db["crawls"].rows]
    assert runs[0] == ("finished", "ok")
    assert runs[1][1] == "fail"  # the failed run, closed as killed if its row could not be
    assert runs[2] == ("finished", "ok")


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_export_that_cannot_be_written_fails_the_run_and_keeps_the_previous_file(
    namespace: Namespace, tmp_path: Path
) -> None:
    out, exports = tmp_path / "out", tmp_path / "exports"
    exports.mkdir()
    jsonl = exports / "press_releases.jsonl"
    jsonl.write_text('{"previous": true}\n')
    namespace.read_only(exports)
    with Mirror(SITE) as mirror:
        out.mkdir()
        done = crawl_in(namespace, f"{mirror.url}/www/english/", out, f"CQC_JSONL={jsonl}")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "export error: the JSONL export to" in last_line(done), last_line(done)
    assert "Read-only file system" in last_line(done)
    assert jsonl.read_text() == '{"previous": true}\n'
    assert sorted(p.name for p in exports.iterdir()) == ["press_releases.jsonl"]
    with Archive(out / "cqc.db") as archive:
        (run,) = archive.db["crawls"].rows
    assert run["verdict"] == "fail"  # the verdict written names the failed export
    assert "export error" in run["verdict_reason"]
    assert golden_rows(out / "cqc.db") == golden_records()  # the records themselves are kept


def test_an_archive_on_a_read_only_file_system_fails_the_run_in_one_line(
    namespace: Namespace, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = run_crawl(out)
    assert first.returncode == 0
    before = digest(out / "cqc.db")
    namespace.read_only(out)
    with Mirror(SITE) as mirror:
        done = crawl_in(namespace, f"{mirror.url}/www/english/", out, "-a full=1")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "cannot" in last_line(done), last_line(done)
    assert str(out) in last_line(done)
    assert "Traceback" not in done.stderr
    assert digest(out / "cqc.db") == before


def test_a_damaged_page_of_the_archive_fails_the_run_with_what_to_do(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_crawl(out).returncode == 0
    db = out / "cqc.db"
    with Archive(db) as archive:
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = archive.db.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0]
            for row in archive.db.execute(
                "SELECT pageno FROM dbstat WHERE name = 'press_releases' AND pagetype = 'leaf'"
            )
        ]
    data = bytearray(db.read_bytes())
    for page in pages:
        start = (page - 1) * page_size
        data[start : start + page_size] = b"\xff" * page_size
    db.write_bytes(bytes(data))
    again = run_crawl(out, "-a full=1")
    assert again.returncode == 1, again.log[-2000:]
    assert ".recover" in again.last_line, again.last_line
    assert "Traceback" not in again.log


def test_whatever_fails_while_the_run_closes_fails_the_run(tmp_path: Path) -> None:
    """An error raised while the run closes (here: a verdict that cannot be judged) ends in
    exit 1 with the reason, never in a run that says nothing."""
    script = (
        "import sys, cqcscraper.crawl.health as h\n"
        "def broken(*a, **k): raise RuntimeError('judging failed')\n"
        "h.judge = broken\n"
        "from scrapy.cmdline import execute\n"
        "sys.argv = ['scrapy', *sys.argv[1:]]\n"
        "execute()\n"
    )
    with Mirror(SITE) as mirror:
        command = crawl_args(f"{mirror.url}/www/english/", tmp_path)
        done = subprocess.run(
            [sys.executable, "-c", script, *command[3:]],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert last_line(done).endswith("fail: the run could not close: RuntimeError: judging failed")


def test_a_csv_export_on_a_full_disk_keeps_the_previous_file(
    namespace: Namespace, tmp_path: Path
) -> None:
    """``cqcscraper csv -o`` onto a disk that fills up: one line, exit 1, the previous CSV as
    it was and no partial file (it was a traceback and a truncated CSV under the name)."""
    archived = run_crawl(tmp_path / "out", ANY_SHARE).db
    disk = tmp_path / "disk"
    namespace.tmpfs(disk, "1m")
    target = disk / "releases.csv"
    namespace.run("sh", "-c", f"echo previous > {target}")
    free = os.statvfs(namespace.inside(disk))
    namespace.run(
        "dd", "if=/dev/zero", f"of={disk / 'filler'}", "bs=4096",
        f"count={max(free.f_bavail - 2, 1)}",
    )  # fmt: skip
    done = namespace.run(
        str(Path(sys.executable).parent / "cqcscraper"),
        "csv",
        "--db",
        str(archived),
        "-o",
        str(target),
        check=False,
    )
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"the CSV export to {target} failed" in line
    assert "No space left on device" in line
    assert namespace.inside(target).read_text() == "previous\n"
    assert sorted(p.name for p in namespace.inside(disk).iterdir()) == ["filler", "releases.csv"]


def test_a_backup_made_while_a_run_holds_the_archive_opens_read_only_everywhere(
    namespace: Namespace, tmp_path: Path
) -> None:
    """``cqcscraper backup`` while a run holds the archive's lock and a write transaction: a
    consistent copy in one file (rollback journal, no -wal), with its media, that sqlite3,
    sqlite-utils, pandas and Datasette open from a read-only mount (what a hand-over on
    read-only media looks like)."""
    crawl = run_crawl(tmp_path / "out", ANY_SHARE)
    assert crawl.returncode == 0, crawl.log[-2000:]
    hand = tmp_path / "hand"
    hand.mkdir()
    bin_ = Path(sys.executable).parent
    with RunLock(crawl.db), sqlite3.connect(crawl.db) as writer:
        writer.execute("BEGIN IMMEDIATE")  # a run writing right now
        writer.execute("UPDATE crawls SET verdict = verdict")
        done = subprocess.run(
            [str(bin_ / "cqcscraper"), "backup", str(hand / "cqc.db"), "--db", str(crawl.db),
             "--media"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        writer.rollback()
    assert done.returncode == 0, done.stderr
    assert "a backup of 10 releases" in done.stdout
    assert sorted(p.name for p in hand.iterdir()) == ["cqc.db", "media"]
    namespace.read_only(hand)
    db = str(hand / "cqc.db")
    count = "SELECT count(*) FROM press_releases"
    assert namespace.run("sqlite3", db, count).stdout.strip() == "10"
    rows = namespace.run(str(bin_ / "sqlite-utils"), "rows", db, "press_releases", "--nl")
    assert len(rows.stdout.splitlines()) == 10
    table = "SELECT * FROM press_releases"
    read = (
        f"import pandas, sqlite3; print(len(pandas.read_sql({table!r}, sqlite3.connect({db!r}))))"
    )
    assert namespace.run(sys.executable, "-c", read).stdout.strip() == "10"
    served = namespace.run(
        str(bin_ / "datasette"), db, "--get", "/cqc/press_releases.json?_shape=array&_size=100"
    )
    assert len(json.loads(served.stdout)) == 10
    assert sorted(p.name for p in hand.iterdir()) == ["cqc.db", "media"]  # nothing made there


# -- 2. one bad record never sinks the others -----------------------------------------------


YIWU_TITLE = "CQC and Yiwu Municipal Government Sign Strategic Cooperation Agreement"


def test_a_record_the_database_refuses_is_a_reject_and_its_batch_is_stored(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    huge = "9999999999999999999"  # 19 digits: past SQLite's integers
    folder = site / "www/english/c/2024-09-10"
    shutil.copy(folder / "597552.shtml", folder / f"{huge}.shtml")
    listing = site / "www/english/News/index.shtml"
    text = listing.read_text(encoding="utf-8")
    endless = "1" * 3000  # an id of thousands of digits is no article link
    text = text.replace(
        '<ul class="list">',
        f'<ul class="list">\n<li><a href="../c/2024-09-10/{huge}.shtml">{YIWU_TITLE}</a></li>'
        f'\n<li><a href="../c/2024-09-10/{endless}.shtml">Endless</a></li>',
    )
    listing.write_text(text, encoding="utf-8")
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, site=site)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert golden_rows(crawl.db) == golden_records()  # its batch was stored
    assert not [path for path in crawl.requests if endless in path]
    with Archive(crawl.db) as archive:
        reasons = {r["url"].rsplit("/", 1)[1]: r["reason"] for r in archive.db["rejects"].rows}
    assert reasons[f"{huge}.shtml"] == "unstorable"
    again = run_crawl(tmp_path / "out", ANY_SHARE, site=site)  # not fetched again
    assert f"/www/english/c/2024-09-10/{huge}.shtml" not in again.requests


# -- 4. no run reads nothing and says ok ---------------------------------------------------------


def test_a_run_that_robots_txt_forbids_every_listing_fails(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /www/\n")
    crawl = run_crawl(tmp_path / "out", site=site)
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert "the site could not be reached" in crawl.last_line
    assert "robots.txt forbids it" in crawl.last_line
    assert crawl.requests == ["/robots.txt"]


def test_a_start_page_refused_as_too_large_fails_the_run(tmp_path: Path) -> None:
    faults = [Fault(r"^/www/english/$", "oversize", size=200_000)]
    crawl = run_crawl(tmp_path / "out", "DOWNLOAD_MAXSIZE=100000", faults=faults)
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert "the site could not be reached" in crawl.last_line
    assert "max size" in crawl.last_line or "DOWNLOAD_MAXSIZE" in crawl.last_line


# -- 6. crawls end by themselves -------------------------------------------------------------


@pytest.mark.parametrize("claimed", [0, 99_999_999])  # Next links; a script call's count
def test_a_pagination_that_never_ends_is_capped_and_fails_the_run(
    tmp_path: Path, claimed: int
) -> None:
    path = r"^/www/english/News/(index(_\d+)?\.shtml)?$"
    faults = [Fault(path, "endless_pages", size=claimed)]
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, "CQC_MAX_LISTING_PAGES=15", faults=faults)
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert "listing pages past CQC_MAX_LISTING_PAGES were not followed" in crawl.last_line
    news = [path for path in crawl.requests if path.startswith("/www/english/News/")]
    assert len(news) <= 16


def test_a_run_past_the_request_cap_stops_and_fails(tmp_path: Path) -> None:
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, "CLOSESPIDER_PAGECOUNT=5")
    assert crawl.returncode == 1, crawl.log[-2000:]
    assert "the run did not finish (closespider_pagecount)" in crawl.last_line
    assert len(crawl.requests) < 12


# -- 8. reasons that fit ---------------------------------------------------------------------


def test_a_compressed_body_over_the_size_limit_is_too_large_and_not_fetched_again(
    tmp_path: Path,
) -> None:
    bomb = r"/596620\.shtml$"
    faults = [Fault(bomb, "gzip_bomb", size=5_000_000)]
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, "DOWNLOAD_MAXSIZE=1000000", faults=faults)
    with Archive(crawl.db) as archive:
        reasons = {r["article_id"]: r["reason"] for r in archive.db["rejects"].rows}
    assert reasons[596620] == "too_large"
    again = run_crawl(tmp_path / "out", ANY_SHARE, "DOWNLOAD_MAXSIZE=1000000", faults=faults)
    assert not [path for path in again.requests if "596620" in path]  # permanent


# -- 12. the lock follows the file; no cookies ----------------------------------------------------


def test_a_symlinked_archive_path_shares_the_run_lock(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with RunLock(real / "cqc.db"), Mirror(SITE) as mirror:
        command = crawl_args(f"{mirror.url}/www/english/", link)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 75, done.stderr[-2000:]
    assert "another run holds the archive lock" in last_line(done)


def test_cookies_a_site_sets_are_never_sent_back(tmp_path: Path) -> None:
    faults = [Fault(r"\.shtml$|/$", "cookie", size=100)]
    with Mirror(SITE, faults=faults) as mirror:
        command = crawl_args(f"{mirror.url}/www/english/", tmp_path)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        headers = list(mirror.headers)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(headers) > 10
    assert not [h for h in headers if "Cookie" in h]


# -- 9, 10, 11. what is stored is clean and unambiguous -----------------------------------------


def test_control_characters_and_bidi_overrides_never_enter_titles_or_bodies(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "www/english/c/2024-09-10/597552.shtml"
    html = page.read_text(encoding="utf-8")
    html = html.replace("Sign Strategic", "Sign \x1b[31mStrategic\u202e", 1)
    html = html.replace("On August 9, 2024,", "On August\x07 9,\u2066 2024,&#x202E;&#27;", 1)
    page.write_text(html, encoding="utf-8")
    crawl = run_crawl(tmp_path / "out", site=site)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert golden_rows(crawl.db) == golden_records()  # exactly the clean text
    with sqlite3.connect(crawl.db) as connection:  # an old row with an escape sequence
        connection.execute("UPDATE press_releases SET title = 'Evil \x1b]0;owned\x07 title'")
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "cqcscraper"), "summary", "--db", str(crawl.db)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "\x1b" not in shown.stdout
    assert "\x07" not in shown.stdout
    assert "Evil ]0;owned title" in shown.stdout


def test_a_page_no_charset_decodes_is_a_reject_and_a_mislabelled_gbk_page_is_read(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    gbk = site / "www/english/c/2020-12-21/595388.shtml"  # a GBK page with a Chinese origin
    garbled = site / "www/english/c/2020-11-23/595351.shtml"
    # GBK bytes under a UTF-8 declaration only: nothing decodes them cleanly
    garbled.write_bytes(
        garbled.read_text(encoding="utf-8").replace("中国质量认证中心", "\x00MARK").encode()
        .replace(b"\x00MARK", "中国质量认证中心".encode("gbk"))
    )  # fmt: skip
    # a GBK-only character (not in GB2312) in a page declared GB2312 and sent as UTF-8
    gbk.write_bytes(
        gbk.read_bytes().replace(b"charset=GBK", b"charset=gb2312").replace(
            "中国质量认证中心".encode("gbk"), "中国质量认证中心镕".encode("gbk")
        )
    )  # fmt: skip
    faults = [Fault(r"/(595351|595388)\.shtml$", "charset", charset="utf-8")]
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, site=site, faults=faults)
    with Archive(crawl.db) as archive:
        reasons = {r["article_id"]: r["reason"] for r in archive.db["rejects"].rows}
        (run,) = archive.db["crawls"].rows
    assert reasons[595351] == "undecodable"
    assert json.loads(run["stats"])["cqc/rejects/undecodable"] == 1
    assert {row["id"]: row for row in rows(crawl.db)}[595388]["origin_raw"] == "中国质量认证中心镕"


def test_one_id_is_one_release_whatever_its_links_say(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    folder = site / "www/english/c/2024-09-10"
    shutil.copy(folder / "597552.shtml", folder / "0597552.shtml")
    other = site / "www/english/c/2024-09-11"
    other.mkdir()
    shutil.copy(folder / "597552.shtml", other / "597552.shtml")
    listing = site / "www/english/News/index.shtml"
    text = listing.read_text(encoding="utf-8").replace(
        '<ul class="list">',
        '<ul class="list">\n<li><a href="../c/2024-09-10/0597552.shtml">Zero</a></li>'
        '\n<li><a href="../c/2024-09-11/597552.shtml">Other day</a></li>',
    )
    listing.write_text(text, encoding="utf-8")
    crawl = run_crawl(tmp_path / "out", site=site)
    assert crawl.returncode == 0, crawl.log[-2000:]
    archived = {row["id"]: row for row in rows(crawl.db)}
    assert archived[597552]["url"] == (
        "https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml"
    )
    assert len([path for path in crawl.requests if "597552" in path]) == 1
    with Archive(crawl.db) as archive:
        (run,) = archive.db["crawls"].rows
    assert json.loads(run["stats"])["cqc/articles/url_disagrees"] == 1
    assert "Article 597552 is linked as" in crawl.log


# -- 3. a degraded site never overwrites the archive ---------------------------------------------

MAINTENANCE = """<html><head><meta charset="utf-8"><title>Maintenance - CQC</title></head>
<body><a href="/www/english/">Home</a><h1>System maintenance</h1><p>The website is under
maintenance. Please come back later; we apologise for any inconvenience.</p></body></html>"""


def test_a_site_that_answers_every_article_with_one_page_never_overwrites_the_archive(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "maintenance.shtml").write_text(MAINTENANCE, encoding="utf-8")
    out = tmp_path / "out"
    assert run_crawl(out, site=site).returncode == 0
    before = rows(out / "cqc.db")
    archived = "|".join(str(row["id"]) for row in before)  # every archived release
    faults = [Fault(rf"/({archived})\.shtml$", "same_page", location="/maintenance.shtml")]
    down = run_crawl(out, "-a full=1", site=site, faults=faults)
    assert down.returncode == 1, down.log[-2000:]
    # the listings name each release; the page shows none of them: not the release, and the
    # run fails on its rejects (an update that passed that would meet the update guard)
    assert "12 of 12 articles fetched were rejected" in down.last_line, down.last_line
    after = rows(out / "cqc.db")
    assert [{k: v for k, v in r.items() if k != "last_seen"} for r in after] == [
        {k: v for k, v in r.items() if k != "last_seen"} for r in before
    ]
    with Archive(out / "cqc.db") as archive:
        assert archive.db["revisions"].count == 0
        suspects = list(archive.db.query("SELECT * FROM rejects WHERE reason = 'not_the_release'"))
        kept = archive.db.execute(
            "SELECT count(*) FROM snapshots WHERE body IS NOT NULL AND size < 400"
        ).fetchone()[0]
    assert len(suspects) == 10
    assert kept >= 1  # the maintenance page is kept as a snapshot, for the record
    # A real edit, one release at a time, still goes through.
    page = site / "www/english/c/2024-09-10/597552.shtml"
    page.write_text(page.read_text(encoding="utf-8").replace("a signing", "a solemn signing"))
    edit = run_crawl(out, "-a full=1", site=site)
    assert edit.returncode == 0, edit.log[-2000:]
    assert "a solemn signing" in {r["id"]: r for r in rows(out / "cqc.db")}[597552]["body"]


# -- 5. redirects keep the no-op bound ------------------------------------------------------


def test_redirected_articles_are_recorded_once_and_not_fetched_again(tmp_path: Path) -> None:
    faults = [
        Fault(r"/596620\.shtml$", "redirect", location="/www/english/About/index.shtml"),
        Fault(r"/596777\.shtml$", "redirect", location="/www/english/c/2024-09-10/597552.shtml"),
    ]
    out = tmp_path / "out"
    first = run_crawl(out, ANY_SHARE, faults=faults)
    assert first.returncode == 0, first.log[-2000:]
    with Archive(out / "cqc.db") as archive:
        recorded = {r["article_id"]: (r["reason"], r["detail"]) for r in archive.db["rejects"].rows}
    assert recorded[596620][0] == "not_an_article"
    assert recorded[596620][1].endswith("/www/english/About/index.shtml")
    assert recorded[596777] == (
        "moved",
        "redirected to https://www.cqc.com.cn/www/english/c/2024-09-10/597552.shtml",
    )
    archived = {row["id"] for row in rows(out / "cqc.db")}
    assert 597552 in archived
    assert not {596620, 596777} & archived
    again = run_crawl(out, faults=faults)  # the default reject share: this run must be ok
    assert again.returncode == 0, again.log[-2000:]
    # the fixture site's dead link is asked for once more (a first 404 may be a publish lag)
    dead = "/www/english/c/2005-06-01/590001.shtml"
    assert [path for path in again.requests if "/c/" in path] == [dead]
    third = run_crawl(out, faults=faults)
    assert third.returncode == 0, third.log[-2000:]
    assert not [path for path in third.requests if "/c/" in path]


# -- 7. memory stays bounded -------------------------------------------------------------------


def test_a_page_whose_parse_would_explode_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    faults = [
        Fault(r"/597552\.shtml$", "tag_flood", size=3_000_000),  # 9 MB of <b>: 3 M elements
        Fault(r"^/www/english/Notices/$", "tag_flood", size=3_000_000),
        Fault(r"/595908\.shtml$", "gzip_bomb", size=50_000_000),
    ]
    crawl = run_crawl(tmp_path / "out", ANY_SHARE, faults=faults)
    with Archive(crawl.db) as archive:
        reasons = {r["article_id"]: (r["reason"], r["detail"]) for r in archive.db["rejects"].rows}
    assert reasons[597552] == ("too_complex", "more than 200000 tags: not parsed")
    assert reasons[595908][0] == "too_large"
    assert "Listing page" in crawl.log
    assert "more than 200000 tags: not parsed" in crawl.log
    assert crawl.peak_rss_mb < 400, crawl.peak_rss_mb
