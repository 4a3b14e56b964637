# SPDX-License-Identifier: GPL-2.0-or-later
"""CGCS2000 3-degree Gauss-Krüger transforms against pyproj, and their coded failures."""

import math
import random

import pytest
from pyproj import Transformer

from citygrid import crs
from citygrid.problems import Problem
from citygrid.store import db

ZONES = (4534, 4549, 4554)  # the first, the default and the last zone (CM 75E, 120E, 135E)


def _random_points(srs_id, count, spread=3.0, seed=7):
    rnd = random.Random(seed + srs_id)
    cm = crs.central_meridian(srs_id)
    return [(cm + rnd.uniform(-spread, spread), rnd.uniform(-84.0, 84.0)) for _ in range(count)]


@pytest.mark.parametrize("srs_id", ZONES)
def test_forward_agrees_with_pyproj_to_well_under_a_millimetre(srs_id):
    ref = Transformer.from_crs("EPSG:4490", f"EPSG:{srs_id}", always_xy=True)
    worst = 0.0
    for lon, lat in _random_points(srs_id, 400):
        x, y = crs.to_projected(lon, lat, srs_id)
        rx, ry = ref.transform(lon, lat)
        worst = max(worst, abs(x - rx), abs(y - ry))
    assert worst < 1e-4  # 0.1 mm; the Krüger series to n^6 is good to nanometres here


@pytest.mark.parametrize("srs_id", ZONES)
def test_inverse_agrees_with_pyproj_and_round_trips(srs_id):
    ref = Transformer.from_crs(f"EPSG:{srs_id}", "EPSG:4490", always_xy=True)
    for lon, lat in _random_points(srs_id, 400, seed=11):
        x, y = crs.to_projected(lon, lat, srs_id)
        back_lon, back_lat = crs.to_lonlat(x, y, srs_id)
        assert abs(back_lon - lon) < 1e-9 and abs(back_lat - lat) < 1e-9
        ref_lon, ref_lat = ref.transform(x, y)
        assert abs(back_lon - ref_lon) < 1e-9 and abs(back_lat - ref_lat) < 1e-9


def test_points_up_to_six_degrees_from_the_central_meridian_still_agree():
    ref = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    for lon, lat in _random_points(4549, 200, spread=6.0, seed=3):
        x, y = crs.to_projected(lon, lat, 4549)
        rx, ry = ref.transform(lon, lat)
        assert math.hypot(x - rx, y - ry) < 1e-3


def test_known_point_on_the_central_meridian_has_false_easting_and_meridian_arc():
    x, y = crs.to_projected(120.0, 0.0, 4549)
    assert (x, y) == (500000.0, 0.0)
    x, y = crs.to_projected(120.0, 45.0, 4549)
    assert x == pytest.approx(500000.0, abs=1e-9)
    assert y == pytest.approx(4984944.378, abs=1e-3)  # meridian arc to 45° on GRS80/CGCS2000


@pytest.mark.parametrize("srs_id", (4490, 4326))
def test_geographic_centre_crs_is_the_identity(srs_id):
    assert crs.to_projected(120.5, 31.25, srs_id) == (120.5, 31.25)
    assert crs.to_lonlat(120.5, 31.25, srs_id) == (120.5, 31.25)


@pytest.mark.parametrize("lon, lat", [
    (126.5, 31.0),  # more than 6° east of CM 120E
    (113.9, 31.0),
    (120.0, 84.5),
    (120.0, -85.0),
    (math.nan, 31.0),
    (120.0, math.inf),
    (None, 31.0),
    ("east", 31.0),
])
def test_points_outside_the_sensible_range_are_a_coded_problem(lon, lat):
    with pytest.raises(Problem) as exc:
        crs.to_projected(lon, lat, 4549)
    assert exc.value.code == "crs.out_of_range"


@pytest.mark.parametrize("x, y", [(math.nan, 3_400_000.0), (5_000_000.0, 3_400_000.0),
                                  (500_000.0, 9.9e6), (500_000.0, 1e300)])
def test_inverse_of_an_impossible_position_is_a_coded_problem(x, y):
    with pytest.raises(Problem) as exc:
        crs.to_lonlat(x, y, 4549)
    assert exc.value.code == "crs.out_of_range"


def test_geographic_coordinates_beyond_the_globe_are_refused():
    with pytest.raises(Problem) as exc:
        crs.to_lonlat(181.0, 10.0, 4490)
    assert exc.value.code == "crs.out_of_range"


def test_an_unsupported_crs_is_a_coded_problem():
    for fn in (crs.to_projected, crs.to_lonlat):
        with pytest.raises(Problem) as exc:
            fn(120.0, 31.0, 3857)
        assert exc.value.code == "crs.unsupported"


def test_existing_helpers_keep_working():
    assert crs.central_meridian(4549) == 120.0 and crs.is_geographic(4490)
    assert crs.definition(4549)[0] == "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
    with pytest.raises(Problem) as exc:
        crs.central_meridian(4490)
    assert exc.value.code == "crs.not_projected"


def test_zone_for_picks_the_nearest_central_meridian():
    assert crs.zone_for(120.3) == 4549 and crs.zone_for(121.6) == 4550 and crs.zone_for(75.0) == 4534
    with pytest.raises(Problem) as exc:
        crs.zone_for(10.0)
    assert exc.value.code == "crs.out_of_range"


def test_distance_is_planar_in_metres():
    assert crs.distance_m(500000.0, 3460000.0, 500003.0, 3460004.0) == 5.0


def test_centre_transform_follows_the_centres_srs(tmp_path):
    conn = db.create_centre(tmp_path / "gk.gpkg", srs_id=4550)
    t = crs.centre_transform(conn)
    assert t.srs_id == 4550 and not t.geographic
    x, y = t.forward(123.5, 30.0)
    rx, ry = Transformer.from_crs("EPSG:4490", "EPSG:4550", always_xy=True).transform(123.5, 30.0)
    assert math.hypot(x - rx, y - ry) < 1e-4
    lon, lat = t.inverse(x, y)
    assert lon == pytest.approx(123.5, abs=1e-12) and lat == pytest.approx(30.0, abs=1e-12)
    conn.close()
    conn = db.create_centre(tmp_path / "geo.gpkg", srs_id=4490)
    geo = crs.centre_transform(conn)
    assert geo.geographic and geo.forward(120.1, 30.2) == (120.1, 30.2)
    conn.close()


def test_a_centre_with_a_bad_srs_setting_is_a_coded_problem(conn):
    db.set_meta(conn, "srs_id", "3857")
    with pytest.raises(Problem) as exc:
        crs.centre_transform(conn)
    assert exc.value.code == "crs.unsupported"
