"""A page's bytes as text: the one decoding the crawl and ``reparse`` share.

Both read the bytes and the ``Content-Type`` the server sent (a ``RawResponse``), so a page
stored today and read again offline is decoded alike. The starting point is the charset a
Scrapy ``TextResponse`` would pick (``scrapy_decoding``; a test compares the two on every
fixture page and on random bytes, so a Scrapy upgrade that changes its rules shows). It is
computed here from the bytes, without a response: ``reparse`` then reads a snapshot without
rebuilding one (two ``Headers`` and a response for each page cost more than the decoding).
"""

from __future__ import annotations

import codecs

from scrapy.http import TextResponse
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

GB_FAMILY = frozenset({"gbk", "gb2312", "gb18030", "cp936"})


def scrapy_decoding(body: bytes, content_type: str) -> tuple[str, str]:
    """The charset and the text a Scrapy ``TextResponse`` gives these bytes: the byte-order
    mark, else the ``Content-Type`` charset, else the page's own declaration, each decoded as
    w3lib does; with none of them, Scrapy's own guess (a response is built for that rare
    case, so its rules stay Scrapy's)."""
    declared = (
        read_bom(body)[0]
        or http_content_type_encoding(content_type)
        or html_body_declared_encoding(body)
    )
    return _decoded(body, content_type, declared)


def _decoded(body: bytes, content_type: str, declared: str | None) -> tuple[str, str]:
    if declared is None:
        headers = {b"Content-Type": content_type.encode("latin-1")} if content_type else None
        response = TextResponse("http://localhost/", body=body, headers=headers)
        return response.encoding, response.text
    return declared, html_to_unicode(f"charset={declared}", body)[1]


def page_text(body: bytes, content_type: str) -> str | None:
    """The page's text, decoded by the charset that fits its bytes; None when no candidate
    decodes them without replacement characters (the page would be stored as garbage).

    Scrapy, like a browser, lets the Content-Type charset win over the page's ``<meta>``. But
    servers add a default charset to every page, and a GBK page sent as UTF-8 would be stored
    as mojibake. So when the two disagree, the one that decodes the bytes without an error
    wins; if both do, UTF-8 if either names it (valid UTF-8 is rarely an accident), else the
    page's own. A byte-order mark wins over both, as in Scrapy. When the declaration that
    wins does not fit, GB18030 is tried for a page of the GBK/GB2312 family.
    """
    said = http_content_type_encoding(content_type)
    written = html_body_declared_encoding(body)
    bom = read_bom(body)[0]
    if not said or not written or _same_codec(said, written) or bom:
        encoding, text = _decoded(body, content_type, bom or said or written)
        if "\ufffd" not in text or _decodes(body, encoding):
            return text
    else:
        fits = [name for name in (said, written) if _decodes(body, name)]
        if len(fits) == 2:
            fits = [name for name in fits if _same_codec(name, "utf-8")] or [written]
        if fits:
            return body.decode(_codec(fits[0]) or fits[0])
    if any(_codec(name or "") in GB_FAMILY for name in (said, written)) and _decodes(
        body, "gb18030"
    ):
        return body.decode("gb18030")
    return None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(resolve_encoding(name) or name).name
    except LookupError:
        return None


def _same_codec(a: str, b: str) -> bool:
    return _codec(a) == _codec(b)


def _decodes(body: bytes, encoding: str) -> bool:
    codec = _codec(encoding)
    if codec is None:
        return False
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
