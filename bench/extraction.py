"""a. Extraction and normalisation, pages/s, beside trafilatura on the same pages (the fixture
pages and the synthetic site's), both outputs scored against the expected records."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import FETCHED, ROOT, median, say
from lxml import etree
from parsel.selector import create_root_node

from cqcscraper.crawl.charsets import page_text
from cqcscraper.crawl.pages import build_reading, replay_page
from cqcscraper.crawl.rejects import Rejected
from cqcscraper.parse.extract import extract
from cqcscraper.parse.normalize import normalize_article
from cqcscraper.parse.records import RawResponse
from cqcscraper.parse.validation import reject_reason
from cqcscraper.testing import sitefiles


@dataclass
class Page:
    url: str
    body: bytes
    html: str  # decoded once, as the crawl decodes it; both extractors get this text
    expected: dict | None  # None: the page must be rejected
    listing_text: str | None  # what the listing's link says, as the crawl carries it


def corpus(site: Path) -> list[Page]:
    """The fixture article pages and the synthetic ones, with their expected records."""
    found = []
    fixtures = ROOT / "fixtures"
    texts = sitefiles.listing_texts(fixtures / "html")
    for path in sorted((fixtures / "html/www/english/c").rglob("*.shtml")):
        url = sitefiles.site_url(path, fixtures / "html")
        golden = fixtures / "expected" / f"{path.stem}.json"
        expected = json.loads(golden.read_text(encoding="utf-8")) if golden.exists() else None
        found.append((url, path.read_bytes(), expected, texts.get(int(path.stem))))
    texts = sitefiles.listing_texts(site / "html")
    for golden in sorted((site / "expected").glob("*.json")):
        expected = json.loads(golden.read_text(encoding="utf-8"))
        path = site / "html" / expected["url"].split(".cn/", 1)[1]
        found.append((expected["url"], path.read_bytes(), expected, texts.get(expected["id"])))
    return [
        Page(url, body, page_text(body, "text/html"), want, text) for url, body, want, text in found
    ]


def raw(url: str, body: bytes, listing_text: str | None = None) -> RawResponse:
    return RawResponse(url, 200, {"Content-Type": ["text/html"]}, body, listing_text)


def ours(page: Page) -> dict | None:
    """Extraction, normalisation and validation of the decoded page."""
    raw_article = extract(page.html, page.url, listing_text=page.listing_text)
    record = normalize_article(raw_article, FETCHED[:10])
    return None if reject_reason(record) else record.to_dict()


def ours_from_bytes(page: Page) -> dict | None:
    """The whole read path of a crawl, from the response bytes (decoding included)."""
    try:
        raw_response = raw(page.url, page.body, page.listing_text)
        return build_reading(replay_page(raw_response, FETCHED)).record.to_dict()
    except Rejected:
        return None


def parse_alone(page: Page) -> object:
    """The floor: lxml parsing the same text into the same tree our extraction starts from."""
    return create_root_node(page.html, etree.HTMLParser)


def theirs(page: Page) -> dict | None:
    import trafilatura

    document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if document is None:
        return None
    data = document if isinstance(document, dict) else document.as_dict()
    return {"title": data.get("title"), "published": data.get("date"), "body": data.get("text")}


def words(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").casefold())


def f1(got: str | None, want: str | None) -> float:
    from collections import Counter

    a, b = Counter(words(got)), Counter(words(want))
    common = sum((a & b).values())
    if not a or not b:
        return float(a == b)
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 0.0 if common == 0 else 2 * precision * recall / (precision + recall)


def score(extract: Callable[[Page], dict | None], pages: list[Page]) -> dict[str, float]:
    """Share of pages whose title, date and body are exactly right; mean body word F1."""
    title = date = body = 0
    body_f1 = []
    for page in pages:
        got, want = extract(page), page.expected
        if want is None:
            title += got is None
            date += got is None
            body += got is None
            body_f1.append(1.0 if got is None else 0.0)
            continue
        got = got or {}
        title += " ".join((got.get("title") or "").split()) == want["title"]
        date += got.get("published") == want["published"]
        body += words(got.get("body")) == words(want["body"])
        body_f1.append(f1(got.get("body"), want["body"]))
    n = len(pages)
    return {
        "title": title / n,
        "date": date / n,
        "body exact": body / n,
        "body F1": sum(body_f1) / n,
    }


def throughput(read: Callable[[Page], object], pages: list[Page], runs: int) -> float:
    for page in pages:  # one pass untimed: lazy imports, caches
        read(page)
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for page in pages:
            read(page)
        rates.append(len(pages) / (time.perf_counter() - started))
    return median(rates)


def measure(synthetic_site: Path, runs: int) -> dict:
    """Figure a. over the fixture pages and the synthetic site written to ``synthetic_site``."""
    pages = corpus(synthetic_site)
    say(f"a. extraction over {len(pages)} pages")
    ours_rate = throughput(ours, pages, runs)
    floor_rate = throughput(parse_alone, pages, runs)
    theirs_rate = throughput(theirs, pages, runs)
    bytes_rate = throughput(ours_from_bytes, pages, runs)
    ours_exact = sum(ours(p) == p.expected for p in pages) / len(pages)
    assert ours_exact == sum(ours_from_bytes(p) == p.expected for p in pages) / len(pages)
    return {
        "pages": len(pages),
        "ours": ours_rate,
        "ours_from_bytes": bytes_rate,
        "parse_alone": floor_rate,
        "trafilatura": theirs_rate,
        "ours_score": {**score(ours, pages), "exact": ours_exact},
        "trafilatura_score": score(theirs, pages),
    }
