"""The press spider's arguments (``-a NAME=VALUE``), checked and read in one place.

``scrapy crawl`` checks them before anything runs (``check_arguments``: a wrong one is exit 2
and one line); the spider reads them once into ``RunArguments``, which the run extension and
the pipelines read too (typed, never looked up by name on the spider).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cqcscraper.parse import urls

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})
# The spider's arguments (``-a NAME=VALUE``); ``_job`` is the one Scrapyd adds to every job.
ARGUMENTS = ("start_url", "full", "refresh_days", "sweep")
SCRAPYD_ARGUMENTS = ("_job",)


class ArgumentError(ValueError):
    """A spider argument that is wrong: the crawl command says so and exits 2."""


def check_arguments(arguments: dict[str, Any]) -> None:
    """Raise ``ArgumentError`` (one line: what is wrong, what to give) for an unknown
    argument, a ``start_url`` that is not http(s) with a host, a ``full`` that is not a
    boolean, or a ``refresh_days`` that is not a whole number of days (0 or more)."""
    for name in arguments:
        if name not in ARGUMENTS and name not in SCRAPYD_ARGUMENTS:
            known = ", ".join(f"-a {known}=..." for known in ARGUMENTS)
            raise ArgumentError(f"unknown spider argument {name!r}: the press spider takes {known}")
    start_url = arguments.get("start_url")
    if start_url is not None and not urls.is_site_url(str(start_url)):
        raise ArgumentError(
            f"start_url {start_url!r} is not an http(s) URL with a host "
            f"(for example {urls.START_URL})"
        )
    for name in ("full", "sweep"):
        if str(arguments.get(name, "")).strip().lower() not in TRUE | FALSE:
            raise ArgumentError(
                f"{name}={arguments[name]!r} is not a yes/no value: give {name}=1 or {name}=0"
            )
    days = str(arguments.get("refresh_days", "")).strip()
    if days and not days.isdigit():
        raise ArgumentError(
            f"refresh_days={arguments['refresh_days']!r} is not a whole number of days (0 or more)"
        )


@dataclass(frozen=True)
class RunArguments:
    """What a crawl was asked to do.

    ``full``: fetch every listing page and every article; ``refresh_days``: also fetch again
    the articles of the last N days; ``sweep``: walk every listing page, fetching only what is
    not archived. ``given``: the arguments as given (with the start URL), for the run's row.
    """

    start_url: str
    full: bool = False
    sweep: bool = False
    refresh_days: int | None = None
    given: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def read(cls, arguments: dict[str, Any]) -> RunArguments:
        """The arguments given (None: not given), checked (``check_arguments``)."""
        given = {name: value for name, value in arguments.items() if value is not None}
        check_arguments(given)
        start_url = str(given.get("start_url") or urls.START_URL)
        days = str(given.get("refresh_days", "")).strip()
        return cls(
            start_url=start_url,
            full=str(given.get("full", "")).strip().lower() in TRUE,
            sweep=str(given.get("sweep", "")).strip().lower() in TRUE,
            refresh_days=int(days) if days else None,
            given=tuple({"start_url": start_url, **given}.items()),
        )

    @property
    def walks_every_page(self) -> bool:
        """Every listing page is walked, not only up to the known ones."""
        return self.full or self.sweep

    @property
    def fetches_archived(self) -> bool:
        """Archived articles are fetched again (conditionally): a full or refresh run."""
        return self.full or self.refresh_days is not None
