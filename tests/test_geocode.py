# SPDX-License-Identifier: GPL-2.0-or-later
"""Point -> grid, nearest components, ObjID allocation and case numbers."""

import math
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pyproj import Geod

from citygrid import crs
from citygrid.loop import geocode
from citygrid.problems import Problem
from citygrid.store import db, gpkg

X0, Y0 = 500_000.0, 3_460_000.0
COMMUNITY = "320508001002"
A, B, C = COMMUNITY + "001", COMMUNITY + "002", COMMUNITY + "003"


def box(x1, y1, x2, y2):
    return [(X0 + x1, Y0 + y1), (X0 + x2, Y0 + y1), (X0 + x2, Y0 + y2), (X0 + x1, Y0 + y2), (X0 + x1, Y0 + y1)]


def add_grid(conn, code, rings, srs_id=4549):
    conn.execute("INSERT INTO grids (geom, code, name, street_code, community_code) VALUES (?, ?, ?, ?, ?)",
                 (gpkg.polygon(rings, srs_id), code, f"grid {code[-3:]}", code[:9], code[:12]))


def add_component(conn, objid, dx, dy, srs_id=4549, origin=(X0, Y0)):
    conn.execute("INSERT INTO components (geom, ObjID, ObjName) VALUES (?, ?, ?)",
                 (gpkg.point(origin[0] + dx, origin[1] + dy, srs_id), objid, f"class {objid[6:10]}"))


@pytest.fixture
def city(conn):
    """A | B side by side (sharing x = 100); C above both, with an empty hole in its middle."""
    add_grid(conn, B, [box(100, 0, 200, 100)])  # inserted first: the lowest code must still win
    add_grid(conn, A, [box(0, 0, 100, 100)])
    add_grid(conn, C, [box(0, 100, 200, 300), box(50, 150, 150, 250)[::-1]])
    return conn


def code_at(conn, dx, dy):
    found = geocode.grid_at(conn, X0 + dx, Y0 + dy)
    return found and found["code"]


def test_a_point_inside_a_grid_gets_its_codes(city):
    assert geocode.grid_at(city, X0 + 30, Y0 + 40) == {
        "code": A, "name": "grid 001", "street_code": "320508001", "community_code": COMMUNITY}
    assert code_at(city, 170, 10) == B and code_at(city, 20, 280) == C


def test_points_on_shared_edges_and_vertices_go_to_the_lowest_code(city):
    assert code_at(city, 100, 50) == A  # edge A|B
    assert code_at(city, 150, 100) == B  # edge B|C
    assert code_at(city, 100, 100) == A  # vertex of A, B and C
    assert code_at(city, 200, 50) == B  # outer edge belongs to its only grid


def test_a_point_in_a_hole_is_outside_but_the_hole_edge_is_inside(city):
    assert code_at(city, 100, 200) is None
    assert code_at(city, 50, 200) == C


def _convex_covers(ring, x, y):
    """Reference test for a counter-clockwise convex ring: every edge has the point on its left."""
    edges = zip(ring[:-1], ring[1:], strict=True)
    return all((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) >= 0 for (x1, y1), (x2, y2) in edges)


def test_irregular_tiling_has_no_gaps_and_agrees_with_a_convex_reference(conn):
    rnd = random.Random(5)
    corner = {(i, j): (X0 + 100 * i + (rnd.uniform(-20, 20) if 0 < i < 6 else 0),
                       Y0 + 100 * j + (rnd.uniform(-20, 20) if 0 < j < 6 else 0))
              for i in range(7) for j in range(7)}
    rings = {}
    for i in range(6):
        for j in range(6):
            code = f"{COMMUNITY}{j * 6 + i + 1:03d}"
            rings[code] = [corner[i, j], corner[i + 1, j], corner[i + 1, j + 1], corner[i, j + 1], corner[i, j]]
            add_grid(conn, code, [rings[code]])
    for _ in range(400):
        x, y = X0 + rnd.uniform(0, 600), Y0 + rnd.uniform(0, 600)
        expected = min(code for code, ring in rings.items() if _convex_covers(ring, x, y))
        assert geocode.grid_at(conn, x, y)["code"] == expected


