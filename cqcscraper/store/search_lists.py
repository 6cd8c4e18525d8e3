"""The search lists: made from the archive, so that a search stays fast when a word is in
nearly every release (the query that reads them is ``store.search``).

FTS5 ranks by bm25 (``RANK``: the title weighted 10, the body and the documents' text 1), and
ranking scores *every* matching row: over 100,000 releases a word found in all of them takes
some 150 ms, whatever the ``LIMIT``. So ``refresh`` stores, for the *broad* tokens (found in at
least ``BROAD_SHARE`` of the releases and ``MIN_BROAD_ROWS`` of them):

- each token's ``KEEP`` best rows with their bm25 scores, in order (``search_impacts``), and
  which typed words give each token (``search_words``: a word as analysts type it, lower-case
  ASCII, to the stemmed token the index holds, and how many releases hold it);
- each token's score in *every* release that holds it (``search_scores``, the token numbered in
  ``search_tokens``): a release the lists of several words give is scored exactly by reading its
  score for each word, where it is missing from a list;
- the ``BEST`` best rows of each two-word phrase found that often (its token is the two tokens
  with a space, its typed forms every typed word of the first then of the second).

The lists are made again only when more releases changed since than their slack
(``SLACK_SHARE`` of the releases, at least ``MIN_SLACK``; a crawl's close or ``reparse`` checks
it, ``due``): until then a search drops the changed releases (``records_changes``) from the
lists and scores them afresh with the words typed, so a release added since is found in its
place (its score with today's statistics, the lists' with theirs: near-exact). So a run that
adds a release does not remake every list.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from itertools import pairwise

RANK = "bm25(10.0, 1.0, 1.0)"  # title, body, attachment_text
BEST = 100  # the rows a search gives, best first (a phrase's list holds as many)
BROAD_SHARE = 0.05
MIN_BROAD_ROWS = 5000
# The depths at which a query of several words reads the lists, one after the other until one
# proves its first 10 (one word reads the first); each word's list keeps as many rows as the last.
DEPTHS = (100, 300, 1000, 3000)
KEEP = DEPTHS[-1]
# Several broad words are answered from the lists when their expected common rows are at least
# this many (fewer are ranked in full faster than the lists are read).
MANY_ROWS = 4000
FRESH = "search_fresh"  # archive_info: '1' once the lists are made (then kept, see SLACK)
VERSION = (
    "search_version"  # archive_info: the releases' version (records_version) they were made at
)
SLACK = "search_slack"  # archive_info: how many releases may change before they are made again
SLACK_SHARE = 0.01
MIN_SLACK = 100
# archive_info: the largest id when the lists were made. A release added above it is scored
# with the others added since in one pass of FTS5 over the ids above it; any other change (an
# edit, a deletion, a release added below it) is scored one by one, and FTS5 counts the word's
# releases again for each (1-5 ms a broad word or phrase at 100,000 releases): past ``ONE_BY_ONE``
# such changes the full ranking answers, and the lists are made again by the next close.
LAST_ID = "search_last_id"
ONE_BY_ONE = 3

# A word as analysts type it, for which the lists may answer (others go to the full ranking).
_WORD = re.compile(r"[a-z0-9]+")

_STALE = (
    "BEGIN UPDATE archive_info SET value = '0' WHERE name = 'search_fresh' AND value <> '0'; END"
)
_TRIGGERS = (
    "CREATE TRIGGER search_stale_insert AFTER INSERT ON press_releases " + _STALE,
    "CREATE TRIGGER search_stale_delete AFTER DELETE ON press_releases " + _STALE,
    "CREATE TRIGGER search_stale_update AFTER UPDATE OF title, body, attachment_text "
    "ON press_releases " + _STALE,
)


def create(db: sqlite3.Connection) -> None:
    """The lists' tables, the rank's weights and the triggers that mark the lists stale."""
    db.execute(
        "CREATE TABLE search_impacts (token TEXT NOT NULL, place INTEGER NOT NULL, "
        "rowid INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY (token, place)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE search_words (word TEXT PRIMARY KEY, token TEXT NOT NULL, "
        "rows INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO press_releases_fts (press_releases_fts, rank) VALUES ('rank', ?)", [RANK]
    )
    db.execute("INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, '0')", [FRESH])
    for trigger in _TRIGGERS:
        db.execute(trigger)


def add_scores(db: sqlite3.Connection) -> None:
    """Schema 12: every row's score for each broad word (``search_scores``, the words numbered
    in ``search_tokens``), so that several words are ranked exactly from the lists' rows; the
    lists made again by the next crawl's close (or ``reparse``), with those of the phrases."""
    db.execute(
        "CREATE TABLE search_tokens (number INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE)"
    )
    db.execute(
        "CREATE TABLE search_scores (number INTEGER NOT NULL, rowid INTEGER NOT NULL, "
        "score REAL NOT NULL, PRIMARY KEY (number, rowid)) WITHOUT ROWID"
    )
    db.execute("UPDATE archive_info SET value = '0' WHERE name = ?", [FRESH])


