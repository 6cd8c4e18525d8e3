"""Fixity and the WARC export on an archive written in-process (no crawl): ``verify`` finds
every kind of damage, the export's records agree with what is stored, and the commands' usage
mistakes are one line and exit 2 (docs/archive-format.md)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from conftest import release
from cqcscraper.cli import main
from cqcscraper.parse import urls
from cqcscraper.parse.media import IMAGE, MediaLink, is_document_link, pdf_text
from cqcscraper.parse.records import (
    ArticlePage,
    FileFailed,
    ParsedPage,
    RawResponse,
    ReleaseMedia,
    StoredFile,
)
from cqcscraper.store.archive import Archive
from cqcscraper.store.fixity import verify
from cqcscraper.store.media import conditional_headers, media_path, write_file
from cqcscraper.store.warc import check_warc, write_warc

PAGE = b"<html><head><title>T</title></head><body><p>Photovoltaic modules.</p></body></html>"
PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to keep"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An archive of one release with its page, one stored photo and one failed file."""
    db, media = tmp_path / "cqc.db", tmp_path / "media"
    record = release(1)
    headers = {"Content-Type": ["text/html"], "Content-Encoding": ["gzip"], "ETag": ['"a"']}
    raw = RawResponse(record.url, 200, headers, PAGE)
    page = ArticlePage(record.url, 200, "2026-01-01T00:00:00Z", html=PAGE.decode(), raw=raw)
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    write_file(media, media_path(sha256, "jpg"), PHOTO)
    photo = StoredFile(
        "https://www.cqc.com.cn/a.jpg",
        sha256,
        len(PHOTO),
        "image/jpeg",
        200,
        {"Content-Type": ["image/jpeg"]},
        media_path(sha256, "jpg"),
        "2026-01-01T00:00:01Z",
    )
    failed = FileFailed(
        "https://www.cqc.com.cn/b.jpg", "fetch_failed", "HTTP 503", "2026-01-01T00:00:02Z", 503
    )
    links = (
        MediaLink(photo.url, IMAGE, 0),
        MediaLink(failed.url, IMAGE, 1),
    )
    with Archive(db) as opened:
        opened.store_batch([ParsedPage(page, record, ReleaseMedia(1, links, (photo, failed)))])
        assert opened.held_file(photo.url).sha256 == sha256
        assert [m.links for m in opened.pending_media()] == [(links[1],)]
    return db


def test_verify_passes_on_an_intact_archive(archive: Path) -> None:
    with Archive(archive, read_only=True) as opened:
        report = verify(opened, archive.with_name("media"))
    assert report.ok
    assert str(report) == "checked 1 page snapshots and 1 media files: ok"


