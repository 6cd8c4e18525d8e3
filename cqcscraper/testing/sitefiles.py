"""A site saved as files at its own paths (``fixtures/html``, a synthetic site), read as a
crawl of it would read it: each file's URL on the live site, and the listing link texts that a
crawl carries to each article (the evidence for titles that tests and benchmarks replay).
"""

from __future__ import annotations

from pathlib import Path

from w3lib.encoding import html_to_unicode

from cqcscraper.parse import urls
from cqcscraper.parse.discovery import page_links

# Listing pages a saved site's listing may name (its files are all there is to read).
SAVED_PAGES = 100_000


def decoded(path: Path) -> str:
    """A saved page decoded as Scrapy decodes a response with no charset in its headers."""
    _, text = html_to_unicode("text/html", path.read_bytes())
    return text


def site_url(path: Path, site: Path) -> str:
    """The live-site URL of the file ``path`` of the site folder ``site``."""
    return urls.SITE_ORIGIN + "/" + path.relative_to(site).as_posix()


def listing_texts(site: Path) -> dict[int, str]:
    """The longest listing link text of each article of the site (every page that is not an
    article is read as a listing, as the crawl reads it)."""
    texts: dict[int, str] = {}
    for path in sorted((site / "www" / "english").rglob("*.shtml")):
        url = site_url(path, site)
        if urls.article_ref(url) is not None:
            continue
        links = page_links(decoded(path), url, urls.SITE_ORIGIN, SAVED_PAGES)
        for link, text in links.article_texts.items():
            ref = urls.article_ref(link)
            if ref and len(text) > len(texts.get(ref.id, "")):
                texts[ref.id] = text
    return texts
