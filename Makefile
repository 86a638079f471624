# Two commands on a fresh Debian 12 machine with python3 and make (as root or with sudo):
# `make` sets up and builds the default content into output/; `make test` sets up and runs the tests.
# Other targets: check (validate content/), serve (live preview), bench (benchmark), clean.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Compile sitrep's modules ahead, as pip does for installed packages: where Python is told not to write
# bytecode (PYTHONDONTWRITEBYTECODE), every command would otherwise compile them again, 0.2 s each.
# Bytecode only speeds the start; a module edited since is compiled from its source as usual.
BYTECODE := $(PY) -m compileall -q sitrep tests bench

.PHONY: all build test check serve bench clean

all: build

$(VENV)/.runtime: requirements.lock
	PYTHON=$(PYTHON) scripts/system-deps.sh build
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.lock package-lock.json
	PYTHON=$(PYTHON) scripts/system-deps.sh test
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

build: $(VENV)/.runtime
	@$(BYTECODE)
	$(PY) build.py

check: $(VENV)/.runtime
	@$(BYTECODE)
	$(PY) build.py check

serve: $(VENV)/.runtime
	@$(BYTECODE)
	$(PY) build.py serve

test: $(VENV)/.test
	@$(BYTECODE)
	$(PY) -m pytest -q -n 2

bench: $(VENV)/.test
	@$(BYTECODE)
	$(PY) bench/run.py

clean:
	rm -rf output .sitrep-cache $(VENV) node_modules
