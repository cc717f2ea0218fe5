# The two commands: `make run` and `make test`. Both set everything up on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Python >= 3.12: the interpreter pyenv picks from .python-version, else python3.12, else python3.
PYTHON ?= $(shell for p in "$$(pyenv which python 2>/dev/null)" python3.12 python3.13 python3; do \
	[ -n "$$p" ] && command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v "$$p"; break; }; done)
PORT ?= 8000

.PHONY: help run test lint format lock install migrate demo bench load clean backup restore

help:
	@echo "make run    set up (venv, dependencies, database, territories, demo data) and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   the whole test suite (SQLite and the filesystem broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise)"
	@echo "make lint   ruff, djlint, import-linter (the layers), makemigrations --check"
	@echo "make lock   recompile requirements/*.txt from pyproject.toml"
	@echo "make backup the database and the CV files into a timestamped folder under var/backups (BACKUP_DIR=...)"
	@echo "make restore BACKUP=<folder>   put a backup back (stop the web server and workers first)"
	@echo "make bench  seed 100,000 candidates in a database of its own, time the counsellors' pages, write bench.json (BENCH_ARGS=\"--candidates 10000\")"
	@echo "make load   gunicorn + PostgreSQL + Redis + a worker on the bench database under an open-loop load, write load.json (LOAD_ARGS=\"--reuse --seconds 30\")"

$(VENV)/.installed: requirements/dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (pyenv install 3.12, or install python3.12)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed .env

.env:
	@cp .env.example .env
	@echo "SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
	@echo "Wrote .env (local settings, DEBUG on)."

migrate: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_territories --wet-run

demo: migrate
	$(PY) manage.py seed_demo

# honcho runs Procfile.dev: Ctrl-C stops the web server, the worker and beat (SIGTERM to each
# one's process group, SIGKILL after 5 s) and gives the prompt back with nothing left running.
# WEB_PORT: the worker and beat get other PORTs from honcho, but their links point to the web's.
run: demo
	@mkdir -p var
	@echo "Web server (http://127.0.0.1:$(PORT)), Celery worker and beat: Ctrl-C stops all three."
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" WEB_PORT=$(PORT) exec $(VENV)/bin/honcho --procfile Procfile.dev --env /dev/null start --port $(PORT)

# Backups (README, "Production"): the database (pg_dump -Fc) and the CV storage into a timestamped
# folder under BACKUP_DIR; restore one with `make restore BACKUP=<folder>` (web and workers stopped).
BACKUP_DIR ?= var/backups
backup: install
	$(PY) scripts/backup.py backup --into $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=$(BACKUP_DIR)/<timestamp>"; exit 1; }
	$(PY) scripts/backup.py restore $(BACKUP) --wet-run

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) manage.py bench $(BENCH_ARGS)

# Needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL): README, "Production", and docs/benchmarks.md.
load: install
	$(PY) manage.py load $(LOAD_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --check templates
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint --reformat templates

lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 -q -o requirements/prod.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.12 -q -o requirements/dev.txt

clean:
	rm -rf $(VENV) var
