"""The command line of a crawl of a local site, as the demo, the tests and the benchmarks run it."""

from __future__ import annotations

import sys

# Politeness off: these crawls go to their own loopback server, not to the site.
LOCAL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False")
# The fixture site is made of edge cases: 2 of its 11 article links are bad on purpose (an empty
# page, a dead link), far above the 10% a healthy run of the real site allows.
FIXTURE_SETTINGS = ("CQC_MAX_REJECTED_SHARE=0.3",)


def crawl_command(start_url: str, db: str, jsonl: str, *settings: str) -> list[str]:
    """The ``scrapy crawl press`` command line for a crawl from ``start_url`` into an archive."""
    command = [sys.executable, "-m", "scrapy", "crawl", "press", "-a", f"start_url={start_url}"]
    for setting in (f"CQC_DB={db}", f"CQC_JSONL={jsonl}", *settings):
        command += ["-s", setting]
    return command