def refresh(
    db: sqlite3.Connection,
    *,
    share: float = BROAD_SHARE,
    min_rows: int = MIN_BROAD_ROWS,
    keep: int = KEEP,
    many_rows: int = MANY_ROWS,
) -> int:
    """Rebuild the lists of the broad tokens and two-word phrases from the releases as they
    are; returns how many lists there are (none below ``min_rows`` releases: then every search
    is ranked in full, which is fast at that size). Run inside the archive's transaction."""
    db.execute("DELETE FROM search_impacts")
    db.execute("DELETE FROM search_words")
    db.execute("DELETE FROM search_tokens")
    db.execute("DELETE FROM search_scores")
    (rows,) = db.execute("SELECT count(*) FROM press_releases").fetchone()
    threshold = max(min_rows, share * rows)
    df: dict[str, int] = {}  # broad token -> how many releases hold it
    if rows >= threshold:
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab "
            "USING fts5vocab(main, press_releases_fts, row)"
        )
        query = "SELECT term, doc FROM temp.search_vocab WHERE doc >= ?"
        df = dict(db.execute(query, [threshold]).fetchall())
    lists = 0
    if df:
        words = _words_of(db, set(df))
        spelled: dict[str, list[str]] = {}  # token -> the words that give it
        for word, token in sorted(words.items()):
            spelled.setdefault(token, []).append(word)
        db.executemany(
            "INSERT INTO search_words (word, token, rows) VALUES (?, ?, ?)",
            [(word, token, df[token]) for word, token in words.items()],
        )
        for number, (token, (word, *_)) in enumerate(sorted(spelled.items()), 1):
            db.execute("INSERT INTO search_tokens (number, token) VALUES (?, ?)", [number, token])
            db.execute(
                "INSERT INTO search_scores (number, rowid, score) SELECT ?, rowid, rank "
                "FROM press_releases_fts WHERE press_releases_fts MATCH ? ORDER BY rowid",
                [number, f'"{word}"'],
            )
            db.execute(
                "INSERT INTO search_impacts (token, place, rowid, score) "
                "SELECT ?, row_number() OVER (ORDER BY score, rowid), rowid, score "
                "FROM search_scores WHERE number = ? ORDER BY score, rowid LIMIT ?",
                [token, number, keep],
            )
        lists = len(spelled) + _phrase_lists(db, words, spelled, threshold)
    version = db.execute(
        "SELECT coalesce((SELECT value FROM archive_info WHERE name = 'records_version'), '0')"
    ).fetchone()[0]
    slack = max(MIN_SLACK, int(SLACK_SHARE * rows))
    (last,) = db.execute("SELECT coalesce(max(id), 0) FROM press_releases").fetchone()
    db.executemany(
        "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, ?)",
        [("search_rows", rows), ("search_many_rows", many_rows), (VERSION, version),
         (SLACK, slack), (LAST_ID, last)],
    )  # fmt: skip
    db.execute("UPDATE archive_info SET value = '1' WHERE name = ?", [FRESH])
    return lists


def _phrase_lists(
    db: sqlite3.Connection, words: dict[str, str], spelled: dict[str, list[str]], threshold: float
) -> int:
    """The lists of the two-word phrases found in at least ``threshold`` releases (their best
    ``BEST`` rows: a phrase typed alone is answered from its list), with each way of typing
    them (every word of the first token, then every word of the second); returns how many.

    The pairs of broad words that follow each other in a text are counted first (a phrase of
    a narrow word is narrow); FTS5 then counts and ranks each pair found often enough as the
    phrase it is, so what the lists hold is the index's own answer."""
    pairs: Counter[tuple[str | None, str | None]] = Counter()
    for texts in db.execute("SELECT title, body, attachment_text FROM press_releases"):
        seen: set[tuple[str | None, str | None]] = set()
        for text in texts:
            if text:  # each pair of words' tokens, None for a narrow word's
                seen.update(pairwise(map(words.get, _WORD.findall(text.lower()))))
        pairs.update(seen)
    often = sorted(
        (first, second)
        for (first, second), count in pairs.items()
        if first and second and count >= threshold
    )
    made = 0
    for first, second in often:
        phrase = f'"{spelled[first][0]} {spelled[second][0]}"'
        best = db.execute(
            "SELECT count(*) OVER (), rowid, rank FROM press_releases_fts "
            "WHERE press_releases_fts MATCH ? ORDER BY rank LIMIT ?",
            [phrase, BEST],
        ).fetchall()
        found = best[0][0] if best else 0
        if found < threshold:
            continue
        token = f"{first} {second}"
        db.executemany(
            "INSERT INTO search_impacts (token, place, rowid, score) VALUES (?, ?, ?, ?)",
            [(token, place, rowid, score) for place, (_, rowid, score) in enumerate(best, 1)],
        )
        db.executemany(
            "INSERT INTO search_words (word, token, rows) VALUES (?, ?, ?)",
            [(f"{a} {b}", token, found) for a in spelled[first] for b in spelled[second]],
        )
        made += 1
    return made


