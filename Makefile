# Two commands on a fresh Debian machine with Python 3.11+: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.floorlink-installed
SETUP_INPUTS := pyproject.toml scripts/setup.sh $(wildcard kiosk_ui/package.json kiosk_ui/package-lock.json)
# Copied from node_modules by setup.sh (gitignored); made again when missing.
VENDOR_JS := kiosk_ui/static/vendor/socket.io.min.js

.PHONY: setup demo test lint typecheck pytest test-pg faults bench soak clean

$(STAMP): $(SETUP_INPUTS)
	bash scripts/setup.sh
	touch $(STAMP)

$(VENDOR_JS): | $(STAMP)
	bash scripts/setup.sh

setup: $(STAMP) $(VENDOR_JS)

demo: $(STAMP) $(VENDOR_JS)
	$(BIN)/floorlink demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(VENDOR_JS)
	bash scripts/ensure-services.sh
	$(BIN)/python -m pytest

# The same suite against a fresh PostgreSQL database (started and created as needed).
test-pg: $(STAMP)
	bash scripts/with-postgres.sh $(BIN)/python -m pytest

# The fault tests with more kills and long fuzzing, on SQLite then PostgreSQL, with a table
# (docs/reliability.md). Short versions of the same tests run in `make test`.
faults: $(STAMP)
	bash scripts/ensure-services.sh
	sqlite=0; $(BIN)/python scripts/faults.py || sqlite=$$?; \
	bash scripts/with-postgres.sh $(BIN)/python scripts/faults.py && exit $$sqlite

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# A day-long OMS outage, time-compressed: 500,000 events wait, then drain (docs/performance.md).
# About 15 minutes; not part of `make bench`.
soak: $(STAMP)
	$(BIN)/python bench/outage.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
