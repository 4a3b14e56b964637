# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid import`: sources made here with GDAL (Shapefile, GeoPackage, CSV), good and bad rows,
Chinese column names, another CRS; all or nothing, --skip-bad, --dry-run, the report, the CLI."""

from __future__ import annotations

import csv
import string
import subprocess
from pathlib import Path

import pytest

osgeo = pytest.importorskip("osgeo")
from import_fixture import GRIDS, X0, Y0, dump, empty_centre, polygon_wkt, square, to_crs, write_layer  # noqa: E402
from osgeo import ogr  # noqa: E402

from citygrid import cli, i18n  # noqa: E402
from citygrid.admin import importer  # noqa: E402
from citygrid.loop import geocode  # noqa: E402
from citygrid.messages import TEXTS  # noqa: E402
from citygrid.problems import Problem  # noqa: E402
from citygrid.store import db, integrity  # noqa: E402

SHP = ["ENCODING=UTF-8"]
VALIDATE = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


@pytest.fixture
def centre(tmp_path):
    path = tmp_path / "centre.gpkg"
    empty_centre(path)
    return path


def grids_shp(path, codes=GRIDS, epsg=4549):
    rows = []
    for code, (c, r) in codes.items():
        ring = square(c, r)
        if epsg != 4549:
            ring = [to_crs(x, y, epsg) for x, y in ring]
        rows.append((polygon_wkt(ring), code, f"网格{code[-3:]}"))
    write_layer(path, "ESRI Shapefile", [("code", "str"), ("name", "str")], rows, epsg=epsg,
                geom_type=ogr.wkbPolygon, options=SHP)
    return path


def run(conn, kind, source, **kw):
    return importer.import_layer(conn, kind, source, **kw)


@pytest.fixture
def with_grids(centre, tmp_path):
    conn = db.open_centre(centre)
    try:
        assert run(conn, "grids", grids_shp(tmp_path / "grids.shp")).written
    finally:
        conn.close()
    return centre


def codes_of(result):
    """(fid, code) of every issue, each one's text checked to format in both languages."""
    for issue in result.issues:
        for lang in ("en", "zh_CN"):
            assert issue.code not in issue.message(lang), (issue, lang)  # the fallback shows the code
    return sorted((i.fid, i.code) for i in result.issues)


# --- grids ------------------------------------------------------------------------------------------

def test_grids_from_a_shapefile_in_another_crs_land_in_place(centre, tmp_path):
    source = grids_shp(tmp_path / "grids_wgs84.shp", epsg=4326)  # lon/lat
    conn = db.open_centre(centre)
    try:
        result = run(conn, "grids", source)
        assert result.written and result.inserted == 4 and not result.issues
        assert "WGS 84" in result.source_crs
        area = conn.execute("SELECT area_m2 FROM grids WHERE code = '320508001001001'").fetchone()[0]
        assert area == pytest.approx(10_000, rel=1e-3)
        assert geocode.grid_at(conn, X0 + 50, Y0 + 50)["code"] == "320508001001001"
        assert geocode.grid_at(conn, X0 + 150, Y0 + 150)["code"] == "320508001002002"
    finally:
        conn.close()
    assert integrity.check(centre) == []


