# Two commands a new user needs: `make demo` (the main job against the embedded
# emulator) and `make test` (the test suite). Both create .venv as needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DASHCTL := $(VENV)/bin/dashctl

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: install demo test lint
install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(DASHCTL) validate
	$(DASHCTL) plan --env local --env 'tenants/*'; test $$? -ne 1
	$(DASHCTL) apply --env local --env 'tenants/*' --auto-approve
	$(DASHCTL) plan --env local --env 'tenants/*'

test: $(VENV)/.installed
	$(PY) -m pytest -n 2

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check reconciler tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
