"""Read a document's text in a worker process, with a hard bound on its time and memory.

A hostile or merely odd PDF (one content stream that inflates to tens of megabytes, shared by
every page) can keep pypdf busy for minutes. Read in Scrapy's reactor thread, it would stop
every download and write meanwhile and make the run deaf to SIGTERM. So each document is read
by ``python -m cqcscraper.crawl.documents``: a child process that caps its own address space
(``RLIMIT_AS``) and is killed when it runs past its time, or as soon as the run is being
stopped (``Crawler.crawling`` turns False on SIGTERM/SIGINT). The reactor only waits on a pipe.

The outcome is ``(text, why_not)``: the text (None when the document has none), or, when the
reading hit a bound, None and why, which the archive keeps beside the file
(``media_files.text_error``). The file itself is kept byte for byte either way.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from collections.abc import Callable

from cqcscraper.parse.media import pdf_text

EXIT_MEMORY = 3  # the worker's exit code when the document needed more memory than allowed
POLL = 0.5  # seconds between looks at whether the run is being stopped


class Stopped(Exception):
    """The run was stopped while a document was read: nothing is known of its text."""


async def document_text(
    body: bytes, *, timeout: float, memory_mb: int, running: Callable[[], bool]
) -> tuple[str | None, str | None]:
    """The text of a PDF read in a bounded worker: ``(text, None)``, or ``(None, why)`` when a
    bound stopped the reading. Raises ``Stopped`` when ``running()`` turns False meanwhile."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        str(memory_mb),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    reading = asyncio.ensure_future(worker.communicate(body))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while not reading.done():
            if not running():
                raise Stopped("the run was stopped while a document was read")
            left = deadline - loop.time()
            if left <= 0:
                return None, f"not extracted: reading took longer than {timeout:g} s"
            await asyncio.wait({reading}, timeout=min(POLL, left))
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        if not reading.done():
            reading.cancel()
    out, _ = reading.result()
    if worker.returncode == EXIT_MEMORY:
        return None, f"not extracted: reading needed more than {memory_mb} MB"
    if worker.returncode != 0:
        return None, f"not extracted: the reader failed (exit {worker.returncode})"
    return out.decode("utf-8") or None, None


def main() -> int:
    """The worker: cap the address space, read a PDF on stdin, write its text on stdout."""
    limit = int(sys.argv[1]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    body = sys.stdin.buffer.read()
    try:
        text = pdf_text(body)
    except MemoryError:
        return EXIT_MEMORY
    sys.stdout.buffer.write((text or "").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
