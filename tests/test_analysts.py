"""The analysts' side: Datasette with the shipped configuration, over its JSON API, and every
example of docs/analysts.md, run again and compared with the output the doc shows.

An archive is crawled from the fixture site once per module (as ``make demo`` does). The doc's
examples run on a pristine copy; Datasette serves the archive after one release was edited, so
the *Edits of one release* query has something to show. ``--update-golden`` rewrites the
outputs of the doc's ``console`` examples from what they print now.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EDITED, ROOT, edit_a_release, free_port, run_crawl, wait_until_serving
from cqcscraper.store.archive import Archive

pytestmark = pytest.mark.e2e  # real crawls in subprocesses: pytest -m 'not e2e' skips them

DOC = ROOT / "docs" / "analysts.md"
README = ROOT / "README.md"
ARCHIVE_FORMAT = ROOT / "docs" / "archive-format.md"
METADATA = ROOT / "cqcscraper" / "datasette.json"
DOC_PORT = "127.0.0.1:8001"  # the port the doc shows (make serve's)
BIN = Path(sys.executable).parent


@dataclass
class Served:
    url: str
    docs: Path  # a folder holding data/cqc.db: the archive the doc's examples read


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    out = tmp_path_factory.mktemp("archive")
    crawl = run_crawl(out)
    assert crawl.returncode == 0, crawl.log[-2000:]
    docs = tmp_path_factory.mktemp("docs")
    (docs / "data").mkdir()
    with Archive(crawl.db) as archive:  # one self-contained file to copy
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(crawl.db, docs / "data" / "cqc.db")
    shutil.copytree(crawl.db.with_name("media"), docs / "data" / "media")  # warc, verify
    edit_a_release(crawl.db)
    port = free_port()
    command = [
        str(BIN / "datasette"), "serve", str(crawl.db), "--metadata", str(METADATA),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(server, f"{url}/-/versions.json", "datasette")
    yield Served(url, docs)
    server.terminate()
    server.wait(timeout=30)


def get(served: Served, path: str) -> object:
    with urllib.request.urlopen(served.url + path, timeout=30) as response:
        return json.load(response)


# -- Datasette's JSON API ---------------------------------------------------------------------


def test_the_metadata_is_served(served: Served) -> None:
    metadata = get(served, "/-/metadata.json")
    assert metadata == json.loads(METADATA.read_text(encoding="utf-8"))
    tables = metadata["databases"]["cqc"]["tables"]
    with Archive(served.docs / "data" / "cqc.db") as archive:
        for table in archive.db.table_names():
            if table.startswith("press_releases_fts"):  # the index's own tables
                continue
            assert tables[table]["description"], table
            assert set(archive.db[table].columns_dict) == set(tables[table]["columns"]), table
        for view in archive.db.view_names():
            assert tables[view]["description"], view
    with urllib.request.urlopen(served.url + "/cqc/press_releases", timeout=30) as response:
        html = response.read().decode()
    assert "One row per press release, keyed by the site&#39;s article id." in html
    assert "Canonical source: both names of the centre" in html  # a column description


@pytest.mark.parametrize(
    ("term", "ids"),
    [
        ("", []),  # the form as it opens: no rows, no "fts5: syntax error"
        ("   ", []),
        ('a"b', []),  # a stray quote: plain words
        ('yiwu"', [597552]),
        ("AND OR (", [593364, 596101]),  # operators typed by accident: plain words
        ("-yiwu", [597552]),
        ("strategic cooperation", [595388, 597552]),  # every word
        ('"strategic cooperation"', [595388, 597552]),  # a phrase typed on purpose
        ('"cooperation strategic"', []),  # ... is a phrase: in this order only
    ],
)
def test_the_canned_search_takes_any_term_without_an_error(
    served: Served, term: str, ids: list[int]
) -> None:
    query = urllib.parse.urlencode({"term": term, "since": "", "until": "", "_shape": "array"})
    with urllib.request.urlopen(f"{served.url}/cqc/search.json?{query}", timeout=30) as response:
        assert response.status == 200
        rows = json.load(response)
    assert sorted(row["id"] for row in rows) == ids
    with urllib.request.urlopen(f"{served.url}/cqc/search", timeout=30) as response:
        assert response.status == 200  # the empty form


def test_search_with_a_term_and_a_date_range(served: Served) -> None:
    rows = get(served, "/cqc/search.json?term=cooperation&since=&until=&_shape=array")
    assert sorted(row["id"] for row in rows) == [
        593364, 594820, 595388, 595908, 596620, 596777, 597552,
    ]  # fmt: skip
    rows = get(served, "/cqc/search.json?term=cooperation&since=2021-01-01&until=&_shape=array")
    assert sorted(row["id"] for row in rows) == [595908, 596620, 596777, 597552]
    assert "[" in rows[0]["snippet"]
    # stemming: "certificates" finds "certification"; the range bounds both ends
    rows = get(
        served, "/cqc/search.json?term=certificates&since=2020-01-01&until=2020-12-31&_shape=array"
    )
    assert sorted(row["id"] for row in rows) == [595351, 595388]


def test_the_search_box_finds_the_release(served: Served) -> None:
    rows = get(served, "/cqc/press_releases.json?_search=yiwu&_shape=array&_col=title")
    assert [row["id"] for row in rows] == [597552]
    rows = get(served, "/cqc/releases.json?_search=yiwu&_shape=array")
    assert [(row["id"], row["edits"]) for row in rows] == [(597552, 1)]


def test_releases_of_a_year(served: Served) -> None:
    rows = get(served, "/cqc/releases_of_year.json?year=2020&_shape=array")
    assert [(row["id"], row["published"]) for row in rows] == [
        (595351, "2020-11-23"),
        (595388, "2020-12-21"),
    ]


def test_edits_of_one_release_side_by_side(served: Served) -> None:
    rows = get(served, f"/cqc/edits_of_release.json?id={EDITED}&_shape=array")
    assert [row["version"] for row in rows] == ["revision 1", "current"]
    assert "a solemn signing ceremony" not in rows[0]["body"]
    assert "a solemn signing ceremony" in rows[1]["body"]
    assert rows[0]["seen_until"] < rows[1]["seen_from"] == "2099-01-01T00:00:00Z"
    assert rows[0]["content_hash"] != rows[1]["content_hash"]


def test_rejects_of_the_last_run(served: Served) -> None:
    rows = get(served, "/cqc/last_run_rejects.json?_shape=array")
    assert [(row["reason"], row["url"].rsplit("/", 1)[1]) for row in rows] == [
        ("no_body", "596500.shtml"),
        ("not_found", "590001.shtml"),
    ]


def test_facets_count_correctly(served: Served) -> None:
    facets = get(served, "/cqc/releases.json?_size=0")["facet_results"]
    counts = {
        name: {item["value"]: item["count"] for item in facet["results"]}
        for name, facet in facets.items()
    }
    assert counts == {
        "year": {2023: 3, 2020: 2, 2006: 1, 2019: 1, 2021: 1, 2022: 1, 2024: 1},
        "origin": {"China Quality Certification Centre": 8},
        "published_from": {"public_time": 9, "url": 1},
        "title_from": {"heading": 5, "og_title": 2, "body": 1, "html_title": 1, "listing": 1},
    }
    reasons = get(served, "/cqc/rejects.json?_size=0")["facet_results"]["reason"]["results"]
    assert {item["value"]: item["count"] for item in reasons} == {"no_body": 1, "not_found": 1}


def test_views_answer_the_common_questions(served: Served) -> None:
    per_year = get(served, "/cqc/releases_per_year.json?_shape=array")
    assert [(row["year"], row["releases"]) for row in per_year] == [
        (2006, 1), (2019, 1), (2020, 2), (2021, 1), (2022, 1), (2023, 3), (2024, 1),
    ]  # fmt: skip
    latest = get(served, "/cqc/latest_releases.json?_shape=array")
    assert [row["id"] for row in latest] == [
        597552, 595908, 596880, 596777, 596620, 596101, 595388, 595351, 594820, 593364,
    ]  # fmt: skip
    (run,) = get(served, "/cqc/crawl_summary.json?_shape=array")
    assert (run["verdict"], run["new"], run["rejected"], run["linked"]) == ("ok", 10, 2, 12)
    assert run["seconds"] >= 0


# -- docs/analysts.md ---------------------------------------------------------------------------

CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
PYCON = re.compile(r"```pycon\n(.*?)```", re.DOTALL)


def console_examples(text: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` of every ``$ command`` in the doc's console blocks."""
    examples = []
    for block in CONSOLE.findall(text):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


