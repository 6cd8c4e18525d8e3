"""Safety: only http(s) on the site is ever requested, no SQL is built from values, and CSV
cells cannot run as spreadsheet formulas. (Stored text without markup: test_bad_input.py.)"""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from conftest import ROOT, release
from cqcscraper.cli import main as cqcscraper_main
from cqcscraper.crawl.offsite import OffSite, StayOnSiteMiddleware
from cqcscraper.parse import urls
from cqcscraper.parse.discovery import page_links
from cqcscraper.store.archive import Archive
from cqcscraper.store.export import neutralise, write_csv
from cqcscraper.testing.stored import store

ORIGIN = "http://127.0.0.1:8123"
PAGE_URL = f"{ORIGIN}/www/english/News/"

# -- only http and https, only the site -------------------------------------------------------

SCHEMES = ["http", "https", "ftp", "file", "data", "javascript", "mailto", "s3", "ws", "HTTP"]
HOSTS = ["127.0.0.1:8123", "www.cqc.com.cn", "cqc.com.cn", "evil.example", "localhost", ""]
PATHS = ["/www/english/c/2024-09-10/597552.shtml", "/www/english/News/index_1.shtml", "/x"]


@given(
    st.lists(
        st.tuples(st.sampled_from(SCHEMES), st.sampled_from(HOSTS), st.sampled_from(PATHS)),
        max_size=12,
    )
)
def test_discovery_only_ever_yields_http_urls_on_the_crawl_origin(
    links: list[tuple[str, str, str]],
) -> None:
    hrefs = "".join(f'<a href="{scheme}://{host}{path}">x</a>' for scheme, host, path in links)
    found = page_links(f"<html><body>{hrefs}</body></html>", PAGE_URL, ORIGIN, 1000)
    for url in [*found.articles, *found.pagination, *found.sections]:
        assert url.startswith(f"{ORIGIN}/www/english/"), url


@pytest.fixture
def fence() -> StayOnSiteMiddleware:
    crawler = get_crawler(Spider)
    hosts = sorted(urls.same_site_hosts(f"{ORIGIN}/www/english/"))  # as the press spider has
    crawler.spider = Spider(name="press", allowed_domains=hosts)
    return StayOnSiteMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8123/www/english/",
        "https://evil.example/www/english/c/2024-09-10/597552.shtml",
        "ftp://127.0.0.1/www/english/",
        "file:///etc/passwd",
        "data:text/html,<p>x</p>",
        "s3://bucket/key",
    ],
)
def test_the_fence_refuses_other_hosts_and_schemes_whatever_the_request_says(
    fence: StayOnSiteMiddleware, url: str
) -> None:
    for request in (Request(url), Request(url, dont_filter=True, meta={"allow_offsite": True})):
        with pytest.raises(OffSite):
            fence.process_request(request)
    assert fence.crawler.stats.get_value("cqc/offsite/refused") == 2


def test_the_fence_lets_the_site_through(fence: StayOnSiteMiddleware) -> None:
    for url in (f"{ORIGIN}/www/english/", f"{ORIGIN}/robots.txt", "https://127.0.0.1/x"):
        assert fence.process_request(Request(url, dont_filter=True)) is None


# -- SQL --------------------------------------------------------------------------------------

SQL_CALLS = {"execute", "executemany", "executescript", "query", "create_view"}
ALLOWED = {("schema.py", "set_user_version")}  # PRAGMA takes no parameters; an int


