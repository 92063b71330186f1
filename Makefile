# Two commands on a fresh machine: `make run` and `make test`. See `make help`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help install run test lint format typecheck bench db clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,serve]'
	@touch $@

install: $(STAMP) ## create .venv and install the project with its extras

db: install ## apply migrations and seed the demo workspace (idempotent)
	$(BIN)/assessor db upgrade
	$(BIN)/assessor demo seed

# The demo login comes last, just before the server's own lines, where a newcomer looks.
# Links in e-mails start where the server listens, unless ASSESSOR_BASE_URL says otherwise.
run: export ASSESSOR_BASE_URL ?= http://$(HOST):$(PORT)
run: install ## set up, then serve on http://127.0.0.1:5000 (make run PORT=8080 HOST=0.0.0.0 to change)
	$(BIN)/assessor db upgrade
	@$(BIN)/assessor mail where
	@$(BIN)/assessor demo seed --url http://$(HOST):$(PORT)
	@$(BIN)/assessor run --host $(HOST) --port $(PORT)

lint: install ## ruff (lint + format check) and mypy on the engine and questionnaire
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assessor/engine assessor/questionnaire

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint ## lint, then the whole test suite
	$(BIN)/pytest

bench: install ## engine, report, load, history and render-queue benchmarks, each beside its baseline
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/report_markup.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/render_queue.py

clean: ## remove the venv and caches (keeps the instance folder)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
