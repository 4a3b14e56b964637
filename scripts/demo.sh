#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo` (after `make deps setup` and the demo centre): when a display is available, the QGIS
# desktop with the desk plugin of this working tree opens the demo centre in the background
# (`citygrid desk`, its output in var/demo/desk.log); the sync service then serves the same centre
# in the foreground until Ctrl-C. Headless, it says so and only serves.
# CITYGRID_CLI (default .venv/bin/citygrid) and CITYGRID_DEMO_PORT (default 8765) are for tests.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO="${1:-var/demo/center.gpkg}"
read -r -a CLI <<<"${CITYGRID_CLI:-.venv/bin/citygrid}"
PORT="${CITYGRID_DEMO_PORT:-8765}"
LOG="$(dirname "$DEMO")/desk.log"
echo
echo "citygrid demo centre: $(pwd)/$DEMO"
echo "  photos:            $(pwd)/${DEMO%.gpkg}.blobs/"
echo "  layers:            grids, components, cases, basemap_roads, basemap_blocks, basemap_water"
echo "  sign in as:        operator, leader, dispatcher, supervisor, gis, admin, collector01.. (password citygrid-demo)"
echo "  desk again:        ${CLI[*]} desk $DEMO [--user operator] [--lang en]"
echo "  evaluate a month:  ${CLI[*]} evaluate $DEMO --from 2026-10-01 --to 2026-11-01 --by unit"
echo "  integrity check:   ${CLI[*]} check $DEMO"
echo
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display (DISPLAY and WAYLAND_DISPLAY are unset): the QGIS desk is not started; serving only."
  echo "  with a display: ${CLI[*]} desk $DEMO"
elif "${CLI[@]}" desk "$DEMO" --dry-run >/dev/null; then   # a coded refusal is printed here, in the foreground
  "${CLI[@]}" desk "$DEMO" >"$LOG" 2>&1 &
  echo "QGIS is starting with the citygrid desk on the demo centre (pid $!, log $LOG)."
  echo "  sign in with one of the accounts above, e.g. operator / citygrid-demo"
else
  echo "the QGIS desk could not be started (see above); serving only."
fi
echo
echo "starting the sync service on http://127.0.0.1:$PORT (Ctrl-C stops it)"
exec "${CLI[@]}" serve "$DEMO" --host 127.0.0.1 --port "$PORT"
