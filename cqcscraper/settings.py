"""Scrapy settings of cqcscraper. Override any of them with ``-s NAME=VALUE``.

The archive paths also follow the environment variables ``CQC_DB`` and ``CQC_JSONL``.
Politeness is on by default (robots.txt, AutoThrottle, at most 2 requests at a time to the
site); for a local mirror turn it off with ``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False``.
"""

import os

from cqcscraper import __version__

BOT_NAME = "cqcscraper"
SPIDER_MODULES = ["cqcscraper.spiders"]
NEWSPIDER_MODULE = "cqcscraper.spiders"
# Our ``crawl`` command: Scrapy's, plus the exit code of the run's health verdict.
COMMANDS_MODULE = "cqcscraper.commands"

# -- the archive -----------------------------------------------------------------------------
# Set by ``scrapy crawl`` alone: only a crawl takes the run lock and writes the archive
# (``scrapy parse``, ``fetch`` and ``shell`` read pages and write nothing).
CQC_ARCHIVE_RUN = False
# ``data/`` is the one folder made on demand; an archive elsewhere needs its folder to exist.
CQC_DB = os.environ.get("CQC_DB", "data/cqc.db")
# Unset: the export follows its archive (``archive.jsonl_beside``): press_releases.jsonl beside
# an archive named cqc.db, else the archive's name with .jsonl.
CQC_JSONL = os.environ.get("CQC_JSONL") or None
# A crawl from another site than the one an archive holds is refused; a true mirror of the
# live site (another host serving the same pages) may be allowed with this.
CQC_ALLOW_OTHER_SITE = False
# Each release's images and linked documents are fetched (once; politely, within the site) and
# stored by content in this folder. Unset: ``media/`` beside the archive (data/media/).
CQC_MEDIA = True
CQC_MEDIA_DIR = os.environ.get("CQC_MEDIA_DIR") or None
# A PDF's text is read in a worker process, killed after this many seconds or when it needs
# more than this much memory: the file is kept, its text marked as not extracted, and why.
CQC_DOCUMENT_TIMEOUT = 30.0
CQC_DOCUMENT_MEMORY_MB = 1024
# A file that moved (a redirect within the site) is followed, as an article is.
MEDIA_ALLOW_REDIRECTS = True
# How long a write waits for a lock held by another process before the run fails.
CQC_DB_LOCK_TIMEOUT = 60.0
# Records are written a batch to a transaction: when this many are pending, or this many
# seconds after the first of them (a kill loses at most those; the next run fetches them).
CQC_WRITE_BATCH = 200
CQC_WRITE_INTERVAL = 0.5

# -- health verdict (a failed run exits non-zero) --------------------------------------------
# The run fails when more than this share of the articles it fetched were rejected ...
CQC_MAX_REJECTED_SHARE = 0.1
# ... or when fewer than this share of the article pages read gave a publication date.
CQC_MIN_PUBLISHED_COVERAGE = 0.95
# ... or when, over at least 10 articles read, fewer than this share took their title from the
# page's own markup (heading, og:title, <title>) rather than the listing's link text or none:
# a template that dropped its title element must reach the operator.
CQC_MIN_OWN_TITLE_SHARE = 0.5
# ... or when an article this run tried again still fails for a reason that may pass (a 5xx,
# a placeholder page, ...) after this many runs tried it, or this many days after its first
# failure (store/pending.py: such articles are tried again with a back-off across runs).
CQC_PENDING_MAX_TRIES = 5
CQC_PENDING_MAX_DAYS = 7

# -- discovery -------------------------------------------------------------------------------
# How many section hops from the start page are followed (pagination does not count).
CQC_LISTING_DEPTH = 3
# An incremental run stops walking a listing after this many pages in a row on which every
# article is already known. (The pipelines and the archive extension are the press spider's
# own: see ``PressSpider.custom_settings``.)
CQC_STOP_AFTER_KNOWN_PAGES = 1
# A listing's pages past this number are not followed, and the run fails: a pagination that
# never ends (a calendar, a broken template) must not keep a scheduled run going.
CQC_MAX_LISTING_PAGES = 1000

# -- politeness ------------------------------------------------------------------------------
USER_AGENT = f"cqcscraper/{__version__} (archive of CQC English press releases; polite crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# -- memory -----------------------------------------------------------------------------------
# Scrapy's memory-usage extension is the run's bound: past this peak RSS the run stops and
# fails, naming it (a healthy run peaks below 200 MB, docs/benchmarks.md; a server that sends
# headers without end grows the process by about 30 MB a second). Checked every second.
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 512
MEMUSAGE_CHECK_INTERVAL_SECONDS = 1.0
# Scrapy's close waits for the downloads under way: a spider still open this many seconds
# after the limit was passed is ended at once (cqcscraper/crawl/memory.py).
CQC_MEMORY_GRACE = 5.0

# -- faults (see docs/reliability.md) -------------------------------------------------------
# Every request ends within DOWNLOAD_TIMEOUT; a failed one is retried RETRY_TIMES times, after
# waiting CQC_RETRY_BACKOFF * 2**(n-1) s (at most CQC_RETRY_BACKOFF_MAX) or what a 429/503
# ``Retry-After`` asks, unless that is more than CQC_RETRY_AFTER_MAX: then it fails at once.
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 3
CQC_RETRY_BACKOFF = 1.0
CQC_RETRY_BACKOFF_MAX = 30.0
CQC_RETRY_AFTER_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "cqcscraper.crawl.offsite.StayOnSiteMiddleware": 40,  # before anything else sees a request
    # just after Scrapy's robots.txt middleware (100): an unreachable robots.txt disallows all
    "cqcscraper.crawl.robots.UnreachableRobotsMiddleware": 110,
    # Scrapy's drops an off-site redirect when it is scheduled, with no errback: the article
    # would vanish. Ours refuses it when it would be sent, so it ends as a reject.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "cqcscraper.crawl.retry.BackoffRetryMiddleware": 550,
    # before Scrapy's decompression (590), which keeps what a cut stream gave without a word
    "cqcscraper.crawl.whole.WholeBodyMiddleware": 595,
}
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
# A redirect back to an URL already asked for is followed, not dropped as a duplicate, so a
# redirect loop ends as a reject (see cqcscraper/crawl/dupefilter.py).
DUPEFILTER_CLASS = "cqcscraper.crawl.dupefilter.RedirectAwareDupeFilter"
# The pipelines are synchronous, so parallel item workers gain nothing; and Scrapy starts that
# many asyncio tasks for every response's output (100 by default: half the crawl's CPU time
# on a fast mirror, measured in docs/benchmarks.md).
CONCURRENT_ITEMS = 1
REDIRECT_MAX_TIMES = 10
# Only http and https are ever fetched, even when a redirect points elsewhere (and the
# StayOnSiteMiddleware refuses any other host or scheme first).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# A scheduled archiver opens no listening port: no telnet console, no remote-control server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Every run ends by itself, whatever the site does: after this many responses, or this many
# seconds (the live site has about 2,200 pages, and their images and documents are fetched too;
# a polite full run takes about an hour). A run stopped by either fails, with the reason. 0
# turns a cap off.
CLOSESPIDER_PAGECOUNT = 50000
CLOSESPIDER_TIMEOUT = 6 * 3600
# A press-release site needs no cookies, and a site that sets one on every page must not
# make the requests grow.
COOKIES_ENABLED = False

LOG_LEVEL = "INFO"
# A rejected article is one log line (reason, URL), not the item's repr (cqcscraper/crawl/logs.py).
LOG_FORMATTER = "cqcscraper.crawl.logs.RejectLogFormatter"
