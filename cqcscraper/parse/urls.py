"""URL rules of the CQC English site: which URLs are articles, their ids, canonical forms.

Pure functions of strings. The site answers at several spellings (http/https, with and without
``www.``); an article's number in its path is the site's own id and is the same under all of
them, so it is the archive's key and every article gets one canonical URL.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

SITE_ORIGIN = "https://www.cqc.com.cn"
SITE_HOSTS = frozenset({"www.cqc.com.cn", "cqc.com.cn"})
ENGLISH_ROOT = "/www/english/"
START_URL = SITE_ORIGIN + ENGLISH_ROOT

# An article id is a number of at most 19 digits (SQLite's integers end at 19): a path with a
# longer number is no article link, whatever it says.
ARTICLE_PATH = re.compile(r"^/www/english/c/(\d{4}-\d{2}-\d{2})/(\d{1,19})\.shtml$")
# The folder of articles holds no listing page: nothing under it is followed as a section.
ARTICLE_FOLDER = "/www/english/c/"
LISTING_INDEX = re.compile(r"^index(?:_(\d+))?\.s?html?$")
# Paths that can be an HTML page: a folder, or a file with an HTML extension (or none).
PAGE_EXTENSIONS = frozenset({"", ".shtml", ".html", ".htm"})


@dataclass(frozen=True)
class ArticleRef:
    """What an article URL tells by itself: its id and the date in its path."""

    id: int
    url_date: str | None  # ISO date, or None when the path holds an impossible date
    canonical_url: str


@functools.lru_cache(maxsize=4096)
def article_ref(url: str) -> ArticleRef | None:
    """The article an URL points at, or None when it is not an English article page. (Cached:
    a crawl asks of an article's URL about nine times, from its listing to its record.)"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    match = ARTICLE_PATH.match(parts.path)
    if not match:
        return None
    day, number = match.groups()
    try:
        url_date: str | None = dt.date.fromisoformat(day).isoformat()
    except ValueError:
        url_date = None
    article_id = int(number)  # a leading zero is the same article: the canonical URL has none
    return ArticleRef(
        article_id, url_date, f"{SITE_ORIGIN}{ARTICLE_FOLDER}{day}/{article_id}.shtml"
    )


def fetched_from(url: str, page_url: str) -> str:
    """Where to fetch a file that a page fetched from ``page_url`` links as ``url``: a link
    on the live site (any spelling), when the page came from elsewhere (a mirror), is fetched
    from where the page came; any other link as it is."""
    if host_of(url) in SITE_HOSTS and host_of(page_url) not in SITE_HOSTS:
        parts = urlsplit(url)
        return origin_of(page_url) + parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def join(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, as a URI (``as_uri``: every URL the archive keeps
    is one, as a browser would request it); None for a link no browser could follow (an
    unclosed IPv6 bracket, say): one odd link never stops a page from being read."""
    href = href.strip()
    return _plain_join(base, href) or _joined_by_urllib(base, href)


def _joined_by_urllib(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        urlsplit(url)
    except ValueError:
        return None
    return as_uri(url)


# A path of characters that a URI keeps as they are, with no empty, "." or ".." segment (and
# so nothing for urljoin to resolve but where it starts): most links of a page are such paths.
# No ";": urllib reads what follows one in the last segment as parameters.
_PLAIN_PATH = re.compile(r"(?!.*//)(?!(?:.*/)?\.\.?(?:/|$))[A-Za-z0-9_.~!$&'()*+,=@/-]*")
_PLAIN_BASE = re.compile(r"(https?://[A-Za-z0-9.-]+(?::[0-9]+)?)(/[^?#]*/)[^/?#]*(?:[?#].*)?")


def _plain_join(base: str, href: str) -> str | None:
    """What ``_joined_by_urllib`` gives, without urllib, when both are plain: an http(s) base
    whose folder is a plain path, and a non-empty plain ``href`` (a page's pagination, its
    sections, its articles). None when either is not."""
    if not href:
        return None
    found = _PLAIN_BASE.fullmatch(base)
    if found is None or not _PLAIN_PATH.fullmatch(href):
        return None
    origin, folder = found.groups()
    if not _PLAIN_PATH.fullmatch(folder):
        return None
    return origin + href if href.startswith("/") else origin + folder + href


def live_url(url: str, site: str | None) -> str:
    """The live site's URL of a response fetched from ``url`` by a crawl of ``site`` (an
    archive's ``site``): a mirror's page or file (``loopback``, or another origin) under the
    live site's origin, the path and query kept; anything else (the live site, a file on
    another host) as it is. Web-archive exports record a mirror crawl's pages under these
    URLs, as its files already are, so that a replayed page finds its images."""
    if site in (None, SITE_ORIGIN) or host_of(url) in SITE_HOSTS or site_of(url) != site:
        return url
    parts = urlsplit(url)
    return urlunsplit((*urlsplit(SITE_ORIGIN)[:2], parts.path or "/", parts.query, ""))


LOOPBACK = "loopback"


def site_of(url: str) -> str:
    """Which site a crawl from ``url`` archives: ``SITE_ORIGIN`` for every spelling of the
    live site, ``loopback`` for a mirror on this machine (its port changes from run to run),
    else the URL's origin."""
    host = host_of(url)
    if host in SITE_HOSTS:
        return SITE_ORIGIN
    if host in ("localhost", "::1") or host.startswith("127."):
        return LOOPBACK
    return origin_of(url)


def is_site_url(url: str) -> bool:
    """Whether ``url`` can start a crawl: http or https, with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an invalid port or IPv6 literal
        return False


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def same_site_hosts(start_url: str) -> frozenset[str]:
    """Hosts that serve the same site as the start URL (all spellings of the live site)."""
    host = host_of(start_url)
    return SITE_HOSTS if host in SITE_HOSTS else frozenset({host})


def rehost(url: str, origin: str) -> str:
    """The same path, query dropped, fragment dropped, served from ``origin``."""
    parts = urlsplit(url)
    base = urlsplit(origin)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", "", ""))


def listing_url(url: str, origin: str) -> str:
    """Canonical form of a listing page on ``origin``: ``/dir/index.shtml`` becomes ``/dir/``.

    Both spellings serve the same page, so one form keeps the duplicate filter effective.
    """
    url = rehost(url, origin)
    parts = urlsplit(url)
    if posixpath.basename(parts.path) == "index.shtml":
        return urlunsplit((parts.scheme, parts.netloc, posixpath.dirname(parts.path) + "/", "", ""))
    return url


def is_english_page(url: str, hosts: frozenset[str]) -> bool:
    """An http(s) URL of the English edition, on one of ``hosts``, that can be an HTML page."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or host_of(url) not in hosts:
        return False
    if not parts.path.startswith(ENGLISH_ROOT) or parts.path.startswith(ARTICLE_FOLDER):
        return False
    return posixpath.splitext(parts.path)[1].lower() in PAGE_EXTENSIONS


def listing_folder(page_url: str) -> str:
    """The folder of the listing a page belongs to: the path up to its last ``/``."""
    page_path = urlsplit(page_url).path
    return page_path if page_path.endswith("/") else posixpath.dirname(page_path) + "/"


def in_listing_folder(url: str, folder: str) -> bool:
    """True when ``url`` is a page of the listing in ``folder`` (``listing_folder``): the
    folder itself or an ``index_N`` page in it."""
    path = urlsplit(url).path
    if path == folder:
        return True
    return posixpath.dirname(path) + "/" == folder and bool(
        LISTING_INDEX.match(posixpath.basename(path))
    )


def listing_page_number(url: str) -> int:
    """Which page of its listing ``url`` is: 0 for the folder or ``index.shtml``, N for
    ``index_N.shtml``."""
    match = LISTING_INDEX.match(posixpath.basename(urlsplit(url).path))
    return int(match.group(1)) if match and match.group(1) else 0


# Characters a URI keeps as they are in each part (RFC 3986: unreserved, sub-delims, ":" "@",
# and "/" in a path, "?" in a query); "%" stays when it begins an escape.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def as_uri(url: str) -> str:
    """``url`` as a URI (RFC 3987 section 3.1): the host in IDNA form, and in the path, query
    and fragment every character outside ASCII (as UTF-8), every space and every ``%`` that
    begins no escape percent-encoded. A URI stays as it is; idempotent. Request lines and
    WARC headers take nothing else (``.../598487.图片1.jpg`` -> ``.../598487.%E5%9B%BE...``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc if parts.netloc.isascii() else _ascii_netloc(parts.netloc)
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _encoded(parts.path, _PATH_SAFE),
            _encoded(parts.query, _QUERY_SAFE),
            _encoded(parts.fragment, _QUERY_SAFE),
        )
    )


def _encoded(text: str, safe: str) -> str:
    return quote(_BARE_PERCENT.sub("%25", text), safe=safe)


def _ascii_netloc(netloc: str) -> str:
    """A host name of other scripts in IDNA form (``例子.中国`` -> ``xn--fsqu00a.xn--fiqs8s``)."""
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(host, safe="")
    return f"{quote(userinfo, safe=':%')}{at}{host}{colon}{port}"
