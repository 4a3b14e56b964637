# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk's components part: component maintenance and import for the GIS technician (role `gis`).

Every role gets the components layer under the rules (`ComponentEditing`: read-only unless gis).
The gis role also gets two menu actions: "Edit components" (the layer in edit mode with QGIS's
add-feature tool) and "Import into the centre…" (the import dialog over any layer QGIS has open).
"""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QAction

from .component_editing import GIS_ROLE, ComponentEditing
from .import_dialog import ImportDialog
from .texts import tr


class ComponentPart:
    """Built when a centre opens (plugin.part_classes); `close()` removes exactly what it added."""

    def __init__(self, iface, session, menu):
        self.iface, self.session, self.menu = iface, session, menu
        self.editing = ComponentEditing(iface, session)
        self.actions: list[QAction] = []
        self.dialog: ImportDialog | None = None
        if session.role == GIS_ROLE:
            self._add_action("CitygridEditComponents", tr("Edit components"), self.edit_components)
            self._add_action("CitygridImport", tr("Import into the centre…"), self.show_import)

    def _add_action(self, name, text, slot):
        action = QAction(text, self.iface.mainWindow())
        action.setObjectName(name)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        self.actions.append(action)

    def edit_components(self):
        """The components layer active and editable, with QGIS's add-feature tool in hand."""
        layer = self.editing.layer
        if layer is None:
            return
        self.iface.setActiveLayer(layer)
        if not layer.isEditable():
            layer.startEditing()
        self.iface.actionAddFeature().trigger()

    def show_import(self):
        if self.dialog is None:
            self.dialog = ImportDialog(self.session, self.iface.mainWindow())
        self.dialog.show()
        self.dialog.raise_()

    def close(self):
        if self.dialog is not None:
            self.dialog.stop()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        for action in self.actions:
            self.menu.removeAction(action)
            action.deleteLater()
        self.actions = []
        self.editing.close()
