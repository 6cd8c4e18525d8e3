"""d. Full-text search over a large archive (p50/p95 of realistic queries, beside a LIKE scan)
and bulk writes (batched, beside one transaction a row)."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sqlite3
import time
from pathlib import Path

from common import FETCHED, ROOT, say

from cqcscraper.parse.records import PressRelease
from cqcscraper.store.archive import Archive
from cqcscraper.store.search import SEARCH_SQL
from cqcscraper.store.search_lists import ONE_BY_ONE, due
from cqcscraper.testing.stored import store, store_many

# What an analyst types: mostly specific terms (a product, a scheme, a country, a city), and
# two that are in nearly every release.
QUERIES = [
    "certification", "cooperation agreement", "Yiwu", "Suzhou laboratory",
    '"mutual recognition"', "photovoltaic", "hydrogen", "Kazakhstan", "CCC", "toy",
    "lithium", "cybersecurity", "halal", "Belt", "elevator OR boiler",
    "pharma*", "ASEAN", "railway", "semiconductor", "Wang Harbin",
]  # fmt: skip
# What an analyst types in an archive of real releases: the words found in nearly every one
# (answered from the lists), medium words, phrases and several words.
REAL_QUERIES = [
    "certification", "CQC", "certificate", "China", "quality",
    "laboratory", "standard", "energy", "training", "export", "green", "hydrogen",
    '"quality certification"', '"mutual recognition"', '"green product"',
    "CQC certification", "China quality", "certification laboratory", "product testing",
    "international cooperation",
]  # fmt: skip
# The documented SQL form for a query written in FTS5's own syntax (OR, a prefix*): ranked in
# full. Plain words and "phrases" go through the canned search (``store.search.SEARCH_SQL``).
RAW = (
    "SELECT p.id, p.published, p.title FROM press_releases_fts "
    "JOIN press_releases AS p ON p.id = press_releases_fts.rowid "
    "WHERE press_releases_fts MATCH ? ORDER BY press_releases_fts.rank LIMIT 20"
)
# The exhaustive ranking each answer is compared with: bm25 over every match (the FTS5 rank:
# the title weighted 10, body and documents 1), its top 10.
FULL = (
    "SELECT rowid, rank FROM press_releases_fts WHERE press_releases_fts MATCH ? "
    "ORDER BY rank LIMIT 10"
)
SCORES = (
    "SELECT rowid, rank FROM press_releases_fts WHERE press_releases_fts MATCH ? "
    "AND rowid IN (SELECT value FROM json_each(?))"
)


def as_good(
    connection: sqlite3.Connection, query: str, ours: list[int], exhaustive: list[tuple]
) -> int:
    """How many of our first 10 the exhaustive ranking would give too: those it ranks at
    least as high as its own 10th (many releases score alike: copies of one text, or one
    word in all of them, so which of the tied rows come first is no matter of quality)."""
    if not exhaustive:
        return 0
    tenth = exhaustive[-1][1]
    scores = dict(connection.execute(SCORES, [fts_query(query), json.dumps(ours)]).fetchall())
    good = sum(1 for rowid in ours if rowid in scores and scores[rowid] <= tenth + 1e-9)
    return min(good, len(exhaustive))


def operators(query: str) -> bool:
    """Whether a query uses FTS5's syntax beyond words and quoted phrases."""
    return bool(re.search(r"\b(OR|AND|NOT|NEAR)\b|[*^:()]", query))


def fts_query(query: str) -> str:
    """The FTS5 query the canned search makes of what was typed (quoted words, phrases)."""
    if operators(query):
        return query
    phrases = re.findall(r'"([^"]*)"', query)
    rest = re.sub(r'"[^"]*"', " ", query).split()
    return " ".join(f'"{part}"' for part in [*rest, *phrases] if part.strip())


def answer(connection: sqlite3.Connection, query: str) -> list[int]:
    """The first 20 ids, the way analysts search: the canned query read to its end (its best
    100), as Datasette reads it (a cursor left after 20 rows would skip the work of a later
    branch), or the raw SQL form."""
    return [row[0] for row in answer_rows(connection, query)]


def answer_rows(connection: sqlite3.Connection, query: str) -> list[tuple]:
    if operators(query):
        return connection.execute(RAW, [query]).fetchall()
    found = connection.execute(SEARCH_SQL, {"term": query, "since": "", "until": ""})
    return found.fetchall()[:20]


def by_lists(connection: sqlite3.Connection, query: str) -> bool:
    """Whether the canned search answered from its lists (their snippet is the body's start;
    FTS5's marks the words found)."""
    rows = answer_rows(connection, query)
    return not operators(query) and bool(rows) and not any("[" in row[4] for row in rows)


