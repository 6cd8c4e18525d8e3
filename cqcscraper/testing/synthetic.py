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
from html import escape
from pathlib import Path

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
CENTRE = "China Quality Certification Centre"
SECTIONS = {"News": "links", "Activities": "script"}

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


# -- markup -----------------------------------------------------------------------------------

NAV = (
    '<a href="/www/english/">Homepage</a> / <a href="javascript:void(0);" '
    'onclick="AddFavorite(location.href, document.title)">Favorites</a> / '
    '<a href="https://www.cqc.com.cn/">中文版</a>'
)
MENU = (
    "".join(f'<li><a href="/www/english/{name}/">{name}</a></li>' for name in SECTIONS)
    + '<li><a href="/www/english/About/index.shtml">About CQC</a></li>'
)
FOOTER = (
    '<p><a href="/www/english/About/index.shtml">Introduction of Website</a> / '
    '<a href="/www/english/About/clause.shtml">Exception Clause</a></p>\n'
    '<p class="copyright">Copyright by CHINA QUALITY CERTIFICATION CENTRE CO., LTD.</p>'
)
SITE_SUFFIX = "--China Quality Certification Centre"


def _legacy(a: Article) -> bytes:
    indent = "&nbsp;" * 5
    lines = "<br>\n".join([escape(a.title)] + [f"{indent} {escape(p)}" for p in a.paragraphs])
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{escape(a.title)}--CQC</title>
</head>
<body leftmargin="0" topmargin="0">
<table width="778" border="0" align="center"><tr><td class="topnav">{NAV}</td></tr></table>
<table width="778" border="0" align="center">
  <tr>
    <td width="180" valign="top"><table width="100%">{
        "".join(f'<tr><td><a href="/www/english/{name}/">{name}</a></td></tr>' for name in SECTIONS)
    }
    </table></td>
    <td valign="top"><table width="100%" cellpadding="8">
      <tr><td align="center"><font style="font-size:16px"><b>{escape(a.title)}</b></font></td></tr>
      <tr><td align="center" class="time"><font color="#666666">Public Time</font>:<font color="#666666">{
        a.day.isoformat()
    }</font></td></tr>
      <tr><td valign="top" class="content">{lines}<br>
      </td></tr>
    </table></td>
  </tr>
</table>
<table width="778" align="center"><tr><td class="footer">{FOOTER}</td></tr></table>
</body>
</html>
"""  # noqa: E501
    return page.encode("gb18030")


def _modern(a: Article) -> bytes:
    blocks = []
    photos = list(a.images)
    for number, paragraph in enumerate(a.paragraphs):
        blocks.append(f'<p style="text-indent: 2em;">{escape(paragraph)}</p>\n<p><br/></p>')
        if photos and number % 2 == 0:
            name = photos.pop(0)
            blocks.append(
                f'<p style="text-align: center;"><img src="./{name}" alt="" /></p>\n'
                f'<p style="text-align: center;">{len(a.images) - len(photos)}</p>'
            )
    info = (
        f'<div class="info">Public Time:{a.day.isoformat()}&nbsp;&nbsp;&nbsp;&nbsp;'
        "Origin:CHINA QUALITY CERTIFICATION CENTRE CO.,LTD.</div>"
        if a.info_line
        else ""
    )
    body = "\n      ".join(blocks)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(a.title)}{SITE_SUFFIX}</title>
<meta property="og:title" content="{escape(a.title)}">
<link rel="stylesheet" type="text/css" href="/www/english/css/style.css" />
<script type="text/javascript" src="/www/english/js/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="wrap">
  <h1 class="logo"><a href="/www/english/">{CENTRE}</a></h1>
  <div class="topnav">{NAV}</div>
  <ul class="menu">{MENU}</ul>
</div></div>
<div class="main wrap">
  <div class="article">
    <div class="title">{escape(a.title)}</div>
    {info}
    <div class="TRS_Editor">
      <p><br/></p>
      {body}
    </div>
  </div>
</div>
<div class="footer"><div class="wrap">{FOOTER}</div></div>
<script type="text/javascript">var _hmt = _hmt || [];</script>
</body>
</html>
""".encode()


