# The verbs people need. Each one first runs scripts/bootstrap.sh (system packages, .venv,
# Python packages), which does nothing when the machine is already set up.
#   make run [PORT=8001]   make test [PYTEST_ARGS='-k wareki -x']   make lint | check | demo | perf | clean

PY := .venv/bin/python
MANAGE := $(PY) manage.py
TEST_ENV := DJANGO_SETTINGS_MODULE=hikikomori_eval.settings.test
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup run test lint check demo perf clean

help:
	@echo "make run    set up, migrate, load the demo data, serve http://127.0.0.1:$(PORT)"
	@echo "make test   set up, makemigrations --check, pytest \$$PYTEST_ARGS"
	@echo "make lint | check | demo | perf | clean   (see README.md)"

setup:
	@bash scripts/bootstrap.sh

run: setup demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --lint

check: setup
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

demo: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

perf: setup
	@if [ -f perf/run.py ]; then $(PY) perf/run.py; else echo "perf/run.py does not exist yet: no benchmarks to run."; fi

# Not after setup: it removes what setup makes.
clean:
	rm -rf .venv db.sqlite3* staticfiles out
