"""Scrapy settings of cqcscraper. Override any of them with ``-s NAME=VALUE``.

The archive paths also follow the environment variables ``CQC_DB`` and ``CQC_JSONL``.
Politeness is on by default (robots.txt, AutoThrottle, at most 2 requests at a time to the
site); for a local mirror turn it off with ``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False``.
"""

from cqcscraper import __version__
from cqcscraper.crawl.declared import SETTINGS

BOT_NAME = "cqcscraper"
SPIDER_MODULES = ["cqcscraper.spiders"]
NEWSPIDER_MODULE = "cqcscraper.spiders"
# Our ``crawl`` command: Scrapy's, plus the exit code of the run's health verdict.
COMMANDS_MODULE = "cqcscraper.commands"

# -- what an operator may set ----------------------------------------------------------------
# Every setting an operator may give with -s NAME=VALUE is declared once, with its kind, range,
# default and help, in cqcscraper/crawl/declared.py (``cqcscraper settings`` lists them): its value
# is set here from there, and ``scrapy crawl`` refuses a misspelt name or a value out of range
# before anything runs. Their meaning, in short:
# - the archive: CQC_DB and CQC_JSONL (also from the environment), CQC_MEDIA, CQC_MEDIA_DIR
#   (unset: media/ beside the archive), CQC_ALLOW_OTHER_SITE, the run lock's CQC_DB_LOCK_TIMEOUT,
#   records written a batch to a transaction (CQC_WRITE_BATCH, CQC_WRITE_INTERVAL), a PDF's text
#   read in a worker bounded by CQC_DOCUMENT_TIMEOUT and CQC_DOCUMENT_MEMORY_MB;
# - the health verdict (a failed run exits non-zero): CQC_MAX_REJECTED_SHARE,
#   CQC_MIN_PUBLISHED_COVERAGE, CQC_MIN_OWN_TITLE_SHARE (a template that dropped its title
#   element must reach the operator), CQC_PENDING_MAX_TRIES and _DAYS (store/pending.py);
# - discovery: CQC_LISTING_DEPTH, CQC_STOP_AFTER_KNOWN_PAGES, CQC_MAX_LISTING_PAGES (a
#   pagination that never ends must not keep a scheduled run going);
# - faults (docs/reliability.md): RETRY_TIMES, DOWNLOAD_TIMEOUT, CQC_RETRY_BACKOFF(_MAX),
#   CQC_RETRY_AFTER_MAX; memory: MEMUSAGE_LIMIT_MB (a healthy run peaks below 200 MB; a server
#   that sends headers without end grows the process by about 30 MB a second), CQC_MEMORY_GRACE;
#   every run ends by itself: CLOSESPIDER_PAGECOUNT, CLOSESPIDER_TIMEOUT (the live site has about
#   2,200 pages; a polite full run takes about an hour);
# - politeness: ROBOTSTXT_OBEY, CONCURRENT_REQUESTS(_PER_DOMAIN), DOWNLOAD_DELAY, AUTOTHROTTLE.
for _setting in SETTINGS:
    globals()[_setting.name] = _setting.value()
del _setting

USER_AGENT = f"cqcscraper/{__version__} (archive of CQC English press releases; polite crawler)"
# A file that moved (a redirect within the site) is followed, as an article is.
MEDIA_ALLOW_REDIRECTS = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# -- memory -----------------------------------------------------------------------------------
# Scrapy's memory-usage extension is the run's bound: past this peak RSS the run stops and
# fails, naming it (a healthy run peaks below 200 MB, docs/benchmarks.md; a server that sends
# headers without end grows the process by about 30 MB a second). Checked every second.
MEMUSAGE_ENABLED = True
MEMUSAGE_CHECK_INTERVAL_SECONDS = 1.0

# -- faults (see docs/reliability.md) -------------------------------------------------------
# Every request ends within DOWNLOAD_TIMEOUT; a failed one is retried RETRY_TIMES times, after
# waiting CQC_RETRY_BACKOFF * 2**(n-1) s (at most CQC_RETRY_BACKOFF_MAX) or what a 429/503
# ``Retry-After`` asks, unless that is more than CQC_RETRY_AFTER_MAX: then it fails at once.
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
# Scrapy checks each callback for a generator's ``return value`` by reading its source on every
# call it has not cached, and its cache, of bound methods, keeps few: 270 readings in a crawl
# of 2,000 articles, 2-3 % of its time. ``tests/test_spider.py`` makes that check once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
REDIRECT_MAX_TIMES = 10
# Only http and https are ever fetched, even when a redirect points elsewhere (and the
# StayOnSiteMiddleware refuses any other host or scheme first).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# A scheduled archiver opens no listening port: no telnet console, no remote-control server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# A press-release site needs no cookies, and a site that sets one on every page must not
# make the requests grow.
COOKIES_ENABLED = False

# A rejected article is one log line (reason, URL), not the item's repr (cqcscraper/crawl/logs.py).
LOG_FORMATTER = "cqcscraper.crawl.logs.RejectLogFormatter"
