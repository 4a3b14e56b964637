# SPDX-License-Identifier: GPL-2.0-or-later
# The two README commands: `make demo` and `make test` (both install what a fresh Debian 12 lacks).
SYSPY ?= /usr/bin/python3
VENV  := .venv
PY    := $(VENV)/bin/python
DEMO  := var/demo/center.gpkg

.PHONY: setup deps demo field-app field-bundle test test-fast bench lint clean-demo plugin-zip

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: pyproject.toml
	@$(SYSPY) -c "import qgis.core" 2>/dev/null || { echo "$(SYSPY) cannot import qgis: run 'make deps' (as root) first" >&2; exit 1; }
	@test -x $(PY) || $(SYSPY) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]'
	@touch $@

deps:
	@bash scripts/install-deps.sh

$(DEMO): | setup
	$(VENV)/bin/citygrid demo $(DEMO) --scale small --seed 1

# all of it on a fresh Debian 12 machine: system packages (as root), the venv, the demo centre, then
# the QGIS desk on it when there is a display, and the sync service (scripts/demo.sh)
demo: deps setup $(DEMO)
	@CITYGRID_CLI=$(VENV)/bin/citygrid bash scripts/demo.sh $(DEMO)

# the collectors' field app against the demo centre; the demo sync service is started when it is not
# already running on 127.0.0.1:8765 (scripts/field_app.sh)
field-app: setup $(DEMO)
	@CITYGRID_CLI=$(VENV)/bin/citygrid PYTHON=$(PY) bash scripts/field_app.sh $(DEMO)

# the field app as one folder that runs without the venv: dist/citygrid-field/citygrid-field
# (PyInstaller is installed into the venv when missing; build.spec says what goes in)
field-bundle: setup
	@$(PY) -c "import PyInstaller" 2>/dev/null || $(PY) -m pip install -q pyinstaller
	$(PY) -m PyInstaller --noconfirm --log-level WARN build.spec -- --only field

test: deps setup
	@bash scripts/run-tests.sh

test-fast: setup
	@bash scripts/run-tests.sh -m "not slow"

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: setup
	$(VENV)/bin/ruff check shared server tests bench qgis_plugin scripts field_app

# the desk plugin as QGIS's "Install from ZIP" takes it (core vendored, .qm built when lrelease exists)
plugin-zip:
	$(SYSPY) scripts/build_plugin_zip.py

clean-demo:
	rm -rf var/demo
