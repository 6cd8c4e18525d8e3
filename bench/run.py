"""``make bench``: the benchmarks, each beside its peer in the same run, into docs/benchmarks.md.

    .venv/bin/python bench/run.py [--articles 2000] [--runs 3] [--out docs/benchmarks.md]

a. extraction + normalisation, pages/s, beside ``trafilatura.bare_extraction`` on the same
   pages (fixture + synthetic), with both outputs scored against the expected records;
b. an end-to-end ``scrapy crawl press`` of the synthetic site on 127.0.0.1, pages/s and peak
   RSS, beside a bare Scrapy spider fetching the same pages (same concurrency, politeness off);
c. a no-op scheduled re-run over that archive: requests and wall time;
d. full-text search over a 100,000-row archive (p50/p95 of 20 queries, beside a LIKE scan),
   and bulk write rows/s (batched, beside one transaction per row);
e. ``cqcscraper reparse`` over the stored snapshots, pages/s, beside the crawl's own pages/s;
f. flat memory, linear time: our crawl and reparse at ``--articles`` and at ``--scale``
   articles, time per page and peak RSS side by side;
g. the memory bound: peak RSS of a crawl while a server sends headers without end, beside the
   same crawl with Scrapy's memory-usage extension off;
h. a scheduled run's cost as the archive grows: the no-op run and the run that finds one new
   release, against the same site, with the archive at each of ``--sizes`` releases.

Each figure has its module: ``extraction.py`` (a), ``crawling.py`` (b, c, e: the crawls'
figures read from their Scrapy stats, the ``crawls`` table's for ours), ``search.py`` (d),
``sizes.py`` (h); ``report.py`` writes the report, ``common.py`` holds what they share. Every
figure is the median of ``--runs`` runs (h: the best of them at each size; ``--again h``
measures h again into the saved run). Nothing here is a test: numbers
depend on the machine, and tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import compiled
import crawling
import extraction
import search
import sizes
from common import ROOT, machine, say
from report import report

from cqcscraper.testing import synthetic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the search archive")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--scale",
        type=int,
        default=20_000,
        help="f. the crawl and reparse again at this many articles (0: not measured)",
    )
    parser.add_argument(
        "--flood-timeout",
        type=int,
        default=30,
        help="g. DOWNLOAD_TIMEOUT of the flooded crawls (0: g not measured)",
    )
    parser.add_argument(
        "--flood-limit", type=int, default=None, help="g. MEMUSAGE_LIMIT_MB (default: settings')"
    )
    parser.add_argument(
        "--sizes",
        default="2000,20000,100000",
        help="h. the archive's sizes for the no-op and one-new runs (comma-separated; "
        "0: not measured; each at least --articles)",
    )
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks.md"))
    parser.add_argument(
        "--from-json", metavar="FILE", help="only rewrite the report from a saved run's JSON"
    )
    parser.add_argument(
        "--before",
        metavar="FILE",
        help="an earlier run's JSON (say, of the last release): its crawl figures beside these",
    )
    parser.add_argument("--before-label", default="earlier run", help="what --before was")
    parser.add_argument(
        "--again",
        choices=["h", "search", "f", "compiled"],
        help="measure this figure again into the run saved beside --out (its .json), as that "
        "run's arguments ask, and write the report again (search: d, on both archives; f: the "
        "crawls and reparses at --articles and at --scale, so b, c and e too; "
        "compiled: issue 27's step 4, the parse modules compiled with mypyc beside the same in "
        "Python; needs mypy installed)",
    )
    args = parser.parse_args(argv)
    if args.again:
        return again(Path(args.out), args.again)
    before = None
    if args.before:
        before = json.loads(Path(args.before).read_text(encoding="utf-8"))
        before["label"] = args.before_label
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        if before:
            saved["before"] = before
        Path(args.out).write_text(report(saved), encoding="utf-8")
        return 0
    work = Path(tempfile.mkdtemp(prefix="cqc-bench-"))
    results: dict[str, object] = {"machine": machine(), "args": vars(args)}
    if before:
        results["before"] = before
    try:
        say(f"writing a synthetic site of {args.articles} articles")
        synthetic.write_site(work / "synthetic", args.articles)
        site = work / "synthetic" / "html"

        results["extraction"] = extraction.measure(work / "synthetic", args.runs)
        results["crawl"] = crawling.measure(site, work, args.runs)
        results["search"] = search.measure(work, args.rows)
        results["search_real"] = search.measure_real(work, args.rows)
        if args.sizes != "0":
            sizes_wanted = [int(size) for size in args.sizes.split(",")]
            results["sizes"] = sizes.measure(
                site, work / "synthetic" / "expected", work, sizes_wanted, args.runs
            )
        if args.flood_timeout:
            results["flood"] = crawling.flood(work, args.flood_timeout, args.flood_limit)
        if args.scale:  # the figures at --articles are the crawl's (b, e)
            results["scale_big"] = scaled(work, args.scale, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Path(args.out).write_text(report(results), encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    say(f"written to {args.out}")
    return 0


def scaled(work: Path, articles: int, runs: int) -> dict:
    """f. Our crawl and reparse of a synthetic site of ``articles`` articles."""
    say(f"writing a synthetic site of {articles} articles")
    synthetic.write_site(work / "big", articles)
    big = work / "scale-big"
    big.mkdir()
    return crawling.scaling(work / "big" / "html", big, runs)


def again(out: Path, figure: str) -> int:
    """One figure measured into the saved run again, the report written again saying when: h
    (single runs of 1-2 s that the machine's noise moved), d (the search, after a change of
    it alone), f (the crawls at both sizes, b, c and e with them: f sets the large site's
    beside the small one's), or what compiling buys (step 4)."""
    saved_path = out.with_suffix(".json")
    saved = json.loads(saved_path.read_text(encoding="utf-8"))
    args = saved["args"]
    if figure == "compiled":
        compiled.require_mypyc()
    work = Path(tempfile.mkdtemp(prefix="cqc-bench-"))
    try:
        say(f"writing a synthetic site of {args['articles']} articles")
        synthetic.write_site(work / "synthetic", args["articles"])
        site = work / "synthetic" / "html"
        if figure == "h":
            wanted = [int(size) for size in args["sizes"].split(",")]
            saved["sizes"] = sizes.measure(
                site, work / "synthetic" / "expected", work, wanted, args["runs"]
            )
        elif figure == "search":
            saved["search"] = search.measure(work, args["rows"])
            saved["search_real"] = search.measure_real(work, args["rows"])
        elif figure == "f":
            saved["crawl"] = crawling.measure(site, work, args["runs"])
            saved["scale_big"] = scaled(work, args["scale"], args["runs"])
        else:
            saved["compiled"] = compiled.measure(work / "synthetic", work, args["runs"])
        saved.setdefault("again", {})[figure] = machine()["date"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.write_text(report(saved), encoding="utf-8")
    saved_path.write_text(json.dumps(saved, indent=1, default=str))
    say(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
