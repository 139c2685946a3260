# The improvement-plan tracker. `make help` lists the targets.
# .venv is built on Debian's Python 3.11: pyenv's CPython 3.11.7 build on this machine image crashes
# gunicorn workers under load (docs/operations.md). tools/check_python.py refuses known-bad builds.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
# The demo plan is judged as at the date of the source report unless you say otherwise.
TRACKER_AS_AT ?= 2016-03-14
export TRACKER_AS_AT

.DEFAULT_GOAL := help
.PHONY: help install python-check run reset-demo test lint format assets clean bench soak

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml tools/check_python.py
	@$(PYTHON) tools/check_python.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) python-check ## Create .venv and install the app with its pinned dependencies

# An existing .venv may predate the check (built on a refused Python): say so before using it.
python-check: $(STAMP)
	@$(BIN)/python tools/check_python.py

PORT ?= 5000
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: python-check ## Migrate, load the demo plan and serve on http://127.0.0.1:5000 (PORT=5055 for another; SQLite)
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

reset-demo: export BASE_URL ?= http://127.0.0.1:$(PORT)
reset-demo: python-check ## Put the demo back as new: delete the local SQLite database and uploads, reload
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "reset-demo resets the local SQLite demo only; DATABASE_URL is set" >&2; exit 1; fi
	rm -rf instance/tracker.sqlite3 instance/uploads instance/mail
	$(FLASK) db upgrade
	$(FLASK) seed

lint: python-check ## Check lint and formatting with ruff, complexity with radon, types with mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/check_complexity.py tracker
	$(BIN)/mypy

format: $(STAMP) ## Fix formatting and safe lint findings
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The single sign-on tests' identity provider (Node.js oidc-provider); they skip without it.
OIDC_PROVIDER := tests/oidc_provider/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc_provider/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the single sign-on tests will be skipped"; fi

# The suite runs in PYTEST_WORKERS processes (pytest-xdist; `auto` is one per CPU core, 0 runs it in
# this process). worksteal hands each worker half the tests in order (so each builds each database
# about once) and moves tests from a busy worker to an idle one at the end. docs/operations.md
PYTEST_WORKERS ?= auto
test: python-check lint $(OIDC_PROVIDER) ## Lint, then run the whole test suite (PYTEST_ARGS=tests/test_x.py for some)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Not part of `make test` or CI: about 10-15 minutes; PostgreSQL is skipped if it does not answer.
SCALES ?= council,national
BACKENDS ?= sqlite,postgresql
bench: $(STAMP) ## Benchmarks (SCALES=council|national, BACKENDS=sqlite|postgresql); bench/README.md
	$(BIN)/python -m bench.run --scales "$(SCALES)" --backends "$(BACKENDS)"
	$(BIN)/python -m bench.api_batch --backends "$(BACKENDS)"
	$(BIN)/python -m bench.paper

# Not part of `make test` or CI: the production shape under a mixed multi-user load (PostgreSQL).
SOAK_SECONDS ?= 150
SOAK_PEOPLE ?= 30
soak: python-check ## Fail on any worker crash, 5xx or lost update under load; docs/operations.md
	$(BIN)/python -m bench.soak --seconds $(SOAK_SECONDS) --people $(SOAK_PEOPLE)

assets: ## Rebuild static/govuk from npm govuk-frontend (needs Node.js; output is committed)
	bash assets/build.sh

clean: ## Remove .venv and the local SQLite database
	rm -rf $(VENV) instance/tracker.sqlite3
