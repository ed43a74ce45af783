# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= $(shell command -v python3.12 || command -v python3.11 || echo python3)
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

## test: install toolpicker as a user would (not editable) and run the whole test suite
test: $(VENV)/.deps
	$(BIN)/pip install -q --no-deps --force-reinstall .
	$(BIN)/toolpicker check
	$(BIN)/python -m pytest -q

## check: validate the shipped knowledge base
check: $(VENV)/.deps
	$(BIN)/toolpicker check --strict

## lint: ruff and mypy
lint: $(VENV)/.deps
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
