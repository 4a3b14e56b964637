# SPDX-License-Identifier: GPL-2.0-or-later
"""The core functions the desk's components part uses: finishing edits made in QGIS, and which
target fields an import must map (the field-mapping table marks them)."""

import centre_fixture as cf
import pytest

from citygrid.admin import components, importer
from citygrid.problems import Problem
from citygrid.store import db, gpkg

B = "320508001001002"


def _insert(conn, x, y):
    with db.transaction(conn):
        fid = conn.execute("INSERT INTO components (geom, ObjName) VALUES (?, '上水井盖')",
                           (gpkg.point(x, y, 4549),)).lastrowid
    return conn.execute("SELECT ObjID FROM components WHERE fid = ?", (fid,)).fetchone()[0]


def test_finish_gives_exact_grids_and_names_the_components_outside_every_grid(centre):
    conn = db.open_centre(centre)
    inside = _insert(conn, *cf.centre_point(B))
    outside = _insert(conn, cf.X0 - 500, cf.Y0 - 500)
    done = components.finish(conn)
    assert (done.repaired, done.outside) == (2, [outside])
    assert [tuple(r) for r in conn.execute("SELECT ObjID, BGID FROM components WHERE ObjID IN (?, ?) ORDER BY ObjID",
                                           (inside, outside))] == [(inside, B), (outside, None)]
    assert components.pending(conn) == 0 and components.finish(conn).counts() == {
        "repaired": 0, "changed": 0, "outside": 0}
    conn.close()


def test_repair_still_answers_with_counts(centre):
    conn = db.open_centre(centre)
    _insert(conn, cf.X0 - 500, cf.Y0 - 500)
    assert components.repair(conn) == {"repaired": 1, "changed": 0, "outside": 1}
    conn.close()


def test_required_fields_per_kind_are_the_ones_the_importer_insists_on():
    assert importer.required("grids") == (("code",), ())
    assert importer.required("components") == ((), ("ObjID", "class_code", "ObjName"))
    with pytest.raises(Problem, match="unknown_kind"):
        importer.required("roads")
