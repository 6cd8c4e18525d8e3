"""``scrapy parse``: Scrapy's command; with ``--spider=press`` the spider starts where the URL
is (the live site or a mirror), prints an article's record or a listing's requests, and
writes nothing (only ``scrapy crawl`` archives)."""

from __future__ import annotations

import argparse
import warnings

from scrapy.commands import parse
from scrapy.exceptions import ScrapyDeprecationWarning

from cqcscraper.parse import urls


class Command(parse.Command):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.spider == "press" and len(args) == 1 and urls.is_site_url(args[0]):
            opts.spargs.setdefault("start_url", args[0])
        # Scrapy 2.19's parse command wraps every callback in one of its own that returns a
        # Deferred, then warns of it as the spider's doing on every call: not ours to fix.
        warnings.filterwarnings(
            "ignore", r".* returned a Deferred\. Returning Deferreds", ScrapyDeprecationWarning
        )
        super().run(args, opts)
