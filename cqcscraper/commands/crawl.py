"""``scrapy crawl``: Scrapy's command, with checks first and the run's verdict as its exit code.

Before anything is fetched or written, the command line is checked: the spider's name and
arguments, the archive's path (its folder must exist; ``data/`` is made on demand) and the
archive's site (a crawl from another site into it is refused). Each mistake is one line on
stderr and exit 2, with no archive created and no run recorded; an archive that cannot be
read (not an archive, damaged) is one line and exit 1.

Exit codes: 0 the run was healthy; 1 the run failed (its health verdict, or Scrapy could not
start it); 2 the command line was wrong; 75 another run holds the archive (try later).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn

from scrapy.commands import crawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, default_settings
from scrapy.spiderloader import get_spider_loader

from cqcscraper.crawl import declared
from cqcscraper.crawl.arguments import ArgumentError, check_arguments
from cqcscraper.crawl.logs import quiet_robotstxt_errors
from cqcscraper.crawl.run import (
    EXIT_BUSY,
    EXIT_CODE,
    EXIT_FAIL,
    EXIT_MESSAGE,
    EXIT_OK,
    EXIT_USAGE,
)
from cqcscraper.parse import urls
from cqcscraper.store.archive import (
    Archive,
    ArchiveError,
    EmptyArchive,
    jsonl_beside,
    unusable,
)
from cqcscraper.store.lock import ArchiveBusy, RunLock
from cqcscraper.store.media import media_folder

logger = logging.getLogger("cqcscraper")
# The folders made on demand: the default archive's, and the logs' of the documented cron lines.
DEFAULT_FOLDER = Path("data")
LOG_FOLDER = Path("logs")
# Scrapy's own settings: a name among them given with -s is Scrapy's to read.
SCRAPY_SETTINGS = frozenset(name for name in dir(default_settings) if name.isupper())


class Command(crawl.Command):
    def long_desc(self) -> str:
        return (
            "Run a spider of the current project, by name.\n\n"
            f"{' '.join(__doc__.strip().split(chr(10) * 2)[-1].split())}\n\n"
            "Settings (-s NAME=VALUE): cqcscraper settings lists every one, with its default; a "
            "name not known or a value out of range is refused before anything runs."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.settings.set("CQC_ARCHIVE_RUN", True, priority="cmdline")  # only crawl archives
        # Checked here, before Scrapy starts logging: a mistake is one line, and nothing else.
        try:
            self.check(args, opts)
        except UsageError as error:
            self.refuse(f"scrapy crawl: error: {error}", EXIT_USAGE)
        except ArchiveError as error:  # not a mistake of the command line: the file is unusable
            self.refuse(f"scrapy crawl: archive error: {error}", EXIT_FAIL)

    def refuse(self, line: str, code: int) -> NoReturn:
        """Say why the run does not start, on stderr and in ``LOG_FILE`` when one is set (a
        Scrapyd job's log, which is where its operator looks), and exit."""
        sys.stderr.write(line + "\n")
        if log_file := self.settings.get("LOG_FILE"):
            with contextlib.suppress(OSError), open(log_file, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        raise SystemExit(code)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        try:  # a clean one-line answer when another run holds the archive (the usual case);
            # ArchiveRun takes the lock for the run itself, so a race still ends in exit 75
            RunLock(self.settings["CQC_DB"]).acquire().release()
        except ArchiveBusy as busy:
            self.exitcode = EXIT_BUSY
            logger.error("exit %d: %s", EXIT_BUSY, busy)
            return
        except ArchiveError as error:  # a folder this user may not write
            self.exitcode = EXIT_FAIL
            logger.error("exit %d: archive error: %s", EXIT_FAIL, error)
            return
        quiet_robotstxt_errors()
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        code = crawler.stats.get_value(EXIT_CODE)  # left by crawl.run.ArchiveRun
        message = crawler.stats.get_value(EXIT_MESSAGE)
        if code is None:
            self.exitcode = EXIT_FAIL if self.crawler_process.bootstrap_failed else EXIT_OK
            return
        self.exitcode = code
        # The last line of the log: what a scheduler's alert will show.
        if code == EXIT_OK:
            logger.info(message)
        else:
            logger.error("exit %d: %s", code, message)

    def check(self, args: list[str], opts: argparse.Namespace) -> None:
        """Raise ``UsageError`` (one line) for what would make a run wrong before it starts."""
        self.check_settings()
        names = get_spider_loader(self.settings).list()
        if len(args) != 1 or args[0] not in names:
            raise UsageError(f"give the name of one spider: scrapy crawl {' | '.join(names)}")
        try:
            check_arguments(opts.spargs)
        except ArgumentError as error:
            raise UsageError(str(error)) from None
        db = Path(self.settings["CQC_DB"])
        jsonl = Path(self.settings.get("CQC_JSONL") or jsonl_beside(db))
        media = media_folder(db, self.settings.get("CQC_MEDIA_DIR"))
        paths = [("CQC_DB", db), ("CQC_JSONL", jsonl)]
        if self.settings.getbool("CQC_MEDIA"):  # the folder of the releases' files
            if media.exists() and not media.is_dir():
                raise UsageError(f"CQC_MEDIA_DIR {media} is a file: give a folder")
            paths.append(("CQC_MEDIA_DIR", media))
        if job := opts.spargs.get("_job") or os.environ.get("SCRAPY_JOB"):
            # A Scrapyd job runs in Scrapyd's own folder: a relative path would put the archive
            # where nobody looks.
            for name, path in paths:
                if not path.is_absolute():
                    raise UsageError(
                        f"under Scrapyd (job {job}) {name} must be an absolute path, not {path}: "
                        f"schedule with -d setting={name}=/srv/cqc/{path.name}"
                    )
        for name, path in paths:
            if path.is_dir() and name != "CQC_MEDIA_DIR":
                raise UsageError(f"{name} {path} is a folder: give a file path")
            if not path.parent.is_dir():
                if path.parent == DEFAULT_FOLDER:
                    path.parent.mkdir()
                else:
                    raise UsageError(f"the folder of {name} {path} does not exist: create it first")
        self.check_site(db, opts.spargs.get("start_url") or urls.START_URL)
        self.check_log_file()

    def check_log_file(self) -> None:
        """``LOG_FILE`` in a missing folder: ``logs/`` (the documented one) is made on demand,
        any other is a mistake (Scrapy would stop with a traceback when it opens the file)."""
        log_file = self.settings.get("LOG_FILE")
        if not log_file or Path(log_file).parent.is_dir():
            return
        if Path(log_file).parent == LOG_FOLDER:
            LOG_FOLDER.mkdir()
            return
        raise UsageError(f"the folder of LOG_FILE {log_file} does not exist: create it first")

    def check_settings(self) -> None:
        """Every setting given with -s (or by Scrapyd) is a known one, and every declared
        setting's value reads as its kind, within its range (``declared``)."""
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        given = {
            n: self.settings[n] for n in self.settings if self.settings.getpriority(n) == cmdline
        }
        try:
            declared.check(given, known=SCRAPY_SETTINGS)
            for setting in declared.SETTINGS:
                declared.read(setting, self.settings.get(setting.name))
        except declared.SettingError as error:
            raise UsageError(str(error)) from None

    def check_site(self, db: Path, start_url: str) -> None:
        """An archive holds one site: refuse a crawl from another unless allowed."""
        if not db.exists() or os.path.getsize(db) == 0:
            return
        try:
            with Archive(db, read_only=True) as archive:
                site = archive.site()
        except EmptyArchive:  # another run is making it: binds no site yet (its lock decides)
            return
        except sqlite3.DatabaseError as error:  # damage found past the first page
            raise ArchiveError(unusable(db, error)) from None
        crawling = urls.site_of(start_url)
        if site and site != crawling and not self.settings.getbool("CQC_ALLOW_OTHER_SITE"):
            way_out = (
                "give this site its own archive (-s CQC_DB=...), or, for a mirror of the same "
                "site, -s CQC_ALLOW_OTHER_SITE=1"
            )
            if site == urls.LOOPBACK:  # a demo's or a local mirror's archive, copied here
                aside = db.with_name(f"{db.stem}-loopback{db.suffix}")
                way_out = (
                    f"it is the archive of a crawl of this machine (the demo, a mirror): move it "
                    f"aside (mv {db} {aside}) and crawl again, or give this crawl its own "
                    "archive (-s CQC_DB=...)"
                )
            raise UsageError(
                f"the archive {db} holds the site {site}, and this crawl starts at {start_url} "
                f"({crawling}): {way_out}"
            )
