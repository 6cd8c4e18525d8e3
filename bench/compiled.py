"""Issue 27, step 4: what compiling the pure modules buys. The page-reading modules of
``cqcscraper/parse`` compiled with mypyc (a copy, in a temporary folder), timed beside the same
modules as Python on the same pages, each in its own process, interleaved; the records of both
must be identical. Needs mypy (``.venv/bin/pip install mypy``): it is no dependency of the
project, since what it buys is not worth an optional build (docs/benchmarks.md)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from common import ROOT, say

# Every module a page goes through from its text to its record (the rest is glue and data).
MODULES = ("blocks", "dates", "evidence", "extract", "furniture", "linked", "normalize", "text",
           "titles")  # fmt: skip

# The project's editable install finds ``cqcscraper`` before PYTHONPATH does: set aside here.
TIMED = """
import hashlib, json, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if not f.__module__.startswith("__editable__")]
import cqcscraper.parse.extract as compiled_or_not  # before bench/common puts the checkout first
sys.path.insert(0, sys.argv[1])
import extraction
from pathlib import Path
pages = extraction.corpus(Path(sys.argv[2]))
records = json.dumps([extraction.ours_from_bytes(p) for p in pages], sort_keys=True)
best = {}
for name in ("ours", "ours_from_bytes", "parse_alone"):
    read = getattr(extraction, name)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        for page in pages:
            read(page)
        times.append(time.perf_counter() - started)
    best[name] = len(pages) / min(times)
print(json.dumps({"module": compiled_or_not.__file__, "pages": len(pages), **best,
                  "records": hashlib.sha256(records.encode()).hexdigest()}))
"""


def require_mypyc() -> None:
    """Stop with one line, before any work, when mypyc is not there."""
    if importlib.util.find_spec("mypyc") is None:
        raise SystemExit("mypyc is not installed: .venv/bin/pip install mypy")


def compile_copy(work: Path) -> Path:
    """A copy of the package with ``MODULES`` compiled by mypyc; the folder to import it from."""
    require_mypyc()
    source = work / "compiled"
    shutil.copytree(ROOT / "cqcscraper", source / "cqcscraper")
    (source / "mypy.ini").write_text("[mypy]\nignore_missing_imports = True\n")
    paths = [f"cqcscraper/parse/{name}.py" for name in MODULES]
    command = [sys.executable, "-m", "mypyc", "--config-file", "mypy.ini", *paths]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed: {(done.stdout + done.stderr)[-2000:]}")
    return source


def timed(package: Path, site: Path) -> dict:
    """One process reading the pages with the package in ``package`` (from a folder of its own:
    a ``-c`` script imports from where it runs first)."""
    env = {**os.environ, "PYTHONPATH": str(package)}
    command = [sys.executable, "-c", TIMED, str(ROOT / "bench"), str(site)]
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def measure(site: Path, work: Path, runs: int) -> dict:
    """Pages/s of the Python and the compiled modules, the best of ``runs`` each, interleaved."""
    say("step 4. the parse modules compiled with mypyc")
    package = compile_copy(work)
    found: dict[str, list[dict]] = {"python": [], "compiled": []}
    for _ in range(runs):
        found["python"].append(timed(ROOT, site))
        found["compiled"].append(timed(package, site))
    if not all(".so" in run["module"] for run in found["compiled"]):
        raise SystemExit("the compiled modules were not the ones imported")
    records = {run["records"] for runs in found.values() for run in runs}
    best = {
        kind: {k: max(run[k] for run in runs) for k in ("ours", "ours_from_bytes", "parse_alone")}
        for kind, runs in found.items()
    }
    return {
        "modules": list(MODULES),
        "pages": found["python"][0]["pages"],
        "same_records": len(records) == 1,
        "records": hashlib.sha256("".join(sorted(records)).encode()).hexdigest()[:12],
        **best,
    }
