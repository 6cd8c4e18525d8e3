"""Ranked full-text search that stays fast when a word is in nearly every release.

FTS5 ranks by bm25 (``RANK``: the title weighted 10, the body and the documents' text 1),
and ranking scores *every* matching row: over 100,000 releases a word found in all of them
takes some 140 ms, whatever the ``LIMIT``. So, for the *broad* tokens (found in at least
``BROAD_SHARE`` of the releases and ``MIN_BROAD_ROWS`` of them), ``refresh`` stores each
token's ``KEEP`` best rows with their bm25 scores, in order (``search_impacts``), and which
typed words give each token (``search_words``: a word as analysts type it, lower-case ASCII,
to the stemmed token the index holds, and how many releases hold it).

A query of plain words that are all broad is then answered from those lists when no date
bound is given. The lists are made again only when more releases changed since than their
slack (``SLACK_SHARE`` of the releases, at least ``MIN_SLACK``; a crawl's close or ``reparse``
checks it): until then a search drops the changed releases (``records_changes``) from the
lists and scores them afresh with the words typed, so a release added since is found in its
place (its score with today's statistics, the lists' with theirs: near-exact). So a run that
adds a release does not remake every list:

- one word: its list *is* the top of the full ranking (exact, 100 rows);
- several words, when the full ranking would read many rows (their expected common rows,
  ``N * prod(rows_i / N)``, at least ``MANY_ROWS``): for plain terms bm25 is a sum over the
  terms of one term's score, so each row of the lists (the first 2,000 of each; 3,000 when every
  word is in more than half the releases, whose scores are nearly flat) is scored by the sum of
  the scores it has there. A row found in every list has its exact score. A row missing from a
  list scores there no better than that list's last row read (its *cut*), so the lists answer
  only when they *prove* their first 10: the 10th best row found in every list scores at least
  as well as the sum of the cuts (a row in no list) and as every other row's bound (its scores,
  and the cuts of the lists it is missing from). Else the full ranking answers. The rows after
  the 10th are the best of the rest the lists hold (those missing from a list checked against
  the index to hold every word): near-exact, ``make bench`` measures it.

Anything else (phrases, operators typed as words, a narrow word, stale lists, dates) is
ranked in full by FTS5, which is fast when the query is narrow. When the lists answer, the
full ranking's ``MATCH`` is given ``""`` (which matches nothing): SQLite runs the full-text
scan before it tests that its branch is not wanted, and ranking every release that holds a
broad word costs hundreds of milliseconds.

``SEARCH_SQL`` is the one search query: Datasette's canned ``search`` (datasette.json holds the
same text; a test checks it) and the documented Python/SQL form (docs/analysts.md).
"""

from __future__ import annotations

import re
import sqlite3

RANK = "bm25(10.0, 1.0, 1.0)"  # title, body, attachment_text
SCORE = "bm25(press_releases_fts, 10.0, 1.0, 1.0)"  # the same, as a function of a query
BEST = 100  # the rows a search gives, best first (the lists' answer holds as many)
BROAD_SHARE = 0.05
MIN_BROAD_ROWS = 5000
KEEP = 3000  # rows kept per broad token (the depth a query of several words reads)
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


def refresh(
    db: sqlite3.Connection,
    *,
    share: float = BROAD_SHARE,
    min_rows: int = MIN_BROAD_ROWS,
    keep: int = KEEP,
    many_rows: int = MANY_ROWS,
) -> int:
    """Rebuild the lists of the broad tokens from the releases as they are; returns how many
    tokens are broad (none below ``min_rows`` releases: then every search is ranked in full,
    which is fast at that size). Run inside the archive's transaction."""
    db.execute("DELETE FROM search_impacts")
    db.execute("DELETE FROM search_words")
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
    broad = set(df)
    if broad:
        words = _words_of(db, broad)
        spelled: dict[str, str] = {}  # token -> a word that gives it, to query the index with
        for word, token in sorted(words.items()):
            spelled.setdefault(token, word)
        db.executemany(
            "INSERT INTO search_words (word, token, rows) VALUES (?, ?, ?)",
            [(word, token, df[token]) for word, token in words.items()],
        )
        for token, word in spelled.items():
            best = db.execute(
                "SELECT rowid, rank FROM press_releases_fts WHERE press_releases_fts MATCH ? "
                "ORDER BY rank LIMIT ?",
                [f'"{word}"', keep],
            ).fetchall()
            db.executemany(
                "INSERT INTO search_impacts (token, place, rowid, score) VALUES (?, ?, ?, ?)",
                [(token, place, rowid, score) for place, (rowid, score) in enumerate(best, 1)],
            )
        broad = set(spelled)
    version = db.execute(
        "SELECT coalesce((SELECT value FROM archive_info WHERE name = 'records_version'), '0')"
    ).fetchone()[0]
    slack = max(MIN_SLACK, int(SLACK_SHARE * rows))
    db.executemany(
        "INSERT OR REPLACE INTO archive_info (name, value) VALUES (?, ?)",
        [("search_rows", rows), ("search_many_rows", many_rows), (VERSION, version),
         (SLACK, slack)],
    )  # fmt: skip
    db.execute("UPDATE archive_info SET value = '1' WHERE name = ?", [FRESH])
    return len(broad)


