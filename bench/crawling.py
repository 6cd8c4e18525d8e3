"""b, c, e. An end-to-end ``scrapy crawl press`` of the synthetic site beside a bare Scrapy
spider fetching the same pages, a no-op re-run, and ``cqcscraper reparse``; the crawls' figures
read from their Scrapy stats (the ``crawls`` table; the bare spider's stats file). g. The
run's memory bound against a server whose headers never end, beside the same crawl unbounded."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from common import CONCURRENCY, ROOT, measured, run_process, say

from cqcscraper.crawl import health
from cqcscraper.store.archive import Archive
from cqcscraper.testing.crawls import LOCAL_SETTINGS, crawl_command
from cqcscraper.testing.faults import Fault
from cqcscraper.testing.measure import without_report
from cqcscraper.testing.mirror import Mirror

FIXTURES = ROOT / "fixtures" / "html"
FLOODED = "/www/english/c/2024-09-10/597552.shtml"  # g. the article whose headers never end


def last_crawl_stats(db: Path) -> dict:
    """The Scrapy stats of the archive's latest run, as ``crawls`` keeps them (the run's time
    is ours: Scrapy sets its own after the row is written)."""
    with Archive(db, read_only=True) as archive:
        row = archive.db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    stats = json.loads(row[0])
    return {**stats, "elapsed_time_seconds": stats[health.ELAPSED]}


def file_stats(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def our_crawl(url: str, out: Path, *extra: str) -> list[str]:
    return crawl_command(
        f"{url}/www/english/",
        str(out / "cqc.db"),
        str(out / "press_releases.jsonl"),
        *LOCAL_SETTINGS,
        *CONCURRENCY,
        "LOG_LEVEL=INFO",
        *extra,
    )


def bare_crawl(urls_file: Path, stats_file: Path) -> list[str]:
    settings = [*CONCURRENCY, "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False",
                "ROBOTSTXT_OBEY=True", "LOG_LEVEL=INFO", "TELNETCONSOLE_ENABLED=False"]  # fmt: skip
    command = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench/bare.py")]
    command += ["-a", f"urls={urls_file}", "-s", f"BENCH_STATS_FILE={stats_file}"]
    for setting in settings:
        command += ["-s", setting]
    return command


def site_urls(site: Path, origin: str) -> list[str]:
    """Every page and file the press spider fetches: the start page, listing pages, articles,
    and the articles' images."""
    pages = sorted(p for p in (site / "www/english").rglob("*") if p.is_file())
    return [f"{origin}/{p.relative_to(site).as_posix()}".replace("/index.shtml", "/", 1)
            if p.parent == site / "www/english" else f"{origin}/{p.relative_to(site).as_posix()}"
            for p in pages]  # fmt: skip


# ``cqcscraper reparse``'s own work, timed in its process (not Python's start nor the imports),
# with as many workers as the command would start.
REPARSE = """
import sys, time
from cqcscraper.crawl.reparse import reparse
from cqcscraper.store.archive import Archive
from cqcscraper.subcommands import default_jobs
with Archive(sys.argv[1]) as archive:
    started = time.perf_counter()
    report = reparse(archive, default_jobs(archive.snapshot_count()))
    seconds = time.perf_counter() - started
    print("REPARSE", seconds, str(report).splitlines()[0], file=sys.stderr)
"""


def reparsed(out: Path) -> tuple[float, float, str]:
    """``reparse`` of the archive in ``out``: its seconds, the process's peak RSS, its report."""
    command = [sys.executable, "-c", REPARSE, str(out / "cqc.db")]
    _, code, log, rss = run_process(command, ROOT)
    if code != 0:
        raise SystemExit(f"reparse exited {code}: {log[-2000:]}")
    seconds, said = log.split("REPARSE ", 1)[1].splitlines()[0].split(" ", 1)
    return float(seconds), rss, said


