# ConsulDesk: `make run` starts the window, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test check lint types layers pytest fuzz cli demo bench kill-harness translations clean

$(STAMP): pyproject.toml
	bash .ci/system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/consuldesk --demo

test: $(STAMP) check pytest

check: lint layers types

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

layers: $(STAMP)
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n 2 --dist loadfile

# The property tests with new random examples, many more of them (the suite's are fixed).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=explore QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n 2 tests/unit/domain \
		tests/unit/services/test_lists_fuzz.py tests/unit/services/test_lists_reading.py \
		tests/unit/services/test_sync_convergence.py tests/unit/sync/test_bundle_fuzz.py

cli: $(STAMP)
	$(BIN)/consuldesk-cli --help

bench: $(STAMP)
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_ui.py

# 200 SIGKILLs of imports, edits, allocations and bundle imports (docs/RELIABILITY.md).
kill-harness: $(STAMP)
	$(BIN)/python bench/kill_harness.py --count 200 --seed 1 --size 2000

translations: $(STAMP)
	$(BIN)/python -m consuldesk.locale.update

clean:
	rm -rf $(VENV) build dist src/*.egg-info bench/out
