"""Serve a folder of saved pages at the site's own paths on 127.0.0.1, optionally with faults.

``python -m cqcscraper.mirror fixtures/html --port 0`` serves the fixture site (port 0 picks
a free port, printed on the first line). A folder URL serves its ``index.shtml``, and pages go
out as ``text/html`` with no charset, as the live site does, so a page's own ``<meta>``
charset decides how it is read. Tests, ``make demo`` and the benchmarks crawl this server.

Faults are chosen per URL pattern (``--faults FILE.json``: a list of ``Fault`` objects, such as
``[{"path": "/c/2020-", "fault": "status", "status": 503, "times": 2}]``). Each request is
answered by the first fault whose ``path`` regular expression matches and whose ``times``
(per path) are not used up; other requests get the file as saved. ``FAULTS`` lists the kinds.
"""

from __future__ import annotations

import argparse
import email.utils
import errno
import functools
import gzip
import hashlib
import io
import logging
import os
import re
import socket
import sys
import threading
import time
import zlib
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from cqcscraper.testing.faults import FAULTS, Fault, break_markup

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only: the mirror is never reachable from elsewhere
INDEX = "index.shtml"


def _timestamp(http_date: str | None) -> float | None:
    """An HTTP date as a POSIX timestamp; None when absent or not a date."""
    try:
        return email.utils.parsedate_to_datetime(http_date or "").timestamp()
    except (TypeError, ValueError):
        return None


