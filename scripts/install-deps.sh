#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what a fresh Debian 12 machine lacks for citygrid's tests and demo (qgis: the desktop the
# desk runs in; qttools5-dev-tools: lrelease, which compiles the desk's zh_CN translation;
# poppler-utils: pdftoppm/pdftotext, with which the monthly report's tests read its PDF).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail
PKGS=(python3-qgis qgis-providers python3-venv python3-pip python3-gdal gdal-bin
      xvfb xauth fonts-wqy-microhei sqlite3 qgis qttools5-dev-tools
      poppler-utils)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "citygrid needs these Debian packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