def _links_to(related: list[Article]) -> str:
    """A list of links to other releases, as a related or latest-news box shows them."""
    return "".join(
        f'<li><a href="/{other.path}">{escape(other.title)}</a></li>' for other in related
    )


def _html5(a: Article, related: list[Article]) -> bytes:
    paragraphs = "\n        ".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    links = _links_to(related)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(a.title)} | CQC</title>
  <meta property="og:title" content="{escape(a.title)}">
  <style>article {{ max-width: 48rem; }}</style>
</head>
<body>
  <header class="site-header"><nav class="topnav">{NAV}</nav></header>
  <main>
    <article>
      <h1>{escape(a.title)}</h1>
      <p class="meta"><span>Public Time</span>：<time datetime="{a.day.isoformat()}">{a.day.day} {a.day:%B %Y}</time>
        <span>Origin</span>:<span>中国质量认证中心</span></p>
      <div class="article-body">
        {paragraphs}
      </div>
    </article>
    <aside class="related"><h2>Related news</h2><ul>{links}</ul></aside>
  </main>
  <footer class="site-footer">{FOOTER}</footer>
</body>
</html>
""".encode()  # noqa: E501


def _gbk(a: Article) -> bytes:
    paragraphs = "\n      ".join(
        f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{escape(p)}</p>" for p in a.paragraphs
    )
    heading = a.gbk_heading
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=GBK" />
<title>{escape(a.title)} - {CENTRE}</title>
<meta property="og:title" content="{escape(a.title)}">
</head>
<body>
<div class="top"><div class="wrap">
  <h1 class="logo"><a href="/www/english/">{CENTRE}</a></h1>
  <div class="topnav">{NAV}</div>
</div></div>
<div class="main wrap">
  <div class="article">
    <h2 class="arttitle">{escape(heading)}</h2>
    <div class="info"><span class="label">Public Time</span><span>：</span><span class="date">{a.day.isoformat()} 09:30:12</span>&nbsp;&nbsp;<span class="label">Origin：</span></div>
    <div class="source">中国质量认证中心</div>
    <div class="TRS_Editor"><div class="Custom_UnionStyle">
      <p>&nbsp;</p>
      {paragraphs}
    </div></div>
  </div>
</div>
<div class="footer"><div class="wrap">{FOOTER}</div></div>
</body>
</html>
""".encode("gbk")  # noqa: E501


def _untitled(a: Article) -> bytes:
    paragraphs = "\n      ".join(f"<div>{escape(p)}</div>" for p in a.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>CQC English</title></head>
<body>
<div id="wrapper">
  <div id="crumbs"><a href="/www/english/">Homepage</a> &gt; <a href="/www/english/News/">News</a></div>
  <section class="bulletin">
    <dl class="props"><dt>Public Time:</dt><dd>{a.day.isoformat()}</dd><dt>Origin:</dt><dd>CQC</dd></dl>
    <div class="txt">
      {paragraphs}
    </div>
    <div class="share">Share to: <a href="javascript:share('wechat')">WeChat</a> <a href="javascript:share('weibo')">Weibo</a></div>
  </section>
  <div id="foot">{FOOTER}</div>
</div>
</body>
</html>
""".encode()  # noqa: E501


def _sidebox(a: Article, related: list[Article]) -> bytes:
    paragraphs = "\n      ".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    latest = _links_to(related)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>News - CQC</title></head>
<body>
<div class="hd"><ul class="menu">{MENU}</ul></div>
<div class="container">
  <div class="col-l"><div class="box"><h2>Latest News</h2><ul>{latest}</ul></div></div>
  <div class="col-r">
    <h2 class="t">{escape(a.title)}</h2>
    <div class="meta">Public Time：{a.day.isoformat()} &nbsp; Origin：CQC</div>
    <div class="con">
      {paragraphs}
      <p><strong>Related:</strong></p>
      <ul>{latest}</ul>
    </div>
  </div>
</div>
<div class="ft">{FOOTER}</div>
</body>
</html>
""".encode()


def _cut_og(a: Article) -> bytes:
    paragraphs = "\n        ".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(a.cut_title)} | CQC</title>
  <meta property="og:title" content="{escape(a.title)}">
