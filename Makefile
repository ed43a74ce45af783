# The README's commands. Each target creates the virtual environment it needs.
# The first interpreter that really runs and is 3.11 or 3.12 (pyenv shims may exist for versions that do not run).
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' 2>/dev/null && { echo $$p; break; }; \
	done)
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/petite-association-culturelle.yaml

.PHONY: run test check lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q ".[dev]"
	touch $@

## run: install toolpicker and recommend for a shipped example profile
run: | $(BIN)/python
	$(BIN)/pip install -q .
	$(BIN)/toolpicker recommend $(EXAMPLE)

## test: install toolpicker as a user would (not editable), check the knowledge base strictly, lint, run every test
test: $(VENV)/.deps
	$(BIN)/pip install -q --no-deps --force-reinstall .
	$(BIN)/toolpicker check --strict
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

## check: validate the shipped knowledge base
check: $(VENV)/.deps
	$(BIN)/toolpicker check --strict

## lint: ruff and mypy
lint: $(VENV)/.deps
	$(BIN)/ruff check src tests
	$(BIN)/mypy

## bench: throughput, latency, CLI cold start, scaling and memory (about 3 minutes; BENCH_ARGS=--long for 1,000,000 evaluations)
bench: $(VENV)/.deps
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
