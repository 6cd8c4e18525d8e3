"""The project's settings: polite by default, archive paths from the environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from cqcscraper import settings as settings_module
from cqcscraper.crawl import declared
from cqcscraper.store.archive import jsonl_beside

READ_SETTINGS = """
import json
from scrapy.utils.project import get_project_settings
s = get_project_settings()
print(json.dumps({name: s.get(name) for name in [
    "CQC_DB", "CQC_JSONL", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "USER_AGENT", "TELNETCONSOLE_ENABLED",
    "REMOTE_CONTROL_ENABLED",
]}))
"""


def project_settings(**env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("CQC_DB", "CQC_JSONL")}
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_polite_by_default() -> None:
    settings = project_settings()
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert float(settings["DOWNLOAD_DELAY"]) >= 1
    assert int(settings["CONCURRENT_REQUESTS_PER_DOMAIN"]) <= 2
    assert int(settings["CONCURRENT_REQUESTS"]) <= 2
    assert settings["USER_AGENT"].startswith("cqcscraper/")
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["REMOTE_CONTROL_ENABLED"] is False


def test_archive_paths_default_and_follow_the_environment() -> None:
    default = project_settings()
    # Unset, the export follows its archive: data/press_releases.jsonl beside data/cqc.db.
    assert (default["CQC_DB"], default["CQC_JSONL"]) == ("data/cqc.db", None)
    assert jsonl_beside(default["CQC_DB"]) == Path("data/press_releases.jsonl")
    assert jsonl_beside("/srv/cqc/other.db") == Path("/srv/cqc/other.jsonl")
    moved = project_settings(CQC_DB="/srv/cqc/archive.db", CQC_JSONL="/srv/cqc/out.jsonl")
    assert (moved["CQC_DB"], moved["CQC_JSONL"]) == ("/srv/cqc/archive.db", "/srv/cqc/out.jsonl")


# -- one declaration per setting (cqcscraper/crawl/declared.py) -------------------------------


def test_the_readme_table_is_made_from_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert [line for line in readme if line.startswith("| `-s ")] == declared.table()


def test_settings_take_every_declared_default() -> None:
    for setting in declared.SETTINGS:
        assert getattr(settings_module, setting.name) == setting.value(), setting.name


def test_every_setting_the_code_reads_is_declared() -> None:
    """A CQC_ name read anywhere in the package is declared (so its value is checked)."""
    read = set()
    for path in (ROOT / "cqcscraper").rglob("*.py"):
        read |= set(re.findall(r"[\"'](CQC_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    assert read - set(declared.BY_NAME) == set()


@pytest.mark.parametrize(
    ("given", "line"),
    [
        ({"CQC_DBB": "x.db"}, "unknown setting CQC_DBB: did you mean CQC_DB?"),
        ({"DOWNLOAD_DELAYY": "0"}, "unknown setting DOWNLOAD_DELAYY: did you mean DOWNLOAD_DELAY?"),
        (
            {"CQC_MAX_REJECTED_SHARE": "30%"},
            "CQC_MAX_REJECTED_SHARE='30%' cannot be used: it "
            "must be a share between 0 and 1 (0.3 is 30 %)",
        ),
        (
            {"CQC_LISTING_DEPTH": "2.5"},
            "CQC_LISTING_DEPTH='2.5' cannot be used: it must be a whole number, 0 or more",
        ),
        (
            {"CQC_DB_LOCK_TIMEOUT": "0"},
            "CQC_DB_LOCK_TIMEOUT='0' cannot be used: it must be a number of seconds above 0",
        ),
        (
            {"CQC_MEDIA": "yes"},
            "CQC_MEDIA='yes' cannot be used: it must be a boolean: 1 or 0 (True or False)",
        ),
        (
            {"CLOSESPIDER_TIMEOUT": "inf"},
            "CLOSESPIDER_TIMEOUT='inf' cannot be used: it must be a number of seconds, 0 or more",
        ),
    ],
)
def test_a_wrong_setting_is_one_line(given: dict, line: str) -> None:
    with pytest.raises(declared.SettingError) as refused:
        declared.check(given, known={"DOWNLOAD_DELAY"})
    assert str(refused.value) == line


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("CQC_MAX_REJECTED_SHARE", "0.3", 0.3),
        ("CQC_MAX_REJECTED_SHARE", 1, 1.0),
        ("CQC_LISTING_DEPTH", "0", 0),
        ("CQC_LISTING_DEPTH", "4.0", 4),
        ("CQC_MEDIA", "False", False),
        ("CQC_MEDIA", 1, True),
        ("LOG_LEVEL", "debug", "DEBUG"),
        ("CQC_JSONL", None, None),
    ],
)
def test_a_right_setting_reads_as_its_kind(name: str, value: object, read: object) -> None:
    assert declared.read(declared.BY_NAME[name], value) == read
    declared.check({name: value})
