"""``scrapy crawl``: Scrapy's command, with the run's verdict as its exit code and last line.

Exit codes: 0 the run was healthy; 1 the run failed (its health verdict, or Scrapy could not
start it); 2 the command line was wrong; 75 another run holds the archive (try later).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import crawl
from scrapy.exceptions import UsageError

from cqcscraper.lock import ArchiveBusy, ArchiveLock
from cqcscraper.run import EXIT_BUSY, EXIT_FAIL, EXIT_OK

logger = logging.getLogger("cqcscraper")


class Command(crawl.Command):
    def long_desc(self) -> str:
        return f"Run a spider of the current project, by name.\n\n{__doc__.splitlines()[2]}"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give the name of one spider: scrapy crawl press")
        assert self.crawler_process
        try:  # a clean one-line answer when another run holds the archive (the usual case);
            # ArchiveRun takes the lock for the run itself, so a race still ends in exit 75
            ArchiveLock(self.settings["CQC_DB"]).acquire().release()
        except ArchiveBusy as busy:
            self.exitcode = EXIT_BUSY
            logger.error("exit %d: %s", EXIT_BUSY, busy)
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        outcome = getattr(crawler, "cqc_outcome", None)  # left by run.ArchiveRun
        if outcome is None:
            self.exitcode = EXIT_FAIL if self.crawler_process.bootstrap_failed else EXIT_OK
            return
        self.exitcode = outcome.exit_code
        # The last line of the log: what a scheduler's alert will show.
        if outcome.exit_code == EXIT_OK:
            logger.info(outcome.message)
        else:
            logger.error("exit %d: %s", outcome.exit_code, outcome.message)
