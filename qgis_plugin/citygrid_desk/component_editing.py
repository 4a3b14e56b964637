# SPDX-License-Identifier: GPL-2.0-or-later
"""The components layer under the rules: the GIS technician edits it with QGIS's own tools, others cannot.

Schema 5's triggers do the work inside the very transaction QGIS's OGR provider commits: a new
component gets its ObjID from its ObjName by the serial rule, ORDate today, ObjState 完好 and a
provisional BGID; a later change stamps CHDate; every change reaches the sync change log. After the
commit the core gives the marked rows their exact grid (`admin.components.finish`) and the desk says
which components ended outside every grid (the core's rule: saved, with an empty BGID).

The codes and dates are the centre's, not the user's: they are read-only in the attribute form.
For any other role the layer is read-only. `close()` puts the layer back as it found it.
"""

from __future__ import annotations

from qgis.core import Qgis
from qgis.PyQt import sip

from .core import Problem, components
from .texts import tr

GIS_ROLE = "gis"
SET_BY_CENTRE = ("ObjID", "BGID", "ORDate", "CHDate")  # read-only in the form


class ComponentEditing:
    """Hooks on the session's components layer for as long as the centre is open."""

    def __init__(self, iface, session):
        self.iface, self.session = iface, session
        self.layer = session.layers.get("components")
        self.editable = session.role == GIS_ROLE
        self._was_read_only = None
        self._form = None
        if self.layer is None:
            return
        if self.editable:
            self._lock_centre_fields()
            self.layer.afterCommitChanges.connect(self.finish_commit)
        else:
            self._was_read_only = self.layer.readOnly()
            self.layer.setReadOnly(True)

    def _lock_centre_fields(self):
        self._form = self.layer.editFormConfig()
        config = self.layer.editFormConfig()
        fields = self.layer.fields()
        for name in SET_BY_CENTRE:
            index = fields.indexOf(name)
            if index >= 0:
                config.setReadOnly(index, True)
        self.layer.setEditFormConfig(config)

    def finish_commit(self):
        """After QGIS committed edits: exact grids for the rows the triggers marked, then a word."""
        try:
            if components.pending(self.session.centre) == 0:
                return
            done = components.finish(self.session.centre)
        except Problem as problem:
            self.session.show_problem(self.iface.mainWindow(), problem)
            return
        self.layer.triggerRepaint()
        self._tell(done)

    def _tell(self, done):
        bar = self.iface.messageBar()
        if done.outside:
            problem = Problem("desk.component_outside_grids", objids=", ".join(done.outside))
            bar.pushMessage(tr("Components"), self.session.message(problem), Qgis.Warning, 0)
        else:
            bar.pushMessage(tr("Components"), tr("Saved: the centre set the codes, grids and dates."),
                            Qgis.Success, 5)

    def close(self):
        if self.layer is None or sip.isdeleted(self.layer):  # the user may have removed the layer
            self.layer = None
            return
        if self.editable:
            self.layer.afterCommitChanges.disconnect(self.finish_commit)
            self.layer.setEditFormConfig(self._form)
        else:
            self.layer.setReadOnly(bool(self._was_read_only))
        self.layer = None