def test_bad_grids_each_reason_and_nothing_written(centre, tmp_path):
    bowtie = f"POLYGON (({X0} {Y0}, {X0 + 100} {Y0 + 100}, {X0 + 100} {Y0}, {X0} {Y0 + 100}, {X0} {Y0}))"
    two = (f"MULTIPOLYGON ((({X0} {Y0}, {X0 + 10} {Y0}, {X0 + 10} {Y0 + 10}, {X0} {Y0})), "
           f"(({X0 + 50} {Y0}, {X0 + 60} {Y0}, {X0 + 60} {Y0 + 10}, {X0 + 50} {Y0})))")
    one = f"MULTIPOLYGON ((({X0} {Y0 + 300}, {X0 + 10} {Y0 + 300}, {X0 + 10} {Y0 + 310}, {X0} {Y0 + 300})))"
    rows = [
        (polygon_wkt(square(0, 0)), "320508001001001", None),  # 1 good
        (polygon_wkt(square(1, 0)), "3205080010010", None),  # 2 malformed code
        (bowtie, "320508001001003", None),  # 3 self-intersecting
        (two, "320508001001004", None),  # 4 two parts
        (f"POINT ({X0} {Y0})", "320508001001005", None),  # 5 a point
        (None, "320508001001006", None),  # 6 no geometry
        (polygon_wkt(square(2, 0)), "320508001001001", None),  # 7 duplicate of 1
        (polygon_wkt(square(3, 0)), "320509001001001", None),  # 8 other county
        (polygon_wkt(square(4, 0)), "320508009001001", None),  # 9 street without a region
        (polygon_wkt(square(5, 0)), "320508001001009", "320508002"),  # 10 street_code contradicts
        (one, "32050800100110", None),  # 11 good: legacy 14 digits, a one-part multipolygon
    ]
    src = tmp_path / "grids.gpkg"
    write_layer(src, "GPKG", [("code", "str"), ("street_code", "str")], rows, geom_type=ogr.wkbUnknown)
    before = dump(centre)
    conn = db.open_centre(centre)
    try:
        result = run(conn, "grids", src)
        assert not result.written
        assert codes_of(result) == [
            (2, "import.bad_grid_code"), (3, "import.invalid_geometry"), (4, "import.multipart_grid"),
            (5, "import.bad_geometry_type"), (6, "import.no_geometry"), (7, "import.duplicate"),
            (8, "import.wrong_county"), (9, "import.unknown_region"), (9, "import.unknown_region"),
            (10, "import.hierarchy_mismatch")]
    finally:
        conn.close()
    assert dump(centre) == before  # all or nothing
    conn = db.open_centre(centre)
    try:
        result = run(conn, "grids", src, skip_bad=True)
        assert result.written and result.inserted == 2 and result.skipped == 9
        assert sorted(r[0] for r in conn.execute("SELECT code FROM grids")) == [
            "320508001001001", "320508001001010"]  # the legacy code stored in its 15-digit form
    finally:
        conn.close()


def test_rows_the_centre_already_holds_exactly_are_left_alone(with_grids, tmp_path):
    regions = write_csv(tmp_path / "r.csv", ["code", "name"], [["320508", "姑苏区"], ["320508002", "双塔街道"]])
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "regions", regions)  # the district is there already, the same
        assert result.written and result.inserted == 1 and result.unchanged == 1 and not result.issues
        again = run(conn, "grids", tmp_path / "grids.shp")  # the very file imported before
        assert again.written and again.unchanged == 4 and again.inserted == 0 and not again.issues
        renamed = write_csv(tmp_path / "r2.csv", ["code", "name"], [["320508", "新姑苏区"]])
        assert codes_of(run(conn, "regions", renamed)) == [(1, "import.exists")]
    finally:
        conn.close()


def test_reimport_is_refused_unless_update(with_grids, tmp_path):
    moved = {"320508001001001": (5, 5)}  # the same code, another place
    src = grids_shp(tmp_path / "again.shp", codes=moved)
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "grids", src)
        assert codes_of(result) == [(0, "import.exists")] and not result.written
        result = run(conn, "grids", src, update=True)
        assert result.written and result.updated == 1 and result.inserted == 0
        assert geocode.grid_at(conn, X0 + 550, Y0 + 550)["code"] == "320508001001001"
        assert conn.execute("SELECT count(*) FROM grids").fetchone()[0] == 4
    finally:
        conn.close()
    assert integrity.check(with_grids) == []


# --- regions and units from CSV (Chinese column names) ------------------------------------------------

def write_csv(path, head, rows, bom=True):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return path


