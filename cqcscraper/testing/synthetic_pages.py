"""The pages of the synthetic site (``synthetic``): an article in each of its eight markup
variants (``page_html``, the variants described there) and the listing pages in their two
paginations (``listing_html``). Everything a page shows comes from its ``Article``."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cqcscraper.testing.synthetic import Article

CENTRE = "China Quality Certification Centre"
SECTIONS = {"News": "links", "Activities": "script"}

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


def listing_html(section: str, style: str, page: int, pages: int, items: list[Article]) -> bytes:
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
