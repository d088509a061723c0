# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-fast lint bench browser-deps postgres clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
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

browser-deps:  ## Debian's Chromium for the staff-console browser tests
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: $(STAMP)  ## ruff and the type checker (mypy), both clean
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-artifacts