def test_regions_and_units_from_csv_with_chinese_columns(tmp_path):
    centre = tmp_path / "c.gpkg"
    empty_centre(centre, regions=False)
    regions = write_csv(tmp_path / "regions.csv", ["区划代码", "名称", "级别"], [
        ["320508", "姑苏区", "区"], ["320508001", "平江街道", "街道"], ["320508001001", "东园社区", "社区"],
        ["320508002", "", "街道"],  # 5: no name
        ["32050800300", "x", ""],  # 6: 11 digits
        ["320508004001", "孤儿社区", "社区"],  # 7: parent street 320508004 nowhere
        ["320508005", "错级", "社区"],  # 8: a street code said to be a community
    ])
    units = write_csv(tmp_path / "units.csv", ["单位代码", "单位名称", "单位类型", "所在区划", "联系电话"], [
        ["SW", "市水务局", "部门", "", "0512-1"], ["PJ", "平江街道办事处", "属地", "320508001", ""],
        ["XX", "某单位", "外包", "", ""],  # 4: unknown kind
        ["YY", "某单位", "", "320508999", ""],  # 5: unknown region
    ])
    conn = db.open_centre(centre)
    try:
        result = run(conn, "regions", regions)
        # CSV FIDs count data lines from 1 (the header is not a feature)
        assert codes_of(result) == [(4, "import.required"), (5, "import.bad_region_code"),
                                    (6, "import.unknown_parent"), (7, "import.level_mismatch")]
        result = run(conn, "regions", regions, skip_bad=True)
        assert result.inserted == 3
        assert conn.execute("SELECT level, parent_code FROM regions WHERE code = '320508001001'").fetchone()[:] == (
            "community", "320508001")
        result = run(conn, "units", units, skip_bad=True)
        assert codes_of(result) == [(3, "import.bad_unit_kind"), (4, "import.unknown_region")]
        assert [tuple(r) for r in conn.execute("SELECT code, kind, region_code, phone FROM units ORDER BY code")] == [
            ("PJ", "territorial", "320508001", None), ("SW", "department", None, "0512-1")]
    finally:
        conn.close()


# --- components ---------------------------------------------------------------------------------------

CN_FIELDS = [("部件标识码", "str"), ("部件名称", "str"), ("主管部门代码", "str"), ("所在单元网格", "str"),
             ("部件状态", "str"), ("初始日期", "str"), ("备注", "str")]


def pt(col, row, dx=50, dy=50, epsg=4549):
    x, y = X0 + col * 100 + dx, Y0 + row * 100 + dy
    if epsg != 4549:
        x, y = to_crs(x, y, epsg)
    return f"POINT ({x!r} {y!r})"


def test_components_from_a_gdal_geopackage_in_lonlat_with_chinese_columns(with_grids, tmp_path):
    rows = [
        (pt(0, 0, epsg=4490), "3205080101000007", "上水井盖", "SW", "320508001001001", "完好", "2019/05/01", "a"),
        (pt(1, 0, epsg=4490), None, "上水井盖", "SW", None, None, None, None),  # ObjID allocated
        (pt(1, 1, epsg=4490), None, "污水井盖", None, "320508001001001", "破损", "20190601", None),  # BGID disagrees
    ]
    src = tmp_path / "inventory.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, rows, epsg=4490, layer="部件")
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src, today=__import__("datetime").date(2026, 12, 1))
        assert result.written and result.inserted == 3 and result.allocated == 2
        assert result.mapping["ObjID"] == "部件标识码" and result.mapping["BGID"] == "所在单元网格"
        assert [(i.fid, i.code, i.severity) for i in result.issues] == [(3, "import.bgid_mismatch", "warning")]
        got = {r["ObjName"] + r["BGID"]: tuple(r) for r in conn.execute(
            "SELECT ObjID, ObjName, DeptName1, BGID, ObjState, ORDate, Note FROM components")}
        assert got["上水井盖320508001001001"] == ("3205080101000007", "上水井盖", "市水务局", "320508001001001",
                                             "完好", "2019-05-01", "a")
        # the allocated serial comes after the one the source brought for the class
        assert got["上水井盖320508001001002"][0] == "3205080101000008"
        assert got["上水井盖320508001001002"][5] == "2026-12-01"  # ORDate defaults to the import day
        assert got["污水井盖320508001002002"][:1] == ("3205080102000001",)
        assert got["污水井盖320508001002002"][4:6] == ("破损", "2019-06-01")
        # the serials table moved: the next allocation (a QGIS edit, the workflow) never reuses one
        assert geocode.allocate_objid(conn, "0101") == "3205080101000009"
        changes = conn.execute("SELECT count(*) FROM sync_changes WHERE entity = 'component'").fetchone()[0]
        assert changes == 3
    finally:
        conn.close()
    assert integrity.check(with_grids) == []


