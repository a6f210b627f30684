# The two commands of the README:
#   make run   - install, migrate, load the demo company, serve on http://127.0.0.1:8000
#   make test  - install with the dev extras (and axe-core for the browser tests), run the whole suite
# Nothing else is needed on a fresh machine but Python 3.12 or newer (the browser tests also
# need Chromium, and Node.js with npm for axe-core).

VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint serve lock

$(PY):
	@python="$$(bin/find-python)" || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

# Every dependency comes from a lock file with hashes (requirements/*.txt, made by `make lock`
# from pyproject.toml); the project itself is then installed without resolving anything.
# Reinstall only when a lock file changes (or the venv was made by another Python).
$(VENV)/.installed-run: pyproject.toml requirements/base.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "$(VENV) was made with an older Python; remove it and run again." >&2; exit 1; }
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "$(VENV) was made with an older Python; remove it and run again." >&2; exit 1; }
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed-run

# The browser journeys' test tools (axe-core, tests/browser/axe/package-lock.json) from the npm
# registry, exactly as locked; again only when the lock changes. Without npm the browser tests say
# so: left out of a plain run, a failure under --require-services=browser (.ci/run).
AXE := tests/browser/axe
$(AXE)/node_modules/.installed: $(AXE)/package.json $(AXE)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(AXE) --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm is not installed: the browser tests cannot load axe-core (install Node.js 20 and npm)." >&2; \
	fi

# Pin again after changing a requirement in pyproject.toml (or to take updates on purpose):
# the newest versions the ranges allow, with the hash of every file of each.
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(LOCK) --upgrade -o requirements/base.txt pyproject.toml requirements/build.in
	$(LOCK) --upgrade --extra dev -c requirements/base.txt -o requirements/dev.txt \
	  pyproject.toml requirements/build.in

# HOST and PORT go down to the settings too, so links in e-mails and calendar feeds name the
# address served (SITE_URL, when set, wins). DEBUG_PAGES=1 shows Django's debug pages instead
# of the designed 404, 403 and 500.
RUN_ENV = DEBUG=1 HOST=$(HOST) PORT=$(PORT)
run: $(VENV)/.installed-run
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ - sign in with one of the demo accounts above."
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# As many workers as cores (pytest-xdist), then the tests that stop a shared service, alone
# (exit status 5 is "no such test selected": none in this run, e.g. on SQLite).
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev $(AXE)/node_modules/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
	$(PY) -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
