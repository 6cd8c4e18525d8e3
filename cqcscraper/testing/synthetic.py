"""A deterministic synthetic CQC site of N articles, with the record each article must give.

``python -m cqcscraper.synthetic OUT --articles 2000`` writes ``OUT/html/`` (the site, laid out
at its own paths, servable by ``cqcscraper.testing.mirror``) and ``OUT/expected/ID.json`` (the whole
record of each article, written from what the generator put on the page, not from reading it
back). The same ``--seed`` gives the same bytes.

The articles use the eight markup variants of the fixture pages, in turn:

- ``legacy``: table layout, GB2312, a ``<b>`` title in a ``<font>``, the ``Public Time`` label
  split across ``<font>`` elements, ``<br>`` runs indented with ``&nbsp;``, the title repeated
  as the first body line, no Origin;
- ``modern``: div layout, UTF-8, ``Public Time`` and ``Origin`` on one line (in one article in
  five, no info line at all: the date comes from the URL), photos each with a number line;
- ``html5``: ``<article>``, ``<h1>``, ``<time>`` written ``23 November 2020``, a Chinese
  origin, a related-links aside;
- ``gbk``: div layout in GBK, the heading cut short with ``...``, the full title only in
  ``og:title``, the Origin value in the next element;
- ``untitled``: no title element at all (``<title>`` is the site's name), labels in a ``<dl>``
  and a share bar: the title is the listing's link text;
- ``sidebox``: a two-column page whose "Latest News" box heading stands before the article's
  own heading, a ``<title>`` that is only the section's name, and a "Related:" link list
  inside the body's container;
- ``cut_og``: HTML5, the ``<article>``'s heading and ``<title>`` cut short alike, the full title
  only in ``og:title``;
- ``cut_body``: no heading, ``<title>`` cut short, the full title as the body's first line (and
  cut short in the listing too).

Half the articles are listed in ``News`` (paginated by plain links), half in ``Activities``
(paginated only by a ``createPageHTML`` script call), newest first, 20 to a page. Paragraph
counts and lengths follow the real releases: 3 to 12 paragraphs of 2 to 6 sentences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from cqcscraper.testing.synthetic_pages import CENTRE, SECTIONS, listing_html, page_html

ORIGIN = "https://www.cqc.com.cn"
FIRST_ID = 600000
LAST_DAY = dt.date(2024, 12, 31)
PER_PAGE = 20
VARIANTS = ("legacy", "modern", "html5", "gbk", "untitled", "sidebox", "cut_og", "cut_body")
# Where each variant's title comes from (``title_from``).
TITLE_FROM = {
    "legacy": "html_title",
    "modern": "heading",
    "html5": "heading",
    "gbk": "og_title",
    "untitled": "listing",
    "sidebox": "heading",
    "cut_og": "og_title",
    "cut_body": "body",
}

WORDS = (
    "certification quality inspection testing standard enterprise product service market "
    "agreement cooperation development conference delegation ministry province laboratory "
    "training programme system management safety energy green carbon export import trade "
    "international regional national technical expert committee council centre industry "
    "innovation digital platform assessment audit compliance recognition mutual bilateral "
    "signed held attended discussed promoted launched supported delivered strengthened "
    "improved expanded shared reviewed announced organised hosted visited welcomed reported "
    "annual strategic comprehensive professional sustainable efficient reliable modern "
    "local global public private joint new further high level key major"
).split()
# The long tail: words that only some releases use, as in the real ones (products, schemes,
# bodies, places). Each article is about a few of them (its topics), which it repeats, and
# never uses the rest: as in real text, a common word is in most releases and a tail word in
# few. Full-text search timings depend on that.
TAIL = (
    "photovoltaic inverter battery lithium charger appliance refrigerator compressor motor "
    "lighting luminaire cable wire switch socket transformer elevator boiler furniture textile "
    "toy footwear cosmetics food dairy tea rice seafood organic halal gluten pharmaceutical "
    "vehicle automotive tyre helmet drone robot semiconductor chip sensor wearable router "
    "cybersecurity privacy cloud blockchain software firmware antenna satellite railway "
    "hydrogen wind nuclear solar biomass recycling packaging plastic paper glass ceramic steel "
    "aluminium copper cement timber forestry fishery livestock poultry agriculture logistics "
    "tourism hospitality healthcare elderly childcare education banking insurance aviation "
    "maritime port customs tariff accreditation CNAS CNCA SAMR IECEE IQNet ILAC IAF ISO IEC "
    "ITU UL TUV VDE KEMA SGS Intertek BSI DEKRA CSA JQA KTL VCA SIRIM PSB SABS INMETRO "
    "CCC Belt Road ASEAN RCEP BRICS APEC Eurasian Mekong Arctic Silk Rhine Danube Nile "
    "Kazakhstan Uzbekistan Thailand Vietnam Indonesia Malaysia Singapore Pakistan Egypt Kenya "
    "Nigeria Brazil Chile Argentina Mexico Germany France Italy Spain Poland Hungary Serbia "
    "Greece Turkey Russia Mongolia Korea Japan Australia Zealand Canada Ethiopia Morocco "
    "Guangzhou Tianjin Chongqing Qingdao Xiamen Ningbo Dalian Harbin Kunming Lhasa Urumqi "
    "Hainan Guangxi Yunnan Fujian Zhejiang Jiangsu Shandong Hebei Henan Hubei Hunan Anhui "
    "Jiangxi Sichuan Shaanxi Gansu Qinghai Ningxia Guizhou Shanxi Liaoning Jilin Heilongjiang"
).split()
NAMES = "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Ma Zhu Hu Guo He Lin".split()
PLACES = "Beijing Shanghai Suzhou Yiwu Shenzhen Hangzhou Nanjing Wuhan Xi'an Chengdu".split()


@dataclass(frozen=True)
class Article:
    id: int
    day: dt.date
    variant: str
    title: str
    paragraphs: tuple[str, ...]
    images: tuple[str, ...]  # file names, beside the page
    info_line: bool  # modern only: whether the Public Time / Origin line is there

    @property
    def folder(self) -> str:
        return f"www/english/c/{self.day.isoformat()}"

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.id}.shtml"

    @property
    def url(self) -> str:
        return f"{ORIGIN}/{self.path}"

    @property
    def cut_title(self) -> str:
        """The title cut short, as a template that truncates it shows it."""
        return self.title[: max(12, min(40, len(self.title) - 6))].rstrip() + "..."

    @property
    def gbk_heading(self) -> str:
        """The ``gbk`` variant's heading: cut short when the title is long."""
        return self.title if len(self.title) <= 60 else self.title[:57].rstrip() + "..."

    @property
    def title_from(self) -> str:
        """Where the crawler takes this page's title from (``title_from``)."""
        if self.variant == "gbk" and self.gbk_heading == self.title:  # not cut: confirmed
            return "heading"
        return TITLE_FROM[self.variant]

    @property
    def listing_text(self) -> str:
        return self.cut_title if self.variant == "cut_body" else self.title

    def record(self) -> dict:
        """The record the crawler must make of this page."""
        body = "\n\n".join(self.paragraphs)
        origin_raw = {
            "legacy": None,
            "modern": "CHINA QUALITY CERTIFICATION CENTRE CO.,LTD." if self.info_line else None,
            "html5": "中国质量认证中心",
            "gbk": "中国质量认证中心",
            "untitled": "CQC",
            "sidebox": "CQC",
            "cut_og": CENTRE,
            "cut_body": "中国质量认证中心",
        }[self.variant]
        dated_on_page = self.variant != "modern" or self.info_line
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "title_from": self.title_from,
            "published": self.day.isoformat(),
            "published_from": "public_time" if dated_on_page else "url",
            "origin": CENTRE if origin_raw else None,
            "origin_raw": origin_raw,
            "body": body,
            "images": [f"{ORIGIN}/{self.folder}/{name}" for name in self.images],
            "content_hash": hashlib.sha256(f"{self.title}\n\n{body}".encode()).hexdigest(),
        }


