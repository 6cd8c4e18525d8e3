"""Text as a reader sees it: one rule, ``clean_text``, applied to every field."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


# Control characters (C0 but for whitespace, DEL, C1) and bidirectional overrides, isolates and
# marks: never text a reader sees, and a terminal or an editor may act on them.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_HIDDEN = re.compile(f"{CONTROL.pattern}|{_INVISIBLE.pattern}")


def clean_text(text: str | None) -> str:
    """Invisible, control and bidirectional control characters removed; NFC; every run of
    whitespace (no-break too) one space. Text that looks like markup is what the page shows
    (``&lt;Implementation Rules&gt;``, the ASCII form of the book-title marks 《》 that
    releases cite regulations with): it is kept; whatever shows the archive escapes it.

    The whitespace goes first (``str.split`` splits on exactly what ``\\s`` matches): what is
    left is printable unless it holds a character to remove (or another no reader sees), so the
    search for them runs only then. NEL, the one control character ``str.split`` takes for
    whitespace, is removed before. The characters go before NFC, so that marks they stood
    between compose (the rule is idempotent)."""
    if not text:
        return ""
    if "\x85" in text:
        text = text.replace("\x85", "")
    text = " ".join(text.split())
    if not text.isprintable() and _HIDDEN.search(text):
        text = " ".join(_HIDDEN.sub("", text).split())
    if not text.isascii():  # ASCII is NFC already
        text = unicodedata.normalize("NFC", text)
    return text


def same_text(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()
