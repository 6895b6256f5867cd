# Everything runs from a project-local virtualenv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint fmt run bench bench-scale schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# One worker a core (pytest-xdist); each worker makes its own databases.
test: lint
	$(BIN)/pytest -n auto

# Serve the seeds at http://127.0.0.1:8000/graphql from SQLite (DATABASE_URL overrides).
run: $(STAMP)
	$(BIN)/referat migrate --organization "Høje-Taastrup Kommune"
	$(BIN)/referat ingest --organization "Høje-Taastrup Kommune" seeds/
	$(BIN)/referat serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)  # write schema.graphql from the code; a test fails when they differ
	$(BIN)/python -c "from api.schema import schema; print(schema.as_str())" > schema.graphql

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks print figures; they never run in the test suite (see tests/test_bench.py).
# Parse, ingest, search, and GraphQL beside PostGraphile, then all figures in one table.
bench: $(STAMP)
	$(BIN)/python bench/all.py

# 100,000 meetings into PostgreSQL, then search, a meeting page and stats at that size,
# and the projection to all of Denmark (minutes; not part of make bench).
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --meetings 100000

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
