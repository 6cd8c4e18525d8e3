"""Dates as pages write them (``2020-11-23``, ``2020年11月23日``, ``23 Nov 2020``, ...), a
date alone on its line, and the range of dates a page may plausibly carry."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from cqcscraper.parse.text import clean_text

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))


# "23 November 2020", "23 Nov. 2020", "November 23, 2020": English dates, without dateparser
_ENGLISH = (
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})\.?,?"
    rf"|(?P<month2>{_MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?,?)"
    r"\s+(?P<year>\d{4})"
)
_ENGLISH_DATE = re.compile(rf"^{_ENGLISH}(?:\s+\d{{1,2}}:\d\d(?::\d\d)?)?$", re.IGNORECASE)


# A date inside a line of text, in either form above (not inside a word or a number):
# "2025-05-20 | Source: CQC", "来源：CQC 2025年5月20日", "20 May 2025 · Source: ...".
DATE_IN_TEXT = re.compile(rf"{_ISO_DATE.pattern}|(?<!\w){_ENGLISH}(?!\d)", re.IGNORECASE)


def parse_date(text: str | None) -> str | None:
    """An ISO date from a label's value, or None when it holds no valid date.

    ``2020-11-23``, ``2020/11/23 10:32``, ``2020年11月23日``, ``23 Nov 2020`` and
    ``November 23, 2020`` are read by regular expressions; other wordings go to dateparser,
    which is slow, and only when a four-digit year is present (so ``soon`` or ``yesterday``
    never become a date).
    """
    text = clean_text(text)
    if match := _ISO_DATE.search(text):
        return _valid_date(*map(int, match.groups()))
    if match := _ENGLISH_DATE.match(text):
        month = _MONTHS[(match["month"] or match["month2"]).lower()]
        return _valid_date(int(match["year"]), month, int(match["day"] or match["day2"]))
    if not _YEAR.search(text):
        return None
    return _dateparser_date(text[:100])


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _dateparser_date(text: str) -> str | None:
    import dateparser  # imported late: it takes a second to load and most pages never need it

    parsed = dateparser.parse(
        text,
        languages=["en", "zh"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date().isoformat() if parsed else None


MAX_DATE_LINE = 40  # a date alone on its line, with a time perhaps; longer is text


def is_date_line(line: str) -> bool:
    """Whether a line is a date and nothing else (``2025-02-11``, ``11 February 2025``,
    ``2025年2月11日 10:30``): no letters besides the date's own."""
    text = clean_text(line)
    if len(text) > MAX_DATE_LINE or parse_date(text) is None:
        return False
    found = _ISO_DATE.search(text) or _ENGLISH_DATE.match(text)
    if found is None:
        return False
    rest = (text[: found.start()] + text[found.end() :]).replace("日", "")
    return not re.search(r"[^\W\d_]", rest)


# No release of the site is older than this: an earlier date is a CMS's unset value printed as
# a date (the Unix epoch, 1970-01-01 08:00:00 in China time; 1900-01-01), not a publication.
EARLIEST_PLAUSIBLE_DATE = "1990-01-01"


def latest_plausible_date(fetched_on: str | None) -> str | None:
    """The latest publication date a page fetched on ``fetched_on`` (ISO, UTC) can carry:
    the next day, since the site dates pages in China time (UTC+8). None: no limit."""
    try:
        day = dt.date.fromisoformat((fetched_on or "")[:10])
    except ValueError:
        return None
    return (day + dt.timedelta(days=1)).isoformat()
