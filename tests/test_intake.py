# SPDX-License-Identifier: GPL-2.0-or-later
"""The hotline intake's core helpers: prefill at a point, the address, the channel in the reporter."""

import centre_fixture as cf
import pytest

from citygrid.loop import intake, workflow
from citygrid.problems import Problem
from citygrid.store import db, gpkg

GRID = "320508001001001"


@pytest.fixture
def c(centre):
    conn = db.open_centre(centre)
    yield conn
    conn.close()


def _road(conn, name, points):
    conn.execute("INSERT INTO basemap_roads (geom, name, road_class) VALUES (?, ?, '支路')",
                 (gpkg.linestring(points, 4549), name))


def test_prefill_inside_a_grid_gives_grid_names_components_and_address(c):
    x, y = cf.centre_point(GRID, 25, 25)  # 7 m from the fixture's manhole cover at (20, 20)
    _road(c, "东园路", [(cf.X0, y + 40), (cf.X0 + 200, y + 40)])
    found = intake.prefill(c, x, y)
    assert found.grid["code"] == GRID
    assert (found.street_name, found.community_name) == ("平江街道", "东园社区")
    assert [(n.ObjID, n.class_code) for n in found.components] == [("3205080101000001", "0101")]
    assert found.components[0].distance_m == pytest.approx(50 ** 0.5)
    assert found.address == "姑苏区平江街道东园社区东园路附近"


def test_prefill_outside_every_grid_is_refused_with_the_geocode_problem(c):
    with pytest.raises(Problem) as exc:
        intake.prefill(c, cf.X0 - 500, cf.Y0 - 500)
    assert exc.value.code == "geocode.outside_grids"


def test_components_beyond_the_radius_are_not_offered(c):
    x, y = cf.centre_point(GRID, 80, 80)  # about 85 m from the manhole cover
    assert intake.prefill(c, x, y, radius_m=30).components == ()


def test_address_takes_the_nearest_named_road_within_the_radius(c):
    x, y = cf.centre_point(GRID)
    _road(c, "远路", [(x - 100, y + 120), (x + 100, y + 120)])
    _road(c, "近路", [(x + 30, y - 100), (x + 30, y + 100)])
    _road(c, None, [(x - 1, y - 5), (x + 1, y + 5)])  # unnamed: never an address
    assert intake.nearest_road(c, x, y) == "近路"
    assert intake.nearest_road(c, x, y, radius_m=20) is None
    assert intake.address_at(c, x, y, road_radius_m=20) == "姑苏区平江街道东园社区"


def test_address_without_grid_or_road_is_empty(c):
    assert intake.address_at(c, cf.X0 - 900, cf.Y0 - 900) == ""


@pytest.mark.parametrize(("channel", "name", "phone", "text"), [
    ("12345", "王先生", "13912345678", "12345 王先生 <13912345678>"),
    ("12319", "", "0512-6512 3456", "12319 <0512-6512 3456>"),
    ("12319", "  李  女士 ", "", "12319 李 女士"),
])
def test_hotline_reporter_keeps_the_channel_first_and_reads_back(channel, name, phone, text):
    assert intake.hotline_reporter(channel, name, phone) == text
    assert intake.hotline_channel(text) == channel


@pytest.mark.parametrize(("args", "code"), [
    (("110", "王", ""), "intake.bad_channel"),
    (("12345", "王", "call me"), "intake.bad_phone"),
    (("12345", "<script>", ""), "intake.bad_caller"),
    (("12345", "名" * 41, ""), "intake.bad_caller"),
])
def test_bad_hotline_reporter_is_a_coded_problem(args, code):
    with pytest.raises(Problem) as exc:
        intake.hotline_reporter(*args)
    assert exc.value.code == code


def test_a_reporter_naming_no_hotline_has_no_channel():
    assert intake.hotline_channel("collector01") is None
    assert intake.hotline_channel(None) is None


def test_a_hotline_report_keeps_its_channel_in_the_reporter(c):
    x, y = cf.centre_point(GRID)
    case_no = workflow.report(c, cf.actor(c, "operator"), kind="event", class_code="0102", x=x, y=y,
                              source="hotline", reporter=intake.hotline_reporter("12319", "王先生", "13900000000"),
                              address=intake.address_at(c, x, y))
    case = workflow.case_row(c, case_no)
    assert (case["source"], intake.hotline_channel(case["reporter"])) == ("hotline", "12319")
    assert case["address"] == "姑苏区平江街道东园社区"
