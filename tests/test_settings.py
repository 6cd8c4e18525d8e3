"""The project's settings: polite by default, archive paths from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
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
