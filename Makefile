# The two commands of README.md: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,spopt]"
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/partition data summary
	$(VENV)/bin/partition run configs/hampshire.toml

lint: $(VENV)/.installed
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

test: $(VENV)/.installed
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m pytest -q tests
	$(PY) -m pytest -q --nbmake notebooks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
