"""What a release's row becomes when a record of it is seen: the one rule for crawls and reparse.

A row is a record's fields (``images`` as JSON text) plus ``first_seen`` (the first fetch
ever), ``last_seen`` (the latest fetch) and ``last_changed`` (the fetch that brought the
current content). When a record differs from the row in any field, the row takes the new
content and the content it replaces becomes a revision, seen from its ``last_changed`` to its
``last_seen``. A corrected date or origin is an edit too, so any field counts, not only
``content_hash``; except ``title_from`` alone: the same title found in another place of the
page is no edit of the release (and a row archived before ``title_from`` existed gets it
filled in without a revision).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from cqcscraper.parse.records import RECORD_FIELDS, PressRelease

Row = dict[str, Any]
Outcome = Literal["new", "updated", "unchanged"]
TIMESTAMPS = ("first_seen", "last_seen", "last_changed")
REVISION_TIMES = ("first_seen", "last_seen")


def record_row(record: PressRelease) -> Row:
    """A record as the archive stores it (``images`` as a JSON array)."""
    row = record.to_dict()
    row["images"] = json.dumps(row["images"], ensure_ascii=False)
    return row


# Columns the archive keeps itself beside a record's fields (never a record's content): the
# duplicate link, and the text of the release's documents.
KEPT_BY_ARCHIVE = ("duplicate_of", "attachment_text")

# Where a field came from, not what the release says: a change of these alone is no edit.
PROVENANCE = ("title_from",)
_EDITABLE = tuple(name for name in RECORD_FIELDS if name not in PROVENANCE)


def content(row: Row) -> Row:
    return {name: row.get(name) for name in RECORD_FIELDS}


def fold(current: Row | None, record: Row, seen: str) -> tuple[Row, Row | None, Outcome]:
    """The row after ``record`` was seen at ``seen``, the revision it retired (if any), and
    whether the record was new, an update or unchanged."""
    if current is None:
        return {**record, "first_seen": seen, "last_seen": seen, "last_changed": seen}, None, "new"
    if all(current.get(name) == record[name] for name in _EDITABLE):
        provenance = {name: record[name] for name in PROVENANCE}
        return {**current, **provenance, "last_seen": seen}, None, "unchanged"
    revision = {
        **content(current),
        "first_seen": current["last_changed"],
        "last_seen": current["last_seen"],
    }
    row = {**record, "first_seen": current["first_seen"], "last_seen": seen, "last_changed": seen}
    return row, revision, "updated"


# An update that keeps less than this share of the archived body loses the body.
KEPT_BODY_SHARE = 1 / 3


def suspect_update(current: Row, record: Row, shared_with: int | None) -> str | None:
    """Why an update of an archived release looks like the site's failure rather than an edit
    (the same maintenance page, soft 404 or login wall for every article), or None.

    A release's text is its own: new content that another release fetched in the same run
    also has (``shared_with``), or that loses what the archived version had (the date label,
    the origin, the title, most of the body), is not applied.
    """
    if shared_with is not None:
        return f"its new content is the same as release {shared_with}'s, fetched in this run"
    lost = []
    if current.get("published_from") == "public_time" and record["published_from"] != "public_time":
        lost.append("its Public Time")
    if current.get("origin") and not record["origin"]:
        lost.append("its origin")
    if current.get("title") and not record["title"]:
        lost.append("its title")
    if len(record["body"] or "") < KEPT_BODY_SHARE * len(current.get("body") or ""):
        lost.append("most of its body")
    return f"the new content lost {', '.join(lost)}" if lost else None
