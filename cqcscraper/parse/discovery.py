"""Listing page -> the links worth following. Pure: HTML and its URL in, URLs out.

Articles are recognised by their URL pattern, never by a CSS class, so a redesign of the
listing markup does not hide them. Pagination comes either as plain links to ``index_N.shtml``
in the same folder or as the TRS CMS script call ``createPageHTML(count, current, "index",
"shtml")`` that writes those links in the browser.

The text of each article link is kept too: it is what the listing says the article is called,
evidence for its title (``titles.choose_title``) when the page itself does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from parsel.selector import create_root_node

from cqcscraper.parse import urls
from cqcscraper.parse.titles import LISTING, Title

CREATE_PAGE_HTML = re.compile(
    r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']\s*\)"""
)


@dataclass
class Links:
    """Links of one listing page, each already rewritten onto the crawl's origin."""

    articles: list[str] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    # The first page of this listing past ``max_pages`` it links or names, not followed: a
    # pagination that never ends (or a script call claiming a million pages).
    past_cap: str | None = None
    sections: list[str] = field(default_factory=list)
    # The longest text of the links to each article (its ``title`` attribute where the text
    # is cut short and the attribute holds the full form), from the texts that name it alone
    # when it has any; articles linked with no text are not in it.
    article_texts: dict[str, str] = field(default_factory=dict)


def link_text(text: str, title_attribute: str | None = None) -> str:
    """What a link says, whitespace collapsed; a text cut short with ``...`` is replaced by
    the link's ``title`` attribute when that starts with the same words and goes on."""
    text = " ".join(text.split())
    full = " ".join((title_attribute or "").split())
    return full if Title(text, LISTING).completed_by(Title(full, LISTING)) else text


def script_pages(html: str, page_url: str, max_pages: int) -> list[str]:
    """The pages named by ``createPageHTML`` calls: ``index.shtml``, ``index_1.shtml``, …, up
    to the first past ``max_pages`` (a typo in the call must not make a million URLs)."""
    pages = []
    for count, _current, stem, ext in CREATE_PAGE_HTML.findall(html):
        for n in range(min(int(count), max_pages + 1)):
            name = f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}"
            pages.append(urljoin(page_url, name))
    return pages


def page_links(html: str, page_url: str, origin: str, max_pages: int) -> Links:
    """Sort the in-site links of a page into articles, pagination and other sections.

    ``page_url`` is the URL the page was fetched from; ``origin`` is where the crawl runs
    (the live site or a mirror). Links to any spelling of the site are rewritten onto
    ``origin``; links elsewhere, to non-HTML files or outside ``/www/english/`` are left out.
    A listing's pages from number ``max_pages`` on (``CQC_MAX_LISTING_PAGES``) are not in
    ``pagination``: the first of them is ``past_cap``.
    """
    hosts = urls.same_site_hosts(page_url) | urls.SITE_HOSTS
    candidates: list[tuple[str, etree._Element | None]] = list(anchors(html, page_url))
    candidates += [(url, None) for url in script_pages(html, page_url, max_pages)]

    found = Links()
    seen: set[str] = set()
    texts: dict[str, list[str]] = {}  # article -> the texts of its links
    folder = urls.listing_folder(page_url)
    for url, link in candidates:  # the text of article links only: a listing may link
        # every page of its listing from each (then pagination is most of the page's links)
        if urls.article_ref(url) is not None and urls.host_of(url) in hosts:
            target, bucket = urls.rehost(url, origin), found.articles
            if link is not None and (text := anchor_text(link)):
                texts.setdefault(target, []).append(text)
        elif urls.is_english_page(url, hosts):
            target = urls.listing_url(url, origin)
            paginates = urls.in_listing_folder(url, folder)
            bucket = found.pagination if paginates else found.sections
            if paginates and urls.listing_page_number(url) >= max_pages:
                found.past_cap = found.past_cap or target
                continue
        else:
            continue
        if target not in seen:
            seen.add(target)
            bucket.append(target)
    found.article_texts = _naming_texts(texts)
    return found


def anchors(html: str, page_url: str) -> list[tuple[str, etree._Element]]:
    """Every ``a[href]`` and ``area[href]`` of a page in document order, with its URL (against
    the page's ``<base href>``, if any); links no browser could follow left out.

    The page is read as HTML whatever it starts with (an XHTML page's ``<?xml?>``
    declaration made parsel read a listing as XML, whose namespaced links no selector
    found), into plain lxml elements: a listing can link hundreds of pages, and a parsel
    Selector for each link cost more than reading it."""
    root = create_root_node(html or "<html></html>", etree.HTMLParser)
    base_href = next((href for b in root.iter("base") if (href := b.get("href")) is not None), "")
    base = urls.join(page_url, base_href) or page_url
    return [
        (url, link)
        for link in root.iter("a", "area")
        if (href := link.get("href")) is not None and (url := urls.join(base, href))
    ]


def _naming_texts(texts: dict[str, list[str]]) -> dict[str, str]:
    """The longest text of each article's links, from those that name it alone when it has
    any: a text the page also gives to other articles ("Continue reading the full story",
    "详情") never beats the article's own title, however long. An article with no text of its
    own keeps its longest (one release listed twice by one title, or only generic links)."""
    targets: dict[str, set[str]] = {}
    for target, said in texts.items():
        for text in said:
            targets.setdefault(text, set()).add(target)
    naming = {}
    for target, said in texts.items():
        own = [text for text in said if len(targets[text]) == 1] or said
        naming[target] = max(own, key=len)
    return naming


_TEXTS = etree.XPath(".//text()", smart_strings=False)


def anchor_text(link: etree._Element) -> str:
    """What a link (of ``anchors``) says: an ``area``'s ``alt``, a link's text (``link_text``)."""
    if link.tag == "area":
        return link_text(link.get("alt") or "")
    return link_text(" ".join(_TEXTS(link)), link.get("title"))
