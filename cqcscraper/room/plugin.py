"""The Datasette hooks of the reading room (docs/analysts.md, "The reading room").

- ``get_metadata``: the shipped ``datasette.json`` (descriptions, facets, canned queries) for
  every database that is an archive, whatever its name (``cqc``, ``mirror``, ``demo``);
- ``register_routes``: a page per release, Atom feeds, stored files by sha256 and stored
  snapshots, all read-only;
- ``render_cell``: titles link to their release page, foreign ids to theirs, ``http(s)`` URLs
  to the web, snippets with their words marked, long text shortened in lists;
- ``extra_template_vars``: what the search page says of its date bounds;
- ``asgi_wrapper``: a table's search box reads what it is given as plain words, so no typed
  text is an FTS5 syntax error.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import zlib
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import datasette.handle_exception as _datasette_errors
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from cqcscraper.room import text
from cqcscraper.store import reading as sql
from cqcscraper.store.media import media_folder
from cqcscraper.store.search import BEST, DATES_SQL

METADATA: dict[str, Any] = json.loads(
    resources.files("cqcscraper").joinpath("datasette.json").read_text(encoding="utf-8")
)
ARCHIVE = METADATA["databases"]["cqc"]  # what every archive gets
RELEASE_PAGE = r"^/(?P<database>[^/]+)/press_releases/(?P<id>-?\d{1,19})$"
FEED_SIZE = 50
# Columns of long text: shortened in lists (the release page shows them whole).
LONG_TEXT = frozenset({"body", "attachment_text", "text", "images", "headers", "request_headers"})
# Columns that name a release: linked to its page.
RELEASE_IDS = {
    "revisions": "id",
    "media_links": "release_id",
    "rejects": "article_id",
    "snapshots": "article_id",
}
# Stored files and pages are served as what they are and nothing more: never run as a page of
# the reading room's origin, never sniffed into another type.
STORED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    ),
    "Referrer-Policy": "no-referrer",
}
SHOWN_INLINE = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/avif")

_archives: dict[str, bool] = {}

# Datasette 0.65 prints every error with rich when rich is installed (py-wacz brings it, through
# frictionless and typer), and for a path no route serves it does so outside an except block,
# where rich raises: every "404 Not found" became a 500. Datasette's handler is left to answer
# as it would without rich.
_datasette_errors.rich = None


def is_archive(datasette: Any, name: str | None) -> bool:
    """Whether the database ``name`` is a cqcscraper archive (it has ``press_releases``)."""
    if name is None or name not in datasette.databases:
        return False
    path = datasette.databases[name].path
    if not path:
        return False
    if path not in _archives:
        try:
            with sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True) as db:
                found = db.execute(sql.IS_ARCHIVE).fetchone()
            _archives[path] = found is not None
        except sqlite3.Error:
            _archives[path] = False
    return _archives[path]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict[str, Any]:
    found = {name: ARCHIVE for name in list(datasette.databases) if is_archive(datasette, name)}
    if not found:  # Datasette serving other files: nothing of ours
        return {}
    top = {name: value for name, value in METADATA.items() if name != "databases"}
    return {**top, "databases": found}


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (RELEASE_PAGE, release_page),
        (r"^/(?P<database>[^/]+)/feed\.atom$", feed),
        (r"^/(?P<database>[^/]+)/search\.atom$", search_feed),
        (r"^/(?P<database>[^/]+)/-/media/(?P<sha256>[^/]*)$", stored_file),
        (r"^/(?P<database>[^/]+)/-/snapshot/(?P<snapshot>\d{1,19})$", stored_snapshot),
    ]


async def _archive(datasette: Any, request: Any, table: str = "press_releases") -> Any:
    """The archive a route names, when the visitor may read ``table`` of it; else 404/403."""
    name = request.url_vars["database"]
    if not is_archive(datasette, name):
        raise NotFound(f"No archive named {name}")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (name, table)), ("view-database", name), "view-instance"],
    )
    return datasette.get_database(name)


async def release_page(datasette: Any, request: Any) -> Response:
    db = await _archive(datasette, request)
    name, release_id = db.name, int(request.url_vars["id"])
    rows = await db.execute(sql.RELEASE, [release_id])
    release = rows.first()
    if release is None:
        raise NotFound(f"No release {release_id} in {name}")
    release = dict(release)
    links = await db.execute(sql.RELEASE_FILES, [release_id])
    files = [_file(name, dict(row)) for row in links.rows]
    versions = await db.execute(sql.RELEASE_VERSIONS, [release_id])
    history = [dict(row) for row in versions.rows]
    current = {key: release[key] for key in ("title", "body", "published", "origin")}
    history.append({**current, "first_seen": release["last_changed"], "last_seen": None})
    snapshots = await db.execute(sql.RELEASE_SNAPSHOTS, [release_id])
    rejects = await db.execute(sql.RELEASE_REJECTS, [release_id])
    context = {
        "database": name,
        "release": release,
        "paragraphs": text.paragraphs(release["body"]),
        "images": [f for f in files if f["role"] == "image"],
        "attachments": [f for f in files if f["role"] != "image"],
        "changes": [
            {
                "from": older,
                "to": newer,
                "title": text.word_diff(older["title"], newer["title"]),
                "body": text.word_diff(older["body"], newer["body"]),
            }
            for older, newer in itertools.pairwise(history)
        ],
        "snapshots": [dict(row) for row in snapshots.rows],
        "rejects": rejects.first()[0],
        "original": text.web_link(release["url"]),
    }
    html = await datasette.render_template(
        "cqc_release.html", context, request=request, view_name="cqc_release"
    )
    return Response.html(html)


def _file(database: str, row: dict[str, Any]) -> dict[str, Any]:
    """A release's link to a file, with where the reading room serves its stored copy."""
    stored = f"/{quote(database)}/-/media/{row['sha256']}" if row["sha256"] else None
    name = unquote(urlsplit(row["url"]).path.rsplit("/", 1)[-1]) or row["url"]
    return {**row, "stored": stored, "name": name, "original": text.web_link(row["url"])}


