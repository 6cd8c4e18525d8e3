"""Scrapy glue: from a response to an item (``pages``), the item pipelines, the middlewares
(the fence around the site, retries with backoff, the redirect-aware duplicate filter), the run
extension that owns the archive for a crawl (``run``), the health verdict (``health``), the
log lines (``logs``) and the offline rebuild from snapshots (``reparse``). It uses ``parse``
for every rule and ``store`` for every write."""
