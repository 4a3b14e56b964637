#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test tier under a virtual X display. The QGIS tier runs in its own pytest process
# with pytest-qgis (a real QgsApplication, offscreen); the others run without that plugin, whose
# per-test fixtures would slow a thousand fast tests down.
set -uo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
mkdir -p var/test-artifacts
PYTEST=(xvfb-run -a -s "-screen 0 1280x1024x24" .venv/bin/python -m pytest)

run() {  # pytest's exit 5 (nothing collected) is not a failure of the tier
  "${PYTEST[@]}" "$@"
  local rc=$?
  [ $rc -eq 5 ] && { echo "(no tests collected in: $*)"; rc=0; }
  return $rc
}

status=0
echo "== lint (ruff)"
.venv/bin/ruff check shared server tests bench qgis_plugin scripts field_app || status=1
echo "== core, server, app tiers"
run -p no:pytest_qgis --ignore=tests/qgis "$@" || status=1
echo "== QGIS tier"
run tests/qgis "$@" || status=1
exit $status
