"""Ranked full-text search that stays fast when a word is in nearly every release:
``SEARCH_SQL``, the one search query (Datasette's canned ``search``: datasette.json holds the
same text, a test checks it; and the documented Python/SQL form, docs/analysts.md).

A query of plain words, or one phrase, is answered from the lists (``store.search_lists``)
when all of it is broad, no date bound is given and the lists are not stale:

- one word or phrase: its list *is* the top of the full ranking (exact, ``BEST`` rows);
- several words, when the full ranking would read many rows (their expected common rows,
  ``N * prod(rows_i / N)``, at least ``MANY_ROWS``): for plain terms bm25 is a sum over the
  terms of one term's score, so each release the lists give down to a depth is scored exactly,
  by the sum of its scores for each word (``search_scores``; a release missing a word does not
  match). A release in no list scores no better than the sum of the lists' last rows read
  (their *cuts*), so the lists answer when they *prove* their first 10: the 10th best scores
  at least as well as the sum of the cuts. The depths ``DEPTHS`` are tried one after the other
  (the benchmark's queries of real texts prove at 100 to 1,000 rows a list); when none
  proves, the full ranking answers. The rows after the 10th are the best of those the lists
  gave: near-exact, ``make bench`` measures it.

Anything else (a phrase with other words, operators typed as words, a narrow word, stale
lists, dates) is ranked in full by FTS5, which is fast when the query is narrow. When the lists
answer, the full ranking's ``MATCH`` is given ``""`` (which matches nothing): SQLite runs the
full-text scan before it tests that its branch is not wanted, and ranking every release that
holds a broad word costs hundreds of milliseconds.
"""

from __future__ import annotations

from itertools import pairwise

from cqcscraper.store.search_lists import BEST, DEPTHS, ONE_BY_ONE

SCORE = "bm25(press_releases_fts, 10.0, 1.0, 1.0)"  # the lists' RANK, as a function of a query
# Each depth with the one read before it: the lists are read at the next only when the last
# did not prove the first 10 (one word or phrase reads the first).
DEPTH_STEPS = ", ".join(f"({a}, {b})" for a, b in pairwise(["NULL", *map(str, DEPTHS)]))
# The answer of the lists read ``depth.places`` rows deep: whether they prove their first 10,
# and the best ``BEST`` rows they give (each list's rows, or several words' rows each scored
# exactly from ``search_scores``, with the releases changed since the lists were made).
ANSWER_AT_DEPTH = f"""(SELECT json_object(
      'proven', count(*) >= 10 AND max(CASE WHEN place = 10 THEN score END)
        <= (SELECT sum((SELECT c.score FROM search_impacts AS c WHERE c.token = k.token
            AND c.place <= depth.places ORDER BY c.place DESC LIMIT 1)) FROM known AS k) + 1e-12,
      'rows', json_group_array(doc))
    FROM (SELECT doc, score, row_number() OVER (ORDER BY score, doc) AS place FROM (
        SELECT i.rowid AS doc, i.score FROM known AS k
        JOIN search_impacts AS i ON i.token = k.token
        WHERE (SELECT count(*) FROM typed) = 1 AND i.place <= depth.places
          AND i.rowid NOT IN (SELECT id FROM changed)
        UNION ALL
        SELECT c.doc, sum(s.score) FROM (
          SELECT DISTINCT i.rowid AS doc FROM known AS k
          JOIN search_impacts AS i ON i.token = k.token
          WHERE (SELECT count(*) FROM typed) > 1 AND i.place <= depth.places
            AND i.rowid NOT IN (SELECT id FROM changed)) AS c
        JOIN known AS k JOIN search_scores AS s ON s.number = k.number AND s.rowid = c.doc
        GROUP BY c.doc HAVING count(*) = (SELECT count(*) FROM typed)
        UNION ALL SELECT doc, score FROM fresh)
      ORDER BY score, doc LIMIT {BEST}))"""

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
known(word, token, rows, number) AS (
  SELECT t.word, w.token, w.rows, n.number FROM typed AS t
  JOIN search_words AS w ON w.word = t.word LEFT JOIN search_tokens AS n ON n.token = w.token),