async def stored_file(datasette: Any, request: Any) -> Response:
    """A file of the media store, by its sha256 (only one the archive records), with its
    recorded type; anything but a plain image is a download."""
    db = await _archive(datasette, request, "media_files")
    sha256 = request.url_vars["sha256"]
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise NotFound("Not a stored file")
    rows = await db.execute(sql.STORED_FILE, [sha256])
    row = rows.first()
    if row is None:
        raise NotFound("Not a stored file")
    folder = media_folder(db.path, os.environ.get("CQC_MEDIA_DIR") or None).resolve()
    path = (folder / row["path"]).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise NotFound("The stored file is not in the media folder (cqcscraper verify)")
    kind = (row["content_type"] or "").split(";")[0].strip().lower()
    headers = dict(STORED_HEADERS)
    if kind not in SHOWN_INLINE:
        name = unquote(urlsplit(row["url"]).path.rsplit("/", 1)[-1]) or sha256
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        kind = kind if "/" in kind and "html" not in kind else "application/octet-stream"
    return Response(path.read_bytes(), headers=headers, content_type=kind)


async def stored_snapshot(datasette: Any, request: Any) -> Response:
    """A page as the crawl stored it, shown sandboxed: no script of it runs, nothing it links
    loads (the release page is the way to read it)."""
    db = await _archive(datasette, request, "snapshots")
    rows = await db.execute(sql.STORED_SNAPSHOT, [int(request.url_vars["snapshot"])])
    row = rows.first()
    if row is None:
        raise NotFound("No such snapshot")
    kind = "text/html"
    for name, values in json.loads(row["headers"] or "{}").items():
        if name.lower() == "content-type" and values and "html" in values[0].lower():
            kind = values[0]
    return Response(zlib.decompress(row["body"]), headers=STORED_HEADERS, content_type=kind)


