"""Every setting an operator may give, declared once: its name, kind (which says how its value
is read and what range it takes), default and one line of help.

``settings.py`` takes its values from here; ``check`` refuses, before anything runs, a
misspelt name (with the closest known one) or a value that cannot be read or is out of range;
``cqcscraper settings`` and the README's table of settings are made from the same list (a test
keeps the README equal to it).
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cqcscraper.store.connection import LOCK_TIMEOUT


@dataclass(frozen=True)
class Kind:
    """How a value is read, and what it may be (said in the refusal)."""

    read: Callable[[Any], Any]
    meaning: str  # "a share between 0 and 1 (0.1 is 10 %)", ...
    placeholder: str  # in the table: -s NAME=PLACEHOLDER


def _number(value: Any, kind: type) -> Any:
    """``value`` (a number, or text as given with -s) as a finite ``kind``."""
    if isinstance(value, bool):
        raise ValueError
    number = float(value)
    if not math.isfinite(number) or (kind is int and not number.is_integer()):
        raise ValueError
    return int(number) if kind is int else number


def _in(kind: type, low: float, high: float | None = None, *, above: bool = False) -> Callable:
    def read(value: Any) -> Any:
        number = _number(value, kind)
        if number < low or (above and number == low) or (high is not None and number > high):
            raise ValueError
        return number

    return read


def _bool(value: Any) -> bool:
    """As Scrapy's ``getbool`` reads it: 1/0, True/False, true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in ("0", "1", "True", "False", "true", "false"):
        return value in ("1", "True", "true")
    raise ValueError


