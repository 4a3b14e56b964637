# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid export`: CSV in utf-8-sig, geometry as x/y or WKT, streamed, secrets left out."""

import csv
import io

import centre_fixture as cf
import pytest
from centre_fixture import run
from osgeo import ogr

from citygrid.admin import export
from citygrid.store import db, gpkg

pytestmark = pytest.mark.usefixtures("english")


def _read(path):
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_components_with_x_y_and_lon_lat(centre, tmp_path, monkeypatch, capsys):
    out = tmp_path / "部件.csv"
    assert run(monkeypatch, "export", centre, "components", "--out", out, "--lonlat") == 0
    assert f"exported 1 row(s) of components to {out}" in capsys.readouterr().out
    (row,) = _read(out)
    assert row["ObjID"] == "3205080101000001" and row["ObjName"] == "上水井盖" and row["DeptName1"] == "市水务局"
    x, y = cf.centre_point("320508001001001", 20, 20)
    assert (float(row["x"]), float(row["y"])) == (x, y)
    assert 119.9 < float(row["lon"]) < 120.1 and 31.2 < float(row["lat"]) < 31.3
    assert "geom" not in row


def test_polygons_as_wkt_that_gdal_reads_back(centre, tmp_path, monkeypatch):
    out = tmp_path / "grids.csv"
    assert run(monkeypatch, "export", centre, "grids", "--out", out) == 0
    rows = _read(out)
    assert [r["code"] for r in rows] == list(cf.GRIDS)
    geom = ogr.CreateGeometryFromWkt(rows[0]["geom_wkt"])
    assert geom.GetGeometryName() == "POLYGON" and geom.GetArea() == pytest.approx(10_000)


def test_where_filters_and_secrets_stay_out(centre, tmp_path, monkeypatch):
    out = tmp_path / "users.csv"
    assert run(monkeypatch, "export", centre, "users", "--out", out, "--where", "role = 'collector'") == 0
    rows = _read(out)
    assert [r["username"] for r in rows] == ["collector01", "collector02"]
    assert "password_hash" not in rows[0]


def test_stdout_gets_the_csv_and_the_count_goes_to_stderr(centre, monkeypatch, capsysbinary):
    assert run(monkeypatch, "export", centre, "units") == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"\xef\xbb\xbf") and "市水务局".encode() in captured.out
    assert b"exported 3 row(s) of units" in captured.err


BAD = {
    "unknown layer": (["nothing"], "no layer or table nothing"),
    "bad where": (["cases", "--where", "no_such_column = 1"], "bad --where condition"),
    "two statements": (["cases", "--where", "1; DROP TABLE cases"], "bad --where condition"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_no_file(centre, tmp_path, monkeypatch, capsys, case):
    argv, expected = BAD[case]
    out = tmp_path / "out.csv"
    assert run(monkeypatch, "export", centre, argv[0], "--out", out, *argv[1:]) == 1
    err = capsys.readouterr().err
    assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1
    assert list(tmp_path.glob("out.csv*")) == []


def test_the_centre_file_itself_is_refused(centre, monkeypatch, capsys):
    assert run(monkeypatch, "export", centre, "grids", "--out", centre) == 1
    assert "that is the centre file" in capsys.readouterr().err


def test_rows_are_streamed_in_batches_and_a_failure_leaves_no_file(centre, tmp_path, monkeypatch):
    conn = db.open_centre(centre)
    with db.transaction(conn):
        for i in range(25):
            conn.execute("INSERT INTO components (geom, ObjName) VALUES (?, '上水井盖')",
                         (gpkg.point(cf.X0 + i, cf.Y0 + 1, 4549),))
    conn.close()
    monkeypatch.setattr(export, "BATCH", 10)
    seen = []
    conn = db.open_centre(centre, readonly=True)
    assert export.export(conn, "components", tmp_path / "c.csv", progress=seen.append) == 26
    assert seen == [10, 20, 26]  # written as they come, never all at once

    def boom(n):
        if n >= 20:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        export.export(conn, "components", tmp_path / "d.csv", progress=boom)
    conn.close()
    assert not list(tmp_path.glob("d.csv*"))


def test_wkt_of_every_geometry_kind():
    assert export.wkt("POINT", (1.5, 2.0)) == "POINT (1.5 2.0)"
    assert export.wkt("LINESTRING", [(0, 0), (1, 1)]) == "LINESTRING (0.0 0.0, 1.0 1.0)"
    multi = export.wkt("MULTIPOLYGON", [[[(0, 0), (1, 0), (1, 1), (0, 0)]]])
    assert ogr.CreateGeometryFromWkt(multi).GetGeometryName() == "MULTIPOLYGON"
