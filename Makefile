# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo

.PHONY: install demo test test-deep lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing the ledger and its tools into $(VENV) (a minute or two)..."
	@$(BIN)/python -m pip install -e '.[test]' > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; echo 'make: installing failed (the log is above)'; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/ledger --db $(DEMO)/sunflowers.db demo --profile south-woodham-preschool \
		--setting "Sunflowers Pre-School (demo)"
	@echo
	$(BIN)/ledger --db $(DEMO)/sunflowers.db findings --open
	@echo
	$(BIN)/ledger --db $(DEMO)/sunflowers.db site build --out $(DEMO)/site --audience committee
	$(BIN)/ledger --db $(DEMO)/sunflowers.db site build --out $(DEMO)/public-site --audience public
	@echo
	@echo "Open the committee's site: $(abspath $(DEMO))/site/index.html (the public edition is in $(DEMO)/public-site)"
	@echo "The demo ledger is $(DEMO)/sunflowers.db (the command is $(BIN)/ledger). Try:"
	@echo "  $(BIN)/ledger --db $(DEMO)/sunflowers.db findings"
	@echo "  $(BIN)/ledger --db $(DEMO)/sunflowers.db findings --as-of 2025-09-30"
	@echo "  $(BIN)/ledger --db $(DEMO)/sunflowers.db verify"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every test that makes a ledger runs on SQLite and on PostgreSQL. The PostgreSQL half needs
# LEDGER_TEST_POSTGRES=postgresql://user:password@host:port/db (.ci/run starts the server and sets
# it); without it those tests are skipped with a message, except under CI=true, where they fail.
test: lint
	$(BIN)/pytest -q

test-deep: lint
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(DEMO) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Benchmarks (bench/README.md): they report, they never fail on a slow machine.
.PHONY: bench bench-quick
bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

# Mutation testing (not in CI: hours over every target). MUTANTS narrows the run to some
# mutants by name, e.g. make mutation MUTANTS='ledger.merkle*'. The score sets apart the
# surviving mutants that change only a message; every other survivor is a missing test.
.PHONY: mutation
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet 'mutmut==3.8.1'
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/python -m tests.mutation_score $(BIN)/mutmut