def test_bad_components_each_reason_all_or_nothing_then_skip_bad(with_grids, tmp_path):
    conn = db.open_centre(with_grids)
    with db.transaction(conn):  # a second class named like another: names alone are ambiguous
        conn.execute("INSERT INTO classes (kind, code, major_code, major_name, minor_code, minor_name) "
                     "VALUES ('component', '0199', '01', '公用设施', '99', '上水井盖')")
    conn.close()
    rows = [
        (pt(0, 0), "3205080102000001", None, None, None, None, None, None),  # 1 good, name filled
        (pt(0, 0), "320508010200000", None, None, None, None, None, None),  # 2 15 digits
        (pt(0, 0), "3205090102000001", None, None, None, None, None, None),  # 3 other county
        (pt(0, 0), "3205089901000001", None, None, None, None, None, None),  # 4 class not in table
        (pt(0, 0), "3205080102000002", "上水井盖", None, None, None, None, None),  # 5 name contradicts
        (pt(0, 0), None, "不存在的部件", None, None, None, None, None),  # 6 unknown name
        (pt(0, 0), None, "上水井盖", None, None, None, None, None),  # 7 ambiguous name
        (pt(0, 0), None, None, None, None, None, None, None),  # 8 no class at all
        (pt(0, 0), "3205080102000003", None, None, None, "坏了", None, None),  # 9 bad state
        (pt(0, 0), "3205080102000004", None, None, None, None, "2019-13-45", None),  # 10 bad date
        (pt(0, 0), "3205080102000005", None, "NOPE", None, None, None, None),  # 11 unknown unit
        (pt(-5, -5), "3205080102000006", None, None, None, None, None, None),  # 12 outside every grid
        (polygon_wkt(square(0, 0)), "3205080102000007", None, None, None, None, None, None),  # 13 a polygon
        (None, "3205080102000008", None, None, None, None, None, None),  # 14 no geometry
        (pt(0, 0), "3205080102000001", None, None, None, None, None, None),  # 15 duplicate of 1
        (pt(1, 1), "3205080102000009", "污水井盖", "HW", None, "丢失", "2020-01-02", None),  # 16 good
    ]
    src = tmp_path / "bad.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, rows, geom_type=ogr.wkbUnknown)
    before = dump(with_grids)
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src)
        assert codes_of(result) == [
            (2, "import.bad_objid"), (3, "import.wrong_county"), (4, "import.unknown_class"),
            (5, "import.name_mismatch"), (6, "import.unknown_name"), (7, "import.ambiguous_name"),
            (8, "import.no_class"), (9, "import.bad_state"), (10, "import.bad_date"), (11, "import.unknown_unit"),
            (12, "import.outside_grids"), (13, "import.bad_geometry_type"), (14, "import.no_geometry"),
            (15, "import.duplicate")]
        assert not result.written and result.good == 2
        for issue in result.issues:  # every issue's text has the details it needs, in both languages
            for lang in ("en", "zh_CN"):
                text = issue.message(lang)
                assert issue.code not in text, text
    finally:
        conn.close()
    assert dump(with_grids) == before  # nothing written, not even a serial
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src, skip_bad=True)
        assert result.written and result.inserted == 2 and result.skipped == 14
        assert sorted(tuple(r) for r in conn.execute("SELECT ObjID, ObjName, BGID FROM components")) == [
            ("3205080102000001", "污水井盖", "320508001001001"), ("3205080102000009", "污水井盖", "320508001002002")]
        again = run(conn, "components", src, skip_bad=True)  # a re-run: every row now exists or is bad
        assert (1, "import.exists") in codes_of(again) and again.inserted == 0
        updated = run(conn, "components", src, skip_bad=True, update=True)
        assert updated.updated == 2 and updated.inserted == 0
        assert conn.execute("SELECT CHDate FROM components WHERE ObjID = '3205080102000009'").fetchone()[0]
    finally:
        conn.close()
    assert integrity.check(with_grids) == []


def test_dry_run_writes_nothing_and_reports(with_grids, tmp_path):
    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, [(pt(0, 0), None, "上水井盖", None, None, None, None, None),
                                         (pt(-3, 0), None, "上水井盖", None, None, None, None, None)])
    before = dump(with_grids)
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src, dry_run=True)
        assert result.dry_run and not result.written and result.allocated == 1
        assert codes_of(result) == [(2, "import.outside_grids")]
    finally:
        conn.close()
    assert dump(with_grids) == before


