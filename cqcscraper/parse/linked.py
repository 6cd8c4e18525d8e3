"""What an article page links: its images (lazy loaders and ``srcset`` read as a browser
does), its documents, the labels of its links to other pages (menus, sections: never a title),
and whether it links the site at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from cqcscraper.parse import media, urls
from cqcscraper.parse.blocks import Landmarks
from cqcscraper.parse.furniture import Furniture

# A link label longer than this is a headline, not a menu or section label.
MAX_LABEL_CHARS = 60


# Every article URL ends in its numeric id and .shtml; a link without that is no article link.
_ARTICLE_HINT = re.compile(r"\d\.shtml")


def link_labels(landmarks: Landmarks, base_url: str) -> Iterator[str]:
    """Texts of links (the page's ``<a href>``) to pages that are not articles: menus,
    breadcrumbs, section lists."""
    seen = set()
    for link in landmarks.links:
        text = " ".join(landmarks.text(link).split())
        if not text or len(text) > MAX_LABEL_CHARS or text in seen:
            continue
        href = (link.get("href") or "").strip()
        if _ARTICLE_HINT.search(href):  # perhaps an article link: resolve it to be sure
            target = urls.join(base_url, href)
            if target is None or urls.article_ref(target) is not None:
                continue
        if href:
            seen.add(text)
            yield text


_NOT_A_PAGE = ("#", "javascript:", "mailto:", "tel:", "data:")


def links_to_site(links: list[etree._Element], url: str) -> bool:
    """Whether any link (of the page's ``<a href>``) leads to another page of the site
    (``url``'s, or a relative link)."""
    hosts = urls.same_site_hosts(url)
    for link in links:
        href = (link.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_A_PAGE):
            continue
        target = urls.join(url, href)
        if target and urls.host_of(target) in hosts and target.split("#")[0] != url:
            return True
    return False


# Attributes where lazy-loading scripts keep an image's real address while ``src`` shows a
# placeholder (a spinner, a grey pixel); the first found wins. Any other ``data-`` attribute
# that holds an image's address counts too (a loader this list does not name).
_LAZY_SOURCES = (
    "data-original",
    "data-src",
    "data-lazy-src",
    "data-lazyload",
    "data-actualsrc",
    "data-echo",
    "data-url",
    "data-lazy",
)


_SRCSET_ITEM = re.compile(r"\s*(\S+)(?:\s+(\d+(?:\.\d+)?)([wx]))?\s*(?:,|$)")


def _largest_in_srcset(srcset: str) -> str | None:
    """The largest candidate of a ``srcset`` (by its ``w`` or ``x`` descriptor; none: 1x)."""
    best, size = None, -1.0
    for found in _SRCSET_ITEM.finditer(srcset):
        if found[1] and (value := float(found[2] or 1)) > size:
            best, size = found[1].rstrip(","), value
    return best


def _is_placeholder(img: etree._Element) -> bool:
    """A spacer or tracking pixel (declared 0 or 1 pixel wide or high), or a scripted copy
    of the image a ``<noscript>`` beside it holds."""
    for name in ("width", "height"):
        if (img.get(name) or "").strip() in ("0", "1", "0px", "1px"):
            return True
    following = img.getnext()
    return (
        following is not None
        and following.tag == "noscript"
        and next(following.iter("img"), None) is not None
        and not any(img.get(name) for name in _LAZY_SOURCES)
    )


def _image_source(img: etree._Element) -> str | None:
    """Where an ``<img>`` shows its image from: a lazy loader's attribute, else the largest
    ``srcset`` candidate, else ``src``; None for a placeholder."""
    if _is_placeholder(img):
        return None
    for name in _LAZY_SOURCES:
        if value := (img.get(name) or "").strip():
            return value
    for name, value in img.attrib.items():
        if name.startswith("data-") and "srcset" not in name:
            value = value.strip()
            if " " not in value and media.extension(value) in media.IMAGE_EXTENSIONS:
                return value
    for name in ("data-srcset", "srcset"):
        if largest := _largest_in_srcset(img.get(name) or ""):
            return largest
    return (img.get("src") or "").strip() or None


def images(container: etree._Element, base_url: str, furniture: Furniture) -> Iterator[str]:
    seen = set()
    for img in container.iter("img"):
        if furniture.holds(img):
            continue
        src = _image_source(img)
        if not src:
            continue
        url = urls.join(base_url, src)
        if url is None:
            continue
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen.add(url)
            yield url


def attachments(container: etree._Element, base_url: str) -> Iterator[tuple[str, str]]:
    """The body's links to documents, furniture or not: a list of attachments is a link list,
    but what it links is part of the release (a document is never navigation)."""
    seen = set()
    for link in container.iter("a"):
        href = (link.get("href") or "").strip()
        url = urls.join(base_url, href) if href else None
        if url is None or urlsplit(url).scheme not in ("http", "https"):
            continue
        url = url.split("#", 1)[0]
        text = " ".join("".join(link.itertext()).split()) or (link.get("title") or "").strip()
        if url not in seen and media.is_document_link(url, text):
            seen.add(url)
            yield url, text
