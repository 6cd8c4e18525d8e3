# Each target creates .venv and installs what it needs when missing (or when pyproject.toml
# changed since the last install), so a fresh clone needs nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
DB ?= data/cqc.db
PORT ?= 8001
# The replay tests open exports in Debian's Chromium and in ReplayWeb.page (its files from npm).
CHROMIUM := /usr/bin/chromium
REPLAYWEBPAGE := replaywebpage@2.5.3
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help crawl demo serve test check lint bench lock clean
.DEFAULT_GOAL := help

help:  ## list the targets (a bare `make` does this, never a crawl)
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):[^#]*## /  make \1\t/' | expand -t 16

crawl: $(VENV)/.runtime  ## crawl the live site into data/ (extra spider options: make crawl ARGS='-a full=1')
	$(BIN)/scrapy crawl press $(ARGS)

demo: $(VENV)/.runtime  ## crawl the bundled fixture site on 127.0.0.1 into data/demo/cqc.db, print a summary
	$(BIN)/cqcscraper demo

serve: $(VENV)/.analysis  ## the reading room: Datasette over data/cqc.db (else the demo) on http://127.0.0.1:8001/ (DB=FILE PORT=N)
	@db='$(DB)'; \
	if [ ! -f "$$db" ] && [ "$$db" = data/cqc.db ]; then \
		echo "make serve: there is no data/cqc.db yet (make crawl makes it): serving the demo archive data/demo/cqc.db"; \
		[ -f data/demo/cqc.db ] || $(BIN)/cqcscraper demo >/dev/null || exit 1; \
		db=data/demo/cqc.db; \
	elif [ ! -f "$$db" ]; then \
		echo "make serve: $$db does not exist (DB= names an archive: make serve DB=data/mirror.db)" >&2; exit 2; \
	fi; \
	name=$$(basename "$$db" .db); \
	echo "the reading room of $$db: http://127.0.0.1:$(PORT)/$$name/search (Ctrl-C stops it)"; \
	exec $(BIN)/datasette serve "$$db" --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev $(VENV)/.browser  ## linters and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

bench: $(VENV)/.bench  ## benchmarks beside their peers, written to docs/benchmarks.md (a few minutes)
	$(BIN)/python bench/run.py --out docs/benchmarks.md $(ARGS)

check: $(VENV)/.dev  ## the fast tier for an edit loop: ruff and every test but the end-to-end ones (no crawl, no server)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not e2e"

golden: $(VENV)/.dev  ## after an intended rule change: rewrite the golden records (fixtures/expected), then read git diff
	$(BIN)/python tests/update_golden.py

lint: $(VENV)/.dev  ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs are from the lock files (requirements/*.txt: exact versions with their hashes, made by
# make lock from pyproject.toml's ranges), then the project itself with no dependencies.
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
INSTALL = $(PIP) --require-hashes -r requirements/$(1).txt \
	&& $(PIP) --no-deps --no-build-isolation -e .

$(VENV)/.runtime: pyproject.toml requirements/runtime.txt | $(BIN)/python
	$(call INSTALL,runtime)
	touch $@

$(VENV)/.analysis: pyproject.toml requirements/analysis.txt | $(BIN)/python
	$(call INSTALL,analysis)
	touch $@ $(VENV)/.runtime

$(VENV)/.dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(call INSTALL,dev)
	touch $@ $(VENV)/.runtime $(VENV)/.analysis

# Chromium from the distribution (Playwright's own browser download is not used) and
# ReplayWeb.page's app (index.html, ui.js, sw.js) in .venv/replaywebpage.
$(VENV)/.browser: Makefile | $(BIN)/python
	@test -x $(CHROMIUM) || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
		|| { $(SUDO) apt-get update -q >/dev/null && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
		|| { echo "make test needs Chromium at $(CHROMIUM): apt-get install chromium" >&2; exit 1; }
	rm -rf $(VENV)/replaywebpage && mkdir -p $(VENV)/replaywebpage
	cd $(VENV)/replaywebpage && tarball=$$(npm pack --silent $(REPLAYWEBPAGE)) \
		&& tar xzf $$tarball --strip-components=1 package/index.html package/ui.js package/sw.js && rm $$tarball
	touch $@

$(VENV)/.bench: pyproject.toml requirements/bench.txt | $(BIN)/python
	$(call INSTALL,bench)
	touch $@ $(VENV)/.runtime

lock: | $(BIN)/python  ## refresh requirements/*.txt from pyproject.toml's ranges (uv; ARGS=--upgrade for newer releases)
	$(PIP) uv
	for extra in runtime analysis dev bench; do \
		with=$$([ $$extra = runtime ] || echo "--extra $$extra"); \
		$(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 --no-annotate $(ARGS) \
			pyproject.toml requirements/build.in $$with -o requirements/$$extra.txt || exit 1; \
	done

clean:  ## remove .venv and the caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
