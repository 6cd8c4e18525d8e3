"""End to end with the real engine: a Scrapyd on a free loopback port, the project deployed with
scrapyd-deploy from a copy of its files, jobs scheduled through ``schedule.json`` and followed
through ``listjobs.json``, and their outcome read the way an operator would: from the archive,
the job's log, and ``cqcscraper health`` (Scrapyd does not report exit codes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SITE, free_port, golden_records, golden_rows, wait_until_serving
from cqcscraper.testing.mirror import Mirror

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

BIN = Path(sys.executable).parent
PROJECT_FILES = ("cqcscraper", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")
LOCAL = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CQC_MAX_REJECTED_SHARE": "0.3"}


@dataclass
class Scrapyd:
    url: str
    home: Path

    def get(self, path: str, **params: str) -> dict:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as response:
            return json.load(response)

    def schedule(self, settings: dict[str, str], **arguments: str) -> str:
        data = [("project", "cqcscraper"), ("spider", "press"), *arguments.items()]
        data += [("setting", f"{name}={value}") for name, value in settings.items()]
        body = urllib.parse.urlencode(data).encode()
        with urllib.request.urlopen(f"{self.url}schedule.json", body, timeout=30) as response:
            answer = json.load(response)
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait(self, *jobs: str) -> None:
        """Until every job is finished (bounded: a job that never ends fails the test)."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            finished = {
                job["id"] for job in self.get("listjobs.json", project="cqcscraper")["finished"]
            }
            if set(jobs) <= finished:
                return
            time.sleep(0.2)
        pytest.fail(f"Scrapyd jobs {jobs} did not finish")

    def log(self, job: str) -> str:
        return (self.home / "logs" / "cqcscraper" / "press" / f"{job}.log").read_text()


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A Scrapyd of its own (config in a temporary folder, loopback only), with the project
    deployed by scrapyd-deploy."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 10\nmax_proc = 2\npoll_interval = 0.2\n"
    )
    env = {**os.environ, "HOME": str(home)}  # no ~/.scrapyd.conf of the user's
    server = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    daemon = Scrapyd(f"http://127.0.0.1:{port}/", home)
    wait_until_serving(server, f"{daemon.url}daemonstatus.json", "scrapyd")
    project = home / "project"  # deployed from a copy: scrapyd-deploy builds in place
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    deployed = subprocess.run(
        [str(BIN / "scrapyd-deploy")],
        cwd=project, env={**env, "SCRAPYD_URL": daemon.url}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    try:
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        yield daemon
    finally:
        server.terminate()
        server.wait(timeout=30)


def health(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "cqcscraper"), "health", "--db", str(db), *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_deployed_project_lists_its_spider(scrapyd: Scrapyd) -> None:
    assert scrapyd.get("listprojects.json")["projects"] == ["cqcscraper"]
    assert scrapyd.get("listspiders.json", project="cqcscraper")["spiders"] == ["press"]


def test_scheduled_jobs_archive_the_site_and_health_reports_each_verdict(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    db = tmp_path / "archive" / "cqc.db"
    db.parent.mkdir()
    settings = {"CQC_DB": str(db), **LOCAL}
    with Mirror(SITE) as mirror:
        start = f"{mirror.url}/www/english/"
        first = scrapyd.schedule(settings, start_url=start)
        scrapyd.wait(first)
        assert golden_rows(db) == golden_records()
        assert "crawl 1 ok: 12 articles linked; 10 new" in scrapyd.log(first)
        ok = health(db)
        assert ok.returncode == 0, ok.stdout
        assert ok.stdout.startswith("ok: crawl 1, finished ")
        second = scrapyd.schedule(settings, start_url=start)  # nothing new: a no-op
        scrapyd.wait(second)
    # (but for the fixture site's dead link, asked once more: a first 404 may be a publish lag)
    assert "crawl 2 ok: 9 articles linked; 0 new, 0 updated, 0 unchanged, 1 rejected" in (
        scrapyd.log(second)
    )
    assert health(db, "--max-age", "1").returncode == 0
    # The site is gone: the job fails, and only health can tell (Scrapyd shows it finished).
    third = scrapyd.schedule(settings, start_url=start, full="1")
    scrapyd.wait(third)
    failed = health(db)
    assert failed.returncode == 1
    assert failed.stdout.startswith("fail: crawl 3, finished ")
    assert "the site could not be reached" in failed.stdout


def test_two_jobs_at_once_one_runs_the_other_stops_at_once(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    db = tmp_path / "cqc.db"
    settings = {"CQC_DB": str(db), **LOCAL}
    # slow articles: the first job surely still holds the archive when the second starts
    with Mirror(SITE, delay=1.0, delay_paths=r"/c/") as slow:
        start = f"{slow.url}/www/english/"
        jobs = [scrapyd.schedule(settings, start_url=start) for _ in range(2)]
        scrapyd.wait(*jobs)
    logs = [scrapyd.log(job) for job in jobs]
    busy = [log for log in logs if "another run holds the archive lock" in log]
    assert len(busy) == 1, logs
    assert "exit 75:" in busy[0]
    assert golden_rows(db) == golden_records()  # the other one completed: nothing lost
    assert health(db).returncode == 0


def test_a_relative_archive_path_is_refused_in_the_job_log(scrapyd: Scrapyd) -> None:
    job = scrapyd.schedule({"CQC_DB": "relative/cqc.db", **LOCAL})
    scrapyd.wait(job)
    log = scrapyd.log(job)
    assert f"under Scrapyd (job {job}) CQC_DB must be an absolute path, not relative/cqc.db" in log
    assert not (scrapyd.home / "relative").exists()


def test_a_misspelt_setting_is_refused_in_the_job_log(scrapyd: Scrapyd, tmp_path: Path) -> None:
    """A job scheduled with setting=CQC_MAX_REJECT_SHARE=0.3 (a typo) would have run with the
    default; it stops before anything runs, saying so where its operator looks."""
    db = tmp_path / "typo" / "cqc.db"
    db.parent.mkdir()
    job = scrapyd.schedule({"CQC_DB": str(db), "CQC_MAX_REJECT_SHARE": "0.3", **LOCAL})
    scrapyd.wait(job)
    assert (
        "scrapy crawl: error: unknown setting CQC_MAX_REJECT_SHARE: did you mean "
        "CQC_MAX_REJECTED_SHARE?" in scrapyd.log(job)
    )
    assert list(db.parent.iterdir()) == []
