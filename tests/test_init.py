# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid init` (admin.centre.create) and centres in any projected CRS (crs.resolve, centre_transform):
a centre made for Chengdu in a zone-prefixed Gauss-Krüger zone and in a local transverse Mercator passes
`check` and GDAL's validator, holds what init promises, converts like pyproj; every bad input is one
coded line and leaves the directory as it was. The device pull and report: tests/server/test_init_centre.py;
QGIS: tests/qgis/test_init_in_qgis.py."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import init_fixture as fx
import pytest
from pyproj import CRS, Transformer

from citygrid import cli, crs, i18n, messages
from citygrid.admin import centre, holidays
from citygrid.demo import org as demo_org
from citygrid.loop import accounts, deadlines, dictionaries
from citygrid.problems import Problem
from citygrid.store import db

VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
NEW_CODES = ("crs.unknown", "crs.unreadable", "crs.geographic", "crs.not_planar", "crs.not_metres",
             "init.bad_name", "init.exists", "init.no_directory", "init.cannot_write")


pytestmark = pytest.mark.usefixtures("english")


def run_cli(monkeypatch, capsys, *args, password=fx.PASSWORD):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    rc = cli.main(["init", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


def same_crs(definition: str, spec: str) -> bool:
    """The stored WKT 1 and what was given put the same points at the same easting/northing (WKT 1
    drops the EPSG axis order and the area of use, nothing that moves a point)."""
    a, b = CRS.from_wkt(definition), CRS.from_user_input(spec)
    lon0 = crs._origin_longitude(b)
    probe = [(lon0 + d, lat) for d in (-1.0, 0.0, 1.5) for lat in (25.0, 30.65, 40.0)]
    ta, tb = (Transformer.from_crs(b.geodetic_crs, c, always_xy=True) for c in (a, b))
    return a.is_projected and all(math.dist(ta.transform(*p), tb.transform(*p)) < 1e-6 for p in probe)


def listing(folder: Path) -> dict:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


# --- a centre in another Gauss-Krüger zone and in a local CRS -----------------------------------

@pytest.mark.parametrize("which", sorted(fx.CRSES))
def test_init_makes_a_centre_that_passes_check_and_gdals_validator(tmp_path, monkeypatch, capsys, which):
    spec, path = fx.CRSES[which], tmp_path / "jinjiang.gpkg"
    rc, out, err = run_cli(monkeypatch, capsys, path, "--division", fx.DIVISION, "--name", fx.NAME,
                           "--crs", spec, "--password-stdin")
    assert (rc, err) == (0, ""), err
    assert f"created {path}" in out and "next steps:" in out and "citygrid import grids" in out
    assert sorted(os.listdir(tmp_path)) == ["jinjiang.gpkg"]  # no temporary directory left behind
    fx.seed(path, spec)
    assert cli.main(["check", str(path)]) == 0, capsys.readouterr()
    assert capsys.readouterr().out.strip().endswith(": ok")
    if VALIDATOR.exists():
        done = subprocess.run(["python3", str(VALIDATOR), str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout == done.stderr == "", done.stdout + done.stderr


@pytest.mark.parametrize("which", sorted(fx.CRSES))
def test_the_srs_row_holds_the_crs_that_was_given(tmp_path, which):
    spec, path = fx.CRSES[which], tmp_path / "c.gpkg"
    made = fx.make(path, spec)
    conn = db.open_centre(path, readonly=True)
    try:
        srs_id = crs.centre_srs_id(conn)
        org, org_id, definition = conn.execute(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
            "WHERE srs_id = ?", (srs_id,)).fetchone()
        layers = {r[0] for r in conn.execute("SELECT srs_id FROM gpkg_geometry_columns")}
    finally:
        conn.close()
    assert layers == {srs_id} and made.srs_id == srs_id
    assert same_crs(definition, spec)
    if spec.startswith("EPSG:"):
        assert (srs_id, org, org_id, made.crs) == (int(spec[5:]), "EPSG", int(spec[5:]), spec)
    else:  # no authority code: GDAL's convention for a user-defined SRS
        assert (srs_id, org, org_id) == (crs.LOCAL_SRS_ID, "NONE", crs.LOCAL_SRS_ID)
    from osgeo import ogr, osr

    ds = ogr.Open(str(path))  # kept: a layer outliving its data source crashes GDAL
    ref = ds.GetLayerByName("grids").GetSpatialRef()  # what GDAL (and QGIS) read
    if spec.startswith("EPSG:"):
        assert (ref.GetAuthorityName(None), ref.GetAuthorityCode(None)) == ("EPSG", spec[5:])
    else:
        assert ref.GetProjParm(osr.SRS_PP_FALSE_EASTING) == 50_000.0
        assert ref.GetProjParm(osr.SRS_PP_FALSE_NORTHING) == -3_300_000.0
        assert ref.GetProjParm(osr.SRS_PP_CENTRAL_MERIDIAN) == 104.1


@pytest.mark.parametrize("which", sorted(fx.CRSES))
def test_centre_transform_converts_like_pyproj_both_ways(tmp_path, which):
    spec, path = fx.CRSES[which], tmp_path / "c.gpkg"
    fx.make(path, spec)
    fwd, inv = fx.to_xy(spec), fx.to_lonlat(spec)
    conn = db.open_centre(path)
    try:
        t = crs.centre_transform(conn)
        assert not t.geographic
        for lon, lat in ((104.08, 30.65), (103.5, 31.2), (104.6, 30.1)):
            x, y = t.forward(lon, lat)
            rx, ry = fwd(lon, lat)
            assert math.hypot(x - rx, y - ry) < 1e-6
            back = t.inverse(x, y)
            assert back == pytest.approx(inv(x, y), abs=1e-12)
            assert back == pytest.approx((lon, lat), abs=1e-9)
        for lon, lat in ((200.0, 30.0), (104.0, 89.0), (-20.0, 30.0), (math.nan, 30.0)):
            with pytest.raises(Problem) as exc:
                t.forward(lon, lat)
            assert exc.value.code == "crs.out_of_range"
        with pytest.raises(Problem) as exc:
            t.inverse(math.inf, 0.0)
        assert exc.value.code == "crs.out_of_range"
    finally:
        conn.close()


def test_init_writes_region_tables_calendar_and_admin(tmp_path):
    path = tmp_path / "c.gpkg"
    made = fx.make(path, fx.CRSES["local_tm"])
    expected = dictionaries.load_classes(dictionaries.default_dir() / "components.csv", "component", "gb16")
    conn = db.open_centre(path)
    try:
        assert [tuple(r) for r in conn.execute("SELECT code, name, level, parent_code FROM regions")] == [
            (fx.DIVISION, fx.NAME, "district", None)]
        assert (db.meta(conn, "county_code"), db.meta(conn, "center_name"), db.meta(conn, "code_scheme")) == (
            fx.DIVISION, fx.NAME, "gb16")
        n_classes = conn.execute("SELECT count(*) FROM classes").fetchone()[0]
        n_comp = conn.execute("SELECT count(*) FROM classes WHERE kind = 'component'").fetchone()[0]
        assert n_classes == made.classes and n_comp == len(expected)
        assert conn.execute("SELECT count(*) FROM conditions").fetchone()[0] == made.conditions > 0
        days = {d: (w, n) for d, w, n in conn.execute("SELECT day, working, note FROM calendar_days")}
        cal = deadlines.WorkCalendar.from_db(conn)
        assert accounts.authenticate(conn, "admin", fx.PASSWORD).role == "admin"
        assert [u.username for u in accounts.list_users(conn)] == ["admin"]
        assert conn.execute("SELECT count(*) FROM grids").fetchone()[0] == 0
    finally:
        conn.close()
    published = [d for d in holidays.read() if d[0].year == 2026]
    assert made.years == (2026, 2027) and made.holiday_years == (2026,) and made.missing_years == (2027,)
    assert len(days) == made.calendar_days == len(published)
    assert days["2026-02-17"] == (0, "春节") and days["2026-02-14"][0] == 1  # a Saturday worked (调休)
    assert not cal.is_working_day(date(2026, 10, 1)) and cal.is_working_day(date(2026, 2, 14))
    assert not cal.is_working_day(date(2027, 1, 2)) and cal.is_working_day(date(2027, 1, 1))  # weekends only
    assert not any(d.startswith("2027") for d in days)  # no invented holidays


def test_the_cli_says_which_year_has_weekends_only_and_speaks_chinese(tmp_path, monkeypatch, capsys):
    made = fx.make(tmp_path / "c.gpkg", "EPSG:4544")
    from citygrid.commands import init as init_command

    text = init_command.report(made)
    assert "2027 has weekends only" in text and "citygrid calendar import" in text
    i18n.set_language("zh_CN")
    zh = init_command.report(made)
    assert "已创建" in zh and "2027 年只按周末排休" in zh and "下一步" in zh
    rc, _out, err = run_cli(monkeypatch, capsys, tmp_path / "c.gpkg", "--division", fx.DIVISION, "--name",
                            fx.NAME, "--password-stdin")
    assert rc == 1 and err.strip() == f"citygrid: 错误: {tmp_path / 'c.gpkg'} 已存在；citygrid init 从不覆盖已有文件"


def test_without_crs_the_provinces_gauss_krueger_zone_is_used(tmp_path, monkeypatch, capsys):
    rc, out, _ = run_cli(monkeypatch, capsys, tmp_path / "c.gpkg", "--division", fx.DIVISION, "--name",
                         fx.NAME, "--password-stdin")
    assert rc == 0 and "EPSG:4544" in out and "--crs" in out  # 成都 ~104°E: the zone of CM 105°E
    assert centre.default_crs("320508") == "EPSG:4549" and centre.default_crs("650102") == "EPSG:4538"


# --- bad input: one coded line, nothing written --------------------------------------------

BAD = [
    (["--division", "5101", "--name", fx.NAME], "code.malformed_county"),
    (["--division", "510000", "--name", fx.NAME], "code.malformed_county"),
    (["--division", "990104", "--name", fx.NAME], "code.malformed_county"),
    (["--division", fx.DIVISION, "--name", "  "], "init.bad_name"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "EPSG:4490"], "crs.geographic"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "EPSG:4326"], "crs.geographic"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "EPSG:4214"], "crs.geographic"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "EPSG:999999"], "crs.unknown"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "+proj=nonsense"], "crs.unknown"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "no-such-file.wkt"], "crs.unknown"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "EPSG:2249"], "crs.not_metres"),  # US feet
    (["--division", fx.DIVISION, "--name", fx.NAME, "--crs", "+proj=geocent +ellps=GRS80"], "crs.not_planar"),
    (["--division", fx.DIVISION, "--name", fx.NAME, "--scheme", "gb17"], "dictionary.bad_row"),  # 4-digit tables
]


