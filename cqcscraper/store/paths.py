"""Where an archive's files are: its default name, and the JSONL export that follows it."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_NAME = "cqc.db"
DEFAULT_JSONL_NAME = "press_releases.jsonl"


def jsonl_beside(db: str | os.PathLike[str]) -> Path:
    """Where an archive's JSONL export goes unless one is named: beside it,
    ``press_releases.jsonl`` for an archive named ``cqc.db``, else the archive's name with
    ``.jsonl`` (``other.db`` -> ``other.jsonl``). So an export always follows its archive."""
    path = Path(db)
    if path.name == DEFAULT_DB_NAME:
        return path.with_name(DEFAULT_JSONL_NAME)
    return path.with_suffix(".jsonl")
