# SPDX-License-Identifier: GPL-2.0-or-later
"""Run as a separate process: a GIS technician adds, moves and edits components with QGIS's own tools.

`python qgis_components_edit.py CENTRE ACTION ARGS...` opens the `components` (or `grids`) layer
through QGIS's OGR provider, as the desktop does, makes one edit and commits it. Prints a JSON line
`{"ok": bool, "errors": [...]}` (the commit errors QGIS would show the user) and exits 0.

Actions:
- `add X Y OBJNAME`: a new point with only ObjName typed (ObjID, BGID, ORDate left empty);
- `move OBJID X Y`: move a component's point;
- `rename-grid OLD NEW`: change a grid's code in the attribute table.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsGeometry,
    QgsPointXY,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)


def _find(layer, field, value):
    for feat in layer.getFeatures():
        if feat[field] == value:
            return feat
    raise SystemExit(f"no {field} {value}")


def main(path: str, action: str, *args: str) -> int:
    app = QgsApplication([], False)
    app.initQgis()
    table = "grids" if action == "rename-grid" else "components"
    layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
    if not layer.isValid():
        print(json.dumps({"ok": False, "errors": ["layer not valid"]}), flush=True)
        return 1
    layer.startEditing()
    if action == "add":
        x, y, name = float(args[0]), float(args[1]), args[2]
        # as the add-feature form does: the provider's defaults, the one attribute the user typed
        feat = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromPointXY(QgsPointXY(x, y)),
                                                 {layer.fields().indexOf("ObjName"): name})
        layer.addFeature(feat)
    elif action == "move":
        feat = _find(layer, "ObjID", args[0])
        layer.changeGeometry(feat.id(), QgsGeometry.fromPointXY(QgsPointXY(float(args[1]), float(args[2]))))
    elif action == "rename-grid":
        feat = _find(layer, "code", args[0])
        layer.changeAttributeValue(feat.id(), layer.fields().indexOf("code"), args[1])
    ok = layer.commitChanges()
    errors = [] if ok else list(layer.commitErrors())
    if not ok:
        layer.rollBack()
    del layer
    print(json.dumps({"ok": ok, "errors": errors}, ensure_ascii=False), flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], *sys.argv[3:]))
