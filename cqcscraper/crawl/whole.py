"""``WholeBodyMiddleware``: a compressed body is whole or refused.

A server (or a proxy) that stops a gzip, deflate or brotli stream early while the HTTP framing
stays intact (the ``Content-Length`` of what was sent, or a clean last chunk) sends a response
that Scrapy decompresses without a word: its decompression keeps what it could read. The page
would be archived as the whole release, and on a refresh replace the archived full text with its
first half. So before Scrapy's ``HttpCompressionMiddleware`` sees a response, this one checks
that its stream reaches its end marker (``stream_is_whole``: gzip, deflate, brotli, zstd; the
output is thrown away, read in bounded chunks). A cut stream is retried like any passing fault
(Scrapy's public ``get_retry_request``); when the retries are spent it fails as
``ResponseDataLossError``, which the crawl records as ``truncated``: transient, so the next run
fetches it again, and never stored as content.
"""

from __future__ import annotations

import logging
import zlib

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Response

logger = logging.getLogger(__name__)

CHUNK = 1 << 20  # decompressed bytes read at a time while checking (memory stays bounded)


def _zlib_is_whole(body: bytes, wbits: int) -> bool:
    """Whether every member of a zlib/gzip stream reaches its end (trailing bytes after the
    last member's end are ignored, as decoders do)."""
    data = body
    while True:
        stream = zlib.decompressobj(wbits)
        pending = data
        try:
            stream.decompress(pending, CHUNK)
            while stream.unconsumed_tail and not stream.eof:
                stream.decompress(stream.unconsumed_tail, CHUNK)
        except zlib.error:
            return False
        if not stream.eof:
            return False
        data = stream.unused_data
        if not (wbits > zlib.MAX_WBITS and data[:2] == b"\x1f\x8b"):  # no further gzip member
            return True


def _brotli_is_whole(body: bytes) -> bool:
    """Read as Scrapy reads brotli: with Google's bindings, in bounded chunks. (Where another
    module takes the name, such as brotlipy, which pywb brings, Scrapy cannot decode brotli
    either, and the response fails there.)"""
    try:
        import brotli
    except ImportError:
        return True
    stream = brotli.Decompressor()
    if not hasattr(stream, "is_finished"):
        return True
    try:
        stream.process(body, output_buffer_limit=CHUNK)
        while not stream.is_finished() and stream.process(b"", output_buffer_limit=CHUNK):
            pass
    except brotli.error:
        return False
    return stream.is_finished()


def _zstd_is_whole(body: bytes) -> bool:
    try:
        from backports import zstd  # what Scrapy reads zstd with before Python 3.14
    except ImportError:
        return True
    stream = zstd.ZstdDecompressor()
    try:
        stream.decompress(body, CHUNK)
        while not stream.eof and not stream.needs_input:
            stream.decompress(b"", CHUNK)
    except zstd.ZstdError:
        return False
    return stream.eof


def stream_is_whole(body: bytes, encoding: str) -> bool:
    """Whether a body in ``Content-Encoding`` ``encoding`` reaches its stream's end; an
    encoding this does not know is taken as whole (Scrapy passes it on undecoded)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _zlib_is_whole(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send it
        return _zlib_is_whole(body, zlib.MAX_WBITS) or _zlib_is_whole(body, -zlib.MAX_WBITS)
    if encoding == "br":
        return _brotli_is_whole(body)
    if encoding == "zstd":
        return _zstd_is_whole(body)
    return True


class WholeBodyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WholeBodyMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        encodings = response.headers.getlist(b"Content-Encoding")
        if not encodings or not response.body or request.method == "HEAD":
            return response
        # the last encoding applied is undone first
        for encoding in reversed(b",".join(encodings).decode("latin-1").split(",")):
            if not stream_is_whole(response.body, encoding):
                break
            if encoding.strip().lower() not in ("identity", ""):
                return response  # the outer stream is whole: what it holds is the server's
        else:
            return response
        reason = f"{encoding.strip()} stream cut short"
        self.crawler.stats.inc_value("cqc/truncated_streams")
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason=reason)
        if retry is not None:
            return retry
        raise ResponseDataLossError(
            f"the {encoding.strip()} stream of {len(response.body)} bytes ends before its end "
            "marker (the connection's framing was whole): a body cut short"
        )