def test_csv_with_xy_or_wkt_needs_a_crs(with_grids, tmp_path):
    lon, lat = to_crs(X0 + 30, Y0 + 30, 4490)
    xy = write_csv(tmp_path / "xy.csv", ["ObjName", "经度", "纬度", "ObjState"], [["上水井盖", lon, lat, "完好"]])
    wkt = write_csv(tmp_path / "wkt.csv", ["WKT", "部件名称"], [[f"POINT ({X0 + 130} {Y0 + 30})", "污水井盖"]])
    conn = db.open_centre(with_grids)
    try:
        with pytest.raises(Problem) as err:
            run(conn, "components", xy)
        assert err.value.code == "import.no_crs"
        result = run(conn, "components", xy, source_crs="EPSG:4490")
        assert result.written and "经度" not in result.mapping.values()
        result = run(conn, "components", wkt, source_crs="EPSG:4549")
        assert result.written
        assert sorted(r[0] for r in conn.execute("SELECT BGID FROM components")) == [
            "320508001001001", "320508001001002"]
    finally:
        conn.close()


def test_mapping_overrides_and_errors(with_grids, tmp_path):
    src = tmp_path / "m.gpkg"
    write_layer(src, "GPKG", [("NAME_CN", "str"), ("ObjName", "str")], [(pt(0, 0), "上水井盖", "垃圾")])
    conn = db.open_centre(with_grids)
    try:
        assert codes_of(run(conn, "components", src, dry_run=True)) == [(1, "import.unknown_name")]
        result = run(conn, "components", src, mapping={"objname": "name_cn"}, dry_run=True)
        assert result.issues == [] and result.mapping["ObjName"] == "NAME_CN"
        for mapping, code in (({"Nope": "NAME_CN"}, "import.unknown_target_field"),
                              ({"ObjName": "MISSING"}, "import.unknown_source_field")):
            with pytest.raises(Problem) as err:
                run(conn, "components", src, mapping=mapping)
            assert err.value.code == code
    finally:
        conn.close()
    assert importer.parse_mapping(["ObjName=名称", "BGID="]) == {"ObjName": "名称", "BGID": ""}
    with pytest.raises(Problem):
        importer.parse_mapping(["ObjName"])


def test_shapefile_components_and_a_numeric_code_column(with_grids, tmp_path):
    src = tmp_path / "c.shp"
    write_layer(src, "ESRI Shapefile", [("ObjID", "real"), ("BGID", "int")],
                [(pt(0, 0), 3205080101000001.0, 320508001001001)], options=SHP)
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src)
        assert result.written and result.issues == []
        assert conn.execute("SELECT ObjID, ObjName FROM components").fetchone()[:] == ("3205080101000001", "上水井盖")
    finally:
        conn.close()


# --- bulk allocation --------------------------------------------------------------------------------

def test_bulk_allocation_follows_the_single_rule(conn):
    from citygrid.loop import dictionaries
    dictionaries.install(conn)
    first = geocode.allocate_objid(conn, "0101")
    many = geocode.allocate_objids(conn, "0101", 3)
    assert many == [first[:-6] + f"{n:06d}" for n in (2, 3, 4)]
    assert geocode.allocate_objids(conn, "0101", 2, floor=10)[0].endswith("000011")
    assert geocode.allocate_objid(conn, "0101").endswith("000013")
    assert geocode.allocate_objids(conn, "0101", 0) == []


# --- report and CLI ---------------------------------------------------------------------------------

def test_report_csv_opens_with_a_bom_and_lists_each_bad_row(with_grids, tmp_path):
    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, [(pt(0, 0), None, "不存在", None, None, "坏", None, None)])
    report = tmp_path / "report.csv"
    code = cli.main(["import", "components", str(with_grids), str(src), "--report", str(report)])
    assert code == 1
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == list(importer.REPORT_HEAD)
    assert {(r[0], r[1], r[3]) for r in rows[1:]} == {("1", "ObjName", "import.unknown_name")}