async def feed(datasette: Any, request: Any) -> Response:
    """New and edited releases, latest first."""
    db = await _archive(datasette, request)
    rows = await db.execute(sql.FEED, [FEED_SIZE])
    return _atom(datasette, request, db.name, "CQC press releases", rows.rows)


async def search_feed(datasette: Any, request: Any) -> Response:
    """The releases a search finds, latest first: a reader follows a topic."""
    db = await _archive(datasette, request)
    params = {key: request.args.get(key, "") for key in ("term", "since", "until")}
    found = await db.execute(sql.SEARCH_FEED_IDS, params)
    ids = json.dumps([row[0] for row in found.rows])
    rows = await db.execute(sql.FEED_OF_IDS, [ids, FEED_SIZE])
    title = f"CQC press releases: {params['term'].strip() or 'nothing'}"
    return _atom(datasette, request, db.name, title, rows.rows)


def _atom(datasette: Any, request: Any, database: str, title: str, rows: list) -> Response:
    def page(release_id: int) -> str:
        return datasette.absolute_url(request, f"/{quote(database)}/press_releases/{release_id}")

    entries = [
        text.Entry(
            row["id"],
            row["title"] or f"Release {row['id']}",
            page(row["id"]),
            text.web_link(row["url"]),
            row["published"],
            row["last_changed"],
            text.first_paragraph(row["body"]),
        )
        for row in rows
    ]
    query = f"?{request.query_string}" if request.query_string else ""
    own = datasette.absolute_url(request, f"{request.path}{query}")
    body = text.atom_feed(title, own, own, entries)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    if not is_archive(datasette, database) or value is None:
        return None
    keys = row.keys()
    if column == "title" and "id" in keys and table in (None, "press_releases", "releases"):
        return _release_link(database, row["id"], value)
    if column == RELEASE_IDS.get(table or "") and isinstance(value, int):
        return _release_link(database, value, str(value))
    if column == "snippet" and table is None:
        return text.marked(value)
    if column in ("url", "start_url") and isinstance(value, str) and text.web_link(value):
        return Markup('<a href="{0}" rel="noreferrer">{0}</a>').format(value)
    if column in LONG_TEXT and isinstance(value, str) and table is not None:
        return text.shortened(value, 160)
    return None


def _release_link(database: str, release_id: int, shown: str) -> Any:
    href = f"/{quote(database)}/press_releases/{int(release_id)}"
    return Markup('<a href="{}">{}</a>').format(href, shown)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.globals["cqc_marked"] = text.marked
    env.globals["cqc_paragraphs"] = text.paragraphs


@hookimpl
def extra_template_vars(template: str, database: str | None, request: Any, datasette: Any) -> Any:
    async def found() -> dict[str, Any]:
        # only the query page reads them: every other page of an archive runs no query here
        if template != "query.html" or request is None or not is_archive(datasette, database):
            return {}
        params = {key: request.args.get(key, "") for key in ("since", "until")}
        bounds = await datasette.get_database(database).execute(DATES_SQL, params)
        since, until = bounds.first()
        problems = [
            f"{key} = {params[key]!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
            for key, bound in (("since", since), ("until", until))
            if bound is None
        ]
        return {"cqc": {"date_problems": problems, "since": since, "until": until, "best": BEST}}

    return found


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def plain_searches(scope: dict, receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                scope = {**scope, "query_string": _plain(scope["query_string"])}
            await app(scope, receive, send)

        return plain_searches

    return wrap


def _plain(query: bytes) -> bytes:
    """A table search's terms as plain words (``text.plain_search``); raw FTS5 mode off."""
    kept = []
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="replace"):
        if name == "_searchmode":
            continue
        if name == "_search" or name.startswith("_search_"):
            value = text.plain_search(value)
            if value is None:
                continue
        kept.append((name, value))
    return urlencode(kept).encode("ascii")
