# The two commands of the README: `make run` and `make test`. Everything else is their parts.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= sisaket2565
CHROMIUM ?= /usr/bin/chromium
# These targets serve a local checkout: DEBUG on (the portal refuses to start with DEBUG off
# and no SECRET_KEY of its own). A production shell sets DEBUG=false and SECRET_KEY itself.
MANAGE := DEBUG=$${DEBUG:-true} $(PY) manage.py

.PHONY: run test setup test-setup lint messages browser redis migrate demo clean worker

## Set up, load the demo data and serve the portal on SQLite at http://$(HOST):$(PORT)
run: setup migrate demo
	$(MANAGE) runserver $(HOST):$(PORT)

## The background worker (large imports): run it beside the server, as many as you like
worker: migrate
	$(MANAGE) run_worker

## Run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: test-setup
	$(PY) -m pytest

setup: $(VENV)/.installed messages

$(VENV)/.installed: pyproject.toml
	@python=$$(scripts/find_python.sh) || exit 1; [ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

## Thai catalogue: compiled from locale/th/LC_MESSAGES/django.po (needs gettext's msgfmt)
messages: locale/th/LC_MESSAGES/django.mo

locale/th/LC_MESSAGES/django.mo: locale/th/LC_MESSAGES/django.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext; }
	$(MANAGE) compilemessages --ignore=.venv -v0

test-setup: setup browser redis

## Debian's Chromium for the end-to-end tests (Playwright cannot download its own browser here)
browser:
	@[ -x $(CHROMIUM) ] || { apt-get update -qq && apt-get install -y -qq chromium; }

## Debian's redis-server for the infrastructure drills (tests/infrastructure start their own)
redis:
	@command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }

migrate: setup
	$(MANAGE) migrate --noinput

demo: migrate
	DEMO_PASSWORD=$(DEMO_PASSWORD) $(MANAGE) seed_demo --demo-users

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