class MirrorHandler(SimpleHTTPRequestHandler):
    """Static files from the mirror's folder, with the site's conventions and the faults."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".shtml": "text/html",
        ".html": "text/html",
        ".htm": "text/html",
        ".txt": "text/plain",
    }

    def __init__(self, *args: Any, quiet: bool = False, **kwargs: Any) -> None:
        self.quiet = quiet
        super().__init__(*args, **kwargs)

    def send_head(self):  # type: ignore[no-untyped-def]  # (typeshed: BinaryIO | None)
        fault = self.server.fault_for(self.path, self.headers)  # type: ignore[attr-defined]
        if fault is None:
            return self._static()
        if fault.fault == "slow":
            time.sleep(fault.seconds)
            return self._static()
        return getattr(self, f"_{fault.fault}")(fault)

    def _static(self) -> io.BytesIO | None:
        """The saved file, with the validators a well-kept server sends (``ETag`` from its
        content, ``Last-Modified`` from its time), answering ``304 Not Modified`` with no body
        to a request whose ``If-None-Match`` (or, without one, ``If-Modified-Since``) says the
        client has it already."""
        local = self.translate_path(self.path)
        if not os.path.isfile(local):
            return super().send_head()  # 404, or a folder's redirect
        body = Path(local).read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = email.utils.formatdate(int(os.path.getmtime(local)), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        asked = self.headers.get("If-None-Match")
        since = _timestamp(self.headers.get("If-Modified-Since"))
        unmodified = since is not None and int(os.path.getmtime(local)) <= since
        if (asked is not None and etag in asked) or (asked is None and unmodified):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return None
        return self._send(200, body, self.guess_type(local), **validators)

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.responses.append((self.path, code))  # type: ignore[attr-defined]
        super().send_response(code, message)

    # -- one method per fault: each sends the head and returns the body still to send -------

    def _cookie(self, fault: Fault) -> io.BytesIO | None:
        grown = "x" * (fault.size * len(self.server.requests))  # type: ignore[attr-defined]
        page = self._read()
        if page is None:
            return None
        return self._send(200, page, Set_Cookie=f"session={grown}; Path=/")

    def _gzip_bomb(self, fault: Fault) -> io.BytesIO:
        body = gzip.compress(b"\0" * fault.size)
        return self._send(200, body, Content_Encoding="gzip")

    def _endless_pages(self, fault: Fault) -> io.BytesIO:
        match = re.search(r"index(?:_(\d+))?\.shtml$", self.path)
        number = int(match[1] or 0) if match else 0
        article = f"/www/english/c/2024-01-01/{800000 + number}.shtml"
        following = (
            f'<script>createPageHTML({fault.size}, {number}, "index", "shtml");</script>'
            if fault.size
            else f'<a href="index_{number + 1}.shtml">Next</a>'
        )
        page = (
            f'<html><body><ul><li><a href="{article}">Release {number}</a></li></ul>'
            f"{following}</body></html>"
        )
        return self._send(200, page.encode())

    def _tag_flood(self, fault: Fault) -> io.BytesIO | None:
        return self._page(lambda page: page.replace(b"</body>", b"<b>" * fault.size + b"</body>"))

    def _same_page(self, fault: Fault) -> io.BytesIO | None:
        self.path = fault.location
        return self._page(lambda page: page, content_type=fault.content_type or "text/html")

    def _cut_stream(self, fault: Fault) -> io.BytesIO | None:
        page = self._read()
        if page is None:
            return None
        whole = gzip.compress(page) if fault.encoding == "gzip" else zlib.compress(page)
        cut = whole[: len(whole) // 2]
        return self._send(200, cut, self.guess_type(self.path), Content_Encoding=fault.encoding)

    def _header_flood(self, fault: Fault) -> None:
        """A status line, then one short header line after another and never a blank line,
        until the client hangs up or ``size`` bytes or ``seconds`` are spent."""
        self.send_response(200)
        self.flush_headers()
        line, sent = b"X-Flood: " + b"f" * 40 + b"\r\n", 0
        deadline = time.monotonic() + (fault.seconds or 60)
        try:
            while sent < fault.size and time.monotonic() < deadline:
                self.wfile.write(line * 1000)
                sent += len(line) * 1000
        except OSError:  # the client hung up: the flood worked or was cut
            pass
        self.close_connection = True
        return None

    def _status(self, fault: Fault) -> io.BytesIO:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        return self._send(fault.status, b"<html><body>Try again later</body></html>", **headers)

    def _redirect(self, fault: Fault) -> io.BytesIO:
        return self._send(302, b"", Location=fault.location)

    def _redirect_loop(self, fault: Fault) -> io.BytesIO:
        return self._send(302, b"", Location=self.path)

    def _empty(self, fault: Fault) -> io.BytesIO:
        return self._send(200, b"")

    def _content_type(self, fault: Fault) -> io.BytesIO | None:
        return self._page(lambda page: page, content_type=fault.content_type)

    def _charset(self, fault: Fault) -> io.BytesIO | None:
        return self._page(lambda page: page, content_type=f"text/html; charset={fault.charset}")

    def _broken_markup(self, fault: Fault) -> io.BytesIO | None:
        return self._page(break_markup)

    def _oversize(self, fault: Fault) -> io.BytesIO | None:
        return self._page(lambda page: page + b"<!--" + b"x" * fault.size + b"-->")

    def _short_body(self, fault: Fault) -> io.BytesIO | None:
        page = self._read()
        if page is None:
            return None
        self.close_connection = True
        self._head(200, len(page))
        return io.BytesIO(page[: len(page) // 2])

    def _close_mid_body(self, fault: Fault) -> None:
        page = self._read()
        if page is None:
            return None
        self.protocol_version = "HTTP/1.1"  # chunked transfer needs it
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        half = page[: len(page) // 2]
        self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))  # ... and no last chunk
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
        return None

    # -- helpers ------------------------------------------------------------------------------

    def _read(self) -> bytes | None:
        """The saved file of this path, or None after sending 404."""
        local = self.translate_path(self.path)
        if not os.path.isfile(local):
            self.send_error(404, "File not found")
            return None
        return Path(local).read_bytes()

    def _page(self, change: Any, content_type: str = "text/html") -> io.BytesIO | None:
        page = self._read()
        return None if page is None else self._send(200, change(page), content_type)

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html", **headers: str
    ) -> io.BytesIO:
        self._head(status, len(body), content_type, **headers)
        self.server.sent[self.path] += len(body)  # type: ignore[attr-defined]
        return io.BytesIO(body)

    def _head(
        self, status: int, length: int, content_type: str = "text/html", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name if "-" in name else name.replace("_", "-"), value)
        self.end_headers()

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        index = os.path.join(local, INDEX)
        if path.split("?", 1)[0].endswith("/") and os.path.isfile(index):
            return index
        return local

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "No index page here")
        return None

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


class MirrorServer(ThreadingHTTPServer):
    """Keeps the log of requests and the count of faults applied, for all handler threads."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, faults: list[Fault]) -> None:
        super().__init__(address, handler)
        self.faults = [(fault, re.compile(fault.path)) for fault in faults]
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, beside ``requests``
        self.times: list[float] = []  # time.monotonic() of each request, beside ``requests``
        self.applied: Counter[tuple[int, str]] = Counter()
        self.responses: list[tuple[str, int]] = []  # (path, status) of each response sent
        self.sent: Counter[str] = Counter()  # body bytes sent, by path
        self._lock = threading.Lock()

    def fault_for(self, path: str, headers: Any = None) -> Fault | None:
        """Log the request; the fault to apply to it, if any (counted)."""
        with self._lock:
            self.requests.append(path)
            self.headers.append(dict(headers or {}))
            self.times.append(time.monotonic())
            for number, (fault, pattern) in enumerate(self.faults):
                if pattern.search(path) and (
                    fault.times is None or self.applied[number, path] < fault.times
                ):
                    self.applied[number, path] += 1
                    return fault
        return None


