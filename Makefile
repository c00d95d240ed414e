# Fresh machine -> running service (`make run`) or passing tests (`make test`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,bench]'
	touch $(STAMP)

install: $(STAMP)

# Local trial: SQLite under instance/, secrets generated there (mode 600), the default rule
# set, and a first admin whose one-time password `ews init` prints once.
run: $(STAMP)
	$(BIN)/ews init
	$(BIN)/ews serve

lint: $(STAMP)
	$(BIN)/ruff check ews tests benchmarks wsgi.py

# One pytest-xdist worker per core; each test file stays on one worker, so its module-scoped
# fixtures (app, demo database, browser) are built once. PYTEST_WORKERS=0: one process.
# pytest's exit 5 (no test selected) fails the target too, saying so.
PYTEST_WORKERS ?= auto
test: lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || { rc=$$?; \
	  [ $$rc -ne 5 ] || echo "make test: pytest selected no test" >&2; \
	  exit $$rc; }

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rules.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
