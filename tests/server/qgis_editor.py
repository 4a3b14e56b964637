# SPDX-License-Identifier: GPL-2.0-or-later
"""Run as a separate process: a GIS technician's QGIS editing the centre file while the service runs.

`python qgis_editor.py CENTRE ROUNDS` opens the `components` and `cases` layers through QGIS's OGR
provider (as the desktop does), edits and commits an attribute each round, reads the cases, and
closes the layers again; prints `edited N busy M` and exits 0, or prints the commit errors and exits 1.

QGIS's OGR provider reads a feature and then writes it inside one transaction; SQLite cannot wait
for a lock when a reading transaction wants to write (it answers "database is locked" at once while
another program holds the write lock), so a commit can fail while the service is applying a push.
QGIS keeps the edit buffer and the user saves again; this script does what the user does, and
counts how often (M).
"""

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402


def main(path: str, rounds: int) -> int:
    app = QgsApplication([], False)
    app.initQgis()
    edited = busy = 0
    for i in range(rounds):
        comps = QgsVectorLayer(f"{path}|layername=components", "components", "ogr")
        cases = QgsVectorLayer(f"{path}|layername=cases", "cases", "ogr")
        if not (comps.isValid() and cases.isValid()):
            print("layer not valid", flush=True)
            return 1
        cases.featureCount()
        sum(1 for _ in cases.getFeatures())
        feat = next(iter(comps.getFeatures()))
        comps.startEditing()
        comps.changeAttributeValue(feat.id(), comps.fields().indexOf("Note"), f"QGIS edit {i}")
        for _attempt in range(100):
            if comps.commitChanges():
                break
            errors = comps.commitErrors()
            if not any("locked" in e for e in errors):
                print("commit failed:", errors, flush=True)
                return 1
            busy += 1
            time.sleep(0.1)
        else:
            print("commit failed 100 times:", comps.commitErrors(), flush=True)
            return 1
        edited += 1
        del comps, cases
        time.sleep(0.05)
    print(f"edited {edited} busy {busy}", flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
