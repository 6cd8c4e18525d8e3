"""The ``cqcscraper`` command: a thin layer over the archive and the mirror.

``cqcscraper demo`` serves the bundled fixture site on a free loopback port, runs the real
``scrapy crawl press`` against it into ``data/demo/cqc.db`` (and its JSONL beside it) and prints
a summary; ``cqcscraper summary`` prints the summary of any archive; ``cqcscraper reparse``
rebuilds an archive's releases from its stored snapshots with today's rules; ``cqcscraper csv``
writes a table or view for spreadsheets; ``cqcscraper warc`` exports the archive as a web
archive (WARC, and WACZ with ``--wacz``); ``cqcscraper verify`` checks the fixity of every
stored page and file; ``cqcscraper backup`` writes a consistent copy that opens read-only
anywhere. ``summary``, ``health``, ``csv``, ``warc``, ``verify`` and ``backup`` only read the
archive (a user who may only read it can run them); every mistake is one line on stderr: exit 2
for a wrong command line, 1 for an archive that cannot be used.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cqcscraper import __version__
from cqcscraper.crawl.run import EXIT_FAIL, EXIT_USAGE
from cqcscraper.store.archive import ArchiveError, unusable
from cqcscraper.subcommands import (
    DEFAULT_DB,
    DEFAULT_JSONL,
    PARALLEL_FROM,
    UsageProblem,
    demo,
    health,
    hours,
    jobs,
    list_settings,
    run_backup,
    run_csv,
    run_reparse,
    run_summary,
    run_verify,
    run_warc,
)

EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a reader that stopped reading


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown, except where there is none to show (the help says what happens)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


@dataclass(frozen=True)
class Option:
    """One option of a subcommand, as ``add_argument`` takes it."""

    flags: tuple[str, ...]
    settings: dict[str, Any]


def option(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


def db(what: str, default: str = DEFAULT_DB) -> Option:
    return option("--db", default=default, help=what)


def media_options(what: str) -> tuple[Option, ...]:
    """``--db`` and ``--media-dir``: an archive and the folder of its files."""
    media_dir = "its media folder (default: CQC_MEDIA_DIR, else media/ beside it)"
    return (db(what), option("--media-dir", help=media_dir))


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, what it does (its help), what runs it, its options."""

    name: str
    help: str
    handler: Callable[[argparse.Namespace], int]
    options: tuple[Option, ...] = ()


JSONL_HELP = (
    "JSONL file to rewrite (default: beside the archive: press_releases.jsonl for cqc.db, "
    "else the archive's name with .jsonl)"
)


COMMANDS = (
    Command("settings", "list the settings scrapy crawl -s NAME=VALUE takes", list_settings),
    Command(
        "demo",
        "crawl the bundled fixture site on 127.0.0.1",
        demo,
        (
            option(
                "--fixtures",
                help="folder to serve (default: the project's fixtures/html, from any folder)",
            ),
            db("archive to write", "data/demo/cqc.db"),
            option("--jsonl", default="data/demo/press_releases.jsonl", help="JSONL file to write"),
        ),
    ),
    Command(
        "summary",
        "rows, last run, date range and latest titles of an archive (reads only)",
        run_summary,
        (db("archive to read"),),
    ),
    Command(
        "reparse",
        "rebuild the releases from the stored snapshots with today's rules",
        run_reparse,
        (
            db("archive to rebuild"),
            option("--jsonl", default=DEFAULT_JSONL, help=JSONL_HELP),
            option(
                "--jobs",
                type=jobs,
                help="processes that read the snapshots (default: the CPUs this process may "
                f"use, or 1 below {PARALLEL_FROM} snapshots)",
            ),
        ),
    ),
    Command(
        "health",
        "the last run's verdict as the exit code: 0 ok, 1 failed, killed or too old (reads only)",
        health,
        (
            db("archive to read"),
            option(
                "--max-age",
                type=hours,
                metavar="HOURS",
                help="also fail when the last ok run finished more than this many hours ago",
            ),
        ),
    ),
    Command(
        "warc",
        "write the archive's pages, files and releases as a WARC/1.1 file (reads only)",
        run_warc,
        (
            *media_options("archive to read"),
            option(
                "--output",
                "-o",
                help="WARC file to write (default: the archive's name with .warc.gz)",
            ),
            option("--since", metavar="DATE", help="only what was fetched on or after it"),
            option("--description", default="", help="the warcinfo record's description"),
            option("--wacz", action="store_true", help="also package it as WACZ, beside the WARC"),
        ),
    ),
    Command(
        "verify",
        "recompute the sha256 of every stored page and media file; exit 1 on any mismatch",
        run_verify,
        media_options("archive to check"),
    ),
    Command(
        "backup",
        "a consistent copy of the archive in one file that opens read-only anywhere, while "
        "crawls go on (reads only)",
        run_backup,
        (
            option("out", metavar="OUT", help="the file to write (replaced whole)"),
            *media_options("archive to copy"),
            option(
                "--media",
                action="store_true",
                help="also copy the media files to media/ beside OUT",
            ),
        ),
    ),
    Command(
        "csv",
        "a table or view as CSV for spreadsheets, formula-like cells neutralised (reads only)",
        run_csv,
        (
            db("archive to read"),
            option("--table", default="releases", help="table or view"),
            option("--output", "-o", default="-", help="file to write (- : stdout)"),
        ),
    ),
)


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per entry of ``COMMANDS``."""
    main_parser = argparse.ArgumentParser(
        prog="cqcscraper",
        description="The cqcscraper archive of the CQC English press releases: a demo crawl, "
        "and reading and rebuilding an archive. Crawls are run with scrapy crawl press.",
        formatter_class=HelpFormatter,
    )
    main_parser.add_argument("--version", action="version", version=f"cqcscraper {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name, help=command.help, description=command.help, formatter_class=HelpFormatter
        )
        sub.set_defaults(handler=command.handler)
        for each in command.options:
            sub.add_argument(*each.flags, **each.settings)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except UsageProblem as problem:
        print(f"cqcscraper {args.command}: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as error:
        print(f"cqcscraper {args.command}: {error}", file=sys.stderr)
        return EXIT_FAIL
    except sqlite3.DatabaseError as error:  # damage found past the first page, while reading
        print(f"cqcscraper {args.command}: {unusable(Path(args.db), error)}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:  # the reader stopped reading (| head): end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return EXIT_PIPE


if __name__ == "__main__":
    raise SystemExit(main())
