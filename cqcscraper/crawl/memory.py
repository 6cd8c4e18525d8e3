"""``MemoryBound``: the run's memory bound, made hard.

Scrapy's memory-usage extension (``MEMUSAGE_LIMIT_MB``, looked at every
``MEMUSAGE_CHECK_INTERVAL_SECONDS``) closes the spider when the process's peak RSS passes the
limit. A close waits for the downloads under way, though, and a server that sends header lines
without end keeps its download, and the process's growth, going until ``DOWNLOAD_TIMEOUT``.
So when the spider is still open ``CQC_MEMORY_GRACE`` seconds after the limit was reached,
this extension ends the run itself: the archive run closes as for any stop (its ``crawls``
row failed with the reason, the lock released; records not yet written are not known to the
archive, so the next run fetches them again) and the reactor is stopped, as Scrapy's own
second Ctrl-C does. The peak is then the limit plus what one interval and the grace let grow.
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from cqcscraper.crawl.health import MEMORY_EXCEEDED
from cqcscraper.crawl.run import ArchiveRun

logger = logging.getLogger(__name__)

LIMIT_REACHED = "memusage/limit_reached"  # set by Scrapy's memory-usage extension


class MemoryBound:
    def __init__(self, crawler: Crawler, interval: float, grace: float) -> None:
        self.crawler = crawler
        self.run: ArchiveRun | None = None  # the run to end, known once the engine started
        self.interval, self.grace = interval, grace
        self.reached_at: float | None = None
        self.loop = LoopingCall(self.check)
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryBound:
        settings = crawler.settings
        if not settings.getbool("MEMUSAGE_ENABLED") or not settings.getint("MEMUSAGE_LIMIT_MB"):
            raise NotConfigured("no memory limit")
        interval = settings.getfloat("MEMUSAGE_CHECK_INTERVAL_SECONDS")
        return cls(crawler, interval, settings.getfloat("CQC_MEMORY_GRACE"))

    def engine_started(self) -> None:
        # The extensions are all built by now: only an archive run is ended by this bound
        # (scrapy parse or fetch is left to Scrapy's extension).
        self.run = self.crawler.get_extension(ArchiveRun)
        if self.run is not None:
            self.loop.start(self.interval, now=False)

    def engine_stopped(self) -> None:
        if self.loop.running:
            self.loop.stop()

    def check(self) -> None:
        if not self.crawler.stats.get_value(LIMIT_REACHED):
            return
        now = time.monotonic()
        if self.reached_at is None:
            self.reached_at = now
        elif now - self.reached_at >= self.grace and self.run and not self.run.closed:
            logger.error(
                "The spider did not close within %g s of passing MEMUSAGE_LIMIT_MB: "
                "ending the run now",
                self.grace,
            )
            self.loop.stop()
            self.run.close(MEMORY_EXCEEDED)
            # The stop that the reactor's shutdown asks of the crawler must not wait for the
            # download either: the crawler is marked stopping first (public ``stop_async``),
            # so that request returns at once, as after a first Ctrl-C.
            deferred_from_coro(self.crawler.stop_async())
            from twisted.internet import reactor  # the one installed (importing it installs one)

            reactor.stop()
