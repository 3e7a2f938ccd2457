# Two commands matter (see README): `make tour` and `make test`. Each sets up what is missing first:
# a .venv with torch 2.13.0 (CPU build) and the package in editable mode, and the JS bundle.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BUNDLE := tensorviz/static/tensor_view.js
NODE_MODULES := js/node_modules/.package-lock.json
JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs

.PHONY: setup tour test test-python test-js test-browser lint bench clean gallery

setup: $(INSTALLED) $(BUNDLE)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch 2.13.0 first: a bare `torch` requirement would pull a multi-GB CUDA build.
# The bundle must exist first (order only) so the editable install skips its own npm build.
$(INSTALLED): pyproject.toml | $(BIN)/python $(BUNDLE)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $@

$(NODE_MODULES): js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund
	touch $@

$(BUNDLE): $(NODE_MODULES) $(JS_SOURCES)
	cd js && npm run build

# JupyterLab refuses to start as root unless told; containers often run as root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

tour: setup
	$(BIN)/jupyter lab $(LAB_FLAGS) examples/tour.ipynb

test: setup
	cd js && npm test
	cd js && npm run typecheck
	$(BIN)/python -m pytest

test-python: setup
	$(BIN)/python -m pytest --ignore=tests/browser

test-browser: setup
	$(BIN)/python -m pytest tests/browser

lint: setup
	$(BIN)/ruff check tensorviz tests benchmarks
	$(BIN)/mypy tensorviz

# the example notebooks as static pages that work offline: build/gallery/index.html
gallery: setup
	$(BIN)/python -m tensorviz.gallery examples build/gallery

bench: setup
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) js/node_modules tensorviz/static