# How many releases changed since the lists were made (``records_changes``, schema 10).
_CHANGED_SINCE = """SELECT count(DISTINCT id) FROM records_changes WHERE version >
    coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_version'), 0)"""


def due(db: sqlite3.Connection) -> bool:
    """Whether the lists must be made again: never made, or more releases changed since
    than their slack (``SLACK``). Fewer changed releases are scored as a search asks."""
    fresh = db.execute("SELECT value FROM archive_info WHERE name = ?", [FRESH]).fetchone()
    if not fresh or fresh[0] != "1":
        return True
    slack = db.execute("SELECT value FROM archive_info WHERE name = ?", [SLACK]).fetchone()
    (changed,) = db.execute(_CHANGED_SINCE).fetchone()
    return slack is None or changed > int(slack[0])


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


# The date bounds of a search, as typed: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a month or day
# of one digit too); a year or month as a bound means all of it (``until=2021`` is
# ``2021-12-31``). ``dates`` gives each as an ISO date, '' when empty, NULL when it is no date
# (the search then finds nothing, and the reading room says why).
DATES = """typed_dates(kind, raw) AS (
  VALUES ('since', trim(coalesce(:since, ''))), ('until', trim(coalesce(:until, '')))),
date_parts(kind, raw, y, m, d) AS (
  SELECT kind, raw, substr(raw, 1, 4),
    CASE WHEN length(raw) > 5 THEN CASE WHEN instr(substr(raw, 6), '-')
      THEN substr(raw, 6, instr(substr(raw, 6), '-') - 1) ELSE substr(raw, 6) END END,
    CASE WHEN instr(substr(raw, 6), '-') THEN substr(raw, 6 + instr(substr(raw, 6), '-')) END
  FROM typed_dates),
date_bounds(kind, raw, bound) AS (
  SELECT kind, raw, CASE
    WHEN raw = '' THEN ''
    WHEN NOT coalesce(y GLOB '[0-9][0-9][0-9][0-9]' AND (length(raw) = 4
      OR (substr(raw, 5, 1) = '-' AND (m GLOB '[0-9]' OR m GLOB '[0-9][0-9]')
        AND (d IS NULL OR d GLOB '[0-9]' OR d GLOB '[0-9][0-9]'))), 0) THEN NULL
    WHEN date(printf('%s-%02d-%02d', y, coalesce(m, 1), coalesce(d, 1)), '+0 days')
      IS NOT printf('%s-%02d-%02d', y, coalesce(m, 1), coalesce(d, 1)) THEN NULL
    WHEN d IS NOT NULL OR kind = 'since'
      THEN printf('%s-%02d-%02d', y, coalesce(m, 1), coalesce(d, 1))
    WHEN m IS NOT NULL THEN date(printf('%s-%02d-01', y, m), '+1 month', '-1 day')
    ELSE y || '-12-31' END
  FROM date_parts),
dates(since, until) AS (
  SELECT (SELECT bound FROM date_bounds WHERE kind = 'since'),
    (SELECT bound FROM date_bounds WHERE kind = 'until'))"""
# The bounds alone: what the reading room shows of them (a value that is no date).
DATES_SQL = f"WITH {DATES}\nSELECT since, until FROM dates"

# What the full ranking's MATCH is given: the typed words, or ``""`` (nothing) when the lists
# answer, since SQLite would scan the index before it tests that the branch is not wanted.
FULL_RANKING_MATCH = """(SELECT CASE WHEN (SELECT ok FROM fast) THEN '""' ELSE fts END
      FROM query)"""

