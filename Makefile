# The two commands of the README:
#   make run    install kg in .venv and build the seeds' graph into exports/
#   make test   install kg with its test needs (and a headless Chromium) and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-install install install-test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

run: install
	$(BIN)/kg build seeds --out exports

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	bash scripts/install-system-deps.sh

lint: install-test
	$(BIN)/ruff check kg tests scripts
	$(BIN)/ruff format --check kg tests scripts
	$(BIN)/mypy kg

test: install-test lint
	$(BIN)/python -m pytest

# only the test of kg installed from its wheel into a fresh venv (tests/test_install.py; part of `make test`)
test-install: install-test
	$(BIN)/python -m pytest tests/test_install.py
