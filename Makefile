# Open#Mosprom CMS: `make run` starts it with demo content, `make test` tests it.
# Everything runs from the virtualenv in .venv, which `make install` creates.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install; reinstall when pyproject.toml is newer.
STAMP := $(VENV)/.installed
# Extra arguments for both pytest runs, e.g. make test PYTEST_ARGS="-x -k booking"
PYTEST_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore

.PHONY: help install run test test-sqlite test-postgres lint check prod-local

help:
	@echo "make install  create .venv and install the project with its dev tools"
	@echo "make run      migrate, load demo content and serve on http://127.0.0.1:8000/"
	@echo "make test     pytest on SQLite, then on a throwaway PostgreSQL"
	@echo "              (one of them: make test-sqlite, make test-postgres; browser tests"
	@echo "              only: make test-sqlite PYTEST_ARGS=\"-m browser\")"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make check    missing migrations and the production deploy checks"
	@echo "make schema-check  breaking changes in schema.graphql since the last v* tag (else"
	@echo "              since its previous version); SCHEMA_CHECK_ARGS=\"--against REV\""
	@echo "make bench-compare  ours vs grapple and Wagtail's API v2/v3 on SQLite"
	@echo "              (make bench-compare-postgres: on a throwaway PostgreSQL)"
	@echo "make fuzz     schemathesis against a live server, SQLite then PostgreSQL (FUZZ_SECONDS)"
	@echo "make prod-local  production on loopback: PostgreSQL, Redis, SMTP sink, gunicorn, worker"

$(PY):
	@if python3.11 -c "" 2>/dev/null; then py=python3.11; \
	elif python3 -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" 2>/dev/null; then \
		py=python3; \
	else echo "Python 3.11 is needed (python3.11, or python3 being 3.11)" >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$($$py --version)"; \
	$$py -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_demo_content
	DEBUG=true $(PY) manage.py ensure_demo_admin
	@echo
	@echo "  Wagtail admin: http://127.0.0.1:8000/admin/"
	@echo "  GraphiQL:      http://127.0.0.1:8000/graphql/"
	@echo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# Rehearse production on one machine: a throwaway PostgreSQL and Redis, an SMTP sink that
# prints each letter, gunicorn (gunicorn.conf.py, 4 workers) and the task worker, all with
# DEBUG=false on 127.0.0.1:8000, with the demo content. Ctrl-C stops it and removes its data.
prod-local: install
	$(PY) -m scripts.local_stack $(PROD_LOCAL_ARGS)

# SQLite first (fast; DATABASE_URL unset so it is really SQLite), then PostgreSQL, which
# scripts/with_postgres.py starts and removes (it skips if PostgreSQL is missing, unless CI=true).
# `make -j2 --output-sync=target test` runs the two at the same time.
# The browser tests (tests/browser, marker `browser`: the admin driven in Chromium) run in
# the SQLite run only: they test what people do in the admin, not the database, and take
# the longest. PYTEST_ARGS="-m browser" runs only them (its -m comes last and wins).
test: test-sqlite test-postgres

test-sqlite: install
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== pytest on PostgreSQL"
	$(PY) scripts/with_postgres.py -- $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The deploy check runs with production settings and a fresh random 64-character key.
check: install
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DEBUG=false \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	ALLOWED_HOSTS=cms.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

# Breaking changes in schema.graphql against the last release (scripts/check_schema_compat.py
# says how the baseline is chosen); a removal passes only if the baseline deprecated it.
# Another baseline, e.g. make schema-check SCHEMA_CHECK_ARGS="--against v1.0"
SCHEMA_CHECK_ARGS ?=
.PHONY: schema-check
schema-check: install
	$(PY) scripts/check_schema_compat.py $(SCHEMA_CHECK_ARGS)

# Benchmark: news-list cards through GraphQL vs Wagtail's REST API v2 (see bench/README.md).
# Runs on SQLite in a temporary folder, or on the server DATABASE_URL names when it is set.
# Extra arguments, e.g. make bench BENCH_ARGS="--sizes 10,100 --reps 50"
BENCH_ARGS ?=
.PHONY: bench
bench: install
	$(PY) bench/news_list.py $(BENCH_ARGS)

# Benchmark: registerForSession under load, gunicorn with several workers on a throwaway
# PostgreSQL (see bench/README.md). gunicorn is in the `production` extra, not in `dev`:
# installed here the first time it is needed. Extra arguments, e.g.
# make bench-booking BENCH_BOOKING_ARGS="--workers 2 --clients 64 --requests 2000"
BENCH_BOOKING_ARGS ?=
# A season opening against the prod-local stack: 1,000 registrations over 20 sessions
# with reads, while the mail server fails, workers are killed and PostgreSQL restarts.
# Benchmark: ours side by side with wagtail-grapple and Wagtail's API v2 and v3 on our own
# models and 2,000 news / 150 enterprises / 5,000 sessions, in-process and over gunicorn
# (see bench/README.md). The peers are the `bench` extra, installed here when missing.
# make bench-compare-postgres: the same on a throwaway PostgreSQL.
BENCH_COMPARE_ARGS ?=
.PHONY: bench-compare
bench-compare: install
	@$(PY) -c "import grapple, pyinstrument, gunicorn" 2>/dev/null || \
		$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) bench/compare.py $(BENCH_COMPARE_ARGS)

.PHONY: bench-compare-postgres
bench-compare-postgres: install
	@$(PY) -c "import grapple, pyinstrument, gunicorn" 2>/dev/null || \
		$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) scripts/with_postgres.py -- $(PY) bench/compare.py $(BENCH_COMPARE_ARGS)

.PHONY: bench-season
bench-season: install
	$(PY) -m bench.season_opening $(BENCH_SEASON_ARGS)

.PHONY: bench-booking
bench-booking: install
	@$(PY) -c "import gunicorn" 2>/dev/null || $(PY) -m pip install --quiet -e ".[dev,production]"
	$(PY) scripts/with_postgres.py -- $(PY) bench/booking_load.py $(BENCH_BOOKING_ARGS)

# Fuzzing: schemathesis generates queries and mutations from schema.graphql and sends them
# to a live server with the demo content, on SQLite and then on a throwaway PostgreSQL;
# any 5xx, non-JSON body or INTERNAL_ERROR fails (scripts/fuzz_graphql.py). Bounded in
# time: FUZZ_SECONDS per database, setup included.
FUZZ_SECONDS ?= 180
.PHONY: fuzz fuzz-sqlite fuzz-postgres
fuzz: fuzz-sqlite fuzz-postgres

fuzz-sqlite: install
	@echo "== fuzzing on SQLite"
	env -u DATABASE_URL $(PY) scripts/fuzz_graphql.py --seconds $(FUZZ_SECONDS)

fuzz-postgres: install
	@echo "== fuzzing on PostgreSQL"
	$(PY) scripts/with_postgres.py -- $(PY) scripts/fuzz_graphql.py --seconds $(FUZZ_SECONDS)
