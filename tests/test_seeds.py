"""The golden records agree with the seed texts, the ground truth the project was made from.

The seeds are read here with their own simple rules (not the project's), so a golden file that
was regenerated from a wrong rule fails this test instead of silently becoming the truth.
"""

from __future__ import annotations

import re

import pytest

from conftest import EXPECTED, SEEDS, load_json

HEADER = "Homepage / Favorites / 中文版"
FOOTER = "Introduction of Website / Exception Clause"


def read_seed(article_id: int) -> dict[str, object]:
    lines = [
        " ".join(line.split()) for line in (SEEDS / f"{article_id}.txt").read_text().split("\n")
    ]
    assert lines[0] == HEADER
    title, rest = lines[1], lines[2 : lines.index(FOOTER)]
    published = origin = None
    if rest and rest[0].startswith("Public Time:"):
        info = rest.pop(0)
        published = re.search(r"Public Time:(\S+)", info).group(1)
        if "Origin:" in info:
            origin = info.split("Origin:", 1)[1].strip()
    paragraphs = [line for line in rest if line and not line.isdigit()]
    if paragraphs and paragraphs[0] == title:
        paragraphs.pop(0)
    return {"title": title, "published": published, "origin_raw": origin, "paragraphs": paragraphs}


SEED_IDS = sorted(int(path.stem) for path in SEEDS.glob("*.txt"))


def test_all_five_seeds_have_a_golden_record() -> None:
    assert len(SEED_IDS) == 5
    for article_id in SEED_IDS:
        assert (EXPECTED / f"{article_id}.json").exists()


@pytest.mark.parametrize("article_id", SEED_IDS)
def test_golden_record_matches_seed_text(article_id: int) -> None:
    seed = read_seed(article_id)
    golden = load_json(EXPECTED / f"{article_id}.json")
    assert golden["title"] == seed["title"]
    assert golden["origin_raw"] == seed["origin_raw"]
    if seed["published"]:
        assert (golden["published"], golden["published_from"]) == (seed["published"], "public_time")
    else:
        url_date = re.search(r"/c/(\d{4}-\d\d-\d\d)/", golden["url"]).group(1)
        assert (golden["published"], golden["published_from"]) == (url_date, "url")
    assert golden["body"].split("\n\n") == seed["paragraphs"]
