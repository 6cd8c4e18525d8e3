"""The ``cqcscraper`` command: a thin layer over the archive and the mirror.

``cqcscraper demo`` serves the bundled fixture site on a free loopback port, runs the real
``scrapy crawl press`` against it into ``data/demo/cqc.db`` (and its JSONL beside it) and prints
a summary; ``cqcscraper summary`` prints the summary of any archive; ``cqcscraper reparse``
rebuilds an archive's releases from its stored snapshots with today's rules.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from cqcscraper.archive import Archive
from cqcscraper.export import write_csv
from cqcscraper.lock import ArchiveBusy, ArchiveLock
from cqcscraper.mirror import Mirror
from cqcscraper.reparse import reparse
from cqcscraper.run import EXIT_BUSY

# Politeness off: the demo crawls its own loopback server, not the site.
LOCAL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False")
# The fixture site is made of edge cases: 2 of its 11 article links are bad on purpose (an empty
# page, a dead link), far above the 10% a healthy run of the real site allows.
FIXTURE_SETTINGS = ("CQC_MAX_REJECTED_SHARE=0.3",)
DEFAULT_DB = os.environ.get("CQC_DB", "data/cqc.db")
DEFAULT_JSONL = os.environ.get("CQC_JSONL", "data/press_releases.jsonl")


def crawl_command(start_url: str, db: str, jsonl: str, *settings: str) -> list[str]:
    """The ``scrapy crawl press`` command line for a crawl from ``start_url`` into an archive."""
    command = [sys.executable, "-m", "scrapy", "crawl", "press", "-a", f"start_url={start_url}"]
    for setting in (f"CQC_DB={db}", f"CQC_JSONL={jsonl}", *settings):
        command += ["-s", setting]
    return command


def summary_text(db: str) -> str:
    with Archive(db) as archive:
        info = archive.summary()
    lines = [
        f"{db}: {info['rows']} press releases; {info['rejects']} pages rejected in the last run"
    ]
    if info["verdict"]:
        lines.append("last run: {}: {}".format(*info["verdict"]))
    if info["rows"]:
        sources = ", ".join(f"{source} {n}" for source, n in info["title_from"])
        lines.append(f"titles from: {sources}")
        lines.append(f"published from {info['first']} to {info['last']}; latest:")
        lines += [f"  {published or '????-??-??'}  {title}" for published, title in info["latest"]]
    return "\n".join(lines)


def demo(args: argparse.Namespace) -> int:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "cqcscraper.settings"}
    with Mirror(args.fixtures) as mirror:
        start_url = f"{mirror.url}/www/english/"
        print(f"Serving {args.fixtures} at {mirror.url}/; crawling {start_url}", flush=True)
        command = crawl_command(
            start_url, args.db, args.jsonl, *LOCAL_SETTINGS, *FIXTURE_SETTINGS, "LOG_LEVEL=WARNING"
        )
        returncode = subprocess.run(command, env=env, check=False).returncode
    if returncode != 0:
        print(f"scrapy crawl press failed with exit code {returncode}", file=sys.stderr)
        return returncode
    print(summary_text(args.db))
    print(f"records also in {args.jsonl}")
    return 0


def missing(db: str) -> bool:
    """True (and says so) when there is no archive at ``db``."""
    if Path(db).exists():
        return False
    print(f"no archive at {db}", file=sys.stderr)
    return True


def summary(args: argparse.Namespace) -> int:
    if missing(args.db):
        return 1
    print(summary_text(args.db))
    return 0


def run_reparse(args: argparse.Namespace) -> int:
    if missing(args.db):
        return 1
    try:
        with ArchiveLock(args.db), Archive(args.db) as archive:
            report = reparse(archive)
            rows = archive.export_jsonl(args.jsonl)
    except ArchiveBusy as busy:
        print(busy, file=sys.stderr)
        return EXIT_BUSY
    print(report)
    print(f"{rows} records in {args.jsonl}")
    return 0


def run_csv(args: argparse.Namespace) -> int:
    if missing(args.db):
        return 1
    with Archive(args.db) as archive:
        try:
            if args.output == "-":
                rows = write_csv(archive, args.table, sys.stdout)
            else:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    rows = write_csv(archive, args.table, out)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
    sys.stdout.flush()  # the rows first, then the count
    print(f"{rows} rows of {args.table} in {args.output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cqcscraper", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run_demo = commands.add_parser("demo", help="crawl the bundled fixture site on 127.0.0.1")
    run_demo.add_argument("--fixtures", default="fixtures/html", help="folder to serve")
    run_demo.add_argument("--db", default="data/demo/cqc.db", help="archive to write")
    run_demo.add_argument(
        "--jsonl", default="data/demo/press_releases.jsonl", help="JSONL file to write"
    )
    run_demo.set_defaults(handler=demo)

    show = commands.add_parser("summary", help="rows, date range and latest titles of an archive")
    show.add_argument("--db", default=DEFAULT_DB)
    show.set_defaults(handler=summary)

    rebuild = commands.add_parser(
        "reparse", help="rebuild the releases from the stored snapshots with today's rules"
    )
    rebuild.add_argument("--db", default=DEFAULT_DB, help="archive to rebuild")
    rebuild.add_argument("--jsonl", default=DEFAULT_JSONL, help="JSONL file to rewrite")
    rebuild.set_defaults(handler=run_reparse)

    spreadsheet = commands.add_parser(
        "csv", help="a table or view as CSV for spreadsheets (formula-like cells neutralised)"
    )
    spreadsheet.add_argument("--db", default=DEFAULT_DB, help="archive to read")
    spreadsheet.add_argument("--table", default="releases", help="table or view (releases)")
    spreadsheet.add_argument("--output", "-o", default="-", help="file to write (- : stdout)")
    spreadsheet.set_defaults(handler=run_csv)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