def test_verify_lists_each_damaged_page_and_file(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(archive) as connection:  # a flipped bit in the compressed body
        (body,) = connection.execute("SELECT body FROM snapshots").fetchone()
        damaged = bytearray(body)
        damaged[len(damaged) // 2] ^= 0x10
        connection.execute("UPDATE snapshots SET body = ?", [bytes(damaged)])
    (photo,) = archive.with_name("media").rglob("*.jpg")
    photo.write_bytes(PHOTO[:5])
    assert main(["verify", "--db", str(archive)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "checked 1 page snapshots and 1 media files: 2 problems"
    assert out[1].startswith("  snapshot 1 (https://www.cqc.com.cn/")
    assert str(photo) in out[2]
    assert "of 5 bytes" in out[2]
    assert out[3].startswith(
        "to fetch again what the site still serves: scrapy crawl press -a full=1"
    )
    photo.unlink()
    assert main(["verify", "--db", str(archive)]) == 1
    assert capsys.readouterr().out.splitlines()[2].endswith("missing")


def test_warc_records_hold_the_stored_bytes_with_consistent_headers(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.warc.gz"
    with Archive(archive, read_only=True) as opened:
        report = write_warc(opened, archive.with_name("media"), out, description="unit test")
    assert (report.pages, report.files, report.releases) == (1, 1, 1)
    records = list(ArchiveIterator(io.BytesIO(out.read_bytes())))
    kinds = [r.rec_type for r in records]
    assert kinds == ["warcinfo", "response", "request", "metadata", "response", "request"]
    page, photo = (r for r in records if r.rec_type == "response")
    assert page.http_headers.get_header("Content-Encoding") is None  # stored decoded
    assert page.http_headers.get_header("ETag") == '"a"'
    assert page.http_headers.get_header("Content-Length") == str(len(PAGE))
    assert page.rec_headers.get_header("WARC-Date") == "2026-01-01T00:00:00Z"
    assert photo.rec_headers.get_header("WARC-Target-URI") == "https://www.cqc.com.cn/a.jpg"
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    ("name", "uri"),
    [
        # an image named in Chinese, as the site's editors name them
        ("img/598487.图片1.jpg", "img/598487.%E5%9B%BE%E7%89%871.jpg"),
        # a space, a bare %, a query in Chinese
        (
            "files/Annual Report 100%.pdf?name=年报&v=1",
            "files/Annual%20Report%20100%25.pdf?name=%E5%B9%B4%E6%8A%A5&v=1",
        ),
    ],
)
def test_a_file_named_in_any_script_is_written_to_the_warc_as_a_uri(
    tmp_path: Path, name: str, uri: str
) -> None:
    """A WARC's request line and WARC-Target-URI take URIs only (RFC 3986): a file URL kept as
    an IRI is written percent-encoded (RFC 3987), and the WARC reads back whole (warcio
    crashed with a UnicodeEncodeError and wrote nothing)."""
    db, media = tmp_path / "cqc.db", tmp_path / "media"
    record = release(1)
    raw = RawResponse(record.url, 200, {"Content-Type": ["text/html"]}, PAGE)
    page = ArticlePage(record.url, 200, "2026-01-01T00:00:00Z", html=PAGE.decode(), raw=raw)
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    write_file(media, media_path(sha256, "jpg"), PHOTO)
    base = "https://www.cqc.com.cn/www/english/c/2024-09-10/"
    photo = StoredFile(
        base + name, sha256, len(PHOTO), "image/jpeg", 200, {}, media_path(sha256, "jpg"),
        "2026-01-01T00:00:01Z",
    )  # fmt: skip
    with Archive(db) as opened:
        links = (MediaLink(photo.url, IMAGE, 0),)
        opened.store_batch([ParsedPage(page, record, ReleaseMedia(1, links, (photo,)))])
    out = tmp_path / "x.warc.gz"
    assert main(["warc", "--db", str(db), "-o", str(out)]) == 0
    records = list(ArchiveIterator(io.BytesIO(out.read_bytes())))
    targets = [
        r.rec_headers.get_header("WARC-Target-URI")
        for r in records
        if r.rec_type in ("request", "response")
    ]
    file_uris = [target for target in targets if "2024-09-10/" in target]
    assert file_uris == [base + uri] * 2
    (request,) = [
        r for r in records if r.rec_type == "request" and base + uri in str(r.rec_headers)
    ]
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == f"/www/english/c/2024-09-10/{uri} HTTP/1.1"
    assert check_warc(out) == (len(records), [])
    assert urls.as_uri(base + uri) == base + uri  # a URI stays as it is


@pytest.mark.parametrize("lost", ["the photo", "the whole media folder"])
def test_a_warc_that_would_miss_files_never_replaces_the_last_whole_one(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lost: str
) -> None:
    out = tmp_path / "cqc.warc.gz"
    assert main(["warc", "--db", str(archive), "-o", str(out)]) == 0
    whole = out.read_bytes()
    media = archive.with_name("media")
    if lost == "the photo":
        next(media.rglob("*.jpg")).unlink()
    else:
        shutil.rmtree(media)
    capsys.readouterr()
    assert main(["warc", "--db", str(archive), "-o", str(out)]) == 1
    said = capsys.readouterr()
    (line,) = said.err.strip().splitlines()
    assert f"the WARC export to {out} was not written: 1 media files are missing" in line
    assert "the previous file is as it was" in line
    assert out.read_bytes() == whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_warc_read_back_shows_an_altered_record(archive: Path, tmp_path: Path) -> None:
    """The export is read back with every digest checked: a byte changed in a stored body
    after the fact (here in an uncompressed copy) is named with its record."""
    out = tmp_path / "x.warc.gz"
    with Archive(archive, read_only=True) as opened:
        write_warc(opened, archive.with_name("media"), out)
    assert check_warc(out) == (6, [])
    altered = tmp_path / "x.warc"
    plain = gzip.decompress(out.read_bytes())
    altered.write_bytes(plain.replace(b"Photovoltaic modules.", b"Photovoltaic mOdules.", 1))
    records, problems = check_warc(altered)
    assert records == 6
    assert [problem.split(": ")[1].split(" digest")[0] for problem in problems] == [
        "block",
        "payload",
    ]  # both digests of the one record altered
    assert check_warc(tmp_path / "missing.warc.gz")[1]


def test_warc_since_leaves_out_what_was_fetched_before(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.warc.gz"
    with Archive(archive, read_only=True) as opened:
        report = write_warc(opened, archive.with_name("media"), out, since="2026-01-02")
    assert (report.pages, report.files, report.releases) == (0, 0, 0)


def test_warc_usage_mistakes_are_exit_2_and_write_nothing(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["warc", "--db", str(archive), "--since", "2026-13-01"]) == 2
    assert "--since '2026-13-01' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    missing = tmp_path / "missing" / "x.warc.gz"
    assert main(["warc", "--db", str(archive), "-o", str(missing)]) == 2
    assert "does not exist: create it first" in capsys.readouterr().err
    assert not missing.parent.exists()
    assert not archive.with_suffix(".warc.gz").exists()


def test_a_file_stored_again_is_rewritten_only_when_its_copy_is_damaged(tmp_path: Path) -> None:
    """An intact copy is left alone (same inode); a damaged one (found by the sha256 its name
    holds) is replaced by the content fetched again: that is how a run restores it."""
    path = media_path(hashlib.sha256(PHOTO).hexdigest(), "jpg")
    write_file(tmp_path, path, PHOTO)
    inode = (tmp_path / path).stat().st_ino
    write_file(tmp_path, path, PHOTO)
    assert (tmp_path / path).stat().st_ino == inode
    (tmp_path / path).write_bytes(b"damaged")
    write_file(tmp_path, path, PHOTO)
    assert (tmp_path / path).read_bytes() == PHOTO
    assert [p.name for p in tmp_path.rglob("*")] == [path.split("/")[0], path.split("/")[1]]


def test_pdf_text_of_the_fixture_and_of_garbage() -> None:
    fixture = Path(__file__).parents[1] / "fixtures/html/www/english/c/2023-05-04"
    text = pdf_text((fixture / "P020230504300001.pdf").read_bytes())
    assert text is not None
    assert "viscose fibres" in text
    assert pdf_text(b"%PDF-1.4\n garbage") is None
    assert pdf_text(zlib.compress(b"x" * 1000)) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_pdf_text_never_raises(body: bytes) -> None:
    """Whatever a hostile server sends as a PDF: some text or None, never an exception."""
    text = pdf_text(b"%PDF-1.7\n" + body)
    assert text is None or text.strip()


@pytest.mark.parametrize(
    ("url", "text", "document"),
    [
        ("https://x/files/rules.PDF", "Rules", True),
        ("https://x/download.jsp?id=3", "Implementation rules.docx", True),
        ("https://x/getfile?id=3", "Download the application form", True),
        ("https://x/getfile?id=3", "附件：申请书", True),
        ("https://x/www/english/c/2024-01-02/1.shtml", "Download the news", False),
        ("https://x/www/english/About/", "About CQC", False),
        ("https://x/a.jpg", "", False),
    ],
)
def test_which_links_are_documents(url: str, text: str, document: bool) -> None:
    assert is_document_link(url, text) is document


def test_media_links_json_is_what_the_golden_file_shows() -> None:
    link = MediaLink("https://x/a.pdf", "attachment", 2, "A.pdf")
    assert json.loads(json.dumps(link.to_dict())) == {
        "url": "https://x/a.pdf",
        "role": "attachment",
        "position": 2,
        "text": "A.pdf",
    }


def test_conditional_headers_come_from_the_stored_validators() -> None:
    stored = {"Etag": ['"abc"'], "last-modified": ["Sun, 01 Nov 2026 10:00:00 GMT"], "X": ["1"]}
    assert conditional_headers(stored) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Sun, 01 Nov 2026 10:00:00 GMT",
    }
    assert conditional_headers({"Content-Type": ["text/html"]}) == {}


@pytest.mark.parametrize(
    ("link", "page", "fetched"),
    [
        (  # the live site's file, linked from a page a mirror served: fetched from the mirror
            "https://www.cqc.com.cn/www/english/c/2024-09-10/W1.jpg",
            "http://127.0.0.1:8000/www/english/c/2024-09-10/597552.shtml",
            "http://127.0.0.1:8000/www/english/c/2024-09-10/W1.jpg",
        ),
        (  # from the live site itself: as linked
            "https://www.cqc.com.cn/a.pdf?x=1",
            "http://cqc.com.cn/www/english/c/2024-09-10/597552.shtml",
            "https://www.cqc.com.cn/a.pdf?x=1",
        ),
        (  # another host: as linked (the fence refuses it, and it is recorded off_site)
            "https://www.sac.gov.cn/a.xlsx",
            "http://127.0.0.1:8000/www/english/",
            "https://www.sac.gov.cn/a.xlsx",
        ),
    ],
)
def test_a_file_is_fetched_from_where_its_page_came(link: str, page: str, fetched: str) -> None:
    assert urls.fetched_from(link, page) == fetched


def test_a_backup_is_one_whole_file_in_rollback_mode_and_verifies_with_its_media(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hand" / "cqc.db"
    assert main(["backup", str(out), "--db", str(archive)]) == 2  # its folder is missing
    assert "the folder of OUT" in capsys.readouterr().err
    assert main(["backup", str(archive), "--db", str(archive)]) == 2
    assert "is the archive itself" in capsys.readouterr().err
    out.parent.mkdir()
    assert main(["backup", str(out), "--db", str(archive), "--media"]) == 0
    assert "a backup of 1 releases" in capsys.readouterr().out
    assert out.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: no -wal, no -shm needed
    assert sorted(p.name for p in out.parent.iterdir()) == ["cqc.db", "media"]
    assert main(["verify", "--db", str(out)]) == 0
    assert main(["backup", str(out), "--db", str(archive), "--media"]) == 0  # again: replaced
    assert "0 media files copied" in capsys.readouterr().out
