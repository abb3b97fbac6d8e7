# Every target installs what it needs (uv, Python 3.13 packages) on first use.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
# A uv that runs (a pyenv shim may exist without one behind it), else the one the rule below installs.
UV := $(shell for candidate in $(HOME)/.local/bin/uv $$(command -v uv); do \
	"$$candidate" --version >/dev/null 2>&1 && echo "$$candidate" && break; done)
ifeq ($(UV),)
UV := $(HOME)/.local/bin/uv
endif
PYTHON := .venv/bin/python

.PHONY: run test check fmt install messages quality quality-render

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet --user --break-system-packages uv

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

install: .venv/.synced

run: install
	$(PYTHON) -m agora.core.launcher

test: install
	$(PYTHON) -m pytest -q $(PYTEST_ARGS)

# QUALITY.md §5: run the whole suite with its tests recording what they measured, then write
# docs/quality.md from that (failed checks say "failed", missing ones "not run"); fails if the suite did.
QUALITY_FIGURES ?= var/quality/figures.json
quality: install
	QUALITY_FIGURES=$(QUALITY_FIGURES) $(MAKE) test; status=$$?; \
	$(PYTHON) -m agora.core.tests.quality_render $(QUALITY_FIGURES) docs/quality.md && exit $$status

# docs/quality.md again from the figures the last `make quality` wrote.
quality-render: install
	$(PYTHON) -m agora.core.tests.quality_render $(QUALITY_FIGURES) docs/quality.md

check: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgresql://unused@localhost/agora} $(UV) run --frozen mypy .
	$(UV) run --frozen lint-imports
	$(PYTHON) manage.py makemigrations --check --dry-run

fmt: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

# Refresh the Russian catalogue after changing strings (needs gettext), then commit .po and .mo.
messages: install
	$(PYTHON) manage.py makemessages --locale ru --ignore ".venv/*" --ignore "var/*" --no-obsolete
	$(PYTHON) manage.py compilemessages --locale ru --ignore ".venv/*"