def test_cli_prints_chinese_and_clear_one_line_errors(with_grids, tmp_path, capsys):
    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, [(pt(0, 0), None, "上水井盖", None, None, "坏", None, None)])
    i18n.set_language("zh_CN")
    try:
        assert cli.main(["import", "components", str(with_grids), str(src), "--dry-run"]) == 1
        out = capsys.readouterr().out
        assert "部件状态 坏 不是" in out and "试运行" in out and "共 1 行" in out
        assert cli.main(["import", "components", str(with_grids), str(src)]) == 1
        assert "什么也没有写入" in capsys.readouterr().out
    finally:
        i18n.set_language(None)
    two = tmp_path / "two.gpkg"
    write_layer(two, "GPKG", [("ObjName", "str")], [], layer="a")
    write_layer_more(two, "b")
    cases = [
        ([str(tmp_path / "missing.gpkg")], "no such source file"),
        ([str(two)], "several layers; choose one with --layer (layers: a, b)"),
        ([str(two), "--layer", "c"], "has no layer c (layers: a, b)"),
        ([str(tmp_path / "not-gdal.gpkg")], "GDAL cannot read"),
        ([str(src), "--map", "ObjName"], "bad --map ObjName"),
        ([str(src), "--source-crs", "EPSG:999999"], "unknown coordinate reference system"),
    ]
    (tmp_path / "not-gdal.gpkg").write_bytes(b"hello")
    for extra, expected in cases:
        assert cli.main(["import", "components", str(with_grids), *extra]) == 1
        err = capsys.readouterr().err
        assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1, err
    assert cli.main(["import", "components", str(src), str(src)]) == 1  # a GDAL GeoPackage is no centre
    assert "not a citygrid centre" in capsys.readouterr().err


def write_layer_more(path, name):
    from osgeo import ogr as o
    ds = o.Open(str(path), 1)
    ds.CreateLayer(name, None, o.wkbPoint)
    ds = None


def test_every_import_code_has_a_chinese_text_with_the_same_placeholders():
    catalogue = i18n.catalogue("zh_CN")
    fmt = string.Formatter()
    for code, english in TEXTS.items():
        if code.startswith("import."):
            chinese = catalogue.get((code, english))
            assert chinese, code
            assert {f for _, f, _, _ in fmt.parse(chinese) if f} == {f for _, f, _, _ in fmt.parse(english) if f}


