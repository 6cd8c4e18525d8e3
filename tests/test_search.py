"""The one search query (``store.search.SEARCH_SQL``, Datasette's canned ``search``) against the
full FTS5 ranking, on an archive made in-process with words found in most releases, with the
lists' thresholds lowered to its size (docs/analysts.md, benchmarks figure d)."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from pathlib import Path

import pytest

from conftest import ROOT, release
from cqcscraper.store import search, search_lists
from cqcscraper.store.archive import Archive
from cqcscraper.testing.stored import store, store_many

COMMON = "certification cooperation agreement quality centre product inspection".split()
RARE = "photovoltaic hydrogen lithium halal railway elevator boiler".split()
FULL = (
    "SELECT rowid FROM press_releases_fts WHERE press_releases_fts MATCH ? ORDER BY rank LIMIT 10"
)


def body_of(rng: random.Random) -> str:
    words = [rng.choice(COMMON) for _ in range(rng.randint(5, 60))]
    words += [rng.choice(RARE) for _ in range(rng.randint(0, 2))]
    words += ["zeppelin"] * (rng.random() < 0.02)  # in about 24 releases: a narrow word
    words += ["filler"] * rng.randint(0, 80)
    rng.shuffle(words)
    return " ".join(words) + "."


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "cqc.db"
    rng = random.Random(7)
    records = []
    for number in range(1, 1201):
        title = " ".join(rng.sample([*COMMON, "notice", "news", "report"], rng.randint(2, 5)))
        records.append(release(number, title=title.title(), body=body_of(rng)))
    with Archive(path) as archive:
        store_many(archive, [(r, None, None) for r in records])
        with archive.db.atomic():
            broad = search_lists.refresh(
                archive.db.conn, share=0.05, min_rows=50, keep=600, many_rows=100
            )
    assert broad >= len(COMMON)
    return path


def answer(connection: sqlite3.Connection, term: str) -> list[tuple]:
    rows = connection.execute(search.SEARCH_SQL, {"term": term, "since": "", "until": ""})
    return rows.fetchmany(10)


def ranked(connection: sqlite3.Connection, term: str) -> list[int]:
    return [row[0] for row in answer(connection, term)]


def from_lists(connection: sqlite3.Connection, term: str) -> bool:
    """Whether the lists answered (their snippet is the body's start, FTS5's marks the words)."""
    return not any("[" in row[4] for row in answer(connection, term))


def full(connection: sqlite3.Connection, term: str) -> list[int]:
    query = term if term.startswith('"') else " ".join(f'"{word}"' for word in term.split())
    return [row[0] for row in connection.execute(FULL, [query])]


@pytest.mark.parametrize("term", COMMON)
def test_one_broad_word_is_answered_exactly_from_its_list(db: Path, term: str) -> None:
    with sqlite3.connect(db) as connection:
        assert ranked(connection, term) == full(connection, term)
        assert from_lists(connection, term)


@pytest.mark.parametrize(
    "term", ["certification agreement", "quality inspection", "cooperation centre product"]
)
def test_several_broad_words_overlap_the_full_ranking(db: Path, term: str) -> None:
    with sqlite3.connect(db) as connection:
        assert len(set(ranked(connection, term)) & set(full(connection, term))) >= 8
        assert from_lists(connection, term)


def test_the_first_10_of_several_broad_words_are_the_full_rankings(db: Path) -> None:
    """Whoever answers, the first 10 are the full ranking's: the lists answer only when they
    prove them (most pairs of this archive's broad words), else the full ranking does."""
    answered = 0
    with sqlite3.connect(db) as connection:
        for first, second in itertools.combinations(COMMON, 2):
            term = f"{first} {second}"
            assert ranked(connection, term) == full(connection, term), term
            answered += from_lists(connection, term)
    assert answered >= 10


def depths_read(connection: sqlite3.Connection, term: str) -> list[tuple[int, int]]:
    """The depths at which the search read the lists for ``term``, in turn, and whether each
    proved the first 10 (the search's own CTEs, up to the one that chooses the answer)."""
    attempts = search.SEARCH_SQL[: search.SEARCH_SQL.index("chosen(answer) AS")].rstrip()
    sql = attempts.rstrip(",") + "\nSELECT places, json_extract(answer, '$.proven') FROM attempts"
    return connection.execute(sql, {"term": term, "since": "", "until": ""}).fetchall()


def lists_over(path: Path, bodies: list[str], tail: str = "", keep: int = 30) -> Path:
    """An archive of one release a body (titled "Notice", each body ending with ``tail`` and
    its number), with lists made at thresholds of its size."""
    records = [
        release(number, title="Notice", body=f"{body} {tail}{number}.")
        for number, body in enumerate(bodies, 1)
    ]
    with Archive(path) as archive:
        store_many(archive, [(r, None, None) for r in records])
        with archive.db.atomic():
            search_lists.refresh(archive.db.conn, share=0.05, min_rows=50, keep=keep, many_rows=10)
    return path


@pytest.fixture(scope="module")
def layered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose best releases for ``alpha beta`` are 20 that hold each word 5 times:
    120 that hold alpha 8 times (and no beta) come first in alpha's list, 120 that hold beta
    8 times first in beta's, so the lists' first 100 rows hold none of the 20; 300 hold both
    words once among a hundred others."""
    bodies = ["alpha " * 8] * 120 + ["beta " * 8] * 120 + ["alpha beta " * 5] * 20
    bodies += ["alpha beta " + "filler " * 100] * 300
    return lists_over(tmp_path_factory.mktemp("layered") / "cqc.db", bodies, keep=3000)


def test_the_lists_are_read_deeper_only_until_a_depth_proves_the_first_10(
    db: Path, layered: Path
) -> None:
    """Each depth is read only when the one before did not prove the first 10, and the search
    stops at the first that does: one word reads the first depth alone."""
    first, second, *_ = search_lists.DEPTHS
    with sqlite3.connect(layered) as connection:
        assert depths_read(connection, "alpha") == [(first, 1)]
        assert depths_read(connection, "alpha beta") == [(first, 0), (second, 1)]
        assert from_lists(connection, "alpha beta")
        assert ranked(connection, "alpha beta") == full(connection, "alpha beta")
        assert set(ranked(connection, "alpha beta")) <= set(range(241, 261))
    with sqlite3.connect(db) as connection:
        for one, other in itertools.combinations(COMMON, 2):
            read = depths_read(connection, f"{one} {other}")
            assert [depth for depth, _ in read] == list(search_lists.DEPTHS[: len(read)])
            assert [proven for _, proven in read[:-1]] == [0] * (len(read) - 1)


@pytest.fixture(scope="module")
def unproven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose best releases for ``alpha beta`` are missing from beta's list: 15 hold
    alpha 6 times (alpha's best) and beta once; 30 hold beta 5 times (beta's best: its whole
    list) and alpha once, 15 of them in alpha's list too (so 15 rows are in both lists, worse
    than the first 15). Every release holds "standards", never "standard"."""
    bodies = ["alpha " * 6 + "beta"] * 15 + ["beta " * 5 + "alpha"] * 30
    bodies += ["alpha beta " + "filler " * 100] * 200
    return lists_over(tmp_path_factory.mktemp("unproven") / "cqc.db", bodies, "standards ")


def test_a_row_missing_from_a_list_is_scored_exactly(unproven: Path) -> None:
    """The best releases for ``alpha beta`` are in alpha's list only: their beta score is
    read from ``search_scores``, so the lists answer, with the full ranking's first 10."""
    with sqlite3.connect(unproven) as connection:
        assert from_lists(connection, "alpha")
        assert from_lists(connection, "beta")
        assert ranked(connection, "alpha beta") == full(connection, "alpha beta")
        assert set(ranked(connection, "alpha beta")) <= set(range(1, 16))  # alpha's best
        assert from_lists(connection, "alpha beta")


@pytest.fixture(scope="module")
def apart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose lists of alpha and of beta (30 rows each) hold no release with both
    words: 40 hold alpha 6 times, 40 beta 6 times, and the 200 that hold both hold each once
    among a hundred other words."""
    bodies = ["alpha " * 6] * 40 + ["beta " * 6] * 40
    bodies += ["alpha beta " + "filler " * 100] * 200
    return lists_over(tmp_path_factory.mktemp("apart") / "cqc.db", bodies)


def test_lists_that_cannot_prove_their_first_10_leave_them_to_the_full_ranking(
    apart: Path,
) -> None:
    """No depth of the lists gives 10 releases with both words: the full ranking answers."""
    with sqlite3.connect(apart) as connection:
        assert from_lists(connection, "alpha")
        assert ranked(connection, "alpha beta") == full(connection, "alpha beta")
        assert set(ranked(connection, "alpha beta")) <= set(range(81, 281))
        assert not from_lists(connection, "alpha beta")


def test_a_stem_the_texts_hold_only_in_longer_forms_is_answered_from_its_list(
    unproven: Path,
) -> None:
    with sqlite3.connect(unproven) as connection:
        assert from_lists(connection, "standard")
        assert ranked(connection, "standard") == full(connection, "standard")


@pytest.mark.parametrize(
    "term", ["zeppelin", "zeppelin quality", '"zeppelin filler"', '"quality centre" product']
)
def test_a_narrow_word_is_ranked_in_full(db: Path, term: str) -> None:
    """A narrow word or phrase, and a phrase with other words, are ranked in full."""
    with sqlite3.connect(db) as connection:
        assert ranked(connection, term) == full(connection, term)
        assert not from_lists(connection, term)


@pytest.mark.parametrize("term", ['"quality centre"', '"Product Inspection"', '"filler filler"'])
def test_a_phrase_found_in_most_releases_is_answered_exactly_from_its_list(
    db: Path, term: str
) -> None:
    with sqlite3.connect(db) as connection:
        assert connection.execute(
            "SELECT count(*) FROM search_words WHERE word = lower(?)", [term.strip('"')]
        ).fetchone() == (1,)
        assert ranked(connection, term) == full(connection, term)
        assert from_lists(connection, term)


def test_the_title_weighs_more_than_the_body(tmp_path: Path) -> None:
    with Archive(tmp_path / "cqc.db") as archive:
        store(archive, release(1, title="Annual notice", body="Hydrogen " + "text " * 20))
        store(archive, release(2, title="Hydrogen notice", body="Plain " + "text " * 20))
        connection = archive.db.conn
        assert ranked(connection, "hydrogen") == [2, 1]


def test_releases_changed_since_the_lists_were_made_are_scored_in_their_place(
    db: Path, tmp_path: Path
) -> None:
    """A release stored after the lists were made is found at once, in its place, and an
    edited one where its new text puts it, with the lists still answering (the changed
    releases are scored as the search asks); more changes than the lists' slack, and the
    full ranking answers until the crawl's close makes them again."""
    copy = tmp_path / "cqc.db"
    copy.write_bytes(db.read_bytes())
    with Archive(copy) as archive:
        connection = archive.db.conn
        first = ranked(connection, "certification")[0]
        title, body = connection.execute(
            "SELECT title, body FROM press_releases WHERE id = ?", [first]
        ).fetchone()
        store(archive, release(5000, title=title, body=f"{body} certification"))
        with archive.db.atomic():  # edited (as a reparse with new rules may edit it)
            archive.db.execute(
                "UPDATE press_releases SET title = 'Annual notice', body = 'Nothing of the kind.' "
                "WHERE id = ?",
                [first],
            )
        assert from_lists(connection, "certification")
        for term in ("certification", "quality inspection", '"quality centre"'):
            found = ranked(connection, term)
            assert from_lists(connection, term), term
            assert found[0] == full(connection, term)[0]
            assert len(set(found) & set(full(connection, term))) >= 9, term
        assert 5000 in full(connection, "certification")  # the new release ranks high ...
        assert 5000 in ranked(connection, "certification")  # ... and is found there
        assert first not in ranked(connection, "certification")  # no longer holds the word
        assert not search_lists.due(connection)
        slack = int(archive.info(search_lists.SLACK))
        store_many(archive, [(release(6000 + n, body="Certification."), None, None)
                             for n in range(slack)])  # fmt: skip
        assert search_lists.due(connection)
        assert not from_lists(connection, "certification")
        assert ranked(connection, "certification") == full(connection, "certification")


def test_releases_added_above_the_lists_are_scored_together_and_other_changes_one_by_one(
    db: Path, tmp_path: Path
) -> None:
    """Releases added with ids above the largest the lists knew are scored in one pass (as
    many as the slack allows, the lists still answer); a change below it (an edit here) is
    scored one by one, each costing FTS5 a count of the word's releases, so past
    ``ONE_BY_ONE`` of them the full ranking answers until the next close makes the lists."""
    copy = tmp_path / "cqc.db"
    copy.write_bytes(db.read_bytes())
    with Archive(copy) as archive:
        connection = archive.db.conn
        last = int(archive.info(search_lists.LAST_ID))
        assert last == 1200
        title = "Certification Inspection Certification Inspection"  # the best for these
        added = [release(last + n, title=title, body="Notice.") for n in range(1, 13)]
        store_many(archive, [(r, None, None) for r in added])  # 1 % of the archive
        assert not search_lists.due(connection)
        for term in ("certification", "quality inspection", '"quality centre"'):
            assert from_lists(connection, term), term
            found, exhaustive = ranked(connection, term), full(connection, term)
            assert found[0] == exhaustive[0], term  # near-exact: the lists' statistics are
            assert len(set(found) & set(exhaustive)) >= 9, term  # those they were made with
        assert set(ranked(connection, "inspection certification")) <= {r.id for r in added}
        for number in range(1, search_lists.ONE_BY_ONE + 2):
            assert not search_lists.due(connection)
            assert from_lists(connection, "certification")
            with archive.db.atomic():  # edited (as a reparse with new rules may edit it)
                archive.db.execute(
                    "UPDATE press_releases SET body = body || ' Certification.' WHERE id = ?",
                    [number],
                )
        assert search_lists.due(connection)
        assert not from_lists(connection, "certification")
        assert ranked(connection, "certification") == full(connection, "certification")
        with archive.db.atomic():  # as the next close does, at this archive's thresholds
            search_lists.refresh(connection, share=0.05, min_rows=50, keep=600, many_rows=100)
        assert not search_lists.due(connection)
        assert from_lists(connection, "certification")
        assert int(archive.info(search_lists.LAST_ID)) == last + 12


def test_dates_bound_the_search(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            search.SEARCH_SQL, {"term": "certification", "since": "2030-01-01", "until": ""}
        ).fetchall()
    assert rows == []  # every release of this archive is dated 2024-01-02


def test_datasette_runs_the_same_query() -> None:
    metadata = json.loads((ROOT / "cqcscraper" / "datasette.json").read_text(encoding="utf-8"))
    assert metadata["databases"]["cqc"]["queries"]["search"]["sql"] == search.SEARCH_SQL


def work_of(connection: sqlite3.Connection, sql: str, params: object) -> int:
    """How much SQLite does to answer ``sql`` to the end, in thousands of its virtual machine's
    steps (counted, not timed: the same on any machine)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    connection.set_progress_handler(count, 1000)
    try:
        connection.execute(sql, params).fetchall()
    finally:
        connection.set_progress_handler(None, 0)
    return steps[0]


@pytest.mark.parametrize("term", ["certification", "quality inspection"])
def test_when_the_lists_answer_the_full_ranking_is_not_run(db: Path, term: str) -> None:
    """SQLite scans the full-text index before it tests that the full ranking's branch is not
    wanted: given ``""`` then (``FULL_RANKING_MATCH``), that branch does nothing. The same
    query with the typed words there instead does the full ranking's work on top."""
    params = {"term": term, "since": "", "until": ""}
    unguarded = search.SEARCH_SQL.replace(search.FULL_RANKING_MATCH, "(SELECT fts FROM query)")
    assert unguarded != search.SEARCH_SQL
    query = " ".join(f'"{word}"' for word in term.split())
    with sqlite3.connect(db) as connection:
        assert from_lists(connection, term)
        ours = work_of(connection, search.SEARCH_SQL, params)
        without_guard = work_of(connection, unguarded, params)
        ranking = work_of(connection, FULL.replace("LIMIT 10", "LIMIT 100"), [query])
    assert ours + ranking * 0.8 <= without_guard, (ours, ranking, without_guard)
