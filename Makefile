# The two commands that matter: `make run` and `make test`. Each creates .venv
# when it is missing and installs the project into it, so nothing has to be on
# the machine beforehand except Python 3.11+.
#
# `make run` installs only what running the bot needs; `make test` (and bench,
# lint) add the extras the tests need (pytest, Playwright, ruff…). Each has its
# own stamp, remade when pyproject.toml changes, so switching between the two
# never installs twice or runs with something missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
MUTATE_STAMP := $(VENV)/.installed-mutate
# The optional-dependency groups `make test` installs on top of the bot's own
# (the FAQ's semantic tier is one of the bot's own since issue 25: `make run`
# installs it too).
TEST_EXTRAS := test

.PHONY: run test bench lint check mutate docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(TEST_EXTRAS)]'
	touch $(TEST_STAMP) $(RUN_STAMP)

# `make mutate` adds mutmut to the test extras (tests/mutate.py, docs/development.md
# "Mutation testing").
$(MUTATE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(TEST_EXTRAS),mutation]'
	touch $(MUTATE_STAMP) $(TEST_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/advocacy-bot

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m pytest tests/bench -q -s -p no:cacheprovider --override-ini addopts=

lint: $(TEST_STAMP)
	$(BIN)/ruff check bot tests

# Mutation testing of the modules that carry promises; MODULES=bot/catalog/cases.py
# (space-separated) for some of them. Not part of `make test`.
mutate: $(MUTATE_STAMP)
	$(BIN)/python -m tests.mutate $(MODULES)

# The guides in docs/ as a site in site/ (mkdocs.yml); strict, so a dead link
# fails. `make test` builds it too (tests/test_docs.py).
docs: $(TEST_STAMP)
	$(BIN)/python -m mkdocs build --strict

check: $(RUN_STAMP)
	$(BIN)/advocacy-bot check

clean:
	rm -rf $(VENV) build site *.egg-info
