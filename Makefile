# Kreds — `make demo` and `make test` are all a newcomer needs (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell PYENV_VERSION=$$(cat .python-version) pyenv which python3.12 2>/dev/null || command -v python3.12)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PY)
PG_URL ?= postgres://postgres@127.0.0.1:5432/kreds
DEMO_ENV := KREDS_DEMO=1 DEBUG=0

.PHONY: help setup demo test lint typecheck checks pytest pytest-sqlite pytest-postgres messages clean

help:
	@echo "make demo   – set everything up and serve the demo at http://127.0.0.1:8000"
	@echo "make test   – set everything up and run the whole suite (lint, types, checks, tests)"

$(VENV)/.installed: uv.lock pyproject.toml .python-version
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found (pyenv install 3.12.1)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || { $(PY) -m ensurepip --upgrade >/dev/null && $(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8; }
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/.system-deps:
	@bash scripts/system-deps
	@mkdir -p var && touch $@

messages: $(VENV)/.installed var/.system-deps
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

setup: $(VENV)/.installed node_modules/.installed var/.system-deps messages
	@mkdir -p var
	$(PY) manage.py collectstatic --noinput -v0

demo: setup
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "Kreds demo: http://127.0.0.1:8000  (stop with Ctrl-C)"
	@$(DEMO_ENV) bash scripts/serve-demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=src:. $(VENV)/bin/lint-imports --no-cache

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy src config

checks: $(VENV)/.installed
	KREDS_ENV=test $(PY) manage.py makemigrations --check --dry-run -v1
	KREDS_ENV=production SECRET_KEY=$$(head -c 64 /dev/urandom | base64 | tr -d '/+=\n') \
	  CPR_KEYS=k1:$$(head -c 32 /dev/urandom | base64) CPR_INDEX_KEY=$$(head -c 32 /dev/urandom | base64) \
	  AUDIT_CHAIN_KEY=k1:$$(head -c 32 /dev/urandom | base64) \
	  ALLOWED_HOSTS=kreds.example.dk SITE_URL=https://kreds.example.dk DATABASE_URL=sqlite:////tmp/kreds-check.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The suite runs on every core with pytest-xdist (PYTEST_WORKERS=0 runs it in one process). Each worker has its own
# test database (SQLite in memory; PostgreSQL test_kreds_gw0, test_kreds_gw1, ...) and its own upload folder.
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal

pytest-sqlite: setup
	KREDS_ENV=test DATABASE_URL=sqlite:///var/test.sqlite3 $(PYTEST)

pytest-postgres: setup
	@bash scripts/require-postgres "$(PG_URL)"
	KREDS_ENV=test DATABASE_URL=$(PG_URL) $(PYTEST)

test: setup lint typecheck checks pytest-sqlite
	@if [ "$$CI" = "true" ] || bash scripts/require-postgres "$(PG_URL)" >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory pytest-postgres; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run (mandatory in CI)."; fi

clean:
	rm -rf $(VENV) node_modules var
