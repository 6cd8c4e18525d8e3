"""The synthetic site the benchmarks crawl: deterministic, and read exactly as it was written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import golden_rows, listing_texts, load_json, run_crawl
from cqcscraper.crawl.pages import build_reading, replay_page
from cqcscraper.parse.records import RawResponse
from cqcscraper.testing import synthetic

COUNT = 60  # 30 articles a section: two listing pages each, every markup variant many times


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    synthetic.write_site(out, COUNT)
    return out


def expected(site: Path) -> dict[int, dict]:
    return {int(p.stem): load_json(p) for p in (site / "expected").glob("*.json")}


def test_the_same_seed_writes_the_same_bytes(site: Path, tmp_path: Path) -> None:
    assert synthetic.main([str(tmp_path), "--articles", str(COUNT)]) == 0
    assert digest(tmp_path) == digest(site)
    synthetic.write_site(tmp_path, COUNT, seed=7)
    assert digest(tmp_path) != digest(site)


def test_every_variant_and_both_paginations_are_there(site: Path) -> None:
    variants = {a.variant for a in synthetic.articles(COUNT)}
    assert variants == set(synthetic.VARIANTS)
    assert (site / "html/www/english/News/index_1.shtml").exists()
    assert (
        b"createPageHTML(2, 1," in (site / "html/www/english/Activities/index_1.shtml").read_bytes()
    )
    dated_by_url = [r for r in expected(site).values() if r["published_from"] == "url"]
    assert dated_by_url


def test_each_page_reads_as_the_record_it_was_written_from(site: Path) -> None:
    texts = listing_texts(site / "html")
    for article_id, record in expected(site).items():
        path = site / "html" / record["url"].split(".cn/", 1)[1]
        headers = {"Content-Type": ["text/html"]}
        body = path.read_bytes()
        raw = RawResponse(record["url"], 200, headers, body, texts.get(article_id))
        made = build_reading(replay_page(raw, "2026-01-01T00:00:00Z")).record
        assert made.to_dict() == record, article_id


@pytest.mark.e2e
def test_a_crawl_of_the_synthetic_site_archives_every_record(site: Path, tmp_path: Path) -> None:
    crawl = run_crawl(tmp_path, site=site / "html")
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert golden_rows(crawl.db) == expected(site)
