# The two commands a newcomer runs are `make demo` and `make test`; each sets up what it needs.
# Installs are stamped, so a second run skips what is already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synthscope-installed
DEMO_DIR ?= demo-output

.PHONY: demo test test-fast bench lint format clean install web

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch==2.13.0 is installed first and explicitly: it is the CPU build that lies on this disk,
# and any looser spec would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The projector's front end, built into the package's static folder (not committed).
WEB_STAMP := src/synthscope/static/.built
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

web: $(WEB_STAMP)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_STAMP): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build
	touch $@

demo: $(STAMP) $(WEB_STAMP)
	$(BIN)/synthscope-demo-chain $(DEMO_DIR)

test: $(STAMP) $(WEB_STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache build src/*.egg-info web/node_modules src/synthscope/static
