# The improvement-plan tracker. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
# The demo plan is judged as at the date of the source report unless you say otherwise.
TRACKER_AS_AT ?= 2016-03-14
export TRACKER_AS_AT

.DEFAULT_GOAL := help
.PHONY: help install run test lint format assets clean bench

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its pinned dependencies

run: $(STAMP) ## Migrate, load the demo plan and serve on http://127.0.0.1:5000 (SQLite)
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(STAMP) ## Check lint and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Fix formatting and safe lint findings
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint ## Lint, then run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

# Not part of `make test` or CI: about 10-15 minutes; PostgreSQL is skipped if it does not answer.
SCALES ?= council,national
BACKENDS ?= sqlite,postgresql
bench: $(STAMP) ## Benchmarks (SCALES=council|national, BACKENDS=sqlite|postgresql); bench/README.md
	$(BIN)/python -m bench.run --scales "$(SCALES)" --backends "$(BACKENDS)"

assets: ## Rebuild static/govuk from npm govuk-frontend (needs Node.js; output is committed)
	bash assets/build.sh

clean: ## Remove .venv and the local SQLite database
	rm -rf $(VENV) instance/tracker.sqlite3