def test_lookups_work_on_a_read_only_connection(city, center_path):
    ro = db.open_centre(center_path, readonly=True)
    assert code_at(ro, 30, 40) == A and code_at(ro, 100, 200) is None
    ro.close()


def test_a_point_outside_every_grid_is_a_coded_problem(city):
    assert code_at(city, 500, 500) is None
    with pytest.raises(Problem) as exc:
        geocode.grid_for(city, X0 + 500, Y0 + 500)
    assert exc.value.code == "geocode.outside_grids"
    assert exc.value.details == {"x": X0 + 500, "y": Y0 + 500}
    assert geocode.grid_for(city, X0 + 1, Y0 + 1)["code"] == A


@pytest.mark.parametrize("x, y", [(math.nan, Y0), (X0, math.inf), (None, Y0), ("x", Y0)])
def test_a_non_numeric_point_is_a_coded_problem(city, x, y):
    with pytest.raises(Problem) as exc:
        geocode.grid_at(city, x, y)
    assert exc.value.code == "crs.out_of_range"


def test_a_grid_edited_with_plain_sql_is_seen_by_the_next_lookup(city):
    assert code_at(city, 30, 40) == A
    city.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.polygon([box(1000, 0, 1100, 100)], 4549), A))
    assert code_at(city, 30, 40) is None and code_at(city, 1030, 40) == A
    city.execute("DELETE FROM grids WHERE code = ?", (B,))
    assert code_at(city, 170, 10) is None


def test_a_grid_edited_by_another_connection_is_seen(city, center_path):
    assert code_at(city, 30, 40) == A
    other = db.open_centre(center_path)  # as QGIS would
    other.execute("UPDATE grids SET code = ? WHERE code = ?", (COMMUNITY + "009", A))
    other.close()
    assert code_at(city, 30, 40) == COMMUNITY + "009"


def test_a_rolled_back_grid_edit_is_forgotten(city):
    assert code_at(city, 30, 40) == A
    with pytest.raises(RuntimeError), db.transaction(city):
        city.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.polygon([box(1000, 0, 1100, 100)], 4549), A))
        assert code_at(city, 30, 40) is None  # the edit is visible inside the transaction
        raise RuntimeError("abandon the edit")
    assert code_at(city, 30, 40) == A
    # another edit that reuses the rolled-back revision number must not revive the abandoned cache
    city.execute("UPDATE grids SET geom = ? WHERE code = ?", (gpkg.polygon([box(2000, 0, 2100, 100)], 4549), A))
    assert code_at(city, 30, 40) is None and code_at(city, 2030, 40) == A and code_at(city, 1030, 40) is None


def test_a_new_connection_never_trusts_a_cache_left_under_its_id(center_path):
    first = db.open_centre(center_path)
    add_grid(first, A, [box(0, 0, 100, 100)])
    assert code_at(first, 30, 40) == A
    with db.connect(center_path) as raw:
        raw.execute("DROP TRIGGER sync_grids_update")  # an edit the revision counter cannot see
        raw.execute("UPDATE grids SET code = ?", (B,))
    second = db.open_centre(center_path)
    geocode._CACHES[id(second)] = geocode._CACHES[id(first)]  # as when CPython reuses a freed id
    first.close()
    assert code_at(second, 30, 40) == B
    second.close()


def test_locate_and_lookup_by_lon_lat(city):
    lon, lat = crs.to_lonlat(X0 + 30, Y0 + 40, 4549)
    assert geocode.grid_at_lonlat(city, lon, lat)["code"] == A
    where = geocode.locate(city, lon, lat)
    assert (where.x, where.y) == pytest.approx((X0 + 30, Y0 + 40), abs=1e-6)
    assert (where.grid_code, where.street_code, where.community_code) == (A, "320508001", COMMUNITY)
    outside = geocode.locate(city, *crs.to_lonlat(X0 + 5000, Y0, 4549))
    assert outside.grid_code is None and outside.to_wire()["community_code"] is None
    with pytest.raises(Problem) as exc:
        geocode.locate(city, 10.0, 31.0)
    assert exc.value.code == "crs.out_of_range"


