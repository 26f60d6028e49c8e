# Groundswell developer commands. `make run` and `make test` work on a machine with only Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format translations messages setup e2e-deps worker scheduler bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

## Compile the translation catalogs (.po -> .mo).
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d campaigns/translations

## Create the venv, compile translations, migrate the database and load demo data.
setup: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) demo

## Serve on http://127.0.0.1:5000 with the embedded defaults (SQLite, in-process jobs, dev mailbox).
run: setup
	@echo "Serving on http://$(HOST):$(PORT)  (dev mailbox: http://$(HOST):$(PORT)/dev/mailbox)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Run the whole test suite, spread over PYTEST_WORKERS processes (pytest-xdist; default: one per core).
PYTEST_WORKERS ?= auto
test: $(VENV)/.dev translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## Lint and check formatting.
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-extract translatable strings and merge them into the catalogs.
messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -o campaigns/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i campaigns/translations/messages.pot -d campaigns/translations

## Install axe-core (npm) for the browser tests' accessibility checks.
e2e-deps:
	cd tests/e2e && npm ci --no-audit --no-fund

## Load-test signing, count.json and the campaign page on gunicorn + PostgreSQL + Redis
## (see bench/README.md; needs DATABASE_URL's server, default postgresql://postgres@127.0.0.1:5432).
bench: $(VENV)/.runtime translations
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk; }
	$(BIN)/python -m bench.run

## Production background processes (need REDIS_URL).
worker: $(VENV)/.runtime
	$(FLASK) worker

scheduler: $(VENV)/.runtime
	$(FLASK) scheduler

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache campaigns/translations/*/LC_MESSAGES/*.mo