# The canned search: the typed text becomes quoted words and phrases (so no typing mistake is
# an FTS5 syntax error), then either the lists or the full ranking answer (see above).
SEARCH_SQL = f"""WITH RECURSIVE
{DATES},
pieces(n, piece, rest) AS (
  SELECT 0, '', trim(coalesce(:term, '')) || '"'
  UNION ALL SELECT n + 1, substr(rest, 1, instr(rest, '"') - 1), substr(rest, instr(rest, '"') + 1)
  FROM pieces WHERE rest <> ''),
words(n, k, word, rest) AS (
  SELECT n, 0, '', trim(piece) || ' ' FROM pieces WHERE n % 2 = 1
  UNION ALL SELECT n, k + 1, substr(rest, 1, instr(rest, ' ') - 1),
    ltrim(substr(rest, instr(rest, ' ') + 1))
  FROM words WHERE rest <> ''),
tokens(n, k, token) AS (
  SELECT n, k, word FROM words WHERE word <> ''
  UNION ALL SELECT n, 0, trim(piece) FROM pieces WHERE n > 0 AND n % 2 = 0 AND trim(piece) <> ''),
query(fts) AS (
  SELECT coalesce(group_concat('"' || token || '"', ' '), '""')
  FROM (SELECT token FROM tokens ORDER BY n, k)),
typed(word) AS (SELECT lower(token) FROM tokens),
known(word, token, rows) AS (
  SELECT t.word, w.token, w.rows FROM typed AS t JOIN search_words AS w ON w.word = t.word),
total(n) AS (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_rows'),
numbered(j, rows) AS (SELECT row_number() OVER (ORDER BY word), rows FROM known),
product(i, p) AS (
  SELECT 0, 1.0
  UNION ALL SELECT i + 1, p * rows / (SELECT n FROM total)
  FROM product JOIN numbered ON numbered.j = product.i + 1),
changed(id) AS (
  SELECT DISTINCT id FROM records_changes WHERE version >
    coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_version'), 0)),
usable(ok) AS (SELECT
  coalesce((SELECT value FROM archive_info WHERE name = 'search_fresh'), '0') = '1'
  AND (SELECT count(*) FROM changed)
    <= coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_slack'), 0)
  AND (SELECT since FROM dates) = '' AND (SELECT until FROM dates) = ''
  AND (SELECT count(*) FROM typed) > 0
  AND (SELECT count(DISTINCT word) FROM typed) = (SELECT count(*) FROM typed)
  AND (SELECT count(*) FROM known) = (SELECT count(*) FROM typed)
  AND ((SELECT count(*) FROM typed) = 1
    OR (SELECT p FROM product ORDER BY i DESC LIMIT 1) * (SELECT n FROM total)
      >= (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_many_rows'))),
depth(places) AS (SELECT CASE
  WHEN (SELECT count(*) FROM typed) = 1 THEN 100
  WHEN (SELECT min(rows) FROM known) * 2 > (SELECT n FROM total) THEN 3000
  ELSE 2000 END),
cut(word, score) AS MATERIALIZED (
  SELECT k.word, (SELECT score FROM search_impacts WHERE token = k.token
    AND place <= (SELECT places FROM depth) ORDER BY place DESC LIMIT 1)
  FROM known AS k WHERE (SELECT ok FROM usable)),
lists(word, doc, score, gain) AS (
  SELECT k.word, i.rowid, i.score, i.score - c.score FROM known AS k
  JOIN cut AS c ON c.word = k.word JOIN search_impacts AS i ON i.token = k.token
  WHERE (SELECT ok FROM usable) AND i.place <= (SELECT places FROM depth)
    AND i.rowid NOT IN (SELECT id FROM changed)
  UNION ALL
  SELECT k.word, press_releases_fts.rowid, {SCORE}, {SCORE} - c.score FROM known AS k
  JOIN cut AS c ON c.word = k.word
  JOIN press_releases_fts ON press_releases_fts MATCH '"' || k.word || '"'
  WHERE (SELECT ok FROM usable) AND press_releases_fts.rowid IN (SELECT id FROM changed)),
unseen(score) AS (SELECT sum(score) FROM cut),
estimate(doc, score, hits, bound) AS MATERIALIZED (
  SELECT doc, sum(score), count(*), sum(gain) + (SELECT score FROM unseen)
  FROM lists GROUP BY doc),
tenth(score) AS (
  SELECT score FROM estimate WHERE hits = (SELECT count(*) FROM typed)
  ORDER BY score LIMIT 1 OFFSET 9),
proven(ok) AS (SELECT (SELECT score FROM tenth) <= (SELECT score FROM unseen) + 1e-12
  AND NOT EXISTS (SELECT 1 FROM estimate WHERE hits < (SELECT count(*) FROM typed)
    AND bound < (SELECT score FROM tenth) - 1e-12)),
candidates(doc, score, hits) AS (
  SELECT doc, score, hits FROM estimate ORDER BY score, doc LIMIT 100),
unsure(doc) AS (
  SELECT rowid FROM press_releases_fts
  WHERE press_releases_fts MATCH (SELECT fts FROM query)
    AND rowid IN (SELECT doc FROM candidates WHERE hits < (SELECT count(*) FROM typed))),
top(doc, score) AS (
  SELECT doc, score FROM candidates
  WHERE hits = (SELECT count(*) FROM typed) OR doc IN (SELECT doc FROM unsure)),
fast(ok) AS (SELECT (SELECT ok FROM usable) AND coalesce((SELECT ok FROM proven), 0)
  AND (SELECT count(*) FROM top) >= 20)
SELECT * FROM (
  SELECT p.id, p.published, p.title, p.origin, substr(p.body, 1, 160) || ' …' AS snippet, p.url
  FROM top JOIN press_releases AS p ON p.id = top.doc
  WHERE (SELECT ok FROM fast) ORDER BY top.score, top.doc)
UNION ALL
SELECT * FROM (
  SELECT p.id, p.published, p.title, p.origin,
    snippet(press_releases_fts, -1, '[', ']', ' … ', 12) AS snippet, p.url
  FROM press_releases_fts JOIN press_releases AS p ON p.id = press_releases_fts.rowid
  WHERE NOT (SELECT ok FROM fast)
    AND press_releases_fts MATCH {FULL_RANKING_MATCH}
    AND ((SELECT since FROM dates) = '' OR p.published >= (SELECT since FROM dates))
    AND ((SELECT until FROM dates) = '' OR p.published <= (SELECT until FROM dates))
  ORDER BY press_releases_fts.rank LIMIT {BEST})"""