</head>
<body>
  <header><h1 class="brand"><a href="/www/english/">CQC English</a></h1><nav>{NAV}</nav></header>
  <main>
    <article>
      <header>
        <h1>{escape(a.cut_title)}</h1>
        <p class="byline">Publish Date: {a.day.isoformat()} | Source: {CENTRE}</p>
      </header>
      <section class="entry">
        {paragraphs}
      </section>
    </article>
  </main>
  <footer>{FOOTER}</footer>
</body>
</html>
""".encode()


def _cut_body(a: Article) -> bytes:
    paragraphs = "\n    ".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(a.cut_title)}{SITE_SUFFIX}</title>
</head>
<body>
<center>
<table width="900" class="wz">
  <tr><td class="dh">{NAV}</td></tr>
  <tr><td class="nr">
    <p align="center"><font size="4"><b>{escape(a.title)}</b></font></p>
    <p align="center">发布时间：{a.day.isoformat()}　来源：中国质量认证中心</p>
    {paragraphs}
  </td></tr>
  <tr><td class="bq">{FOOTER}</td></tr>
</table>
</center>
</body>
</html>
""".encode()


def page_html(a: Article, related: list[Article]) -> bytes:
    if a.variant == "legacy":
        return _legacy(a)
    if a.variant == "modern":
        return _modern(a)
    if a.variant == "html5":
        return _html5(a, related)
    if a.variant == "untitled":
        return _untitled(a)
    if a.variant == "sidebox":
        return _sidebox(a, related)
    if a.variant == "cut_og":
        return _cut_og(a)
    if a.variant == "cut_body":
        return _cut_body(a)
    return _gbk(a)


def _listing_html(section: str, style: str, page: int, pages: int, items: list[Article]) -> bytes:
    rows = "\n    ".join(
        f'<li><a href="../c/{a.day.isoformat()}/{a.id}.shtml" target="_blank">'
        f"{escape(a.listing_text)}</a><span>{a.day.isoformat()}</span></li>"
        for a in items
    )
    if style == "script":
        paging = (
            f'<script type="text/javascript">createPageHTML({pages}, {page}, "index", "shtml");'
            "</script>"
        )
    else:
        names = ["index.shtml"] + [f"index_{n}.shtml" for n in range(1, pages)]
        links = " ".join(
            f'<span class="current">{n + 1}</span>'
            if n == page
            else f'<a href="{name}">{n + 1}</a>'
            for n, name in enumerate(names)
        )
        following = f' <a href="{names[page + 1]}">Next</a>' if page + 1 < pages else ""
        paging = links + following
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{section}{SITE_SUFFIX}</title></head>
<body>
<div class="top"><h1 class="logo"><a href="/www/english/">{CENTRE}</a></h1>
<div class="topnav">{NAV}</div><ul class="menu">{MENU}</ul></div>
<div class="main">
  <div class="location"><a href="/www/english/">Homepage</a> &gt; {section}</div>
  <ul class="list">
    {rows}
  </ul>
  <div class="page">{paging}</div>
</div>
<div class="footer">{FOOTER}</div>
</body>
</html>
""".encode()


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
            target.write_bytes(_listing_html(section, style, page, pages, items))
    home = _listing_html("Home", "links", 0, 1, made[:5]).replace(b"Home--", b"")
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
