"""Scrapy's duplicate filter, except for redirect hops.

Each article is asked for once a run (the spider keeps the ids it linked), and the duplicate
filter, saved in a ``JOBDIR``, keeps a resumed run from asking again for what the paused one
had queued. But a redirect back to an URL already asked for would be dropped as a duplicate,
with only a debug line: a redirect loop would make an article vanish. Redirect hops are
therefore never filtered; ``REDIRECT_MAX_TIMES`` ends a loop, and the article is rejected as
``redirect_loop``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter


class RedirectAwareDupeFilter(RFPDupeFilter):
    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_times"):
            return False
        return super().request_seen(request)
