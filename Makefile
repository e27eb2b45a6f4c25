# The two commands a newcomer runs are `make demo` and `make test`; each sets up what it needs.
# Installs are stamped, so a second run skips what is already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synthscope-installed
DEMO_DIR ?= synthscope-demo
DEMO_ARGS ?=
BENCH_ARGS ?=

.PHONY: demo demo-model test test-fast bench lint format clean install web

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

# The whole study on the built-in phantom, then the projector in a browser (Ctrl-C stops it).
# DEMO_ARGS="--size paper" runs the founding study's sizes; "--no-browser" only prints the URL.
demo: $(STAMP) $(WEB_STAMP)
	$(BIN)/synthscope demo --workdir $(DEMO_DIR) $(DEMO_ARGS)

# Retrain the SPADE generator the demo ships (about an hour on two CPU cores).
demo-model: $(STAMP)
	$(BIN)/python -m synthscope.demo.build_model --workdir demo-model-build

test: $(STAMP) $(WEB_STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: $(STAMP) $(WEB_STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(DEMO_DIR) demo-model-build .pytest_cache .ruff_cache build src/*.egg-info web/node_modules src/synthscope/static
