"""Text as a reader sees it: one rule, ``clean_text``, applied to every field."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


# Control characters (C0 but for whitespace, DEL, C1) and bidirectional overrides, isolates and
# marks: never text a reader sees, and a terminal or an editor may act on them.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str | None) -> str:
    """NFC; invisible, control and bidirectional control characters removed; every run of
    whitespace (no-break too) one space. Text that looks like markup is what the page shows
    (``&lt;Implementation Rules&gt;``, the ASCII form of the book-title marks 《》 that
    releases cite regulations with): it is kept; whatever shows the archive escapes it."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():  # no control or invisible character, no NFC
        return " ".join(text.split())
    if CONTROL.search(text):
        text = CONTROL.sub("", text)
    if not text.isascii():  # ASCII is NFC already and holds no invisible character
        text = unicodedata.normalize("NFC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    return " ".join(text.split())  # str.split() splits on exactly what \s matches


def same_text(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()
