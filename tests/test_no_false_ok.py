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
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, SITE, crawl_args, golden_records, golden_rows, rows, run_crawl
from cqcscraper import synthetic
from cqcscraper.archive import Archive
from cqcscraper.mirror import Mirror

ANY_SHARE = "CQC_MAX_REJECTED_SHARE=1"


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
    # the holder's mount namespace is ready once it runs sleep
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
    assert len(stored) == 9
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
    assert len(json_lines(jsonl)) == 69
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
        "import sys, cqcscraper.health as h\n"
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


# -- 2. one bad record never sinks the others -----------------------------------------------


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
        f'<ul class="list">\n<li><a href="../c/2024-09-10/{huge}.shtml">Huge</a></li>'
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
