# Two commands do all the set-up: `make run` and `make test`. Both create or refresh .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test browser lint typecheck contracts contracts-check contracts-test protos-check pytest bench crash fuzz clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## run: install the project and run the default scenario
run: $(VENV)/.installed
	$(BIN)/relayer-sim run

## test: lint, type-check, check the contracts and protobuf modules regenerate to the committed bytes, run every test
test: $(VENV)/.installed-dev browser lint typecheck contracts-test contracts-check protos-check pytest

# The HTML report's test renders the page in a real headless browser (tests/report/browser.py).
# CI runs `make test` as root on a clean Debian machine, so install Debian's chromium there when
# it is missing; with it present this does nothing.
browser:
	@test -x /usr/bin/chromium || { \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check relayer_sim tests benchmarks contracts
	$(BIN)/ruff format --check relayer_sim tests benchmarks contracts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict relayer_sim

## contracts: rebuild relayer_sim/contracts/*.wasm from the Zig sources
contracts: $(VENV)/.installed-dev
	$(PY) contracts/build.py

contracts-check: $(VENV)/.installed-dev
	$(PY) contracts/build.py --check

contracts-test: $(VENV)/.installed-dev
	$(PY) contracts/build.py --test

# The generated protobuf classes (relayer_sim/formats/proto) must match a fresh protoc run.
protos-check: $(VENV)/.installed-dev
	$(PY) -m relayer_sim.formats.proto.regenerate --check

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -q

## bench: run every benchmark; all figures in benchmarks/results/bench.json, headlines on stdout
bench: $(VENV)/.installed-dev
	$(PY) benchmarks/summary.py

## crash: 100 SIGKILLed block-log writers, every acknowledged block restored (JSON out)
crash: $(VENV)/.installed-dev
	$(PY) benchmarks/log_crashes.py

## fuzz: 100,000 random host transactions, 0 escapes, partial writes or divergences (JSON out)
fuzz: $(VENV)/.installed-dev
	$(PY) benchmarks/fuzz_host.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
