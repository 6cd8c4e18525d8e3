"""``RunState``: what an archive run knows of the archive when it opens, read once by the run
extension (``ArchiveRun``) and handed to the spider by the ``RUN_OPENED`` signal (Scrapy builds
the spider before its extensions, so the spider cannot be given it when it is made)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cqcscraper.crawl.arguments import RunArguments
from cqcscraper.parse.media import MediaLink
from cqcscraper.parse.records import ReleaseMedia
from cqcscraper.store.pending import Pending

# Sent (``state=RunState``) once the run's ``crawls`` row is open, before the first request.
RUN_OPENED = object()


def _unknown(article_id: int, url: str) -> bool:
    return False


def _nothing(article_id: int) -> dict[str, str]:
    return {}


def _no_links(article_id: int) -> tuple[MediaLink, ...]:
    return ()


@dataclass(frozen=True)
class RunState:
    """The archive as this run starts.

    ``is_known``: whether it need not fetch an article (by its id and URL); ``resume``: the
    previous run stopped part-way (so every listing page is walked); ``due_again``: articles
    whose last fetch failed for a reason that may pass, tried again now; ``pending_media``: the
    files earlier runs failed to fetch, per release; ``validators``: an archived article's
    conditional request headers; ``links_of``: an archived release's links to its files. Reads
    of a damaged archive fail the run (the extension says why) and give nothing.
    """

    arguments: RunArguments
    is_known: Callable[[int, str], bool] = field(default=_unknown)
    resume: bool = False
    due_again: tuple[Pending, ...] = ()
    pending_media: tuple[ReleaseMedia, ...] = ()
    validators: Callable[[int], dict[str, str]] = field(default=_nothing)
    links_of: Callable[[int], tuple[MediaLink, ...]] = field(default=_no_links)