class Mirror:
    """The mirror server, run in a background thread: ``with Mirror(folder) as mirror: ...``.

    ``requests`` lists the path of every request served, in order, so a test can tell exactly
    what a crawl fetched (``responses`` each path's status, ``sent`` the body bytes sent),
    and ``times`` when (``time.monotonic()``). ``delay`` and
    ``delay_paths`` are short for a ``slow`` fault.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        port: int = 0,
        *,
        quiet: bool = True,
        delay: float = 0.0,
        delay_paths: str = "",
        faults: list[Fault] | tuple[Fault, ...] = (),
    ):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"not a folder: {self.root}")
        faults = list(faults)
        if delay:
            faults.append(Fault(delay_paths, "slow", seconds=delay))
        handler = functools.partial(MirrorHandler, directory=str(self.root), quiet=quiet)
        self.server = MirrorServer((HOST, port), handler, faults)
        self.requests = self.server.requests
        self.responses = self.server.responses  # (path, status) of each response
        self.sent = self.server.sent  # body bytes sent, by path
        self.headers = self.server.headers
        self.times = self.server.times
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> Mirror:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _why(error: Exception, port: int) -> str:
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return f"port {port} on 127.0.0.1 is in use: give another (--port 0 picks a free one)"
    if isinstance(error, NotADirectoryError | FileNotFoundError):
        return f"{error}: give the folder of a saved site (fixtures/html)"
    return str(error)


def main(argv: list[str] | None = None) -> int:
    kinds = "\n".join(f"  {name}: {what}" for name, what in FAULTS.items())
    parser = argparse.ArgumentParser(
        prog="python -m cqcscraper.mirror",
        description=__doc__,
        epilog=f"fault kinds:\n{kinds}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", help="folder laid out at the site's paths (fixtures/html)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--faults", metavar="FILE.json", help="faults to inject (see above)")
    args = parser.parse_args(argv)
    try:
        faults = Fault.load(args.faults) if args.faults else []
        mirror = Mirror(args.folder, args.port, quiet=args.quiet, faults=faults)
    except (OSError, ValueError) as error:  # a busy port, a missing folder, a bad faults file
        parser.exit(2, f"{parser.prog}: error: {_why(error, args.port)}\n")
    sys.stdout.write(f"Serving {mirror.root} at {mirror.url}/ (port {mirror.port})\n")
    sys.stdout.flush()
    try:
        mirror.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        mirror.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
