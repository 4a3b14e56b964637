#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make field-app`: the collectors' app against the demo centre. Starts the demo sync service on
# 127.0.0.1:$CITYGRID_DEMO_PORT (default 8765) in the background unless one already answers there
# (its log in var/demo/serve.log; it keeps running after the app closes: stop it with the pid printed),
# then the app with its data in var/demo/field and the demo server filled in on the sign-in screen.
# Sign in as collector01 / citygrid-demo. CITYGRID_CLI, PYTHON and CITYGRID_FIELD_DATA are for tests.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO="${1:-var/demo/center.gpkg}"
read -r -a CLI <<<"${CITYGRID_CLI:-.venv/bin/citygrid}"
PYTHON="${PYTHON:-.venv/bin/python}"
PORT="${CITYGRID_DEMO_PORT:-8765}"
URL="http://127.0.0.1:$PORT"
DATA="${CITYGRID_FIELD_DATA:-$(dirname "$DEMO")/field}"
LOG="$(dirname "$DEMO")/serve.log"

answers() { "$PYTHON" -c "import httpx, sys; httpx.get(sys.argv[1] + '/api/v1/health', timeout=1).raise_for_status()" "$URL" 2>/dev/null; }

if answers; then
  echo "a sync service already answers on $URL: the app uses it."
else
  "${CLI[@]}" serve "$DEMO" --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
  SERVE=$!
  for _ in $(seq 100); do answers && break; kill -0 "$SERVE" 2>/dev/null || { cat "$LOG" >&2; exit 1; }; sleep 0.2; done
  answers || { echo "the sync service did not start on $URL (see $LOG)" >&2; exit 1; }
  echo "the demo sync service runs on $URL (pid $SERVE, log $LOG); stop it with: kill $SERVE"
fi
echo "citygrid-field: data in $DATA; sign in as collector01 / citygrid-demo"
export PYTHONPATH="$(pwd)/field_app:$(pwd)/shared${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m citygrid_field --server "$URL" --data "$DATA" "${@:2}"
