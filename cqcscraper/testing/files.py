"""Files made by code for the fixture sites and the tests: PNG images, a JPEG that differs
from another by a comment, and PDFs with text, among them one that is slow to read on purpose
(one content stream that inflates to megabytes, shared by every page: what made a crawl stall
for minutes before documents were read in a bounded worker, ``crawl.documents``)."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A plain PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def jpeg_with_comment(jpeg: bytes, comment: str) -> bytes:
    """The same picture as ``jpeg``, with a comment segment: other bytes, the same image."""
    text = comment.encode("utf-8")
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def pdf(text: str, pages: int = 1, filler: int = 0) -> bytes:
    """A PDF of ``pages`` pages that all show one content stream: ``text``, then ``filler``
    operators that draw nothing. Many fillers make a small file that is slow to read (about
    4 s a page for 100,000 of them here) and needs memory (about 230 MB for a million)."""
    draw = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET\n".encode("latin-1")
    content = zlib.compress(draw + b"1 0 0 1 0 0 cm\n" * filler, 9)
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    font = 4 + pages
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        *(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
            for _ in range(pages)
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def slow_pdf() -> bytes:
    """A PDF of a few KB whose text takes minutes to read: 50 pages sharing one stream that
    inflates to 1.5 MB of operators."""
    return pdf("lyocell", pages=50, filler=100_000)


def heavy_pdf() -> bytes:
    """A PDF of 30 KB whose reading needs over 200 MB: one page of a million operators."""
    return pdf("lyocell", filler=1_000_000)
