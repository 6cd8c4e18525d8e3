"""Scrapy glue: the spider's arguments (``arguments``) and settings (``declared``), checked
before anything runs; from a response to a record (``pages``: the one read path); the item
pipelines (``pipelines``, ``media`` with ``documents``); the middlewares (the fence around the
site, retries with backoff, robots.txt that cannot be read, whole bodies, the redirect-aware
duplicate filter); the run extension that owns the archive for a crawl (``run``) and what it
hands the spider (``state``); the memory bound (``memory``); the health verdict (``health``);
reject reasons from failures (``rejects``), log lines (``logs``) and the offline rebuild from
snapshots (``reparse``). It uses ``parse`` for every rule and ``store`` for every read and
write."""