WEIGHTS = [1 / (rank + 5) for rank in range(len(WORDS))]  # Zipf-like


def _sentence(rng: random.Random, topics: list[str]) -> str:
    words = rng.choices(WORDS, weights=WEIGHTS, k=rng.randint(8, 25))
    words[rng.randrange(len(words))] = rng.choice(topics)
    if rng.random() < 0.4:
        words[rng.randrange(len(words))] = rng.choice(NAMES)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, topics: list[str]) -> str:
    return " ".join(_sentence(rng, topics) for _ in range(rng.randint(2, 6)))


def _title(rng: random.Random, topics: list[str]) -> str:
    chosen = rng.choices(WORDS, weights=WEIGHTS, k=rng.randint(5, 12))
    words = [w.capitalize() for w in chosen]
    words.insert(rng.randrange(len(words)), topics[0])
    return "CQC " + " ".join(words)


def articles(count: int, seed: int = 2024) -> list[Article]:
    """The site's articles, newest first."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        variant = VARIANTS[number % len(VARIANTS)]
        topics = [*rng.sample(TAIL, 3), rng.choice(PLACES)]
        title = _title(rng, topics)
        paragraphs = tuple(_paragraph(rng, topics) for _ in range(rng.randint(3, 12)))
        # a photo goes after every other paragraph, so at most one per two paragraphs
        photos = min(rng.randint(0, 3), (len(paragraphs) + 1) // 2) if variant == "modern" else 0
        images = tuple(f"W{FIRST_ID + number:06d}{k}.jpg" for k in range(photos))
        made.append(
            Article(
                id=FIRST_ID + count - number,
                day=LAST_DAY - dt.timedelta(days=number * 4 // 3),
                variant=variant,
                title=title,
                paragraphs=paragraphs,
                images=images,
                info_line=variant != "modern" or rng.random() >= 0.2,
            )
        )
    return made


def write_site(out: str | Path, count: int, seed: int = 2024) -> list[Article]:
    """Write the site to ``out/html`` and the expected records to ``out/expected``."""
    out = Path(out)
    for folder in ("html", "expected"):
        shutil.rmtree(out / folder, ignore_errors=True)
    site, expected = out / "html", out / "expected"
    made = articles(count, seed)
    for number, a in enumerate(made):
        related = [made[(number + k) % len(made)] for k in (1, 2)]
        page = site / a.path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_bytes(page_html(a, related))
        for name in a.images:
            (page.parent / name).write_bytes(b"\xff\xd8\xff\xd9")  # a tiny JPEG
    expected.mkdir(parents=True)
    for a in made:
        record = json.dumps(a.record(), ensure_ascii=False, indent=2)
        (expected / f"{a.id}.json").write_text(record + "\n", encoding="utf-8")
    for index, (section, style) in enumerate(SECTIONS.items()):
        listed = made[index :: len(SECTIONS)]
        pages = max(1, -(-len(listed) // PER_PAGE))
        for page in range(pages):
            name = "index.shtml" if page == 0 else f"index_{page}.shtml"
            items = listed[page * PER_PAGE : (page + 1) * PER_PAGE]
            target = site / "www/english" / section / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(listing_html(section, style, page, pages, items))
    home = listing_html("Home", "links", 0, 1, made[:5]).replace(b"Home--", b"")
    (site / "www/english/index.shtml").write_bytes(home)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /www/english/search/\n")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cqcscraper.synthetic", description=__doc__)
    parser.add_argument("out", help="folder to write html/ and expected/ into")
    parser.add_argument("--articles", type=int, default=2000, help="number of articles")
    parser.add_argument("--seed", type=int, default=2024, help="random seed")
    args = parser.parse_args(argv)
    made = write_site(args.out, args.articles, args.seed)
    sys.stdout.write(f"{len(made)} articles in {Path(args.out) / 'html'}, records in expected/\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
