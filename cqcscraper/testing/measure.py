"""The peak memory of one child process, as tests and benchmarks measure it.

A small launcher stands between the caller and the measured process: Linux counts in a child's
peak RSS the memory of the process that forked it, and the caller (a test run, a benchmark
holding its corpus) may be large. The launcher forks the measured command, waits for it with
``wait4`` and writes ``PEAK_RSS_KB n`` as the last line of its stderr.
"""

from __future__ import annotations

import re
import sys

LAUNCH = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\nPEAK_RSS_KB {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""
_PEAK = re.compile(r"PEAK_RSS_KB (\d+)")


def launched(command: list[str]) -> list[str]:
    """``command`` run through the launcher."""
    return [sys.executable, "-c", LAUNCH, *command]


def peak_rss_mb(stderr: str) -> float:
    """The peak RSS (MB) the launcher reported, NaN when it reported none."""
    found = _PEAK.findall(stderr)
    return int(found[-1]) / 1024 if found else float("nan")


def without_report(stderr: str) -> str:
    """The measured process's own stderr, without the launcher's line."""
    return _PEAK.sub("", stderr).rstrip("\n") + "\n"
