"""h. What a scheduled run costs as the archive grows: the no-op run and the run that finds one
new release, against the same synthetic site on 127.0.0.1, with the archive holding that site
and padded to each size with older releases (as years of runs leave it: search lists fresh,
the JSONL export up to date). Wall and CPU seconds of the crawl process, side by side."""

from __future__ import annotations

import json
import resource
import shutil
import time
from pathlib import Path

from common import ROOT, run_process, say
from crawling import our_crawl
from search import big_records

from cqcscraper.store.archive import Archive
from cqcscraper.store.export import write_jsonl
from cqcscraper.testing.mirror import Mirror
from cqcscraper.testing.stored import store_many
from cqcscraper.testing.synthetic import FIRST_ID

NEW_ID = FIRST_ID - 1  # the new release of the one-new run (below the site's ids)
NEW_DAY = "2025-01-02"  # after every date of the site and of the padding
NEW_TITLE = "CQC Opens a Certification Office for Hydrogen Equipment in Ningbo"


def cpu_seconds() -> float:
    """User and system time of this process's finished children so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def crawled(command: list[str]) -> dict:
    """Run a crawl to its end: wall and CPU seconds, peak RSS, exit code."""
    before = cpu_seconds()
    wall, code, log, rss = run_process(command, ROOT)
    if code != 0:
        say(log[-3000:])
        raise SystemExit(f"the crawl exited {code}")
    return {"wall": wall, "cpu": cpu_seconds() - before, "peak_rss_mb": rss}


def with_one_new(site: Path, expected: Path, out: Path) -> Path:
    """A copy of ``site`` where the newest release has a successor: its page under a new id,
    title and date, listed first on the News page (the run that finds one new release)."""
    copy = out / "site-plus"
    shutil.copytree(site, copy)
    newest = max(expected.glob("*.json"), key=lambda p: int(p.stem))
    record = json.loads(newest.read_text(encoding="utf-8"))
    page = (site / record["url"].split("/", 3)[3]).read_bytes()
    page = page.replace(record["title"].encode(), NEW_TITLE.encode())
    page = page.replace(record["published"].encode(), NEW_DAY.encode())
    target = copy / f"www/english/c/{NEW_DAY}/{NEW_ID}.shtml"
    target.parent.mkdir(parents=True)
    target.write_bytes(page)
    news = copy / "www/english/News/index.shtml"
    item = f'<li><a href="../c/{NEW_DAY}/{NEW_ID}.shtml">{NEW_TITLE}</a></li>'
    news.write_bytes(
        news.read_bytes().replace(b'<ul class="list">', f'<ul class="list">{item}'.encode(), 1)
    )
    return copy


def padded(base: Path, out: Path, size: int, expected: Path) -> dict:
    """A copy of the archive in ``base`` padded to ``size`` releases with older ones, its
    search lists and JSONL brought up to date as a run's close leaves them."""
    shutil.copytree(base, out)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(expected.glob("*.json"))]
    with Archive(out / "cqc.db") as archive:
        (held,) = archive.db.execute("SELECT count(*) FROM press_releases").fetchone()
        padding = big_records(max(0, size - held), records)
        for start in range(0, len(padding), 500):
            store_many(archive, [(r, None, None) for r in padding[start : start + 500]])
        started = time.perf_counter()
        archive.refresh_search()
        refresh = time.perf_counter() - started
        write_jsonl(archive, out / "press_releases.jsonl")
        (rows,) = archive.db.execute("SELECT count(*) FROM press_releases").fetchone()
    return {"rows": rows, "refresh_seconds": refresh}


def best(runs: list[dict]) -> dict:
    """The run with the least wall time (a single run of 1-2 s varies by a tenth with the
    machine's noise); its CPU is that run's."""
    return min(runs, key=lambda run: run["wall"])


def measure(site: Path, expected: Path, work: Path, sizes: list[int], runs: int = 3) -> dict:
    """h. For each size: the no-op run, then the run that finds one new release, each the
    best of ``runs`` (the one-new run from a copy of the archive as the no-op run left it)."""
    say(f"h. scheduled runs against archives of {', '.join(map(str, sizes))} releases")
    base = work / "sizes-base"
    base.mkdir()
    plus = with_one_new(site, expected, work)
    found = []
    with Mirror(site) as mirror:
        crawled(our_crawl(mirror.url, base))  # the archive of the site, made once
        for size in sizes:
            out = work / f"sizes-{size}"
            made = padded(base, out, size, expected)
            noop = best([crawled(our_crawl(mirror.url, out)) for _ in range(runs)])
            kept = work / f"sizes-{size}-noop"
            shutil.copytree(out, kept)
            one_new_runs = []
            with Mirror(plus) as mirror_plus:
                for number in range(runs):
                    if number:  # the archive and its JSONL as the no-op runs left them
                        shutil.rmtree(out)
                        shutil.copytree(kept, out)
                    one_new_runs.append(crawled(our_crawl(mirror_plus.url, out)))
            one_new = best(one_new_runs)
            shutil.rmtree(kept)
            with Archive(out / "cqc.db", read_only=True) as archive:
                requests = [
                    row[0]
                    for row in archive.db.execute(
                        "SELECT requests FROM crawls ORDER BY id DESC LIMIT 2"
                    ).fetchall()
                ]
                added = archive.db.execute(
                    "SELECT count(*) FROM press_releases WHERE id = ?", [NEW_ID]
                ).fetchone()[0]
            found.append(
                {
                    **made,
                    "noop": {**noop, "requests": requests[1]},
                    "one_new": {**one_new, "requests": requests[0], "added": added},
                }
            )
            say(
                f"  {made['rows']} releases: no-op {noop['wall']:.1f} s ({noop['cpu']:.1f} s "
                f"CPU), one new {one_new['wall']:.1f} s ({one_new['cpu']:.1f} s CPU)"
            )
            shutil.rmtree(out)
    return {"sizes": found}