def scaling(site: Path, work: Path, runs: int) -> dict:
    """Our crawl and reparse of one synthetic site (no peer): time per page and peak RSS, to
    set beside the same figures at another size."""
    say(f"f. crawl and reparse of {site.parent.name}")
    crawls, reparses = [], []
    with Mirror(site) as mirror:
        for number in range(runs):
            out = work / f"scale{number}"
            out.mkdir()
            ours = lambda out=out: last_crawl_stats(out / "cqc.db")  # noqa: E731
            crawls.append(measured(our_crawl(mirror.url, out), ROOT, ours))
            wall, rss, _ = reparsed(out)
            reparses.append({"seconds": wall, "peak_rss_mb": rss})
            say(f"  run {number + 1}: {crawls[-1].pages_per_s:.0f} pages/s")
    with Archive(work / "scale0" / "cqc.db") as archive:
        snapshots = archive.db["snapshots"].count
        stored = archive.db["press_releases"].count
    return {
        "ours": [vars(r) for r in crawls],
        "reparse": reparses,
        "snapshots": snapshots,
        "stored": stored,
    }


def measure(site: Path, work: Path, runs: int) -> dict:
    """Figures b, c and e, ``runs`` times each, on the synthetic site at ``site``."""
    say("b. end-to-end crawls")
    crawls, bares, noops, reparses = [], [], [], []
    with Mirror(site) as mirror:
        urls_file = work / "urls.txt"
        urls_file.write_text("\n".join(site_urls(site, mirror.url)) + "\n")
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        for number in range(runs):
            out = work / f"crawl{number}"
            out.mkdir()
            ours = lambda out=out: last_crawl_stats(out / "cqc.db")  # noqa: E731
            crawls.append(measured(our_crawl(mirror.url, out), ROOT, ours))
            bare_stats = work / f"bare{number}.json"
            command = bare_crawl(urls_file, bare_stats)
            bares.append(measured(command, work, lambda f=bare_stats: file_stats(f), env))
            noops.append(measured(our_crawl(mirror.url, out), ROOT, ours))
            wall, rss, said = reparsed(out)
            reparses.append({"seconds": wall, "peak_rss_mb": rss})
            say(
                f"  run {number + 1}: ours {crawls[-1].pages_per_s:.0f} pages/s, bare "
                f"{bares[-1].pages_per_s:.0f} pages/s; {said}"
            )
    with Archive(work / "crawl0" / "cqc.db") as archive:
        snapshots = archive.db["snapshots"].count
        stored = archive.db["press_releases"].count
    return {
        "ours": [vars(r) for r in crawls],
        "bare": [vars(r) for r in bares],
        "noop": [vars(r) for r in noops],
        "reparse": reparses,
        "snapshots": snapshots,
        "stored": stored,
    }


def flood(work: Path, timeout: int, limit: int | None) -> dict:
    """g. A crawl of the fixture site while one article's server sends header lines without
    end: peak RSS with the run's memory bound (``MEMUSAGE_LIMIT_MB``, ``limit`` or the
    setting's default) and without it (ended by ``DOWNLOAD_TIMEOUT`` = ``timeout``). One run
    each, the flood tried once (no retries)."""
    say("g. a server whose headers never end")
    fault = Fault(path=f"{FLOODED}$", fault="header_flood", size=64 * 2**30, seconds=timeout + 30)
    common = [f"DOWNLOAD_TIMEOUT={timeout}", "RETRY_TIMES=0", "CQC_MAX_REJECTED_SHARE=1"]
    if limit:
        common.append(f"MEMUSAGE_LIMIT_MB={limit}")
    found = {}
    with Mirror(FIXTURES, faults=[fault]) as mirror:
        for name, extra in (("bounded", []), ("unbounded", ["MEMUSAGE_ENABLED=False"])):
            out = work / f"flood-{name}"
            out.mkdir()
            wall, code, log, rss = run_process(our_crawl(mirror.url, out, *common, *extra), ROOT)
            found[name] = {
                "wall": wall,
                "returncode": code,
                "peak_rss_mb": rss,
                "last_line": without_report(log).rstrip().splitlines()[-1],
            }
            say(f"  {name}: peak {rss:.0f} MB, exit {code}, {wall:.0f} s")
    return {**found, "timeout": timeout, "limit": limit}
