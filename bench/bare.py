"""The peer of the end-to-end benchmark: a bare Scrapy spider that fetches the same pages and
does nothing with them. ``scrapy runspider bench/bare.py -a urls=FILE`` (one URL a line)."""

from __future__ import annotations

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