total(n) AS (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_rows'),
numbered(j, rows) AS (SELECT row_number() OVER (ORDER BY word), rows FROM known),
product(i, p) AS (
  SELECT 0, 1.0
  UNION ALL SELECT i + 1, p * rows / (SELECT n FROM total)
  FROM product JOIN numbered ON numbered.j = product.i + 1),
changed(id) AS (
  SELECT DISTINCT id FROM records_changes WHERE version >
    coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_version'), 0)),
last(id) AS (SELECT coalesce(
  (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_last_id'),
  9223372036854775807)),
usable(ok) AS (SELECT
  coalesce((SELECT value FROM archive_info WHERE name = 'search_fresh'), '0') = '1'
  AND (SELECT count(*) FROM changed)
    <= coalesce((SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_slack'), 0)
  AND (SELECT count(*) FROM changed WHERE id <= (SELECT id FROM last)) <= {ONE_BY_ONE}
  AND (SELECT since FROM dates) = '' AND (SELECT until FROM dates) = ''
  AND (SELECT count(*) FROM typed) > 0
  AND (SELECT count(DISTINCT word) FROM typed) = (SELECT count(*) FROM typed)
  AND (SELECT count(*) FROM known) = (SELECT count(*) FROM typed)
  AND ((SELECT count(*) FROM typed) = 1
    OR (SELECT count(number) FROM known) = (SELECT count(*) FROM typed)
    AND (SELECT p FROM product ORDER BY i DESC LIMIT 1) * (SELECT n FROM total)
      >= (SELECT CAST(value AS INTEGER) FROM archive_info WHERE name = 'search_many_rows'))),
changed_scores(doc, score) AS MATERIALIZED (
  SELECT press_releases_fts.rowid, {SCORE} FROM known AS k
  JOIN press_releases_fts ON press_releases_fts MATCH '"' || k.word || '"'
  WHERE (SELECT ok FROM usable) AND press_releases_fts.rowid > (SELECT id FROM last)
  UNION ALL
  SELECT press_releases_fts.rowid, {SCORE} FROM known AS k
  JOIN press_releases_fts ON press_releases_fts MATCH '"' || k.word || '"'
  WHERE (SELECT ok FROM usable) AND press_releases_fts.rowid IN
    (SELECT id FROM changed WHERE id <= (SELECT id FROM last))),
fresh(doc, score) AS MATERIALIZED (
  SELECT doc, sum(score) FROM changed_scores
  GROUP BY doc HAVING count(*) = (SELECT count(*) FROM typed)),
depths(previous, places) AS (VALUES {DEPTH_STEPS}),
attempts(places, answer) AS (
  SELECT depth.places, {ANSWER_AT_DEPTH} FROM depths AS depth
  WHERE depth.previous IS NULL AND (SELECT ok FROM usable)
  UNION ALL
  SELECT depth.places, {ANSWER_AT_DEPTH}
  FROM attempts JOIN depths AS depth ON depth.previous = attempts.places
  WHERE NOT coalesce(json_extract(attempts.answer, '$.proven'), 0)
    AND (SELECT count(*) FROM typed) > 1),
chosen(answer) AS (SELECT answer FROM attempts WHERE json_extract(answer, '$.proven')),
top(doc, place) AS (
  SELECT value, key FROM json_each((SELECT json_extract(answer, '$.rows') FROM chosen))),
fast(ok) AS (SELECT (SELECT ok FROM usable) AND (SELECT count(*) FROM top) >= 20)
SELECT * FROM (
  SELECT p.id, p.published, p.title, p.origin, substr(p.body, 1, 160) || ' …' AS snippet, p.url
  FROM top JOIN press_releases AS p ON p.id = top.doc
  WHERE (SELECT ok FROM fast) ORDER BY top.place)
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