# --- nearest components -------------------------------------------------------------------------

@pytest.fixture
def parts(conn):
    for objid, dx, dy in [("3205080101000001", 3, 4), ("3205080101000002", 30, 40),
                          ("3205080102000001", 6, 8), ("3205080201000001", -12, 0),
                          ("3205080102000002", 300, 0)]:
        add_component(conn, objid, dx, dy)
    return conn


def test_nearest_components_are_sorted_by_distance_within_the_radius(parts):
    found = geocode.nearest_components(parts, X0, Y0, radius_m=60)
    assert [(o, round(d, 9)) for o, _n, d in found] == [
        ("3205080101000001", 5.0), ("3205080102000001", 10.0), ("3205080201000001", 12.0),
        ("3205080101000002", 50.0)]
    assert found[0][1] == "class 0101"
    assert [o for o, _n, _d in geocode.nearest_components(parts, X0, Y0, radius_m=11)] == [
        "3205080101000001", "3205080102000001"]


def test_nearest_components_filter_by_class_and_limit(parts):
    found = geocode.nearest_components(parts, X0, Y0, radius_m=1000, class_code="0102")
    assert [o for o, _n, _d in found] == ["3205080102000001", "3205080102000002"]
    assert [o for o, _n, _d in geocode.nearest_components(parts, X0, Y0, radius_m=1000, limit=2)] == [
        "3205080101000001", "3205080102000001"]
    assert geocode.nearest_components(parts, X0 + 5000, Y0, radius_m=100) == []


def test_nearest_components_read_the_class_from_a_17_digit_scheme(tmp_path):
    conn = db.create_centre(tmp_path / "g17.gpkg", scheme="gb17")
    add_component(conn, "32050801001000001", 1, 0)
    add_component(conn, "32050801002000001", 2, 0)
    assert [o for o, _n, _d in geocode.nearest_components(conn, X0, Y0, radius_m=5, class_code="01002")] == [
        "32050801002000001"]
    with pytest.raises(Problem) as exc:
        geocode.nearest_components(conn, X0, Y0, radius_m=5, class_code="0102")
    assert exc.value.code == "code.malformed_class"
    conn.close()


@pytest.mark.parametrize("kwargs, code", [
    ({"radius_m": -1}, "geocode.bad_radius"), ({"radius_m": math.nan}, "geocode.bad_radius"),
    ({"radius_m": "10"}, "geocode.bad_radius"), ({"radius_m": 10, "limit": 0}, "geocode.bad_limit"),
    ({"radius_m": 10, "class_code": "01"}, "code.malformed_class"),
])
def test_bad_nearest_arguments_are_coded_problems(parts, kwargs, code):
    with pytest.raises(Problem) as exc:
        geocode.nearest_components(parts, X0, Y0, **kwargs)
    assert exc.value.code == code


def test_nearest_components_in_a_geographic_centre_measure_metres(tmp_path):
    conn = db.create_centre(tmp_path / "geo.gpkg", srs_id=4490)
    lon, lat = 120.3, 31.3
    add_component(conn, "3205080101000001", 0.0, 0.0001, srs_id=4490, origin=(lon, lat))
    add_component(conn, "3205080101000002", 0.001, 0.0, srs_id=4490, origin=(lon, lat))
    found = geocode.nearest_components(conn, lon, lat, radius_m=50)
    expected = Geod(ellps="GRS80").inv(lon, lat, lon, lat + 0.0001)[2]
    assert [o for o, _n, _d in found] == ["3205080101000001"]
    assert found[0][2] == pytest.approx(expected, rel=1e-4)
    assert len(geocode.nearest_components(conn, lon, lat, radius_m=100)) == 2  # 0.001° east is ~95 m
    conn.close()


# --- serials ------------------------------------------------------------------------------------

def serials(conn):
    return dict(conn.execute("SELECT scope, last FROM serials").fetchall())