# How many releases changed since the lists were made (``records_changes``, schema 10), and
# how many of them at or below the largest id the lists knew (``LAST_ID``).
_CHANGED_SINCE = """SELECT count(*), count(*) FILTER (WHERE id <= coalesce(
    (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_last_id'), id))
  FROM (SELECT DISTINCT id FROM records_changes WHERE version > coalesce(
    (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_version'), 0))"""


def due(db: sqlite3.Connection) -> bool:
    """Whether the lists must be made again: never made, more releases changed since than
    their slack (``SLACK``), or more than ``ONE_BY_ONE`` of them changed at or below the
    largest id the lists knew. Fewer changed releases are scored as a search asks."""
    fresh = db.execute("SELECT value FROM archive_info WHERE name = ?", [FRESH]).fetchone()
    if not fresh or fresh[0] != "1":
        return True
    slack = db.execute("SELECT value FROM archive_info WHERE name = ?", [SLACK]).fetchone()
    changed, below = db.execute(_CHANGED_SINCE).fetchone()
    return slack is None or changed > int(slack[0]) or below > ONE_BY_ONE


def follow_changes(db: sqlite3.Connection) -> None:
    """Schema 10: the lists no longer go stale on any change (the triggers that said so are
    dropped); a search scores the releases changed since they were made, and they are made
    again once more than their slack changed. Lists fresh now were made at this version."""
    db.execute("DROP TRIGGER IF EXISTS search_stale_insert")
    db.execute("DROP TRIGGER IF EXISTS search_stale_delete")
    db.execute("DROP TRIGGER IF EXISTS search_stale_update")
    fresh = db.execute("SELECT value FROM archive_info WHERE name = ?", [FRESH]).fetchone()
    if not fresh or fresh[0] != "1":
        return  # made by the next crawl's close (or reparse)
    (rows,) = db.execute("SELECT count(*) FROM press_releases").fetchone()
    (version,) = db.execute(
        "SELECT value FROM archive_info WHERE name = 'records_version'"
    ).fetchone()
    db.executemany(
        "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, ?)",
        [(VERSION, version), (SLACK, max(MIN_SLACK, int(SLACK_SHARE * rows)))],
    )


def _words_of(db: sqlite3.Connection, tokens: set[str]) -> dict[str, str]:
    """The lower-case ASCII words of the releases that the index's tokenizer turns into one
    of ``tokens``, each with its token: the releases' words are tokenized by a scratch FTS5
    table with the same tokenizer. The tokens are tried as words too: analysts type a stem
    ("standard") that the texts may hold only in longer forms ("standards")."""
    seen: set[str] = {token for token in tokens if _WORD.fullmatch(token)}
    for texts in db.execute("SELECT title, body, attachment_text FROM press_releases"):
        for text in texts:
            if text:
                seen.update(_WORD.findall(text.lower()))
    db.execute("DROP TABLE IF EXISTS temp.search_stems")
    db.execute(
        "CREATE VIRTUAL TABLE temp.search_stems USING fts5(word, tokenize='porter unicode61')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stems_vocab "
        "USING fts5vocab(temp, search_stems, instance)"
    )
    ordered = sorted(seen)
    db.executemany(
        "INSERT INTO temp.search_stems (rowid, word) VALUES (?, ?)", enumerate(ordered, 1)
    )
    found: dict[str, str] = {}
    counts: dict[int, int] = {}
    rows = db.execute("SELECT doc, term FROM temp.search_stems_vocab").fetchall()
    for doc, _ in rows:
        counts[doc] = counts.get(doc, 0) + 1
    for doc, term in rows:
        if counts[doc] == 1 and term in tokens:  # a word that is one token, a broad one
            found[ordered[doc - 1]] = term
    db.execute("DROP TABLE temp.search_stems_vocab")
    db.execute("DROP TABLE temp.search_stems")
    return found
