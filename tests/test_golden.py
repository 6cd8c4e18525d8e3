"""Every article fixture, extracted and normalised with the text of the listing link that
leads to it (as a crawl carries it), equals its golden record (whole record).

After an intended rule change, ``make golden`` (``tests/update_golden.py``) rewrites the
golden files; then read the diff: that diff is exactly what the change does to the archive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXPECTED, article_pages, links_of, load_json, record_of
from cqcscraper.parse.validation import reject_reason

REJECTS = EXPECTED / "rejects.json"
# Each release's links to its images and documents (``media_links``), by id; none: no entry.
MEDIA = EXPECTED / "media.json"


def expected_rejects() -> dict[str, str]:
    return {row["url"]: row["reason"] for row in load_json(REJECTS)}


def test_every_article_fixture_has_an_expectation() -> None:
    accepted = {int(p.stem) for p in EXPECTED.glob("[0-9]*.json")}
    rejected = {url.rsplit("/", 1)[1].removesuffix(".shtml") for url in expected_rejects()}
    assert sorted(int(p.stem) for p in article_pages()) == sorted(
        accepted | set(map(int, rejected))
    )
    assert len(accepted) >= 5
    assert rejected


@pytest.mark.parametrize("path", article_pages(), ids=lambda p: p.stem)
def test_record_equals_golden(path: Path) -> None:
    record = record_of(path)
    golden = EXPECTED / f"{path.stem}.json"
    if record.url in expected_rejects():
        assert reject_reason(record) == expected_rejects()[record.url]
    else:
        assert reject_reason(record) is None
        assert record.to_dict() == load_json(golden)


@pytest.mark.parametrize("path", article_pages(), ids=lambda p: p.stem)
def test_media_links_equal_golden(path: Path) -> None:
    """Images in the body and documents it links, in page order, as the golden file lists."""
    assert links_of(path) == load_json(MEDIA).get(path.stem, [])


def test_golden_media_has_images_and_documents() -> None:
    links = [link for found in load_json(MEDIA).values() for link in found]
    assert {link["role"] for link in links} == {"image", "attachment"}
    assert any(link["url"].endswith(".pdf") for link in links)
    assert sum(link["role"] == "attachment" for link in links) >= 2
