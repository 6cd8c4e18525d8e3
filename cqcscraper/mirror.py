"""Serve a folder of saved pages at the site's own paths on 127.0.0.1.

``python -m cqcscraper.mirror fixtures/html --port 0`` serves the fixture site (port 0 picks
a free port, printed on the first line). A folder URL serves its ``index.shtml``, and pages go
out as ``text/html`` with no charset, as the live site does, so a page's own ``<meta>``
charset decides how it is read. Tests, ``make demo`` and the benchmarks crawl this server.

``delay`` slows the answer to every path that matches ``delay_paths`` (a regular expression),
so a test can stop a crawl part-way.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import re
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only: the mirror is never reachable from elsewhere
INDEX = "index.shtml"


class MirrorHandler(SimpleHTTPRequestHandler):
    """Static files from the mirror's folder, with the site's conventions."""

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
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        delay, pattern = self.server.delay  # type: ignore[attr-defined]
        if delay and pattern.search(self.path):
            time.sleep(delay)
        return super().send_head()

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


class Mirror:
    """The mirror server, run in a background thread: ``with Mirror(folder) as mirror: ...``.

    ``requests`` lists the path of every request served, in order, so a test can tell exactly
    what a crawl fetched.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        port: int = 0,
        *,
        quiet: bool = True,
        delay: float = 0.0,
        delay_paths: str = "",
    ):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"not a folder: {self.root}")
        handler = functools.partial(MirrorHandler, directory=str(self.root), quiet=quiet)
        self.server = ThreadingHTTPServer((HOST, port), handler)
        self.server.daemon_threads = True
        self.server.requests = self.requests = []  # type: ignore[attr-defined]
        self.server.delay = (delay, re.compile(delay_paths))  # type: ignore[attr-defined]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cqcscraper.mirror", description=__doc__)
    parser.add_argument("folder", help="folder laid out at the site's paths (fixtures/html)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    mirror = Mirror(args.folder, args.port, quiet=args.quiet)
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