def like_query(query: str) -> tuple[str, list[str]]:
    """The query an analyst without full-text search would write: LIKE on every word, newest
    first (the peer of a ranked search: both must look at every match)."""
    terms = [t for t in re.findall(r"\w+", query) if t not in ("AND", "NOT", "OR")]
    joint = " OR " if " OR " in query else " AND "
    where = joint.join(["(title LIKE ? OR body LIKE ?)"] * len(terms))
    params = [f"%{t}%" for t in terms for _ in (0, 1)]
    sql = (
        "SELECT id, published, title FROM press_releases WHERE {} ORDER BY published DESC LIMIT 20"
    )
    return sql.format(where), params


def big_records(count: int, base: list[dict]) -> list[PressRelease]:
    made = []
    for number in range(count):
        record = base[number % len(base)]
        paragraphs = record["body"].split("\n\n")
        turn = (number // len(base)) % len(paragraphs)
        body = "\n\n".join(paragraphs[turn:] + paragraphs[:turn])
        article_id = 1_000_000 + number
        made.append(
            PressRelease(
                id=article_id,
                url=f"https://www.cqc.com.cn/www/english/c/{record['published']}/{article_id}.shtml",
                title=record["title"],
                title_from=record["title_from"],
                published=record["published"],
                published_from=record["published_from"],
                origin=record["origin"],
                origin_raw=record["origin_raw"],
                body=body,
                images=tuple(record["images"]),
                content_hash=f"{number:064x}",
            )
        )
    return made


def mixed_records(count: int, base: list[dict]) -> list[PressRelease]:
    """``count`` releases written from the real releases' own sentences and titles: each body
    is 3 to 12 of their sentences (in 1 to 4 paragraphs), each title the start of one real
    title and the end of another, chosen by a seeded generator. Unlike copies of a few texts
    (which tie by the thousand, so any word's best 3,000 are one text), no two releases score
    alike, while the words keep the real texts' spread (a few in nearly every release)."""
    sentences = [
        sentence
        for record in base
        for paragraph in record["body"].split("\n\n")
        for sentence in re.split(r"(?<=[.!?\u3002])\s+", paragraph)
        if sentence.strip()
    ]
    titles = sorted({record["title"] for record in base})
    chosen = random.Random(27)
    made = []
    for record in big_records(count, base):
        first, second = chosen.sample(titles, 2)
        head, tail = first.split(), second.split()
        title = " ".join(
            head[: chosen.randint(1, len(head))] + tail[chosen.randint(0, len(tail) - 1) :]
        )
        picked = chosen.sample(sentences, chosen.randint(3, 12))
        cuts = sorted(
            chosen.sample(range(1, len(picked)), min(chosen.randint(0, 3), len(picked) - 1))
        )
        bounds = zip([0, *cuts], [*cuts, len(picked)], strict=True)
        body = "\n\n".join(" ".join(picked[a:b]) for a, b in bounds)
        made.append(dataclasses.replace(record, title=title, body=body))
    return made


def real_texts() -> list[dict]:
    """The golden records of real releases and of the layouts written after them (every
    ``fixtures/expected`` record with a body)."""
    found = []
    for path in sorted((ROOT / "fixtures" / "expected").rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and record.get("body"):
            found.append(record)
    return found


# What a scheduled archive holds between two makings of its lists: releases added since (above
# the largest id the lists knew), and a few edited (``search_lists.ONE_BY_ONE``).
ADDED_SINCE = 300


def measure_real(work: Path, rows: int) -> dict:
    """Figure d. on real text: ``rows`` releases written from the real releases' sentences and
    titles (``mixed_records``), with the broad words of such texts, medium words, phrases and
    several words (``REAL_QUERIES``); then again once ``ADDED_SINCE`` releases were added and
    ``ONE_BY_ONE`` edited since the lists were made, as the runs between two makings leave it."""
    say(f"d. search over {rows} rows of real release texts")
    records = mixed_records(rows + ADDED_SINCE, real_texts())
    db = work / "search-real.db"
    with Archive(db) as archive:
        for start in range(0, rows, 500):
            store_many(
                archive, [(r, FETCHED, None) for r in records[start : min(start + 500, rows)]]
            )
        started = time.perf_counter()
        broad = archive.refresh_search()
        refresh = time.perf_counter() - started
    found = {
        "rows": rows,
        "broad_words": broad,
        "refresh_seconds": refresh,
        **lists_of(db),
        **queried(db, REAL_QUERIES),
    }
    with Archive(db) as archive:
        store_many(archive, [(r, FETCHED, None) for r in records[rows:]])
        with archive.db.atomic():  # edited, as a reparse with new rules may edit them
            archive.db.execute(
                "UPDATE press_releases SET body = body || ' Quality certification.' "
                "WHERE id IN (SELECT id FROM press_releases ORDER BY id LIMIT ?)",
                [ONE_BY_ONE],
            )
        kept = not due(archive.db.conn)  # at 100,000 releases the lists stand for these
    found["changed"] = {
        "added": ADDED_SINCE,
        "edited": ONE_BY_ONE,
        "lists_kept": kept,
        **queried(db, REAL_QUERIES),
    }
    return found


def lists_of(db: Path) -> dict:
    """How many words and two-word phrases have lists, and what the lists and the scores of
    the words (``store.search_lists``) take of the archive's size."""
    with sqlite3.connect(db) as connection:
        (words,) = connection.execute("SELECT count(*) FROM search_tokens").fetchone()
        (phrases,) = connection.execute(
            "SELECT count(DISTINCT token) FROM search_impacts WHERE token LIKE '% %'"
        ).fetchone()
        (size,) = connection.execute(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'search%' "
            "OR name LIKE 'sqlite_autoindex_search%'"
        ).fetchone()
    return {
        "list_words": words,
        "list_phrases": phrases,
        "lists_mb": size / 1e6,
        "db_mb": db.stat().st_size / 1e6,
    }


def queried(db: Path, queries: list[str]) -> dict:
    """Each query timed (the best of three, the page cache warm), with how many releases it
    matches, the exhaustive ranking's time and the overlap of the top 10 with it."""
    connection = sqlite3.connect(db)
    for query in queries:  # warm the page cache, as a running server would have it
        answer(connection, query)
        connection.execute(FULL, [fts_query(query)]).fetchall()
    fts, full, hits, overlap, lists = [], [], [], [], []
    for query in queries:
        times = []
        for _ in range(3):  # the best of three: the machine's noise is not the query's cost
            started = time.perf_counter()
            found = answer(connection, query)
            times.append((time.perf_counter() - started) * 1000)
        fts.append(min(times))
        started = time.perf_counter()
        exhaustive = connection.execute(FULL, [fts_query(query)]).fetchall()
        full.append((time.perf_counter() - started) * 1000)
        overlap.append((as_good(connection, query, found[:10], exhaustive), len(exhaustive)))
        hits.append(connection.execute(
            "SELECT count(*) FROM press_releases_fts WHERE press_releases_fts MATCH ?",
            [fts_query(query)],
        ).fetchone()[0])  # fmt: skip
        assert found or hits[-1] == 0, query
        lists.append(by_lists(connection, query))
    connection.close()
    return {
        "queries": queries,
        "fts_ms": fts,
        "full_ms": full,
        "overlap": overlap,
        "hits": hits,
        "by_lists": lists,
    }


def measure(work: Path, rows: int) -> dict:
    """Figure d. over ``rows`` releases made from the synthetic site's expected records."""
    say(f"d. bulk writes and search over {rows} rows")
    base = [json.loads(p.read_text()) for p in sorted((work / "synthetic/expected").glob("*.json"))]
    records = big_records(rows, base)
    db = work / "search.db"
    with Archive(db) as archive:
        started = time.perf_counter()
        for start in range(0, len(records), 500):
            store_many(archive, [(r, FETCHED, None) for r in records[start : start + 500]])
        batched = len(records) / (time.perf_counter() - started)
    single_db = work / "single.db"
    sample = records[:2000]
    with Archive(single_db) as archive:
        started = time.perf_counter()
        for record in sample:
            store(archive, record, seen=FETCHED)
        single = len(sample) / (time.perf_counter() - started)
    with Archive(db) as archive:  # what a crawl's close does after it changed rows
        started = time.perf_counter()
        broad = archive.refresh_search()
        refresh = time.perf_counter() - started
    like = []
    with sqlite3.connect(db) as connection:
        for query in QUERIES:  # the peer: what an analyst without full-text search writes
            sql, params = like_query(query)
            started = time.perf_counter()
            connection.execute(sql, params).fetchall()
            like.append((time.perf_counter() - started) * 1000)
    found = queried(db, QUERIES)
    return {
        "rows": rows,
        "batched_rows_per_s": batched,
        "single_rows_per_s": single,
        **found,
        "like_ms": like,
        "broad_words": broad,
        "refresh_seconds": refresh,
        **lists_of(db),
    }
