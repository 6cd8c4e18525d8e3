"""What each ``cqcscraper`` subcommand does (``cli.COMMANDS`` names them and their options):
a thin layer over the archive and the mirror. Each handler takes the parsed command line and
returns the exit code; a wrong command line is ``UsageProblem`` (exit 2), an archive that cannot
be used ``ArchiveError`` (exit 1), each one line on stderr (``cli.main``)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from cqcscraper import __version__, settings
from cqcscraper.crawl import declared
from cqcscraper.crawl.reparse import reparse
from cqcscraper.crawl.run import EXIT_BUSY, EXIT_FAIL
from cqcscraper.parse.text import CONTROL
from cqcscraper.store.archive import Archive, jsonl_beside
from cqcscraper.store.backup import backup
from cqcscraper.store.export import write_csv, write_csv_file, write_jsonl
from cqcscraper.store.fixity import verify
from cqcscraper.store.lock import ArchiveBusy, RunLock
from cqcscraper.store.media import media_folder
from cqcscraper.store.pending import Pending
from cqcscraper.store.summary import pending_of
from cqcscraper.store.summary import summary as summary_of
from cqcscraper.store.warc import check_warc, write_wacz, write_warc
from cqcscraper.testing.crawls import FIXTURE_SETTINGS, LOCAL_SETTINGS, crawl_command
from cqcscraper.testing.mirror import Mirror

# The archive the commands read by default: the crawl's (settings.py, which the environment's
# CQC_DB and CQC_JSONL override).
DEFAULT_DB = settings.CQC_DB
DEFAULT_JSONL = settings.CQC_JSONL
SOFTWARE = f"cqcscraper/{__version__}"  # as the WARC's warcinfo record names it


# The bundled fixture site, found from any working folder (a source checkout).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"


class UsageProblem(Exception):
    """A wrong command line: one line on stderr, exit 2."""


def summary_text(db: str) -> str:
    """Rows, last run, title sources, date range and latest titles; reads only."""
    with Archive(db, read_only=True) as archive:
        info = summary_of(archive)
    lines = [
        f"{db}: {info['rows']} press releases; {info['rejects']} pages rejected in the last run"
    ]
    if run := info["run"]:
        lines.append(last_run(db, run))
    if waiting := info["pending"]:
        lines.append(pending_line(waiting, 10))
    if info["rows"]:
        if info["title_from"]:
            sources = ", ".join(f"{source} {n}" for source, n in info["title_from"])
            lines.append(f"titles from: {sources}")
        if files := info["files"]:
            size = files["bytes"]
            shown_size = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
            line = f"files: {files['stored']} stored ({shown_size})"
            if files["failed"]:
                reasons = ", ".join(f"{reason} {n}" for reason, n in files["failed"])
                line += f"; not stored: {reasons}"
            lines.append(line)
        lines.append(f"published from {info['first']} to {info['last']}; latest:")
        lines += [
            f"  {published or '????-??-??'}  {shown(title)}" for published, title in info["latest"]
        ]
    return "\n".join(lines)


def pending_line(waiting: list[Pending], most: int) -> str:
    """The pending articles in one line: how many, and the first ``most`` with why."""
    named = "; ".join(shown(str(article)) for article in waiting[:most])
    more = f"; and {len(waiting) - most} more" if len(waiting) > most else ""
    return (
        f"pending: {len(waiting)} articles whose last fetch failed for a reason that may pass, "
        f"tried again by later runs: {named}{more}"
    )


def last_run(db: str, run: dict) -> str:
    if run["verdict"]:
        return f"last run: {run['verdict']}: {shown(run['reason'])}"
    if RunLock(db).holder() is not None:
        return f"a run is in progress: crawl {run['id']}, since {run['started']}"
    return (
        f"last run: crawl {run['id']}, started {run['started']}, ended without closing "
        "(killed, crashed or lost power; the next run marks it failed)"
    )


def shown(text: str | None) -> str:
    """Text from the archive as the terminal may show it: no control characters (an escape
    sequence in an old row must not act on the terminal), on one line."""
    return " ".join(CONTROL.sub("", text or "").split())


def health(args: argparse.Namespace) -> int:
    """The last run's verdict: exit 0 when it was ok (and, with ``--max-age``, recent enough),
    1 when it failed, was killed, or the last ok run is too old; for a monitor that cannot see
    exit codes (Scrapyd) or a schedule that silently stopped. Reads only."""
    with Archive(args.db, read_only=True) as archive:
        latest = archive.runs(limit=2)
        last_ok = archive.runs(limit=1, verdict="ok")
        waiting = pending_of(archive)
    running = RunLock(args.db).holder() is not None
    if latest and latest[0]["verdict"] is None and running:
        print(f"a run is in progress: crawl {latest[0]['id']}, since {latest[0]['started']}")
        latest = latest[1:]
    if not latest:
        print(f"fail: {args.db} has no finished run yet")
        return EXIT_FAIL
    run = latest[0]
    if run["verdict"] is None:
        print(
            f"fail: crawl {run['id']}, started {run['started']}, was killed "
            "(it never closed: killed, crashed or lost power)"
        )
        return EXIT_FAIL
    reason = shown(run["verdict_reason"])
    print(f"{run['verdict']}: crawl {run['id']}, finished {run['finished']}: {reason}")
    if waiting:
        print(pending_line(waiting, 3))
    if run["verdict"] != "ok":
        return EXIT_FAIL
    if args.max_age is not None and last_ok:
        finished = dt.datetime.fromisoformat(last_ok[0]["finished"].replace("Z", "+00:00"))
        age = (dt.datetime.now(dt.UTC) - finished).total_seconds() / 3600
        if age > args.max_age:
            print(
                f"fail: the last ok run, crawl {last_ok[0]['id']}, finished {age:.1f} hours ago, "
                f"more than --max-age {args.max_age:g}: has the schedule stopped?"
            )
            return EXIT_FAIL
    return 0


def demo(args: argparse.Namespace) -> int:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "cqcscraper.settings"}
    fixtures = Path(args.fixtures) if args.fixtures else FIXTURES
    if not fixtures.is_dir():  # before any folder is made
        raise UsageProblem(
            f"the fixture site {fixtures} is not a folder (it comes with a source checkout of "
            "cqcscraper): give --fixtures FOLDER"
        )
    shown = fixtures.resolve()
    args.fixtures = str(
        shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown
    )
    for path in (args.db, args.jsonl):
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # the demo's own folder
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
    media_dir = media_folder(args.db)
    with Archive(args.db, read_only=True) as archive:
        warc = Path(args.db).with_suffix(".warc.gz")
        description = "cqcscraper demo crawl"
        print(write_warc(archive, media_dir, warc, description=description, software=SOFTWARE))
        report = verify(archive, media_dir)
    sound = warc_checked(warc)
    print(f"verify: {report}")
    return 0 if report.ok and sound else EXIT_FAIL


def run_summary(args: argparse.Namespace) -> int:
    print(summary_text(args.db))
    return 0


def run_reparse(args: argparse.Namespace) -> int:
    jsonl = args.jsonl or str(jsonl_beside(args.db))
    check_output_folder(jsonl, "--jsonl")
    with Archive(args.db, read_only=True):  # exists, and is an archive, before anything else
        pass
    try:
        timeout = settings.CQC_DB_LOCK_TIMEOUT
        with RunLock(args.db), Archive(args.db, lock_timeout=timeout) as archive:
            report = reparse(archive, args.jobs or default_jobs(archive.snapshot_count()))
            archive.refresh_search()
            rows, written = write_jsonl(archive, jsonl)
    except ArchiveBusy as busy:
        print(busy, file=sys.stderr)
        return EXIT_BUSY
    print(report)
    print(f"{rows} records in {jsonl}" + ("" if written else " (unchanged: not written again)"))
    return EXIT_FAIL if report.kept else 0


def run_csv(args: argparse.Namespace) -> int:
    if args.output != "-":
        check_output_folder(args.output, "-o")
    with Archive(args.db, read_only=True) as archive:
        try:
            if args.output == "-":
                rows = write_csv(archive, args.table, sys.stdout)
            else:
                rows = write_csv_file(archive, args.table, args.output)
        except ValueError as error:
            raise UsageProblem(str(error)) from None
    sys.stdout.flush()  # the rows first, then the count
    print(f"{rows} rows of {args.table} in {args.output}", file=sys.stderr)
    return 0


def media_dir_of(args: argparse.Namespace) -> Path:
    return media_folder(args.db, args.media_dir or settings.CQC_MEDIA_DIR)


def run_warc(args: argparse.Namespace) -> int:
    out = Path(args.output or Path(args.db).with_suffix(".warc.gz"))
    check_output_folder(str(out), "-o")
    if args.since is not None:
        try:
            since = dt.date.fromisoformat(args.since).isoformat()
        except ValueError:
            raise UsageProblem(f"--since {args.since!r} is not a date (YYYY-MM-DD)") from None
    else:
        since = None
    with Archive(args.db, read_only=True) as archive:
        report = write_warc(
            archive,
            media_dir_of(args),
            out,
            since=since,
            description=args.description,
            software=SOFTWARE,
        )
        print(report)
        if not warc_checked(out):
            return EXIT_FAIL
        if args.wacz:
            package = out.with_name(out.name.removesuffix(".gz").removesuffix(".warc") + ".wacz")
            write_wacz(out, package, archive)
            print(f"{package}: WACZ package of {out.name}")
    return 0


def warc_checked(path: Path) -> bool:
    """Read a written WARC back, checking every digest; say so in one line (and each problem)."""
    records, problems = check_warc(path)
    if problems:
        print(f"{path}: {len(problems)} problems in {records} records", *problems, sep="\n  ")
        return False
    print(f"{path}: read back, {records} records, every digest checked")
    return True


def run_verify(args: argparse.Namespace) -> int:
    with Archive(args.db, read_only=True) as archive:
        report = verify(archive, media_dir_of(args))
    print(report)
    if not report.ok:
        print(
            "to fetch again what the site still serves: scrapy crawl press -a full=1 "
            f"-s CQC_DB={args.db} (docs/operations.md); the rest comes from a backup"
        )
    return 0 if report.ok else EXIT_FAIL


def run_backup(args: argparse.Namespace) -> int:
    check_output_folder(args.out, "OUT")
    out = Path(args.out)
    if out.resolve() == Path(args.db).resolve():
        raise UsageProblem(f"OUT {args.out} is the archive itself: give another file")
    with Archive(args.db, read_only=True) as archive:
        made = backup(archive, out, media_dir_of(args) if args.media else None)
    print(made)
    return 0


def check_output_folder(path: str, option: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise UsageProblem(f"{option} {path} is a folder: give a file path")
    if not target.parent.is_dir():
        raise UsageProblem(f"the folder of {option} {path} does not exist: create it first")


# Below this many snapshots ``reparse`` reads them in its own process: starting the workers
# would cost more than they save.
PARALLEL_FROM = 500


def default_jobs(snapshots: int) -> int:
    """``cqcscraper reparse``'s processes when ``--jobs`` is not given: the CPUs this process
    may run on, or 1 below ``PARALLEL_FROM`` snapshots."""
    if snapshots < PARALLEL_FROM:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def jobs(text: str) -> int:
    """A number of processes, 1 or more, for argparse (a mistake is exit 2 and one line)."""
    try:
        return declared.COUNT1.read(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, 1 or more") from None


def hours(text: str) -> float:
    """A number of hours above 0, for argparse (a mistake is exit 2 and one line)."""
    try:
        return declared.RATIO.read(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours above 0") from None


def list_settings(args: argparse.Namespace) -> int:
    """Every setting ``scrapy crawl -s NAME=VALUE`` takes: name, default, kind, help."""
    for setting in declared.SETTINGS:
        if setting.listed:
            default = setting.shown or setting.default
            print(f"{setting.name}={default}  ({setting.kind.meaning})\n    {setting.help}")
    return 0