def expected_line(code: str, err: str) -> bool:
    return err.startswith("citygrid: error: ") and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(("args", "code"), BAD, ids=[f"{c}-{i}" for i, (_, c) in enumerate(BAD)])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, args, code):
    target = tmp_path / "new.gpkg"
    rc, out, err = run_cli(monkeypatch, capsys, target, *args, "--password-stdin")
    assert rc == 1 and out == "" and expected_line(code, err), err
    assert os.listdir(tmp_path) == []
    with pytest.raises(Problem) as exc:  # the core says which code
        centre.create(target, division=args[1], name=args[3], admin_password=fx.PASSWORD,
                      crs_spec=args[5] if "--crs" in args else None,
                      scheme=args[5] if "--scheme" in args else "gb16")
    assert exc.value.code == code
    assert os.listdir(tmp_path) == []


def test_a_weak_admin_password_is_refused_before_anything_is_written(tmp_path, monkeypatch, capsys):
    rc, _out, err = run_cli(monkeypatch, capsys, tmp_path / "c.gpkg", "--division", fx.DIVISION, "--name",
                            fx.NAME, "--password-stdin", password="short")
    assert rc == 1 and err == "citygrid: error: the password must have at least 8 characters\n"
    assert os.listdir(tmp_path) == []


def test_an_existing_file_is_never_overwritten_nor_touched(tmp_path, monkeypatch, capsys):
    for name, content in (("plain.txt", b"not a centre"), ("empty.gpkg", b"")):
        target = tmp_path / name
        target.write_bytes(content)
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        before = listing(tmp_path)
        rc, _out, err = run_cli(monkeypatch, capsys, target, "--division", fx.DIVISION, "--name", fx.NAME,
                                "--password-stdin")
        assert rc == 1 and err == f"citygrid: error: {target} already exists; citygrid init never overwrites a file\n"
        assert listing(tmp_path) == before and target.read_bytes() == content
    made = fx.make(tmp_path / "c.gpkg", "EPSG:4544")
    before = listing(tmp_path)
    with pytest.raises(Problem) as exc:
        fx.make(made.path, fx.CRSES["local_tm"])
    assert exc.value.code == "init.exists" and listing(tmp_path) == before
    link = tmp_path / "dangling.gpkg"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(Problem) as exc:
        fx.make(link, "EPSG:4544")
    assert exc.value.code == "init.exists" and not (tmp_path / "nowhere").exists()


