"""Rewrite the golden records of the fixture site (``fixtures/expected``) from today's rules,
after an intended rule change; then read ``git diff fixtures/expected``: that diff is exactly
what the change does to the archive.

    .venv/bin/python tests/update_golden.py    (or: make golden)

Each article page is read as the crawl reads it (``conftest.record_of``: the crawl's own
``pages.read_article``, with the listing text a crawl carries to it). A page the crawl keeps
gets its record (and its links to files in ``media.json``); a page the validation refuses is
listed in ``rejects.json`` with its reason. Files of pages that no longer exist are removed.
"""

from __future__ import annotations

from conftest import EXPECTED, article_pages, links_of, record_of, write_json
from cqcscraper.parse.validation import reject_reason


def main() -> None:
    records, rejects, media = {}, [], {}
    for path in article_pages():
        record = record_of(path)
        if reason := reject_reason(record):
            rejects.append({"url": record.url, "reason": reason})
            continue
        records[EXPECTED / f"{record.id}.json"] = record.to_dict()
        if links := links_of(path):
            media[str(record.id)] = links
    for old in EXPECTED.glob("[0-9]*.json"):
        if old not in records:
            old.unlink()
    for path, record in records.items():
        write_json(path, record)
    write_json(EXPECTED / "rejects.json", rejects)
    write_json(EXPECTED / "media.json", dict(sorted(media.items())))
    print(f"{len(records)} records, {len(rejects)} rejects written to {EXPECTED}")


if __name__ == "__main__":
    main()
