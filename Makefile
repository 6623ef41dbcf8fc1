# The two commands that matter: `make run` and `make test`. Each creates .venv
# when it is missing and installs the project into it, so nothing has to be on
# the machine beforehand except Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Tests (and benchmarks) cover both FAQ tiers, so they also install the
# optional semantic extra; `make run` does not need it.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,semantic]'
	touch $(TEST_STAMP)

run: $(STAMP)
	$(BIN)/advocacy-bot

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m pytest tests/bench -q -s -p no:cacheprovider --override-ini addopts=

lint: $(STAMP)
	$(BIN)/ruff check bot tests

check: $(STAMP)
	$(BIN)/advocacy-bot check

clean:
	rm -rf $(VENV) build *.egg-info
