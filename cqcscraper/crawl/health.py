"""The health verdict of a run, from its Scrapy stats. Pure: a stats dict in, a verdict out.

A scheduled run that "succeeds" while the site is down, or while a template change leaves
every field empty, would fill the archive with nothing and tell no one. So each run ends with
a verdict, ``ok`` or ``fail`` with a one-line reason, stored in ``crawls`` and turned into the
exit code of ``scrapy crawl press``.

The stat keys the spider and the pipelines write are named here, beside the code that reads
them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cqcscraper.parse.records import COVERED_FIELDS
from cqcscraper.parse.titles import OWN_TITLE_SOURCES, TITLE_SOURCES
from cqcscraper.parse.validation import NOT_FAILURES

LISTINGS_OK = "cqc/listings/ok"
LISTINGS_FAILED = "cqc/listings/failed"  # listing pages not read, whatever the reason
LISTINGS_FORBIDDEN = "cqc/listings/robots_txt"  # ... of which robots.txt forbids
LISTING_CAPPED = "cqc/listings/capped"  # pages past CQC_MAX_LISTING_PAGES, not followed
START_ERROR = "cqc/start_error"  # why the start page could not be read
LISTING_MOVED = "cqc/listings/moved"  # the first listing page redirected to another host
ARTICLES_LINKED = "cqc/articles/linked"  # distinct article links found on listing pages
ARTICLES_KNOWN = "cqc/articles/known"  # ... of which already archived, so not fetched
URL_DISAGREES = "cqc/articles/url_disagrees"  # links to one id under another date folder
PARSED = "cqc/parsed"  # article pages read (before validation)
DATE_DIFFERS = "cqc/published/differs_from_url"  # a shown date (believed) not the URL's
DATE_NOT_BELIEVED = "cqc/published/not_believed"  # a shown date before 1990 or in the future
FIELD = "cqc/fields/{}"  # parsed pages on which a field was found
TITLE_FROM = "cqc/titles/{}"  # parsed pages whose title came from this source (or "none")
OUTCOME = "cqc/articles/{}"  # new / updated / unchanged
NOT_MODIFIED = "cqc/articles/not_modified"  # ... of the unchanged, answered 304 with no body
REJECTS = "cqc/rejects/"  # cqc/rejects/{reason}
ARCHIVE_ERROR = "cqc/archive_error"  # why the archive could not take a write
NOT_ARCHIVED = "cqc/not_archived"  # items lost to that error (fetched again next run)
EXPORT_ERROR = "cqc/export_error"  # why the JSONL export could not be written
ELAPSED = "cqc/elapsed_seconds"  # the run's time to its close (Scrapy's own is set after)
FILES_RESTORED = "cqc/media/restored"  # stored files found missing or damaged, fetched again
FILES_NOT_RESTORED = "cqc/media/not_restored"  # ... that could not be fetched again
MEMORY_EXCEEDED = "memusage_exceeded"  # the finish reason of Scrapy's memory-usage extension
ARTICLES_RETRIED = "cqc/articles/retried"  # pending articles this run asked for again
REJECTED_AGAIN = "cqc/rejects_again"  # ... of which rejected again (not in the reject share)
PENDING = "cqc/pending"  # articles not archived whose last fetch failed for a passing reason
OVERDUE = "cqc/pending/overdue"  # ... tried by this run, past the bound: who, why, how often
ROBOTS_UNREACHABLE = "cqc/robots_unreachable"  # which robots.txt could not be read, and why
FIELDS = COVERED_FIELDS
OUTCOMES = ("new", "updated", "unchanged")
OK, FAIL = "ok", "fail"


# The share of own titles is judged only over at least this many article pages.
MIN_ARTICLES_FOR_TITLES = 10


@dataclass(frozen=True)
class Thresholds:
    """The verdict's thresholds; their defaults are the settings' (``settings.py``)."""

    max_rejected_share: float
    min_published_coverage: float
    min_own_title_share: float
    pending_max_tries: int
    pending_max_days: float

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """From Scrapy settings (anything with ``getfloat``)."""
        return cls(
            max_rejected_share=settings.getfloat("CQC_MAX_REJECTED_SHARE"),
            min_published_coverage=settings.getfloat("CQC_MIN_PUBLISHED_COVERAGE"),
            min_own_title_share=settings.getfloat("CQC_MIN_OWN_TITLE_SHARE"),
            pending_max_tries=settings.getint("CQC_PENDING_MAX_TRIES"),
            pending_max_days=settings.getfloat("CQC_PENDING_MAX_DAYS"),
        )


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.verdict == OK


def _get(stats: dict[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def rejected(stats: dict[str, Any]) -> int:
    """Articles that could not become a record (a moved article is no failure)."""
    return sum(
        int(v)
        for k, v in stats.items()
        if k.startswith(REJECTS) and k.removeprefix(REJECTS) not in NOT_FAILURES
    )


def coverage(stats: dict[str, Any]) -> dict[str, float | None]:
    """Share of the article pages read on which each field was found (None: none read)."""
    parsed = _get(stats, PARSED)
    return {name: (_get(stats, FIELD.format(name)) / parsed if parsed else None) for name in FIELDS}


def title_sources(stats: dict[str, Any]) -> dict[str, int]:
    """How many titles came from each source (``none``: no title), over the pages read."""
    return {
        name: _get(stats, TITLE_FROM.format(name))
        for name in (*TITLE_SOURCES, "none")
        if _get(stats, TITLE_FROM.format(name))
    }


def own_title_share(stats: dict[str, Any]) -> float | None:
    """Share of the article pages read whose title came from their own markup."""
    parsed = _get(stats, PARSED)
    own = sum(_get(stats, TITLE_FROM.format(name)) for name in OWN_TITLE_SOURCES)
    return own / parsed if parsed else None


def crawl_row(stats: dict[str, Any]) -> dict[str, Any]:
    """The counts and coverage columns of a ``crawls`` row."""
    statuses = {
        key.rsplit("/", 1)[1]: value
        for key, value in sorted(stats.items())
        if key.startswith("downloader/response_status_count/")
    }
    return {
        "requests": _get(stats, "downloader/request_count"),
        "responses": _get(stats, "downloader/response_count"),
        "statuses": json.dumps(statuses),
        "articles_linked": _get(stats, ARTICLES_LINKED),
        **{f"articles_{name}": _get(stats, OUTCOME.format(name)) for name in OUTCOMES},
        "articles_rejected": rejected(stats),
        **{f"coverage_{name}": share for name, share in coverage(stats).items()},
        "title_sources": json.dumps(title_sources(stats)),
        "titles_own_share": own_title_share(stats),
    }


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}"


@dataclass(frozen=True)
class Run:
    """What the health checks read of a run: its stats, why it ended, the thresholds."""

    stats: dict[str, Any]
    finish_reason: str
    thresholds: Thresholds

    def count(self, key: str) -> int:
        return _get(self.stats, key)


def _archive_error(run: Run) -> str | None:
    error = run.stats.get(ARCHIVE_ERROR)
    return f"archive error: {error}" if error else None


def _export_error(run: Run) -> str | None:
    error = run.stats.get(EXPORT_ERROR)
    return f"export error: {error} (the previous JSONL is left as it was)" if error else None


def _unfinished(run: Run) -> str | None:
    if run.finish_reason == MEMORY_EXCEEDED:
        peak = run.count("memusage/max") / 2**20
        return (
            f"the run was stopped: its memory use passed MEMUSAGE_LIMIT_MB (peak {peak:.0f} MB; "
            "a server sending headers or a page without end?)"
        )
    if run.finish_reason != "finished":
        return f"the run did not finish ({run.finish_reason})"
    return None


def _files_lost(run: Run) -> str | None:
    if lost := run.count(FILES_NOT_RESTORED):
        return (
            f"{lost} stored files were missing or damaged and could not be fetched again "
            "(see media_failures; cqcscraper verify lists what is missing)"
        )
    return None


def _site_unreached(run: Run) -> str | None:
    read, failed = run.count(LISTINGS_OK), run.count(LISTINGS_FAILED)
    if robots := run.stats.get(ROBOTS_UNREACHABLE):
        return (
            f"robots.txt could not be read ({robots}): as RFC 9309 asks, nothing was fetched "
            "from the site this run; the next run asks again"
        )
    if read == 0 and failed:
        why = run.stats.get(START_ERROR) or f"none of the {failed} listing pages could be read"
        return f"the site could not be reached: {why}"
    fetched = run.count(PARSED) or rejected(run.stats) or run.count(ARTICLES_KNOWN)
    if read == 0 and run.finish_reason == "finished" and not fetched:
        return "the run read no listing page and no article"  # (one stopped early says why)
    return None


def _listing_moved(run: Run) -> str | None:
    moved = run.stats.get(LISTING_MOVED)
    # with no listing page read, the site could not be reached (said above)
    return f"a listing page was not read: {moved}" if moved and run.count(LISTINGS_OK) else None


def _listings_lead_nowhere(run: Run) -> str | None:
    if capped := run.count(LISTING_CAPPED):
        return (
            f"{capped} listing pages past CQC_MAX_LISTING_PAGES were not followed "
            "(a pagination that never ends?)"
        )
    if (read := run.count(LISTINGS_OK)) and run.count(ARTICLES_LINKED) == 0:
        return (
            f"the {read} listing pages read link to no article "
            "(has the site's layout or URL scheme changed?)"
        )
    return None


def _suspect_updates(run: Run) -> str | None:
    if suspect := run.count(f"{REJECTS}suspect_update"):
        return (
            f"{suspect} re-fetched releases were not updated: their new content was shared "
            "with other releases or lost fields (a maintenance page, soft 404 or login wall?); "
            "see the rejects table"
        )
    return None


def _overdue(run: Run) -> str | None:
    if overdue := run.stats.get(OVERDUE):
        return (
            f"articles still failing after {run.thresholds.pending_max_tries} tries or "
            f"{run.thresholds.pending_max_days:g} days (tried again with a back-off; "
            f"cqcscraper summary lists them): {overdue}"
        )
    return None


def _rejected_share(run: Run) -> str | None:
    outcomes = sum(run.count(OUTCOME.format(name)) for name in OUTCOMES)
    bad = rejected(run.stats) - run.count(REJECTED_AGAIN)
    limit = run.thresholds.max_rejected_share
    if bad and bad / (outcomes + bad) > limit:
        return (
            f"{_share(bad, outcomes + bad)} articles fetched were rejected "
            f"({bad / (outcomes + bad):.0%} > {limit:.0%}): see the rejects table"
        )
    return None


def _dates_missing(run: Run) -> str | None:
    parsed, dated = run.count(PARSED), run.count(FIELD.format("published"))
    least = run.thresholds.min_published_coverage
    if parsed and dated / parsed < least:
        return (
            f"a publication date was found on {_share(dated, parsed)} articles "
            f"({dated / parsed:.0%} < {least:.0%})"
        )
    return None


def _titles_not_own(run: Run) -> str | None:
    parsed, own = run.count(PARSED), own_title_share(run.stats)
    least = run.thresholds.min_own_title_share
    if parsed >= MIN_ARTICLES_FOR_TITLES and own is not None and own < least:
        sources = ", ".join(f"{name} {n}" for name, n in title_sources(run.stats).items())
        return (
            f"titles came from the pages' own markup on {own:.0%} of {parsed} articles "
            f"(< {least:.0%}; title sources: {sources}): "
            "has the page template dropped its title element?"
        )
    return None


# The checks of a run's health, in the order their reasons are given: each says what is wrong
# (one reason) or None.
CHECKS: tuple[Callable[[Run], str | None], ...] = (
    _archive_error,
    _export_error,
    _unfinished,
    _files_lost,
    _site_unreached,
    _listing_moved,
    _listings_lead_nowhere,
    _suspect_updates,
    _overdue,
    _rejected_share,
    _dates_missing,
    _titles_not_own,
)


def judge(stats: dict[str, Any], finish_reason: str, thresholds: Thresholds) -> Verdict:
    """``ok``, or ``fail`` with the reason of every check (``CHECKS``) that fails."""
    run = Run(stats, finish_reason, thresholds)
    if problems := [problem for check in CHECKS if (problem := check(run))]:
        return Verdict(FAIL, "; ".join(problems))
    counts = ", ".join(f"{run.count(OUTCOME.format(name))} {name}" for name in OUTCOMES)
    waiting = f", {run.count(PENDING)} pending" if run.count(PENDING) else ""
    linked = run.count(ARTICLES_LINKED)
    return Verdict(OK, f"{linked} articles linked; {counts}, {rejected(stats)} rejected{waiting}")
