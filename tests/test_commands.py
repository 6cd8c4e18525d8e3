"""Operator-proof commands: every mistake an operator makes gets one clear line on stderr and
the right exit code (2 for a wrong command line), and nothing is written where it should not be.

Each wrong input of docs/operations.md's table *Mistakes and what you see* is tested here, as an
operator would type it: the real ``scrapy`` and ``cqcscraper`` commands in subprocesses.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, SITE, run_crawl
from cqcscraper.parse import urls
from cqcscraper.store.archive import Archive
from cqcscraper.store.lock import RunLock
from cqcscraper.store.schema import SCHEMA_VERSION
from cqcscraper.testing.crawls import FIXTURE_SETTINGS, LOCAL_SETTINGS, crawl_command
from cqcscraper.testing.mirror import Mirror

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

BIN = Path(sys.executable).parent
V3_ARCHIVE = ROOT / "fixtures" / "archives" / "v3.db"
MARKUP = re.compile(r"``|:func:|:class:")


def run(*command: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CQC_")}
    return subprocess.run(
        list(command), cwd=cwd, env={**environment, **env}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def scrapy(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(str(BIN / "scrapy"), *args, **env)


def cqcscraper(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(str(BIN / "cqcscraper"), *args, **env)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the fixture site, as one crawl leaves it (copy it before changing it)."""
    out = tmp_path_factory.mktemp("archived")
    crawl = run_crawl(out)
    assert crawl.returncode == 0, crawl.log[-2000:]
    with Archive(crawl.db) as archive:  # one self-contained file to copy
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return crawl.db


def copy_of(archived: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(archived, folder / "cqc.db")
    shutil.copy(archived.with_name("press_releases.jsonl"), folder / "press_releases.jsonl")
    return folder / "cqc.db"


def crawl_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT id, start_url, verdict FROM crawls").fetchall()


# -- 1, 2: the spider's arguments ------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("start_url=htps://www.cqc.com.cn/www/english/", "is not an http(s) URL with a host"),
        ("start_url=ftp://x", "is not an http(s) URL with a host"),
        ("start_url=notaurl", "is not an http(s) URL with a host"),
        ("start_url=http://", "is not an http(s) URL with a host"),
        ("full=maybe", "is not a yes/no value: give full=1 or full=0"),
        ("fulll=1", "unknown spider argument 'fulll'"),
        ("refresh_days=-3", "is not a whole number of days"),
        ("refresh_days=x", "is not a whole number of days"),
    ],
)
def test_a_wrong_spider_argument_is_one_line_and_exit_2_with_nothing_written(
    tmp_path: Path, argument: str, says: str
) -> None:
    done = scrapy("crawl", "press", "-a", argument, "-s", f"CQC_DB={tmp_path / 'cqc.db'}")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith("scrapy crawl: error: "), line
    assert says in line, line
    assert list(tmp_path.iterdir()) == []  # no archive, no lock, no JSONL


def test_a_wrong_spider_name_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["crawl"], ["crawl", "pres"], ["crawl", "press", "press"]):
        done = scrapy(*args, "-s", f"CQC_DB={tmp_path / 'cqc.db'}")
        assert done.returncode == 2, done.stderr
        assert "give the name of one spider: scrapy crawl press" in one_line(done.stderr)
    assert list(tmp_path.iterdir()) == []


# -- 3: other Scrapy commands never touch the archive -------------------------------------------


def test_scrapy_parse_prints_an_articles_record_and_a_listings_requests_writing_nothing(
    archived: Path, tmp_path: Path
) -> None:
    db = copy_of(archived, tmp_path / "data")
    before = (digest(db), digest(db.with_name("press_releases.jsonl")))
    with Mirror(SITE) as mirror:
        article = scrapy(
            "parse", "--spider=press", f"{mirror.url}/www/english/c/2024-09-10/597552.shtml",
            CQC_DB=str(db),
        )  # fmt: skip
        listing = scrapy("parse", "--spider=press", f"{mirror.url}/www/english/Notices/")
        fetched = scrapy(
            "fetch", "--spider=press", f"{mirror.url}/www/english/News/", CQC_DB=str(db)
        )
    assert article.returncode == 0, article.stderr[-2000:]
    assert "Yiwu Municipal Government Sign Strategic Cooperation" in article.stdout
    assert "'title_from': 'heading'" in article.stdout
    assert "Warning" not in article.stderr + listing.stderr  # none on every call
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert f"<GET {mirror.url}/www/english/c/2021-06-18/596101.shtml>" in listing.stdout
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    assert '<ul class="list">' in fetched.stdout
    assert (digest(db), digest(db.with_name("press_releases.jsonl"))) == before
    assert not db.with_name("cqc.db.lock").exists()  # the run lock was never taken
    with Archive(db, read_only=True) as archive:
        assert archive.db["crawls"].count == 1  # no run was recorded


