# Every target creates .venv on first use and reinstalls when pyproject.toml changes, so a fresh
# machine with only Python 3.10+ needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed

.PHONY: demo test lint format typecheck unit lowest bench docs docs-serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m langchain_compat_chat demo

lint: $(STAMP)
	$(BIN)/ruff check langchain_compat_chat tests examples
	$(BIN)/ruff format --check langchain_compat_chat tests examples

format: $(STAMP)
	$(BIN)/ruff check --fix langchain_compat_chat tests examples
	$(BIN)/ruff format langchain_compat_chat tests examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict langchain_compat_chat

unit: $(STAMP)
	$(BIN)/python -m pytest

# The site build is part of CI: it is the only check of cross-page links and of the API
# reference generated from docstrings (about 45 s on top: the docs extra's install and the build).
test: lint typecheck unit docs

# CI's second job: every runtime dependency at the lower bound pyproject.toml declares, on
# the lowest Python it declares, so that a bound that stopped working turns CI red.
# The test tools resolve as usual; ruff and mypy are pinned there anyway.
LOWEST_PYTHON ?= python3.10
LOWEST_VENV   := .venv-lowest
LOWEST_BIN    := $(LOWEST_VENV)/bin

lowest:
	@$(LOWEST_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else "make lowest needs Python 3.10: LOWEST_PYTHON=/path/to/python3.10")'
	@test -x $(LOWEST_BIN)/python || $(LOWEST_PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip tomli
	$(LOWEST_BIN)/python .ci/lowest_constraints.py > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_BIN)/python -m pip install -q --disable-pip-version-check -c $(LOWEST_VENV)/constraints.txt -e '.[test]'
	@echo "lowest job resolved:" $$($(LOWEST_BIN)/python -m pip list --format=freeze 2>/dev/null | grep -iE '^(langchain-core|httpx|httpcore|pydantic)==')
	$(LOWEST_BIN)/mypy --strict langchain_compat_chat
	$(LOWEST_BIN)/python -m pytest tests/unit

# An editable install has no bytecode, and with PYTHONDONTWRITEBYTECODE set it is compiled
# from source on every import (~50 ms); a wheel install is compiled by pip. Compile it the same
# way so the import scenario measures what users get.
bench: $(STAMP)
	$(BIN)/python -m compileall -q langchain_compat_chat
	$(BIN)/python bench/run.py

# The docs extra (mkdocs, material, mkdocstrings) goes into the same .venv on first use only.
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,docs]'
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve

clean:
	rm -rf $(VENV) $(LOWEST_VENV) .mypy_cache .ruff_cache .hypothesis build dist site
