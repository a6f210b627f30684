# The two commands of the README:
#   make run   - install, migrate, load the demo company, serve on http://127.0.0.1:8000
#   make test  - install with the dev extras, run the whole suite
# Nothing else is needed on a fresh machine but Python 3.12 or newer.

VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint serve

$(PY):
	@python="$$(bin/find-python)" || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes (or the venv was made by another Python).
$(VENV)/.installed-run: pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "$(VENV) was made with an older Python; remove it and run again." >&2; exit 1; }
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ - sign in with one of the demo accounts above."
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
