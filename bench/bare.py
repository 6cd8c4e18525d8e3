"""The peer of the end-to-end benchmark: a bare Scrapy spider that fetches the same pages and
does nothing with them. ``scrapy runspider bench/bare.py -a urls=FILE`` (one URL a line);
``-s BENCH_STATS_FILE=PATH`` writes its Scrapy stats there as JSON when it closes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = Path(urls).read_text(encoding="utf-8").split()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> None:
        return None

    def closed(self, reason: str) -> None:
        if path := self.settings.get("BENCH_STATS_FILE"):
            stats = self.crawler.stats.get_stats()
            # Scrapy sets its elapsed time after this: measured the same way as our crawl's
            elapsed = (dt.datetime.now(dt.UTC) - stats["start_time"]).total_seconds()
            stats = {**stats, "elapsed_time_seconds": elapsed}
            Path(path).write_text(json.dumps(stats, default=str), encoding="utf-8")