def _text(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise ValueError
    return value


def _level(value: Any) -> str:
    if str(value).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError
    return str(value).upper()


SHARE = Kind(_in(float, 0, 1), "a share between 0 and 1 (0.3 is 30 %)", "X")
COUNT = Kind(_in(int, 0), "a whole number, 0 or more", "N")
COUNT1 = Kind(_in(int, 1), "a whole number, 1 or more", "N")
MEGABYTES = Kind(_in(int, 0), "a whole number of megabytes, 0 or more (0: no limit)", "MB")
SECONDS = Kind(_in(float, 0, above=True), "a number of seconds above 0", "SECONDS")
SECONDS0 = Kind(_in(float, 0), "a number of seconds, 0 or more", "SECONDS")
DAYS = Kind(_in(float, 0), "a number of days, 0 or more", "DAYS")
RATIO = Kind(_in(float, 0, above=True), "a number above 0", "X")
BOOL = Kind(_bool, "a boolean: 1 or 0 (True or False)", "1")
PATH = Kind(_text, "a path", "PATH")
LEVEL = Kind(_level, "a log level: DEBUG, INFO, WARNING, ERROR or CRITICAL", "LEVEL")


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: Any
    help: str
    env: str | None = None  # an environment variable that sets the default
    shown: str | None = None  # the default as the table says it, when not the value itself
    listed: bool = True  # in the README's table (else set by the project itself)

    def value(self) -> Any:
        return (os.environ.get(self.env) or self.default) if self.env else self.default


SETTINGS: tuple[Setting, ...] = (
    # -- the archive
    Setting("CQC_DB", PATH, "data/cqc.db", "the SQLite archive; its folder must exist (only `data/` is made on demand)", env="CQC_DB"),  # noqa: E501
    Setting("CQC_JSONL", PATH, None, "the JSONL export; unset, it follows the archive: `press_releases.jsonl` beside an archive named `cqc.db`, else the archive's name with `.jsonl` (`data/mirror.db` -> `data/mirror.jsonl`)", env="CQC_JSONL", shown="data/press_releases.jsonl"),  # noqa: E501
    Setting("CQC_MEDIA_DIR", PATH, None, "where images and documents are stored (by sha256); unset, `media/` beside the archive; its own folder must exist", env="CQC_MEDIA_DIR", shown="data/media/"),  # noqa: E501
    Setting("CQC_MEDIA", BOOL, True, "fetch the releases' images and documents (0: pages only)"),
    Setting("CQC_ALLOW_OTHER_SITE", BOOL, False, "let a crawl from another site than the one the archive holds write into it: only for a true mirror of the live site (another host serving the same pages)"),  # noqa: E501
    Setting("CQC_ARCHIVE_RUN", BOOL, False, "set by `scrapy crawl` alone: only a crawl takes the run lock and writes the archive", listed=False),  # noqa: E501
    Setting("CQC_DB_LOCK_TIMEOUT", SECONDS, LOCK_TIMEOUT, "how long a write waits for another process's lock"),  # noqa: E501
    Setting("CQC_WRITE_BATCH", COUNT1, 200, "records written to a transaction at most (a kill loses at most those; the next run fetches them)"),  # noqa: E501
    Setting("CQC_WRITE_INTERVAL", SECONDS, 0.5, "... or this many seconds after the first of them"),
    Setting("CQC_DOCUMENT_TIMEOUT", SECONDS, 30.0, "time allowed to the worker process that reads a PDF's text; past it the file is kept without its text (`media_files.text_error`)"),  # noqa: E501
    Setting("CQC_DOCUMENT_MEMORY_MB", COUNT1, 1024, "memory allowed to that worker process, in megabytes"),  # noqa: E501
    # -- health verdict
    Setting("CQC_MAX_REJECTED_SHARE", SHARE, 0.1, "the run fails when more than this share of the articles fetched were rejected"),  # noqa: E501
    Setting("CQC_MIN_PUBLISHED_COVERAGE", SHARE, 0.95, "the run fails when fewer than this share of the articles read have a date"),  # noqa: E501
    Setting("CQC_MIN_OWN_TITLE_SHARE", SHARE, 0.5, "the run fails when, over 10 articles read or more, fewer than this share took their title from the page's own markup (heading, `og:title`, `<title>`): a template that dropped its title element"),  # noqa: E501
    Setting("CQC_PENDING_MAX_TRIES", COUNT1, 5, "an article that keeps failing for a reason that may pass (tried again with a back-off across runs) fails each run that tries it after this many tries, naming it"),  # noqa: E501
    Setting("CQC_PENDING_MAX_DAYS", DAYS, 7.0, "... or this many days after its first failure"),
    # -- discovery
    Setting("CQC_LISTING_DEPTH", COUNT, 3, "section hops followed from the start page (pagination is not a hop)"),  # noqa: E501
    Setting("CQC_STOP_AFTER_KNOWN_PAGES", COUNT1, 1, "an incremental run stops a listing after N pages in a row with nothing new"),  # noqa: E501
    Setting("CQC_MAX_LISTING_PAGES", COUNT1, 1000, "a listing's pages past this number are not followed, and the run fails (a pagination that never ends)"),  # noqa: E501
    # -- faults and memory
    Setting("RETRY_TIMES", COUNT, 3, "tries after the first (5xx, 429, timeouts, cut bodies)"),
    Setting("DOWNLOAD_TIMEOUT", SECONDS, 30, "time allowed for one response"),
    Setting("CQC_RETRY_BACKOFF", SECONDS0, 1.0, "wait before retry n: `CQC_RETRY_BACKOFF * 2**(n-1)` seconds ..."),  # noqa: E501
    Setting("CQC_RETRY_BACKOFF_MAX", SECONDS0, 30.0, "... at most this many"),
    Setting("CQC_RETRY_AFTER_MAX", SECONDS0, 120.0, "a `Retry-After` longer than this is not waited for (the article is retried next run)"),  # noqa: E501
    Setting("MEMUSAGE_LIMIT_MB", MEGABYTES, 512, "the run fails past this peak memory (Scrapy's extension, checked every second)"),  # noqa: E501
    Setting("CQC_MEMORY_GRACE", SECONDS, 5.0, "a spider still open this long after the memory limit is ended"),  # noqa: E501
    Setting("CLOSESPIDER_PAGECOUNT", COUNT, 50000, "every run ends after this many responses, and fails (0: no cap)"),  # noqa: E501
    Setting("CLOSESPIDER_TIMEOUT", SECONDS0, 6 * 3600, "... or after this many seconds (0: no cap)"),  # noqa: E501
    # -- politeness (Scrapy's own settings, checked the same way)
    Setting("DOWNLOAD_DELAY", SECONDS0, 1.0, "seconds between two requests to the site (AutoThrottle adapts it); 0 for a local mirror"),  # noqa: E501
    Setting("AUTOTHROTTLE_ENABLED", BOOL, True, "adapt the pace to the site's answers (0 for a local mirror)"),  # noqa: E501
    Setting("CONCURRENT_REQUESTS", COUNT1, 2, "requests in flight at most"),
    Setting("CONCURRENT_REQUESTS_PER_DOMAIN", COUNT1, 2, "... to the site"),
    Setting("ROBOTSTXT_OBEY", BOOL, True, "obey the site's robots.txt"),
    Setting("LOG_LEVEL", LEVEL, "INFO", "how much the log says"),
)  # fmt: skip
BY_NAME = {setting.name: setting for setting in SETTINGS}


class SettingError(ValueError):
    """A setting that cannot be used: the message is the one line to show."""


def check(given: Mapping[str, Any], known: Iterable[str] = ()) -> None:
    """Refuse the settings ``given`` on the command line (or by Scrapyd) with one line: a
    name that is neither declared nor among ``known`` (Scrapy's own), a value that cannot be
    read as its kind or is out of its range."""
    names = [*BY_NAME, *known]
    for name, value in given.items():
        setting = BY_NAME.get(name)
        if setting is None:
            if name in known:
                continue
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f": did you mean {close[0]}?" if close else " (cqcscraper settings lists them)"
            raise SettingError(f"unknown setting {name}{hint}")
        read(setting, value)


def read(setting: Setting, value: Any) -> Any:
    """``value`` as ``setting`` takes it, or ``SettingError`` saying what it must be."""
    if value is None and setting.default is None:
        return None
    try:
        return setting.kind.read(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingError(
            f"{setting.name}={value!r} cannot be used: it must be {setting.kind.meaning}"
        ) from None


def table() -> list[str]:
    """The README's rows of settings (``| option | meaning | default |``)."""
    rows = []
    for setting in SETTINGS:
        if not setting.listed:
            continue
        option = f"`-s {setting.name}={setting.kind.placeholder}`"
        if setting.env:
            option += f" or env `{setting.env}`"
        default = setting.shown or setting.default
        shown = (
            {True: "1", False: "0"}.get(default, default) if isinstance(default, bool) else default
        )
        if isinstance(shown, float) and shown.is_integer():
            shown = int(shown)
        rows.append(f"| {option} | {setting.help} | `{shown}` |")
    return rows