def test_bulk_path_packs_a_valid_rtree_that_gdal_reads(with_grids, tmp_path):
    n = 2500  # more than one R-tree node: a packed tree of depth 1
    src = tmp_path / "many.gpkg"
    write_layer(src, "GPKG", [("ObjName", "str")],
                [(pt(i % 2, (i // 2) % 2, dx=1 + (i % 97), dy=1 + (i % 89)), "上水井盖") for i in range(n)])
    conn = db.open_centre(with_grids)
    try:
        result = run(conn, "components", src)
        assert result.written and result.inserted == n
        assert conn.execute("SELECT rtreecheck('rtree_components_geom')").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM rtree_components_geom").fetchone()[0] == n
        # the triggers are back: a later insert is indexed and logged as usual
        more = run(conn, "components", src, dry_run=True)
        assert more.good == n
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'components' "
                                            "AND type IN ('trigger', 'index')")}
        assert {"rtree_components_geom_insert", "sync_components_insert", "idx_components_bgid"} <= names
    finally:
        conn.close()
    assert integrity.check(with_grids) == []
    if VALIDATE.exists():  # GDAL's own GeoPackage validator
        res = subprocess.run(["/usr/bin/python3", str(VALIDATE), str(with_grids)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
    ds = ogr.Open(str(with_grids))
    layer = ds.GetLayerByName("components")
    layer.SetSpatialFilterRect(X0, Y0, X0 + 100, Y0 + 100)
    assert layer.GetFeatureCount() == n // 4
    ds = None


def test_a_newer_or_missing_centre_is_one_line(with_grids, tmp_path, capsys):
    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", CN_FIELDS, [(pt(0, 0), None, "上水井盖", None, None, None, None, None)])
    conn = db.open_centre(with_grids)
    with db.transaction(conn):
        conn.execute("INSERT INTO citygrid_migrations (id, name, applied_at) VALUES (99, 'future', '2030-01-01')")
    conn.close()
    for centre, expected in ((with_grids, "newer citygrid"), (tmp_path / "nope.gpkg", "no such file")):
        assert cli.main(["import", "components", str(centre), str(src)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("citygrid: error: ") and expected in err and err.count("\n") == 1, err


def test_a_gbk_shapefile_without_cpg_reads_with_source_encoding(with_grids, tmp_path):
    src = tmp_path / "gbk.shp"
    write_layer(src, "ESRI Shapefile", [("部件名称", "str")], [(pt(0, 0), "上水井盖")], options=["ENCODING=CP936"])
    (tmp_path / "gbk.cpg").unlink()
    conn = db.open_centre(with_grids)
    try:
        with pytest.raises(Problem) as err:  # bytes read as Latin-1: no column matches
            run(conn, "components", src, dry_run=True)
        assert err.value.code == "import.missing_field"
        result = run(conn, "components", src, encoding="GBK")
        assert result.written and result.mapping["ObjName"] == "部件名称"
        assert conn.execute("SELECT ObjName FROM components").fetchone()[0] == "上水井盖"
    finally:
        conn.close()


def test_the_component_fields_keep_the_order_the_checker_unpacks():
    assert importer.targets("components") == [
        "ObjID", "class_code", "ObjName", "DeptCode1", "DeptName1", "DeptCode2", "DeptName2", "DeptCode3",
        "DeptName3", "BGID", "ObjState", "ORDate", "CHDate", "DataSource", "Note"]


def test_every_text_of_the_import_command_has_a_chinese_translation():
    import ast

    from citygrid.commands import import_ as command

    tree = ast.parse(Path(command.__file__).read_text(encoding="utf-8"))
    texts = {node.args[0].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "N_") and node.args
             and isinstance(node.args[0], ast.Constant)}
    assert len(texts) > 20
    catalogue = i18n.catalogue("zh_CN")
    assert sorted(t for t in texts if not catalogue.get((None, t))) == []


def test_a_bulk_import_logs_each_component_once_for_devices(with_grids, tmp_path):
    src = tmp_path / "one.gpkg"
    write_layer(src, "GPKG", [("ObjID", "str")], [(pt(0, 0), "3205080101000001"), (pt(1, 0), "3205080101000002")])
    conn = db.open_centre(with_grids)
    try:
        assert run(conn, "components", src).inserted == 2
        with db.transaction(conn):
            conn.execute("DELETE FROM components")  # the triggers leave tombstones
        assert run(conn, "components", src).inserted == 2  # the empty layer again: the bulk path
        assert sorted(tuple(r) for r in conn.execute(
            "SELECT entity_id, deleted FROM sync_changes WHERE entity = 'component'")) == [
            ("3205080101000001", 0), ("3205080101000002", 0)]
    finally:
        conn.close()
    assert integrity.check(with_grids) == []


def test_grids_and_components_from_a_filegdb(centre, tmp_path):
    gdb = tmp_path / "city.gdb"
    write_layer(gdb, "OpenFileGDB", [("网格编码", "str")],
                [(polygon_wkt(square(c, r)), code) for code, (c, r) in GRIDS.items()],
                geom_type=ogr.wkbPolygon, layer="grids")
    ds = ogr.Open(str(gdb), 1)  # a second layer in the same FileGDB
    lyr = ds.CreateLayer("components", ds.GetLayer(0).GetSpatialRef(), ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("部件名称", ogr.OFTString))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField(0, "上水井盖")
    f.SetGeometry(ogr.CreateGeometryFromWkt(pt(1, 1)))
    lyr.CreateFeature(f)
    ds = None
    conn = db.open_centre(centre)
    try:
        assert run(conn, "grids", gdb).inserted == 4  # the layer named after the kind
        result = run(conn, "components", gdb)
        assert result.inserted == 1
        assert conn.execute("SELECT BGID FROM components").fetchone()[0] == "320508001002002"
    finally:
        conn.close()


def test_progress_reports_each_stage_and_raising_cancels_with_nothing_written(with_grids, tmp_path):
    import io

    from citygrid.commands.import_ import Bar

    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", [("ObjName", "str")], [(pt(0, 0), "上水井盖")] * 3)
    seen = []
    conn = db.open_centre(with_grids)
    try:
        assert run(conn, "components", src, dry_run=True, progress=lambda *a: seen.append(a)).good == 3
        assert [s[0] for s in seen][0] == "read" and {"read", "check"} <= {s[0] for s in seen}
        before = dump(with_grids)

        def cancel(stage, done, total):
            if stage == "write":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run(conn, "components", src, progress=cancel)
        assert dump(with_grids) == before
    finally:
        conn.close()
    out = io.StringIO()
    bar = Bar(out)
    bar("read", 5, 10)
    bar("write", 10, 10)
    bar.close()
    assert out.getvalue().startswith("\r") and "10/10" in out.getvalue() and out.getvalue().endswith("\n")


def test_grids_at_agrees_with_grid_at_on_edges_corners_and_outside(with_grids):
    import random

    rng = random.Random(3)
    points = [(X0 + 100, Y0 + 50), (X0 + 100, Y0 + 100), (X0, Y0), (X0 - 1, Y0), (X0 + 200, Y0 + 200),
              (X0 + 200.000001, Y0 + 10)]
    points += [(X0 + rng.uniform(-20, 220), Y0 + rng.uniform(-20, 220)) for _ in range(500)]
    conn = db.open_centre(with_grids)
    try:
        expected = [(g or {}).get("code") for g in (geocode.grid_at(conn, x, y) for x, y in points)]
        assert geocode.grids_at(conn, points) == expected
        assert expected[:3] == ["320508001001001"] * 3 and expected[3] is None  # shared edge: the lowest code
    finally:
        conn.close()


def test_an_imported_centre_serves_a_device_pull(with_grids, tmp_path):
    from citygrid.loop import accounts
    from citygrid.sync import pull as sync_pull

    src = tmp_path / "inv.gpkg"
    write_layer(src, "GPKG", [("部件名称", "str")], [(pt(0, 0), "上水井盖"), (pt(1, 1), "污水井盖")])
    conn = db.open_centre(with_grids)
    try:
        assert run(conn, "components", src).inserted == 2
        accounts.add_user(conn, "collector01", "collector", "secret-pass-1", grids=["320508001001001"])
        wire = sync_pull.pull(conn, accounts.actor(conn, "collector01"), "dev-1", None)
        got = {(it["type"], it["id"]) for it in wire["items"]}
        assert ("component", "3205080101000001") in got and ("grid", "320508001001001") in got
        assert ("component", "3205080102000001") not in got  # another collector's grid
    finally:
        conn.close()


def test_components_from_another_gauss_krueger_zone(with_grids, tmp_path):
    src = tmp_path / "zone117.gpkg"  # CGCS2000 3-degree zone CM 117E: the same places, other numbers
    write_layer(src, "GPKG", [("ObjName", "str")], [(pt(0, 0, 10, 10, epsg=4548), "上水井盖"),
                                                    (pt(1, 1, 90, 90, epsg=4548), "污水井盖")], epsg=4548)
    conn = db.open_centre(with_grids)
    try:
        assert run(conn, "components", src).inserted == 2
        rows = conn.execute("SELECT BGID, ST_MinX(geom), ST_MinY(geom) FROM components ORDER BY BGID").fetchall()
        assert [r[0] for r in rows] == ["320508001001001", "320508001002002"]
        assert rows[0][1] == pytest.approx(X0 + 10, abs=1e-3) and rows[1][2] == pytest.approx(Y0 + 190, abs=1e-3)
    finally:
        conn.close()


def test_a_retired_class_takes_no_new_components(with_grids, tmp_path):
    conn = db.open_centre(with_grids)
    try:
        if not any(r[1] == "retired_at" for r in conn.execute("PRAGMA table_info(classes)")):
            with db.transaction(conn):  # schema 5's column, on a branch without it
                conn.execute("ALTER TABLE classes ADD COLUMN retired_at DATETIME")
        with db.transaction(conn):
            conn.execute("UPDATE classes SET retired_at = '2026-12-01T00:00:00Z' WHERE kind = 'component' "
                         "AND code = '0102'")
        src = tmp_path / "r.gpkg"
        write_layer(src, "GPKG", [("ObjID", "str")], [(pt(0, 0), "3205080102000001"), (pt(0, 0), "3205080101000001")])
        result = run(conn, "components", src)
        assert codes_of(result) == [(1, "import.retired_class")] and not result.written
    finally:
        conn.close()
