# Every target creates .venv on first use and reinstalls when pyproject.toml changes, so a fresh
# machine with only Python 3.10+ needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed

.PHONY: demo test lint typecheck unit bench docs docs-serve clean

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

typecheck: $(STAMP)
	$(BIN)/mypy --strict langchain_compat_chat

unit: $(STAMP)
	$(BIN)/python -m pytest

# The site build is part of CI: it is the only check of cross-page links and of the API
# reference generated from docstrings (about 45 s on top: the docs extra's install and the build).
test: lint typecheck unit docs

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
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis build dist site
