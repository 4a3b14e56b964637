#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: show the demo centre and start the sync service on it when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO="${1:-var/demo/center.gpkg}"
CLI=.venv/bin/citygrid
echo
echo "citygrid demo centre: $(pwd)/$DEMO"
echo "  photos:            $(pwd)/${DEMO%.gpkg}.blobs/"
echo "  open it in QGIS:   qgis $(pwd)/$DEMO   (Layer > Add Layer > Add Vector Layer also works)"
echo "  layers:            grids, components, cases, basemap_roads, basemap_blocks, basemap_water"
echo "  accounts:          admin operator leader dispatcher supervisor gis collector01.. (password citygrid-demo)"
echo "  evaluate a month:  $CLI evaluate $DEMO --from 2026-10-01 --to 2026-11-01 --by unit"
echo "  integrity check:   $CLI check $DEMO"
echo
if $CLI serve --help >/dev/null 2>&1; then
  echo "starting the sync service on http://127.0.0.1:8765 (Ctrl-C stops it)"
  exec $CLI serve "$DEMO" --host 127.0.0.1 --port 8765
else
  echo "(the sync service is not part of this build yet; the centre database above is ready)"
fi