# -- 4: an archive belongs to one site -----------------------------------------------------------


def test_a_crawl_from_another_site_into_an_archive_is_refused_unless_allowed(
    archived: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.db"
    with Archive(live) as archive:  # an archive of the live site
        archive.begin_crawl(urls.START_URL, {})
    before = crawl_rows(live)
    with Mirror(SITE) as mirror:
        refused = scrapy(
            "crawl", "press", "-a", f"start_url={mirror.url}/www/english/", "-s", f"CQC_DB={live}"
        )
    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert f"the archive {live} holds the site https://www.cqc.com.cn" in line, line
    assert "CQC_ALLOW_OTHER_SITE=1" in line
    assert crawl_rows(live) == before
    with Archive(live, read_only=True) as archive:
        assert archive.site() == urls.SITE_ORIGIN
    # The fixture archive belongs to the loopback mirror, whatever its port: runs go on.
    with Archive(archived, read_only=True) as archive:
        assert archive.site() == urls.LOOPBACK
    allowed = run_crawl(tmp_path / "allowed", "CQC_ALLOW_OTHER_SITE=1")
    assert allowed.returncode == 0


def test_a_demo_copied_over_the_live_archive_is_refused_with_the_way_out(
    archived: Path, tmp_path: Path
) -> None:
    """docs/analysts.md once said to copy the demo to data/cqc.db: the live crawl then refused
    it without saying how to go on. The refusal says to move it aside, and leaves it as it
    was."""
    copy = copy_of(archived, tmp_path / "data")
    before = digest(copy)
    refused = scrapy("crawl", "press", "-s", f"CQC_DB={copy}")  # the live site: refused first
    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert f"the archive {copy} holds the site loopback" in line
    assert f"move it aside (mv {copy} {copy.with_name('cqc-loopback.db')}) and crawl again" in line
    assert digest(copy) == before


def test_an_archive_another_run_is_making_binds_no_site(tmp_path: Path) -> None:
    # The moment a first run has made the file (WAL on, no schema yet): a second run that
    # checks the site then must not take the file for an empty archive and fail (Scrapyd ran
    # two jobs at once into this); the run lock decides between them.
    out = tmp_path / "out"
    out.mkdir()
    with sqlite3.connect(out / "cqc.db") as connection:
        connection.execute("PRAGMA journal_mode=wal")
    assert (out / "cqc.db").stat().st_size > 0
    done = run_crawl(out)
    assert done.returncode == 0, done.stderr
    assert crawl_rows(out / "cqc.db")


# -- 5: paths ---------------------------------------------------------------------------------


def test_the_export_follows_its_archive_and_data_is_left_alone(
    archived: Path, tmp_path: Path
) -> None:
    default_jsonl = ROOT / "data" / "press_releases.jsonl"
    before = digest(default_jsonl) if default_jsonl.exists() else None
    other = tmp_path / "other.db"
    with Mirror(SITE) as mirror:
        done = scrapy(
            "crawl", "press", "-a", f"start_url={mirror.url}/www/english/",
            "-s", f"CQC_DB={other}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "CQC_MAX_REJECTED_SHARE=0.3",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert len((tmp_path / "other.jsonl").read_text(encoding="utf-8").splitlines()) == 10
    db = copy_of(archived, tmp_path / "copy")
    rebuilt = cqcscraper("reparse", "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"10 records in {db.with_name('press_releases.jsonl')}" in rebuilt.stdout
    assert (digest(default_jsonl) if default_jsonl.exists() else None) == before
    # A release no snapshot gives a record of now (as after a rule that rejects its page): it
    # is kept as it was, and reparse says so and exits 1.
    blank = zlib.compress(b"<html><body><a href='/www/english/'>Home</a></body></html>")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE snapshots SET body = ? WHERE article_id = 597552", [blank])
    kept = cqcscraper("reparse", "--db", str(db))
    assert kept.returncode == 1, kept.stdout + kept.stderr
    assert "kept as they were (no snapshot gives a record now): 597552" in kept.stdout


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("CQC_DB={tmp}/no/such/folder/cqc.db", "the folder of CQC_DB"),
        ("CQC_DB={tmp}", "is a folder: give a file path"),
        ("CQC_JSONL={tmp}/no/such/folder/out.jsonl", "the folder of CQC_JSONL"),
        ("CQC_MEDIA_DIR={tmp}/no/such/folder/media", "the folder of CQC_MEDIA_DIR"),
    ],
)
def test_an_archive_path_that_cannot_be_is_exit_2_and_no_folder_is_made(
    tmp_path: Path, setting: str, says: str
) -> None:
    extra = [] if setting.startswith("CQC_DB") else ["-s", f"CQC_DB={tmp_path / 'cqc.db'}"]
    done = scrapy("crawl", "press", "-s", setting.format(tmp=tmp_path), *extra)
    assert done.returncode == 2
    assert says in one_line(done.stderr)
    assert list(tmp_path.iterdir()) == []


def damaged_files(folder: Path, archived: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {"empty": folder / "empty.db", "text": folder / "text.db", "other": folder / "other.db"}
    files["empty"].touch()
    files["text"].write_text("id,title\n1,a\n")
    with sqlite3.connect(files["other"]) as connection:
        connection.execute("CREATE TABLE notes (a)")
    files["corrupt"] = folder / "corrupt.db"
    data = bytearray(archived.read_bytes())
    data[4096:] = bytes(len(data) - 4096)  # every page after the first zeroed
    files["corrupt"].write_bytes(bytes(data))
    return files


@pytest.mark.parametrize("command", ["summary", "csv", "reparse"])
def test_a_file_that_is_no_archive_is_one_line_exit_1_and_left_as_it_was(
    archived: Path, tmp_path: Path, command: str
) -> None:
    files = damaged_files(tmp_path / "files", archived)
    says = {
        "empty": "is empty: not an archive yet",
        "text": "is not a readable archive (file is not a database): restore it",
        "other": "is an SQLite database but not a cqcscraper archive",
        "corrupt": '".recover"',
    }
    for name, path in files.items():
        before = digest(path)
        done = cqcscraper(command, "--db", str(path))
        assert done.returncode == 1, (name, done.stderr)
        assert says[name] in one_line(done.stderr), name
        assert digest(path) == before, name
    missing = cqcscraper(command, "--db", str(tmp_path / "none.db"))
    assert (missing.returncode, one_line(missing.stderr)) == (
        1,
        f"cqcscraper {command}: no archive at {tmp_path / 'none.db'}",
    )
    folder = cqcscraper(command, "--db", str(tmp_path))
    assert folder.returncode == 1
    assert "is a folder" in one_line(folder.stderr)


def test_a_crawl_into_a_file_that_is_no_archive_is_refused(archived: Path, tmp_path: Path) -> None:
    files = damaged_files(tmp_path / "files", archived)
    for name in ("text", "other", "corrupt"):
        before = digest(files[name])
        done = scrapy("crawl", "press", "-s", f"CQC_DB={files[name]}")
        assert done.returncode == 1, (name, done.stderr)
        assert "archive" in one_line(done.stderr)
        assert digest(files[name]) == before


def test_csv_into_a_missing_folder_is_exit_2(archived: Path, tmp_path: Path) -> None:
    done = cqcscraper("csv", "--db", str(archived), "-o", str(tmp_path / "no" / "out.csv"))
    assert done.returncode == 2
    assert "the folder of -o" in one_line(done.stderr)
    assert not (tmp_path / "no").exists()


# -- 6: readers only read ------------------------------------------------------------------------


@pytest.fixture
def read_only_copy(archived: Path, tmp_path: Path) -> Path:
    """A copy of the archive in a folder that will be mounted read-only (``read_only``)."""
    return copy_of(archived, tmp_path / "readonly")


def read_only(folder: Path, *command: str) -> subprocess.CompletedProcess:
    """Run ``command`` with ``folder`` bind-mounted read-only over itself, in a mount namespace
    of its own: the file system refuses every write there, as it would to a user who may only
    read the archive (tests run as root, whom file permissions do not stop)."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) for a read-only bind mount")
    script = (
        f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' && exec \"$@\""
    )
    done = run("unshare", "-m", "sh", "-c", script, "sh", *command)
    if "mount:" in done.stderr and done.returncode != 0:
        pytest.skip(f"no read-only bind mount here: {done.stderr.strip()}")
    return done


def test_summary_and_csv_work_for_a_user_who_may_only_read(read_only_copy: Path) -> None:
    folder = read_only_copy.parent
    before = sorted(p.name for p in folder.iterdir())
    summary = read_only(folder, str(BIN / "cqcscraper"), "summary", "--db", str(read_only_copy))
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith(f"{read_only_copy}: 10 press releases")
    csv = read_only(folder, str(BIN / "cqcscraper"), "csv", "--db", str(read_only_copy))
    assert csv.returncode == 0, csv.stderr
    assert len(csv.stdout.splitlines()) > 9
    reparse = read_only(folder, str(BIN / "cqcscraper"), "reparse", "--db", str(read_only_copy))
    assert reparse.returncode == 1
    assert "needs to write" in one_line(reparse.stderr)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_readers_never_create_or_upgrade_a_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(V3_ARCHIVE, old)
    before = digest(old)
    assert cqcscraper("summary", "--db", str(old)).returncode == 0
    assert cqcscraper("csv", "--db", str(old), "--table", "crawls").returncode == 0
    assert digest(old) == before
    with sqlite3.connect(old) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (3,)
    assert SCHEMA_VERSION > 3


def test_summary_during_a_run_says_it_is_in_progress(archived: Path, tmp_path: Path) -> None:
    db = copy_of(archived, tmp_path / "data")
    with Archive(db) as archive:
        crawl = archive.begin_crawl("http://127.0.0.1:1/www/english/", {})
        started = archive.db["crawls"].get(crawl)["started"]
    with RunLock(db):
        running = cqcscraper("summary", "--db", str(db))
    assert f"a run is in progress: crawl {crawl}, since {started}" in running.stdout
    stopped = cqcscraper("summary", "--db", str(db))  # the lock is gone, the row still open
    assert f"last run: crawl {crawl}, started {started}, ended without closing" in stopped.stdout
    assert "None" not in running.stdout + stopped.stdout


# -- 7: pipes, version, help, make --------------------------------------------------------------


@pytest.mark.parametrize("command", ["csv", "summary"])
def test_a_reader_that_stops_reading_ends_it_quietly(archived: Path, command: str) -> None:
    done = run("bash", "-c", f"'{BIN / 'cqcscraper'}' {command} --db '{archived}' | head -n 1")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1
    assert "Error" not in done.stderr, done.stderr


def test_version_and_help() -> None:
    from cqcscraper import __version__

    version = cqcscraper("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"cqcscraper {__version__}")
    for args in ([], ["demo"], ["summary"], ["reparse"], ["csv"], ["health"], ["backup"]):
        shown = cqcscraper(*args, "--help")
        assert shown.returncode == 0
        assert not MARKUP.search(shown.stdout), shown.stdout
    assert "(default: data/cqc.db)" in cqcscraper("summary", "--help").stdout
    assert "(default: releases)" in cqcscraper("csv", "--help").stdout
    wrong = cqcscraper("sumary")
    assert wrong.returncode == 2
    assert "invalid choice: 'sumary'" in wrong.stderr


def test_a_bare_make_lists_the_targets_and_crawls_nothing() -> None:
    done = run("make", "-n")
    assert done.returncode == 0
    assert "scrapy" not in done.stdout
    shown = run("make")
    assert shown.returncode == 0
    for target in ("make crawl", "make test", "make demo", "make serve", "make bench"):
        assert target in shown.stdout


def test_the_readme_mirror_example_runs_as_printed_into_its_own_archive() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(\.venv/bin/python -m cqcscraper\.mirror .*?)```", readme, re.S)
    serve, crawl_line, summary_line = block.group(1).strip().splitlines()
    assert "--port 8000" in serve
    live = ROOT / "data" / "cqc.db"
    before = digest(live) if live.exists() else None
    try:
        with Mirror(SITE) as mirror:
            port = mirror.url.rsplit(":", 1)[1]
            crawl = run("bash", "-c", crawl_line.replace("8000", port))
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        shown = run("bash", "-c", summary_line.split("#")[0])
        assert shown.returncode == 0
        assert "data/mirror.db: 10 press releases" in shown.stdout
        assert json.loads((ROOT / "data" / "mirror.jsonl").read_text().splitlines()[0])["id"]
    finally:
        for name in (
            "mirror.db",
            "mirror.db-wal",
            "mirror.db-shm",
            "mirror.db.lock",
            "mirror.jsonl",
        ):
            (ROOT / "data" / name).unlink(missing_ok=True)
    assert (digest(live) if live.exists() else None) == before


# -- 9: log noise ----------------------------------------------------------------------------


def test_a_reject_is_one_log_line_with_its_urls_and_an_unreachable_site_no_traceback(
    tmp_path: Path,
) -> None:
    crawl = run_crawl(tmp_path / "fixture")
    empty = re.findall(r".*Rejected \(no_body\).*", crawl.log)
    assert len(empty) == 1, crawl.log[-3000:]
    assert re.search(
        r"Rejected \(no_body\): http://127\.0\.0\.1:\d+/www/english/c/2022-03-15/596500\.shtml "
        r"\(recorded as https://www\.cqc\.com\.cn/www/english/c/2022-03-15/596500\.shtml\)$",
        empty[0],
    )
    assert "ArticlePage(" not in crawl.log
    with Mirror(SITE) as mirror:
        down = mirror.url
    unreachable = scrapy(
        "crawl", "press", "-a", f"start_url={down}/www/english/", "-s", f"CQC_DB={tmp_path}/x.db",
        "-s", "RETRY_TIMES=0",
    )  # fmt: skip
    assert unreachable.returncode == 1
    assert "Traceback" not in unreachable.stderr, unreachable.stderr[-3000:]
    assert "fail: the site could not be reached" in unreachable.stderr.strip().splitlines()[-1]


def test_health_answers_with_the_last_runs_verdict(archived: Path, tmp_path: Path) -> None:
    db = copy_of(archived, tmp_path / "data")
    ok = cqcscraper("health", "--db", str(db))
    assert (ok.returncode, ok.stdout.split(",")[0]) == (0, "ok: crawl 1")
    old = cqcscraper("health", "--db", str(db), "--max-age", "0.0001")
    assert old.returncode == 1
    assert "more than --max-age 0.0001: has the schedule stopped?" in old.stdout
    with Archive(db) as archive:
        crawl = archive.begin_crawl("http://127.0.0.1:1/www/english/", {})
    with RunLock(db):
        running = cqcscraper("health", "--db", str(db))
    assert running.returncode == 0  # the previous run's verdict, while this one runs
    assert running.stdout.startswith(f"a run is in progress: crawl {crawl}, since ")
    killed = cqcscraper("health", "--db", str(db))
    assert killed.returncode == 1
    assert killed.stdout.startswith(f"fail: crawl {crawl}, started ")
    assert "was killed" in killed.stdout
    empty = tmp_path / "empty.db"
    with Archive(empty):
        pass
    assert cqcscraper("health", "--db", str(empty)).returncode == 1


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (
            "CQC_DBB=data/x2.db",
            "scrapy crawl: error: unknown setting CQC_DBB: did you mean CQC_DB?",
        ),
        (
            "CQC_MAX_REJECT_SHARE=0.3",
            "scrapy crawl: error: unknown setting "
            "CQC_MAX_REJECT_SHARE: did you mean CQC_MAX_REJECTED_SHARE?",
        ),
        (
            "CQC_MAX_REJECTED_SHARE=abc",
            "scrapy crawl: error: CQC_MAX_REJECTED_SHARE='abc' cannot "
            "be used: it must be a share between 0 and 1 (0.3 is 30 %)",
        ),
        (
            "CQC_MAX_REJECTED_SHARE=30",
            "scrapy crawl: error: CQC_MAX_REJECTED_SHARE='30' cannot "
            "be used: it must be a share between 0 and 1 (0.3 is 30 %)",
        ),
        (
            "CQC_DB_LOCK_TIMEOUT=abc",
            "scrapy crawl: error: CQC_DB_LOCK_TIMEOUT='abc' cannot be "
            "used: it must be a number of seconds above 0",
        ),
        (
            "DOWNLOAD_DELAY=fast",
            "scrapy crawl: error: DOWNLOAD_DELAY='fast' cannot be used: it "
            "must be a number of seconds, 0 or more",
        ),
        (
            "CQC_MEDIA=no",
            "scrapy crawl: error: CQC_MEDIA='no' cannot be used: it must be a "
            "boolean: 1 or 0 (True or False)",
        ),
        (
            "CQC_LISTING_DEPTH=-1",
            "scrapy crawl: error: CQC_LISTING_DEPTH='-1' cannot be used: it "
            "must be a whole number, 0 or more",
        ),
    ],
)
def test_a_wrong_setting_is_refused_before_anything_runs(
    tmp_path: Path, setting: str, says: str
) -> None:
    """Misspelt names and values that cannot be (docs/operations.md, "Mistakes and what you
    see"): exit 2, one line naming the setting and what it must be, nothing written."""
    done = scrapy("crawl", "press", "-s", setting, "-s", f"CQC_DB={tmp_path / 'cqc.db'}")
    assert done.returncode == 2
    assert one_line(done.stderr) == says
    assert list(tmp_path.iterdir()) == []
    assert not (ROOT / "data" / "x2.db").exists()


def test_health_refuses_a_max_age_that_is_no_duration(tmp_path: Path) -> None:
    done = cqcscraper("health", "--db", str(tmp_path / "cqc.db"), "--max-age", "-5")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "cqcscraper health: error: argument --max-age: '-5' is not a number of hours above 0"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given", ["0", "-1", "two", "1.5"])
def test_reparse_refuses_jobs_that_are_no_count_of_processes(tmp_path: Path, given: str) -> None:
    done = cqcscraper("reparse", "--db", str(tmp_path / "cqc.db"), "--jobs", given)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"cqcscraper reparse: error: argument --jobs: '{given}' is not a whole number, 1 or more"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_log_file_in_a_missing_folder(tmp_path: Path) -> None:
    """``logs/`` (the cron lines' folder) is made on demand; any other missing folder is one
    line, exit 2. Run from another folder, as cron does after ``cd``."""
    env = {"SCRAPY_SETTINGS_MODULE": "cqcscraper.settings"}
    db = f"CQC_DB={tmp_path / 'cqc.db'}"
    done = run(str(BIN / "scrapy"), "crawl", "press", "-s", "LOG_FILE=elsewhere/crawl.log",
               "-s", db, cwd=tmp_path, **env)  # fmt: skip
    assert done.returncode == 2
    says = "scrapy crawl: error: the folder of LOG_FILE elsewhere/crawl.log does not exist"
    assert one_line(done.stderr).startswith(says)
    assert list(tmp_path.iterdir()) == []
    with Mirror(SITE) as mirror:
        command = crawl_command(f"{mirror.url}/www/english/", str(tmp_path / "cqc.db"),
                                str(tmp_path / "x.jsonl"), *LOCAL_SETTINGS, *FIXTURE_SETTINGS,
                                "LOG_FILE=logs/crawl.log")  # fmt: skip
        done = run(*command, cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "crawl 1 ok" in (tmp_path / "logs" / "crawl.log").read_text(encoding="utf-8")


def test_the_demo_runs_from_any_folder(tmp_path: Path) -> None:
    done = cqcscraper_in(tmp_path, "demo", "--fixtures", "nope")
    assert done.returncode == 2
    assert one_line(done.stderr).startswith("cqcscraper demo: error: the fixture site nope is")
    assert list(tmp_path.iterdir()) == []
    done = cqcscraper_in(tmp_path, "demo")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "data" / "demo" / "cqc.db").is_file()
    assert "verify: " in done.stdout


def cqcscraper_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return run(str(BIN / "cqcscraper"), *args, cwd=folder)


def test_the_mirror_refuses_a_busy_port_and_a_missing_folder(tmp_path: Path) -> None:
    mirror = [sys.executable, "-m", "cqcscraper.mirror"]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run(*mirror, str(SITE), "--port", str(port), cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"python -m cqcscraper.mirror: error: port {port} on 127.0.0.1 is in use: give "
        "another (--port 0 picks a free one)"
    )
    done = run(*mirror, "nope", "--port", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr).endswith(": give the folder of a saved site (fixtures/html)")


def test_reparse_reads_the_links_to_files_again(archived: Path, tmp_path: Path) -> None:
    """``reparse`` rebuilds a release's links to its images and documents from its stored page,
    as it rebuilds its row (it left them as the crawl once read them: a rule change in link
    extraction never reached media_links), and the text of its documents with them."""
    db = copy_of(archived, tmp_path / "data")
    links = "SELECT release_id, role, position, url, text FROM media_links ORDER BY 1, 2, 3"
    before = query(db, links)
    text = query(db, "SELECT attachment_text FROM press_releases WHERE id = 596880")
    with sqlite3.connect(db) as connection:  # as an older rule would have left them
        connection.execute("DELETE FROM media_links WHERE release_id = 596880")
        connection.execute("UPDATE media_links SET url = url || '?old' WHERE release_id = 597552")
        connection.execute("UPDATE press_releases SET attachment_text = NULL WHERE id = 596880")
    done = cqcscraper("reparse", "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "links to files read again: 2 releases changed" in done.stdout
    assert query(db, links) == before
    assert query(db, "SELECT attachment_text FROM press_releases WHERE id = 596880") == text
    again = cqcscraper("reparse", "--db", str(db))
    assert "links to files read again" not in again.stdout


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()
