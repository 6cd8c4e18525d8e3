"""Which records may enter the archive, and the reasons the others are rejected.

A rejected page is never dropped silently (``crawl.rejects.Rejected``): it becomes a
``rejects`` row with one of these reasons (and a count in the run's stats under
``cqc/rejects/{reason}``).

Most reasons are permanent: the page is what it is, and an incremental run does not fetch it
again (``-a full=1`` does). ``TRANSIENT`` reasons (a timeout or a 5xx after the retries ran
out, a body cut short, an empty answer) say nothing about the page, so the next run tries the
article again.
"""

from __future__ import annotations

from cqcscraper.parse.records import PressRelease

NO_TITLE = "no_title"  # the page shows neither a title nor a body
NO_BODY = "no_body"  # nothing of the page is left as body text
NOT_AN_ARTICLE = "not_an_article"  # the article URL ended (after redirects) on another kind of page
NOT_HTML = "not_html"  # the article URL answered with something other than HTML
NOT_FOUND = "not_found"  # the article URL answered 404 or 410: the link is dead
FETCH_FAILED = "fetch_failed"  # could not be downloaded this time (timeout, 5xx, ...)
TRUNCATED = "truncated"  # the connection closed before the whole body arrived
EMPTY = "empty"  # the article URL answered 200 with an empty body
TOO_LARGE = "too_large"  # the body is larger than DOWNLOAD_MAXSIZE (once decompressed)
TOO_COMPLEX = "too_complex"  # more tags than a parse may take in bounded memory
OFF_SITE_REDIRECT = "off_site_redirect"  # redirected to another host, which is never requested
REDIRECT_LOOP = "redirect_loop"  # more redirects than REDIRECT_MAX_TIMES
ROBOTS_TXT = "robots_txt"  # robots.txt forbids fetching it
ROBOTS_UNREACHABLE = "robots_txt_unreachable"  # robots.txt could not be read: nothing fetched
UNDECODABLE = "undecodable"  # no charset decodes it without replacement characters
MOVED = "moved"  # redirected to another article, archived under that one's id (no failure)
SUSPECT_UPDATE = "suspect_update"  # a re-fetch that looks like the site's failure: not applied
# Of files (images, documents) alone:
OFF_SITE = "off_site"  # on another host than the site's: never fetched
NOT_A_DOCUMENT = "not_a_document"  # a link taken for a document answered with a web page
# a link to an image or a named document answered with something else (an error page): the
# server's failure, not the file's, so later runs try again
NOT_A_FILE = "not_a_file"
# Evidence that the answer is not the release (``parse.evidence``): the site's failure, for now
NOT_THE_RELEASE = "not_the_release"  # the page does not show the title its listing gave it
INTERSTITIAL = "interstitial"  # links to no page of the site: a challenge, proxy or error page
PLACEHOLDER = "placeholder"  # the same text served at other article URLs of the run
UNSTORABLE = "unstorable"  # the database refused one of its values (an id past its integers)

TRANSIENT = frozenset(
    {
        FETCH_FAILED,
        TRUNCATED,
        EMPTY,
        ROBOTS_UNREACHABLE,
        NOT_THE_RELEASE,
        INTERSTITIAL,
        PLACEHOLDER,
    }
)
# Refused on evidence the run had and a snapshot does not keep (other releases of the run, the
# archive as it was, the run's other pages): ``reparse`` never applies such a snapshot.
REFUSED_IN_CONTEXT = frozenset({SUSPECT_UPDATE, PLACEHOLDER})
# Final only when a second run sees it: a release linked before the CMS published it answers
# 404 for a while (a publish lag); a link still dead on a later run is dead.
FINAL_WHEN_SEEN_TWICE = frozenset({NOT_FOUND})
# Rows of ``rejects`` that record what became of an article, not a failure: not counted as
# rejects by the health verdict.
NOT_FAILURES = frozenset({MOVED})
GONE_STATUSES = frozenset({404, 410})


def reject_reason(record: PressRelease) -> str | None:
    """Why ``record`` may not be archived, or None when it may. A release with a body is
    archived even when no candidate gives it a title (``title`` NULL): the archive must not
    drop a release it fetched intact."""
    if not record.body:
        return NO_BODY if record.title else NO_TITLE
    return None
