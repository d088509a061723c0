# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every dependency pinned with its hashes (pip-tools, `make lock`): requirements.lock is what the
# service runs on (the Dockerfile installs it), requirements-dev.lock adds the tools and tests.
LOCKS := requirements.lock requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCKS) | cksum | cut -d' ' -f1)
LOCK_TOOLS := $(VENV)/lock-tools
COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-fast lint lock bench browser-deps postgres clean

$(STAMP): pyproject.toml $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)  ## migrate, load areas, seed the demo, serve on 127.0.0.1:8000
	$(BIN)/kabar-air run

test: lint browser-deps postgres  ## lint, then the whole suite on SQLite and on PostgreSQL
	$(BIN)/pytest
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.replace('+psycopg',''), connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the same suite on PostgreSQL =="; \
		KABAR_TEST_DB=postgresql KABAR_TEST_PG_URL=$(PG_URL) $(BIN)/pytest; \
	else \
		echo "!! PostgreSQL is NOT reachable at $(PG_URL): the suite ran on SQLite only."; \
	fi

test-fast: $(STAMP)  ## the quick tier while developing: no browser, no service subprocesses, SQLite
	$(BIN)/pytest -m "not browser and not slow"

postgres:  ## start the local PostgreSQL server if it is installed but stopped
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
		( command -v pg_ctlcluster >/dev/null && \
		  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -n1) main start ) || true

AXE_VERSION := 4.10.3
AXE := var/js/node_modules/axe-core/axe.min.js

browser-deps:  ## Debian's Chromium and axe-core (npm) for the staff-console browser tests
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm >/dev/null)
	@grep -qs '"version": "$(AXE_VERSION)"' var/js/node_modules/axe-core/package.json || \
		npm install --silent --no-audit --no-fund --prefix var/js axe-core@$(AXE_VERSION)

lint: $(STAMP)  ## ruff and the type checker (mypy), both clean
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lock:  ## after editing pyproject.toml's dependencies: pin them all again, with hashes
	test -x $(LOCK_TOOLS)/bin/pip-compile || ( $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools==7.6.2 )
	$(COMPILE) --output-file requirements.lock pyproject.toml
	$(COMPILE) --extra dev --constraint requirements.lock --output-file requirements-dev.lock \
		pyproject.toml

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-artifacts
