# The two commands of README.md: `make run` and `make test`; `make notebooks` opens the notebooks in JupyterLab,
# `make docs` serves the documentation site.
# `make test-lowest` (run by CI) tests again against the lowest versions pyproject.toml declares.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
LOWEST ?= .venv-lowest

.PHONY: run test test-lowest lint clean notebooks docs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,spopt,docs]"
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/partition data summary
	$(VENV)/bin/partition run configs/hampshire.toml

lint: $(VENV)/.installed
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

test: $(VENV)/.installed
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet
	$(PY) -m pytest -q -n auto --dist loadscope tests
	$(PY) -m pytest -q --nbmake notebooks

# The documentation site (user guide, command and API reference) served at 127.0.0.1:8000 (make test builds it into build/site/).
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

# The planners' notebooks in JupyterLab (installs the `notebooks` extra: jupyterlab and ipykernel).
$(VENV)/.notebooks: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[notebooks]"
	touch $@

notebooks: $(VENV)/.notebooks
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

# The direct dependencies at the lowest versions pyproject.toml allows (uv, from the dev extras, resolves them);
# proves each lower bound true. The notebooks are left to `make test` (same code, and they take minutes).
$(LOWEST)/.installed: pyproject.toml $(VENV)/.installed
	rm -rf $(LOWEST)
	$(VENV)/bin/uv venv -q --python $(PYTHON) $(LOWEST)
	$(VENV)/bin/uv pip install -q --python $(LOWEST)/bin/python --resolution lowest-direct -e ".[dev,spopt,docs]"
	touch $@

test-lowest: $(LOWEST)/.installed
	$(VENV)/bin/uv pip list --python $(LOWEST)/bin/python | grep -i -E "^(geopandas|shapely|pyogrio|pyproj|pandas|numpy|scipy|folium|branca|scikit-learn|networkx|highspy|click|tqdm|pydantic|spopt|libpysal|tobler|mapclassify|jinja2|markupsafe|mkdocs|mkdocs-material|mkdocstrings-python|mkdocs-click) " || true
	NO_MKDOCS_2_WARNING=1 $(LOWEST)/bin/mkdocs build --strict --quiet --site-dir build/site-lowest
	$(LOWEST)/bin/python -m pytest -q -n auto --dist loadscope -p no:cacheprovider tests

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .ruff_cache
