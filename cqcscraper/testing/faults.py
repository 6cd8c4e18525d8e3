"""The faults the mirror can serve (``FAULTS``: each kind and what it does), one chosen per URL
pattern (``Fault``, loadable from a JSON file), and the broken markup a careless CMS sends
(``break_markup``). docs/reliability.md lists what a crawl makes of each."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

FAULTS = {
    "status": "answer `status` (500, 502, 503, 429, ...) with `Retry-After: retry_after` if set",
    "slow": "wait `seconds` before answering as usual",
    "close_mid_body": "send half the page chunked, then close the connection",
    "short_body": "announce the whole page in Content-Length, send half, close",
    "oversize": "send the page followed by `size` bytes of padding",
    "redirect": "redirect (302) to `location`",
    "redirect_loop": "redirect (302) to the URL that was asked for",
    "empty": "answer 200 text/html with an empty body",
    "content_type": "send the page as `content_type`",
    "broken_markup": "send the page with its end tags removed and stray tags added",
    "charset": "send the page as `text/html; charset=<charset>`, whatever the page says",
    "cookie": "send the page with a `Set-Cookie` whose value grows by `size` bytes a request",
    "gzip_bomb": "send `size` bytes of zeros gzip-compressed (`Content-Encoding: gzip`)",
    "endless_pages": "answer any index_N page with a listing of one new article and a link to "
    "index_N+1 (with `size`: a createPageHTML script call claiming `size` pages instead)",
    "same_page": "answer with the saved file at `location` (a maintenance page, a login wall), "
    "as `content_type` when set",
    "header_flood": "send header lines without end (`size` bytes at most, `seconds` at most)",
    "cut_stream": "send the file compressed (`encoding`: gzip or deflate), its stream cut in "
    "half, with the Content-Length of what is sent (the framing whole)",
    "tag_flood": "send the page with `size` tiny tags (`<b>`) before its end",
}


@dataclass(frozen=True)
class Fault:
    """One fault: what to do to requests whose path matches ``path``."""

    path: str
    fault: str
    times: int | None = None  # only the first N requests of each matching path; None: all
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    size: int = 0
    location: str = ""
    content_type: str = ""
    charset: str = ""
    encoding: str = "gzip"

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; known: {', '.join(FAULTS)}")
        re.compile(self.path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> list[Fault]:
        """The faults listed in a JSON file."""
        names = {f.name for f in fields(cls)}
        faults = []
        for entry in json.loads(Path(path).read_text(encoding="utf-8")):
            if unknown := set(entry) - names:
                raise ValueError(f"unknown fault option(s) {sorted(unknown)} in {entry}")
            faults.append(cls(**entry))
        return faults


# End tags a browser does without; stray and mis-nested tags it ignores or mends.
_OPTIONAL_END_TAG = re.compile(rb"</(?:p|li|td|tr|th|font|span|body|html)\s*>", re.I)
_BODY_TAG = re.compile(rb"<body[^>]*>", re.I)
_STRAY = b"</b></i></em><b><i><font color=red></b></i> &bogus; 3 < 4 &"


def break_markup(page: bytes) -> bytes:
    """The page as a careless CMS might send it, which a browser still shows the same: optional
    end tags left out, stray and mis-nested tags, a bare ``<`` and ``&``, an unknown entity."""
    page = _OPTIONAL_END_TAG.sub(b"", page)
    return _BODY_TAG.sub(lambda m: m[0] + _STRAY, page, count=1)
