"""Pure rules of the reading room's pages: paragraphs, marked snippets, differences between
versions, safe links, and Atom feeds. Every function takes text as the archive holds it and
returns escaped HTML (``markupsafe.Markup``) or plain values: nothing from the archive reaches
a page as markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree

from markupsafe import Markup, escape

ATOM = "http://www.w3.org/2005/Atom"
# The canned search marks the words it found with [ and ] (FTS5's snippet()).
_MARKED = re.compile(r"\[([^\[\]]{1,200})\]")
_WORDS = re.compile(r"\S+|\s+")


def paragraphs(body: str | None) -> list[str]:
    """A body's paragraphs (the archive separates them by a blank line)."""
    return [part.strip() for part in re.split(r"\n\s*\n", body or "") if part.strip()]


def first_paragraph(body: str | None, limit: int = 600) -> str:
    found = paragraphs(body)
    text = found[0] if found else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def marked(snippet: str | None) -> Markup:
    """A search snippet with the words FTS5 marked ``[like this]`` in ``<mark>``."""
    text = str(escape(snippet or ""))
    return Markup(_MARKED.sub(r"<mark>\1</mark>", text))


def plain_search(value: str) -> str | None:
    """A table search box's text as plain words and phrases, which FTS5 reads without a syntax
    error once Datasette quotes each word: quotes dropped when unbalanced, empty phrases
    dropped; None when no word is left (the search is then left out)."""
    value = value.replace("\x00", " ")  # FTS5 reads a NUL as the end of the query
    if value.count('"') % 2:
        value = value.replace('"', " ")
    value = value.replace('""', " ")
    return value if any(ch.isalnum() for ch in value) else None


def web_link(url: str | None) -> str | None:
    """``url`` when a browser may follow it from the reading room (http or https), else None:
    a ``javascript:`` or ``data:`` URL the site held is shown as text, never linked."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def shortened(text: str, limit: int = 300) -> str:
    """Long text in a list: its start, then an ellipsis."""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def word_diff(before: str | None, after: str | None) -> Markup:
    """What changed from ``before`` to ``after``, word by word: removed words in ``<del>``,
    added ones in ``<ins>``, paragraphs kept; the whole text, escaped."""
    old, new = _WORDS.findall(before or ""), _WORDS.findall(after or "")
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            out.append(_escaped_text("".join(new[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{_escaped_text(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{_escaped_text(''.join(new[j1:j2]))}</ins>")
    return Markup("".join(out))


def _escaped_text(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


@dataclass
class Entry:
    """One release in a feed."""

    id: int
    title: str
    link: str  # the release page in the reading room
    original: str | None  # the release on the live site
    published: str | None  # YYYY-MM-DD
    updated: str  # ISO timestamp (UTC)
    summary: str


def atom_feed(title: str, feed_id: str, self_link: str, entries: Iterable[Entry]) -> bytes:
    """An Atom 1.0 document (RFC 4287) of ``entries``; text escaped by the XML writer."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    entries = list(entries)
    _text(feed, "title", title)
    _text(feed, "id", feed_id)
    _text(feed, "updated", max((e.updated for e in entries), default="1970-01-01T00:00:00Z"))
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_link)
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "cqcscraper")
    for entry in entries:
        item = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "title", entry.title)
        _text(item, "id", entry.link)
        ElementTree.SubElement(item, f"{{{ATOM}}}link", rel="alternate", href=entry.link)
        if entry.original:
            ElementTree.SubElement(item, f"{{{ATOM}}}link", rel="via", href=entry.original)
        if entry.published:
            _text(item, "published", f"{entry.published}T00:00:00Z")
        _text(item, "updated", entry.updated)
        _text(item, "summary", entry.summary)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ElementTree.Element, name: str, value: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{name}").text = _xml_safe(value)


def _xml_safe(text: str) -> str:
    """XML 1.0 takes no control characters but tab and newlines: a feed with one would not
    parse, so they go."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
