"""Whether a fetched page is the release its listing announced. Pure: the extracted page in,
a reason out.

A server answers 200 with pages that are no release: a "page not found" in the site's own
template, a maintenance notice, the site's disclaimer at a URL the CMS has not published yet,
a challenge or proxy page after a rate limit. No phrase tells them apart (every site words
them differently); what does is the evidence the crawl carried and the page's own structure:

- the listing's link text, when it is a title (several words, not a generic ``Read more``):
  a release shows its own title; a page that shows too few of the title's words is not the
  release the listing announced (``not_the_release``);
- the site's template: a page of the site links to other pages of the site; an answer that
  links to none of them is not the site's page at all (``interstitial``).

Both reasons are transient: the next runs fetch the article again (``validation.TRANSIENT``).
The third piece of evidence is the same text served at other article URLs of the run
(``SharedTexts``, which one run's pipeline keeps): a placeholder is shared by many URLs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from cqcscraper.parse import validation
from cqcscraper.parse.extract import RawArticle
from cqcscraper.parse.records import PressRelease
from cqcscraper.parse.text import clean_text
from cqcscraper.parse.titles import ELLIPSIS, is_title_text

# A title is shown when at least this share of its words is found on the page.
SHOWN_SHARE = 0.5
# A link text with fewer words than this says too little to be evidence of a title.
MIN_TITLE_WORDS = 3
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Words of three letters or more (shorter ones are mostly particles), numbers, runs of CJK.
_WORD = re.compile(rf"[^\W\d_{_CJK}]{{3,}}|\d+|[{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]")


def words(text: str) -> set[str]:
    """The words of ``text`` that say what it is about: letters (3 or more), numbers, and the
    character pairs of Chinese text (which has no spaces to split on)."""
    found: set[str] = set()
    for word in _WORD.findall(text.casefold()):
        if _CJK_RUN.match(word):
            found.update(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            found.add(word)
    return found


def title_words(listing_text: str | None, link_labels: tuple[str, ...] = ()) -> set[str]:
    """The words of a listing link text that is a title, or none: a generic link (``More>>``),
    one of the page's menu labels, or a text too short to name one release is no evidence.
    The last word of a text cut short (``...``) may be cut too, and is left out."""
    text = clean_text(listing_text)
    if not is_title_text(text, link_labels):
        return set()
    stem = ELLIPSIS.sub("", text)
    if stem != text and not text[len(stem)].isspace():  # cut inside a word: it may be cut
        stem = stem.rsplit(maxsplit=1)[0] if " " in stem else ""
    found = words(stem)
    return found if len(found) >= MIN_TITLE_WORDS else set()


def shown_words(raw: RawArticle, title: set[str]) -> set[str]:
    """The words of ``title`` that the page shows as its title or text. No word spans two of
    its texts, so they are read one by one (headings first), and no further than it takes
    to find the share of the title that shows it (``SHOWN_SHARE``): most pages show their
    title in a heading, and the body's words are then never split."""
    needed = SHOWN_SHARE * len(title)
    shown: set[str] = set()
    for text in (*raw.headings, raw.og_title or "", raw.html_title or "", *raw.paragraphs):
        shown |= title & words(text)
        if len(shown) >= needed:
            break
    return shown


def not_the_release(raw: RawArticle) -> tuple[str, str] | None:
    """``(reason, detail)`` when the page is not the release the listing announced (see the
    module's docstring), or None."""
    if not raw.site_links:
        return validation.INTERSTITIAL, (
            "the answer links to no other page of the site: not the site's page (a challenge, "
            "proxy or error page)"
        )
    title = title_words(raw.listing_text, raw.link_labels)
    if title:
        shown = shown_words(raw, title)
        if len(shown) < SHOWN_SHARE * len(title):
            return validation.NOT_THE_RELEASE, (
                f"the page does not show the title its listing gave it ({raw.listing_text!r}): "
                f"{len(shown)} of its {len(title)} words"
            )
    return None


class SharedTexts:
    """The body texts served at the article URLs of one run (by digest, with the first article
    that showed each, and whether its listing's title confirmed it). The same text at a second
    article, or the text of an archived release at a new article, is a ``placeholder`` unless
    that article's listing gave it a title, which the page shows (``not_the_release`` checked
    it): then the site published one release twice (``duplicate_of``). A first article that
    nothing confirmed is a placeholder too, found late: ``unconfirmed`` lists those, for the
    run to withdraw."""

    def __init__(self) -> None:
        self._first: dict[bytes, tuple[int, bool]] = {}  # bytes: a run keeps one per article
        self.unconfirmed: set[int] = set()

    def placeholder(
        self,
        record: PressRelease,
        listing_text: str | None,
        archived_as: Callable[[], int | None] = lambda: None,
    ) -> tuple[str, str] | None:
        """``(reason, detail)`` when ``record``'s text was served at another article of the
        run, or is the text of another release the archive holds (``archived_as``: its id,
        asked only when nothing confirms this page), and nothing confirms it is this one's."""
        digest = hashlib.sha256(record.body.encode()).digest()
        confirmed = bool(title_words(listing_text))
        first, first_confirmed = self._first.setdefault(digest, (record.id, confirmed))
        if confirmed:
            return None
        if first != record.id:
            if not first_confirmed:
                self.unconfirmed.add(first)
            return validation.PLACEHOLDER, placeholder_detail(
                f"served at article {first} in this run"
            )
        if (other := archived_as()) is not None:
            return validation.PLACEHOLDER, placeholder_detail(f"that of archived release {other}")
        return None


def placeholder_detail(where: str) -> str:
    return f"the same text was {where}, and no listing title says that this page is another release"
