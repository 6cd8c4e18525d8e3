"""Articles whose last fetch failed for a reason that may pass: which are pending, how often
they were tried, and which run tries them again.

A passing fault is never final: an article not archived whose latest reject is transient
(``parse.validation.TRANSIENT``: a 5xx, a timeout, a cut body, a placeholder page, ...), or
``not_found`` seen by one run only (a release linked before the CMS published it), is fetched
again by later runs, whatever its date, and wherever it is listed (a run asks for it directly,
not only when a listing page it walks links it). Each failed try doubles the number of runs to wait
before the next (1, 2, 4, 8, ... runs, at most ``MAX_WAIT_RUNS``): a release that comes back
is archived within a run or two, and one that never does costs a request a day on an hourly
schedule. Runs are counted, not hours, so the back-off is the same on any schedule.

A ``not_found`` seen by two runs is final, as are the other reasons: the article is what it is.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

# The longest wait between two tries of a pending article, in runs (a day of hourly runs).
MAX_WAIT_RUNS = 24
# A reason final only once this many runs saw it (``not_found``: a publish lag first).
_SEEN_TWICE = 2

# Read through indexes (schema 11): the articles with a reject of a reason tried again, not
# archived since, each with its latest reject (of any reason: a final one ends the wait).
_PENDING = """
WITH tried AS (
    SELECT DISTINCT article_id FROM rejects
    WHERE reason IN (SELECT value FROM json_each(:retried)) AND article_id IS NOT NULL
        AND article_id NOT IN (SELECT id FROM press_releases)
),
latest AS (
    SELECT article_id,
        (SELECT max(t.id) FROM rejects t WHERE t.article_id = tried.article_id) AS id
    FROM tried
)
SELECT r.article_id, r.url, r.reason, r.crawl_id,
    (SELECT count(DISTINCT coalesce(t.crawl_id, t.id)) FROM rejects t
        WHERE t.article_id = r.article_id AND t.reason = r.reason) AS same,
    (SELECT count(DISTINCT coalesce(t.crawl_id, t.id)) FROM rejects t
        WHERE t.article_id = r.article_id
        AND t.reason IN (SELECT value FROM json_each(:retried))) AS tries,
    (SELECT min(t.seen) FROM rejects t WHERE t.article_id = r.article_id) AS first_failed,
    r.seen AS last_failed,
    (SELECT count(*) FROM crawls c WHERE c.id > coalesce(r.crawl_id, 0)) AS runs_since,
    (SELECT s.listing_text FROM snapshots s WHERE s.article_id = r.article_id
        AND s.listing_text IS NOT NULL ORDER BY s.snapshot DESC LIMIT 1) AS listing_text
FROM latest JOIN rejects r ON r.id = latest.id
WHERE r.reason IN (SELECT value FROM json_each(:transient))
    OR r.reason IN (SELECT value FROM json_each(:twice))
ORDER BY r.article_id
"""


@dataclass(frozen=True)
class Pending:
    """An article not archived whose last fetch failed for a reason that may pass."""

    article_id: int
    url: str
    reason: str
    tries: int  # runs that tried it and failed
    first_failed: str
    last_failed: str
    runs_since: int  # runs begun since its last try (the one running included)
    listing_text: str | None = None  # the last listing text the crawl carried to it

    @property
    def due(self) -> bool:
        """Whether a run beginning now tries it again (see the module's docstring)."""
        return self.runs_since >= wait_runs(self.tries)

    def overdue(self, max_tries: int, max_days: float, now: dt.datetime) -> bool:
        """Tried ``max_tries`` times, or failing for ``max_days`` days or more."""
        first = dt.datetime.fromisoformat(self.first_failed.replace("Z", "+00:00"))
        return self.tries >= max_tries or (now - first).total_seconds() >= max_days * 86400

    def __str__(self) -> str:
        return f"{self.article_id} ({self.reason}, {self.tries} tries since {self.first_failed})"


def wait_runs(tries: int) -> int:
    """Runs to wait after ``tries`` failed tries: 1, 2, 4, ... at most ``MAX_WAIT_RUNS``."""
    return min(2 ** max(0, tries - 1), MAX_WAIT_RUNS)


def pending_articles(
    conn: sqlite3.Connection, transient: Collection[str], final_when_seen_twice: Collection[str]
) -> list[Pending]:
    """Every pending article, by id. ``transient``: reasons always tried again;
    ``final_when_seen_twice``: reasons tried again until a second run sees them."""
    rows = conn.execute(
        _PENDING,
        {
            "transient": json.dumps(sorted(transient)),
            "twice": json.dumps(sorted(final_when_seen_twice)),
            "retried": json.dumps(sorted({*transient, *final_when_seen_twice})),
        },
    ).fetchall()
    return [
        Pending(article_id, url, reason, tries, first, last, runs_since, text)
        for article_id, url, reason, _crawl, same, tries, first, last, runs_since, text in rows
        if reason in transient or same < _SEEN_TWICE
    ]