def test_a_missing_or_unwritable_directory_is_one_line(tmp_path, monkeypatch, capsys):
    rc, _out, err = run_cli(monkeypatch, capsys, tmp_path / "no" / "c.gpkg", "--division", fx.DIVISION,
                            "--name", fx.NAME, "--password-stdin")
    assert rc == 1 and err == f"citygrid: error: there is no directory {tmp_path / 'no'}\n"
    rc, _out, err = run_cli(monkeypatch, capsys, "/etc/hostname/c.gpkg", "--division", fx.DIVISION,
                            "--name", fx.NAME, "--password-stdin")
    assert rc == 1 and err == "citygrid: error: there is no directory /etc/hostname\n"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere: make the directory refuse another way
            monkeypatch.setattr(centre.tempfile, "mkdtemp", _refuse)
        rc, _out, err = run_cli(monkeypatch, capsys, locked / "c.gpkg", "--division", fx.DIVISION,
                                "--name", fx.NAME, "--password-stdin")
        assert rc == 1 and err == f"citygrid: error: cannot write in {locked}: Permission denied\n"
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o755)


def _refuse(*_args, **_kwargs):
    raise PermissionError(13, "Permission denied")


def test_a_failure_half_way_leaves_no_file_and_no_temporary_directory(tmp_path, monkeypatch, capsys):
    codes_dir = tmp_path / "codes"
    codes_dir.mkdir()
    for name in ("components.csv", "events.csv", "time_limits.csv"):
        (codes_dir / name).write_text((dictionaries.default_dir() / name).read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (codes_dir / "time_limits.csv").write_text("kind,class_code\n", encoding="utf-8")  # bad header
    work = tmp_path / "out"
    work.mkdir()
    rc, _out, err = run_cli(monkeypatch, capsys, work / "c.gpkg", "--division", fx.DIVISION, "--name",
                            fx.NAME, "--codes", codes_dir, "--password-stdin")
    assert rc == 1 and "time_limits.csv" in err and err.count("\n") == 1
    assert os.listdir(work) == []  # the schema was written in the temporary directory, now gone

    def dies(*_a, **_k):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(centre.accounts, "add_user", dies)
    with pytest.raises(RuntimeError):
        fx.make(work / "c.gpkg", "EPSG:4544")
    assert os.listdir(work) == []


# --- CRS resolution --------------------------------------------------------------------------

def test_resolve_keeps_the_fast_path_for_cgcs2000_3_degree_zones():
    srs = crs.resolve("EPSG:4543")
    assert (srs.srs_id, srs.organization, srs.label) == (4543, "EPSG", "EPSG:4543")
    assert (srs.name, srs.definition) == crs.definition(4543)
    assert crs.resolve("4549") == crs.resolve("epsg:4549") == crs.resolve(4549)
    assert crs.transform_for(4543).forward.__qualname__.startswith("_fast")  # pure Python, no pyproj


@pytest.mark.parametrize("spec", ["EPSG:4523", "EPSG:4502", "EPSG:32648", "EPSG:2385", "EPSG:4513"])
def test_resolve_takes_other_zones_utm_and_older_datums(spec):
    srs = crs.resolve(spec)
    assert srs.srs_id == int(spec[5:]) and srs.organization == "EPSG"
    assert same_crs(srs.definition, spec)


def test_resolve_reads_a_wkt_file_and_keeps_a_local_definition(tmp_path):
    local = CRS.from_proj4(fx.CRSES["local_tm"])
    wkt = tmp_path / "city.prj"
    wkt.write_text(local.to_wkt(), encoding="utf-8")
    srs = crs.resolve(str(wkt))
    assert (srs.srs_id, srs.organization, srs.label) == (crs.LOCAL_SRS_ID, "NONE", "NONE:100000")
    assert srs.name == "local Transverse Mercator, origin meridian 104.1°E"  # a PROJ string has no name
    assert CRS.from_wkt(srs.definition).equals(local)
    t = crs.transform_for(srs.srs_id, srs.definition)
    assert t.forward(104.1, 30.0)[0] == pytest.approx(50_000.0, abs=1e-6)  # the false easting on the CM
    bad = tmp_path / "bad.prj"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(Problem) as exc:
        crs.resolve(str(bad))
    assert exc.value.code == "crs.unreadable"


def test_a_centre_whose_srs_row_is_missing_is_a_coded_problem(tmp_path):
    path = tmp_path / "c.gpkg"
    fx.make(path, fx.CRSES["local_tm"])
    conn = db.open_centre(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE gpkg_spatial_ref_sys SET definition = 'undefined' WHERE srs_id = ?",
                     (crs.LOCAL_SRS_ID,))
        with pytest.raises(Problem) as exc:
            crs.centre_transform(conn)
        assert exc.value.code == "crs.unsupported"
    finally:
        conn.close()


# --- the holiday file ------------------------------------------------------------------------

def test_the_holiday_file_has_the_shared_format_and_feeds_the_demo():
    text = holidays.default_file().read_text(encoding="utf-8")
    assert text.splitlines()[0] == "date,working,note"
    rows = holidays.read()
    assert {d.year for d, _w, _n in rows} == {2022, 2023, 2024, 2025, 2026}
    assert all((w == 1) == (d.isoweekday() >= 6) for d, w, _n in rows if w == 1)  # make-up days are weekends
    assert demo_org.holidays(date(2024, 1, 1), date(2024, 12, 31)) == holidays.between(
        date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(("content", "code"), [
    ("day,working,note\n2027-01-01,0,元旦\n", "calendar.bad_import_header"),
    ("date,working,note\n2027-13-01,0,元旦\n", "calendar.bad_csv_row"),
    ("date,working,note\n2027-01-01,2,元旦\n", "calendar.bad_csv_row"),
    ("date,working,note\n2027-01-01,0,元旦\n2027-01-01,0,元旦\n", "calendar.bad_csv_row"),
])
def test_a_bad_holiday_file_names_its_line(tmp_path, content, code):
    f = tmp_path / "h.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(Problem) as exc:
        holidays.read(f)
    assert exc.value.code == code
    with pytest.raises(Problem):
        fx.make(tmp_path / "c.gpkg", "EPSG:4544", holidays_file=f)
    assert sorted(os.listdir(tmp_path)) == ["h.csv"]


def test_a_published_year_in_another_file_is_written(tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("\ufeffdate,working,note\n2027-02-06,0,春节\n2027-02-20,1,春节调休\n", encoding="utf-8")
    made = fx.make(tmp_path / "c.gpkg", "EPSG:4544", holidays_file=f)
    assert made.holiday_years == (2027,) and made.missing_years == (2026,) and made.calendar_days == 2


def test_every_new_code_has_an_english_and_a_chinese_text():
    for code in NEW_CODES:
        english = messages.TEXTS[code]
        assert i18n.translated(code, english, "zh_CN") != english, code