def run_example(command: str, served: Served) -> str:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    command = command.replace(DOC_PORT, served.url.removeprefix("http://"))
    command = command.replace(".venv/bin/", f"{BIN}/")  # the README runs from the project
    done = subprocess.run(
        ["bash", "-c", command], cwd=served.docs, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stderr}"
    return "\n".join(line.rstrip() for line in done.stdout.splitlines()) + (
        "\n" if done.stdout.strip() else ""
    )


@pytest.mark.parametrize(
    ("doc", "at_least"),
    [(DOC, 12), (README, 2), (ARCHIVE_FORMAT, 4)],
    ids=["analysts", "readme", "archive-format"],
)
def test_every_console_example_prints_what_the_doc_shows(
    served: Served, update_golden: bool, doc: Path, at_least: int
) -> None:
    text = doc.read_text(encoding="utf-8")
    examples = console_examples(text)
    assert len(examples) >= at_least
    if update_golden:
        for block in CONSOLE.findall(text):
            fresh = "".join(
                f"$ {command}\n{run_example(command, served)}"
                for command, _ in console_examples(f"```console\n{block}```")
            )
            text = text.replace(f"```console\n{block}```", f"```console\n{fresh}```", 1)
        doc.write_text(text, encoding="utf-8")
        return
    for command, expected in examples:
        assert run_example(command, served) == expected, command