def formatted_sql(path: Path) -> list[str]:
    """Calls that pass SQL built by formatting (f-string, %, +, .format) in ``path``, and
    SQL-looking f-strings anywhere (such as a dict of statements). An f-string that only joins
    constants of SQL text (names in capitals: ``f"WITH {DATES} ..."``) formats no value."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if (path.name, function) not in ALLOWED and (sql := _sql_argument(node)) is not None:
            built = (
                (isinstance(sql, ast.JoinedStr) and not _joins_constants(sql))
                or (isinstance(sql, ast.BinOp))
                or (
                    isinstance(sql, ast.Call)
                    and isinstance(sql.func, ast.Attribute)
                    and sql.func.attr == "format"
                )
            )
            if built or (isinstance(node, ast.JoinedStr) and not _joins_constants(node)):
                found.append(f"{path.name}:{node.lineno} in {function}")
        for child in ast.iter_child_nodes(node):
            if not (isinstance(node, ast.JoinedStr)):
                visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def _joins_constants(node: ast.JoinedStr) -> bool:
    return all(
        isinstance(part, ast.Constant)
        or (isinstance(part.value, ast.Name) and part.value.id.isupper() and not part.format_spec)
        for part in node.values
    )


SQL_START = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|PRAGMA|WITH)\b", re.I)


def _sql_argument(node: ast.AST) -> ast.AST | None:
    """The SQL a node passes (a call of an SQL method), or the node itself when it is an
    f-string that starts like SQL."""
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        if isinstance(head, ast.Constant) and SQL_START.match(str(head.value)):
            return node
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
        and node.args
    ):
        return node.args[-1] if node.func.attr == "create_view" else node.args[0]
    return None


def test_no_sql_is_built_by_string_formatting() -> None:
    sources = sorted((ROOT / "cqcscraper").rglob("*.py"))
    assert len(sources) > 10
    assert [line for path in sources for line in formatted_sql(path)] == []


def test_the_check_finds_formatted_sql(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(db, t, v):\n"
        "    db.execute(f'SELECT * FROM {t}')\n"
        "    db.query('SELECT %s' % v)\n"
        "    db.execute('SELECT ' + v)\n"
        "    db.execute('SELECT {}'.format(v))\n"
        "    db.execute('SELECT ?', [v])\n"
        "    return {'x': f'SELECT {v}'}\n"
        "Q = f'  update t set a = {1}'\n"
        "R = f'WITH {CTE} SELECT 1'\n"
        "def g(db, v):\n"
        "    db.execute(f'SELECT * FROM ({SEARCH_SQL}) LIMIT 5', [v])\n"
        "    db.execute(f'SELECT {SEARCH_SQL} {v}')\n"
    )
    found = [f"bad.py:{n} in f" for n in (2, 2, 3, 4, 5, 7)]
    assert formatted_sql(bad) == [*found, "bad.py:8 in <module>", *["bad.py:12 in g"] * 2]


def test_hostile_text_is_stored_and_searched_as_plain_values(tmp_path: Path) -> None:
    title = "Robert'); DROP TABLE press_releases;--"
    with Archive(tmp_path / "cqc.db") as archive:
        store(archive, release(1, title=title, body="x\" OR 1=1 -- ' ; DELETE FROM crawls"))
        assert [row["title"] for row in archive.records()] == [title]
        assert archive.db["press_releases"].count == 1


# -- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("CQC = quality", "CQC = quality"),
        ("2020-11-23", "2020-11-23"),
        (595351, 595351),
        (None, None),
    ],
)
def test_formula_like_cells_are_neutralised(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_cqcscraper_csv_writes_releases_with_formulas_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cqc.db"
    with Archive(db) as archive:
        store(
            archive,
            release(1, title="=cmd|' /C calc'!A0", body="-1+2 is body text", origin="@origin"),
        )
        store(archive, release(2, title="A plain title", body="Plain body.", origin=None))
    out = tmp_path / "releases.csv"
    assert cqcscraper_main(["csv", "--db", str(db), "--output", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as opened:
        table = list(csv.DictReader(opened))
    assert [row["title"] for row in table] == ["'=cmd|' /C calc'!A0", "A plain title"]
    assert table[0]["body"] == "'-1+2 is body text"
    assert table[0]["origin"] == "'@origin"
    assert "2 rows of releases" in capsys.readouterr().err
    with Archive(db) as archive:  # the archive keeps the text as it is
        assert next(archive.records())["title"] == "=cmd|' /C calc'!A0"
        buffer = io.StringIO()
        assert write_csv(archive, "rejects", buffer) == 0
        with pytest.raises(ValueError, match="no table or view 'nope'"):
            write_csv(archive, "nope", buffer)
    assert cqcscraper_main(["csv", "--db", str(db), "--table", "nope"]) == 2
