"""What the benchmark modules share: the project's root, the machine, the median, the progress
line, and running a process whose time, responses and peak memory are measured."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project, when bench/ is run from a checkout

from cqcscraper.testing.measure import launched, peak_rss_mb  # noqa: E402

CONCURRENCY = ("CONCURRENT_REQUESTS=16", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
FETCHED = "2026-01-01T00:00:00Z"


def median(values: list[float]) -> float:
    return statistics.median(values)


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Run:
    wall: float
    elapsed: float  # Scrapy's elapsed_time_seconds
    responses: int
    requests: int
    peak_rss_mb: float
    returncode: int

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.elapsed


def run_process(
    command: list[str], cwd: Path, env: dict | None = None
) -> tuple[float, int, str, float]:
    """Run to the end; wall seconds, exit code, log, peak RSS in MB of that process alone."""
    started = time.perf_counter()
    done = subprocess.run(launched(command), cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    return wall, done.returncode, done.stderr, peak_rss_mb(done.stderr)


def measured(
    command: list[str], cwd: Path, stats: Callable[[], dict], env: dict | None = None
) -> Run:
    """Run ``command``; its figures from the Scrapy stats that ``stats`` reads once it ended
    (our crawl's ``crawls`` row, the bare spider's stats file), never from its log."""
    wall, code, log, rss = run_process(command, cwd, env)
    if code != 0:
        say(log[-3000:])
        raise SystemExit(f"{command[:4]} exited {code}")
    found = stats()
    return Run(
        wall,
        float(found.get("elapsed_time_seconds", 0.0)),
        int(found.get("response_received_count", 0)),
        int(found.get("downloader/request_count", 0)),
        rss,
        code,
    )


def machine() -> dict[str, str]:
    cpu = "unknown"
    with Path("/proc/cpuinfo").open() as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = Path("/proc/meminfo").read_text().split()[1]
    import lxml.etree
    import scrapy
    import trafilatura

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"{int(memory) // 1024} MB RAM",
        "versions": f"Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
        f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}, SQLite {sqlite3.sqlite_version}, "
        f"trafilatura {trafilatura.__version__}",
    }