def test_the_pandas_example_prints_what_the_doc_shows(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(served.docs)
    (block,) = PYCON.findall(DOC.read_text(encoding="utf-8"))
    test = doctest.DocTestParser().get_doctest(block, {}, "analysts.md pandas", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda report: pytest.fail(report))
    assert runner.summarize(verbose=False).attempted >= 8


SH = re.compile(r"```sh\n(.*?)```", re.DOTALL)
OPERATIONS = ROOT / "docs" / "operations.md"
DEPLOY = ROOT / "docs" / "deploy.md"


def test_the_operations_commands_run_on_the_demo_archive(served: Served, tmp_path: Path) -> None:
    """Every archive command docs/operations.md shows for reading and repairing an archive
    (sqlite3 queries, summary, health, reparse, backup) runs on a copy of the demo
    archive without an error; crawls, systemd and cron lines are tested elsewhere."""
    folder = tmp_path / "ops"
    shutil.copytree(served.docs, folder)
    (folder / "backup").mkdir()
    commands = [
        line.split("  #")[0].strip().replace("/srv/backup/cqc-2026-12", "backup")
        for block in SH.findall(OPERATIONS.read_text(encoding="utf-8"))
        for line in block.splitlines()
        if line.startswith(("sqlite3 ", ".venv/bin/cqcscraper "))
    ]
    assert len(commands) >= 6
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        command = command.replace(".venv/bin/", f"{BIN}/")
        done = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def test_the_nagios_plugin_of_deploy_md_names_the_reason(served: Served, tmp_path: Path) -> None:
    """docs/deploy.md's plugin, run as written (paths to this venv and a demo copy): OK with
    the verdict line, then CRITICAL with the reason, which it did not show (stderr)."""
    (script,) = [b for b in SH.findall(DEPLOY.read_text(encoding="utf-8")) if "Nagios" in b]
    db = tmp_path / "cqc.db"
    shutil.copy(served.docs / "data" / "cqc.db", db)
    plugin = tmp_path / "check_cqcscraper"
    plugin.write_text(
        script.replace("/srv/cqc/venv/bin/", f"{BIN}/").replace("/srv/cqc/data/cqc.db", str(db))
    )
    plugin.chmod(0o755)
    done = subprocess.run([plugin], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.split(" - ")[0]) == (0, "OK"), done.stdout
    assert done.stdout.startswith("OK - ok: crawl 1")
    with sqlite3.connect(db) as connection:  # the schedule stopped long ago
        connection.execute("UPDATE crawls SET finished = '2000-01-01T00:00:00Z'")
    done = subprocess.run([plugin], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout.startswith("CRITICAL - ")
    assert "has the schedule stopped?" in done.stdout
