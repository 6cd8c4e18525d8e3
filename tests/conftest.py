"""Shared test helpers: the fixture site, golden records, and a fixed clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from w3lib.encoding import html_to_unicode

from cqcscraper import urls

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "fixtures" / "html"
EXPECTED = ROOT / "fixtures" / "expected"
SEEDS = ROOT / "fixtures" / "seeds"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/expected/*.json from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def read_page(path: Path) -> str:
    """Decode a saved page as Scrapy decodes a response with no charset in its headers."""
    _, text = html_to_unicode("text/html", path.read_bytes())
    return text


def site_url(path: Path) -> str:
    """The live-site URL of a fixture page."""
    return urls.SITE_ORIGIN + "/" + path.relative_to(SITE).as_posix()


def article_pages() -> list[Path]:
    return sorted((SITE / "www" / "english" / "c").rglob("*.shtml"))


def golden_ids() -> list[int]:
    return sorted(int(p.stem) for p in EXPECTED.glob("[0-9]*.json"))


def page_of(article_id: int) -> Path:
    (path,) = (SITE / "www" / "english" / "c").glob(f"*/{article_id}.shtml")
    return path


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