def test_objids_are_allocated_in_sequence_per_county_and_class(conn):
    assert [geocode.allocate_objid(conn, "0101") for _ in range(3)] == [
        "3205080101000001", "3205080101000002", "3205080101000003"]
    assert geocode.allocate_objid(conn, "0102") == "3205080102000001"
    assert geocode.allocate_objid(conn, "0101", county="320505") == "3205050101000001"
    assert serials(conn)["objid:3205080101"] == 3


def test_an_objid_is_never_reused_after_its_component_is_deleted(conn):
    first = geocode.allocate_objid(conn, "0101")
    add_component(conn, first, 0, 0)
    conn.execute("DELETE FROM components WHERE ObjID = ?", (first,))
    assert geocode.allocate_objid(conn, "0101") == "3205080101000002"


def test_allocation_continues_after_imported_serials(conn):
    add_component(conn, "3205080101000041", 0, 0)
    add_component(conn, "3205080102000900", 1, 0)  # another class: not counted
    assert geocode.allocate_objid(conn, "0101") == "3205080101000042"
    add_component(conn, "3205080101000100", 2, 0)  # imported later, e.g. from a survey in QGIS
    assert geocode.allocate_objid(conn, "0101") == "3205080101000101"


def test_allocation_joins_the_callers_transaction(conn):
    with pytest.raises(RuntimeError), db.transaction(conn):
        assert geocode.allocate_objid(conn, "0101") == "3205080101000001"
        raise RuntimeError("the caller's insert failed")
    assert serials(conn) == {}
    assert geocode.allocate_objid(conn, "0101") == "3205080101000001"


def test_exhausted_serials_are_a_coded_problem_and_change_nothing(conn):
    add_component(conn, "3205080101999999", 0, 0)
    with pytest.raises(Problem) as exc:
        geocode.allocate_objid(conn, "0101")
    assert exc.value.code == "geocode.serials_exhausted"
    assert serials(conn) == {}


@pytest.mark.parametrize("class_code, county, code", [
    ("01", None, "code.malformed_class"), ("0000", None, "code.malformed_class"),
    ("0101", "12345", "code.malformed_county"), ("0101", "990101", "code.malformed_county")])
def test_bad_objid_requests_are_coded_problems_and_change_nothing(conn, class_code, county, code):
    with pytest.raises(Problem) as exc:
        geocode.allocate_objid(conn, class_code, county=county)
    assert exc.value.code == code
    assert serials(conn) == {}


def test_case_numbers_count_per_day_in_the_centres_timezone(conn):
    evening_utc = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 01:00 on the 24th in Shanghai
    assert geocode.next_case_no(conn, evening_utc) == "2026112400001"
    assert geocode.next_case_no(conn, evening_utc + timedelta(hours=3)) == "2026112400002"
    assert geocode.next_case_no(conn, evening_utc - timedelta(hours=2)) == "2026112300001"
    db.set_meta(conn, "timezone", "UTC")
    assert geocode.next_case_no(conn, evening_utc) == "2026112300002"


def test_case_numbers_continue_after_imported_cases(conn):
    conn.execute("INSERT INTO cases (case_no, kind, class_code, status, source, reported_at) "
                 "VALUES ('2026112400017', 'event', '0101', 'reported', 'public', '2026-11-23T17:00:00.000Z')")
    at = datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert geocode.next_case_no(conn, at) == "2026112400018"


@pytest.mark.parametrize("at, code", [(datetime(2026, 11, 23, 17, 0), "time.naive"),
                                      ("2026-11-23T17:00Z", "time.malformed")])
def test_a_case_number_needs_an_aware_time(conn, at, code):
    with pytest.raises(Problem) as exc:
        geocode.next_case_no(conn, at)
    assert exc.value.code == code
    assert serials(conn) == {}


def test_a_full_day_of_case_numbers_is_a_coded_problem(conn):
    conn.execute("INSERT INTO serials (scope, last) VALUES ('case:20261124', 99999)")
    with pytest.raises(Problem) as exc:
        geocode.next_case_no(conn, datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    assert exc.value.code == "geocode.serials_exhausted"
    assert serials(conn) == {"case:20261124": 99999}
