# SPDX-License-Identifier: GPL-2.0-or-later
"""The case book (loop/casebook.py): filters select what the core says, keyset pages walk every row once,
lights agree with deadlines.lights_for_cases, the change log brings in other connections' cases."""

import shutil
from datetime import UTC, datetime, timedelta

import centre_fixture as cf
import pytest

from citygrid.loop import casebook, deadlines, workflow
from citygrid.problems import Problem
from citygrid.store import db

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Suzhou, a working morning
GRIDS = list(cf.GRIDS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A centre with ten cases in several states, grids, sources and times (built once, copied per test)."""
    path = tmp_path_factory.mktemp("book") / "centre.gpkg"
    cf.build(path)
    conn = db.open_centre(path)
    _cases(conn)
    conn.close()
    return path


@pytest.fixture
def centre(built, tmp_path):
    path = tmp_path / "centre.gpkg"
    shutil.copy(built, path)
    return path


@pytest.fixture
def book(centre):
    conn = db.open_centre(centre)
    yield conn
    conn.close()


def _cases(conn):
    plan = [("reported", 0, 0), ("pending_register", 1, 10), ("registered", 2, 20), ("dispatched", 3, 30),
            ("disposed", 0, 40), ("checking", 1, 50), ("reported", 2, 60), ("dispatched", 3, 70)]
    for status, grid, minutes in plan:
        cf.case_at(conn, status, grid=GRIDS[grid], at=T0 + timedelta(minutes=minutes))
    operator = cf.actor(conn, "operator")
    workflow.report(conn, operator, kind="event", class_code="0102", x=cf.centre_point(GRIDS[1])[0],
                    y=cf.centre_point(GRIDS[1])[1], description="井盖 100% 缺失_A", address="平江路 5 号",
                    source="public", at=T0 + timedelta(minutes=80))
    rejected = cf.case_at(conn, "reported", grid=GRIDS[3], at=T0 + timedelta(minutes=90))
    workflow.act(conn, rejected, "reject", operator, at=T0 + timedelta(minutes=91), note="不属实")


def everything(conn):
    return [workflow.case_row(conn, r[0]) for r in conn.execute("SELECT case_no FROM cases ORDER BY fid")]


def expected(conn, f, now):
    """What `f` selects, decided row by row in Python from the cases and the core's light."""
    lights = deadlines.lights_for_cases(conn, now, workflow.calendar(conn), [c["case_no"] for c in everything(conn)])

    def keep(c):
        text = f.text.lower()
        checks = [not f.statuses or c["status"] in f.statuses,
                  not f.lights or (lights[c["case_no"]] or "none") in f.lights,
                  f.unit_code is None or c["unit_code"] == f.unit_code,
                  f.grid_code is None or c["grid_code"] == f.grid_code,
                  f.source is None or c["source"] == f.source,
                  f.class_key is None or (c["kind"], c["class_code"]) == f.class_key,
                  f.reported_from is None or c["reported_at"] >= db_time(f.reported_from),
                  f.reported_to is None or c["reported_at"] < db_time(f.reported_to),
                  not text or (c["case_no"].startswith(text) if casebook._is_number(text) else
                               any(text in (c[k] or "").lower() for k in ("case_no", "description", "address"))),
                  not f.fids or c["fid"] in f.fids]
        return all(checks)

    return sorted(c["case_no"] for c in everything(conn) if keep(c))


def db_time(value):
    from citygrid import times
    return times.to_db(value)


FILTERS = [
    casebook.Filter(),
    casebook.Filter(statuses=("reported", "dispatched")),
    casebook.Filter(unit_code="HW"),
    casebook.Filter(unit_code="HW", statuses=("dispatched",), reported_from=T0 + timedelta(minutes=35)),
    casebook.Filter(grid_code=GRIDS[1]),
    casebook.Filter(source="public"),
    casebook.Filter(class_key=("event", "0102")),
    casebook.Filter(class_key=("component", "0102")),
    casebook.Filter(reported_from=T0 + timedelta(minutes=10), reported_to=T0 + timedelta(minutes=60)),
    casebook.Filter(text="平江路"),
    casebook.Filter(text="100%"),
    casebook.Filter(text="缺失_a"),
    casebook.Filter(text="%"),
    casebook.Filter(text="_"),
    casebook.Filter(text="20261123"),
    casebook.Filter(text="2026112300003"),
    casebook.Filter(text="2026112300003", statuses=("closed",)),
    casebook.Filter(text="0000"),  # short digits are free text: a substring anywhere
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[7:60])
def test_filters_select_what_the_rows_say(book, f):
    now = T0 + timedelta(hours=2)
    want = expected(book, f, now)
    assert casebook.count(book, f, now=now) == len(want)
    assert sorted(r["case_no"] for r in casebook.page(book, f, now=now)) == want


def test_eight_digits_or_more_are_a_case_number_prefix_read_from_its_index(book):
    f = casebook.Filter(text="2026112300")
    assert casebook.plan(book, f) == "number" and casebook.plan(book, f, order=None) == "number"
    plan = explain(book, *casebook.sql(f, driver="number"))
    assert "sqlite_autoindex_cases" in plan and "SCAN c" not in plan
    assert casebook.count(book, f) == 10


def test_a_capped_count_stops_at_the_cap(book):
    assert casebook.count(book, casebook.Filter(text="平江"), cap=3) <= 3
    assert casebook.count(book, casebook.Filter(), cap=4) == 4
    assert casebook.count(book, casebook.Filter(lights=("green", "red", "none")), cap=2,
                          now=T0 + timedelta(minutes=5)) == 2
    assert casebook.count(book, casebook.Filter(unit_code="HW"), cap=100) == casebook.count(book, casebook.Filter(
        unit_code="HW"))


def test_text_wildcards_are_plain_characters(book):
    assert casebook.count(book, casebook.Filter(text="%")) == 1  # only the description with "100%"
    assert casebook.count(book, casebook.Filter(text="nothing like this")) == 0


@pytest.mark.parametrize("minutes", [5, 25, 29, 31, 95, 200, 60 * 24 * 3])
@pytest.mark.parametrize("lights", [("green",), ("yellow",), ("red",), ("none",), ("green", "red"),
                                    ("yellow", "none"), ("green", "yellow", "red", "none")])
def test_light_filters_agree_with_the_cores_light(book, minutes, lights):
    now = T0 + timedelta(minutes=minutes)
    f = casebook.Filter(lights=lights)
    want = expected(book, f, now)
    assert casebook.count(book, f, now=now) == len(want)
    rows = casebook.page(book, f, now=now)
    assert sorted(r["case_no"] for r in rows) == want
    assert all(r["light"] in lights for r in rows)


def test_every_light_is_seen_in_the_fixture(book):
    """The light tests above are only worth something if the fixture's cases take every colour."""
    seen = set()
    for minutes in (5, 25, 95):
        now = T0 + timedelta(minutes=minutes)
        seen |= {r["light"] for r in casebook.page(book, casebook.Filter(), now=now)}
    assert seen == set(casebook.LIGHTS)


def test_a_page_has_the_columns_the_desk_shows(book):
    row = casebook.page(book, casebook.Filter(statuses=("dispatched",)), limit=1)[0]
    assert row["status"] == "dispatched" and row["unit_code"] == "HW" and row["unit_name"] == "环卫处"
    assert row["class_name"] == "暴露垃圾" and row["source"] == "hotline"
    assert row["reported_at"].tzinfo is not None and row["deadline_at"] > row["reported_at"]
    assert row["key"] == (db_time(row["reported_at"]), row["fid"])


@pytest.mark.parametrize("order", list(casebook.ORDERS))
@pytest.mark.parametrize("f", [casebook.Filter(), casebook.Filter(lights=("green", "yellow")),
                               casebook.Filter(unit_code="HW")])
def test_keyset_pages_walk_every_row_once_in_order(book, order, f):
    now = T0 + timedelta(minutes=25)
    whole = casebook.page(book, f, order=order, now=now, limit=100)
    walked, after = [], None
    while True:
        rows = casebook.page(book, f, order=order, now=now, after=after, limit=2)
        walked += rows
        if len(rows) < 2:
            break
        after = rows[-1]["key"]
    assert [r["case_no"] for r in walked] == [r["case_no"] for r in whole]
    keys = [r["key"] for r in whole]
    assert keys == sorted(keys, reverse=casebook.ORDERS[order][1])


def test_rows_returns_the_given_cases_the_filter_selects(book):
    everyone = [c["case_no"] for c in everything(book)]
    hw = casebook.rows(book, casebook.Filter(unit_code="HW"), everyone + ["no-such-case"])
    assert sorted(r["case_no"] for r in hw) == expected(book, casebook.Filter(unit_code="HW"), T0)
    assert casebook.rows(book, casebook.Filter(), []) == []


def test_the_map_selection_filters_by_feature_id(book):
    fids = [r[0] for r in book.execute("SELECT fid FROM cases ORDER BY fid LIMIT 3")]
    rows = casebook.page(book, casebook.Filter(fids=fids))
    assert sorted(r["fid"] for r in rows) == fids


def test_a_case_another_connection_reports_shows_in_the_change_log(book, centre):
    rev, changed = casebook.changed_since(book, None)
    assert changed == [] and rev > 0
    other = db.open_centre(centre)  # as the sync service would
    try:
        x, y = cf.centre_point(GRIDS[0])
        case_no = workflow.report(other, cf.actor(other, "operator"), kind="event", class_code="0102", x=x, y=y,
                                  source="hotline", at=T0 + timedelta(hours=3))
    finally:
        other.close()
    rev2, changed = casebook.changed_since(book, rev)
    assert changed == [case_no] and rev2 > rev
    assert casebook.page(book, casebook.Filter(), limit=1)[0]["fid"] == casebook.last_fid(book)
    assert casebook.changed_since(book, rev2) == (rev2, [])


def test_an_action_on_a_case_moves_it_forward_in_the_change_log(book):
    rev, _ = casebook.changed_since(book, None)
    case_no = casebook.page(book, casebook.Filter(statuses=("reported",)), limit=1)[0]["case_no"]
    workflow.act(book, case_no, "accept", cf.actor(book, "operator"), at=T0 + timedelta(hours=3))
    assert casebook.changed_since(book, rev)[1] == [case_no]


def test_the_unfiltered_first_page_reads_the_reported_index_without_sorting(book):
    plan = explain(book, *casebook.sql(casebook.Filter()))
    assert "idx_cases_reported" in plan and "TEMP B-TREE" not in plan


def test_case_number_order_reads_the_case_number_index(book):
    plan = explain(book, *casebook.sql(casebook.Filter(), order="case_no_asc", after=("2026",)))
    assert "sqlite_autoindex_cases" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("f, index", [
    (casebook.Filter(unit_code="HW", statuses=("dispatched",), reported_from=T0), "idx_cases_unit"),
    (casebook.Filter(grid_code=GRIDS[0]), "idx_cases_grid"),
    (casebook.Filter(statuses=("checking",)), "idx_cases_"),
])
def test_filters_read_an_index_not_the_table(book, f, index):
    for query in (casebook.count_sql(f, driver=casebook.plan(book, f, order=None)),
                  casebook.sql(f, driver=casebook.plan(book, f))):
        plan = explain(book, *query)
        assert index in plan and "SCAN c" not in plan.replace("SCAN c USING", "")


def test_a_page_reads_the_smallest_drivers_index_and_sorts_only_its_rows(book):
    """Five dispatched-or-reported cases, one in the first ten minutes: the period drives, not the status."""
    f = casebook.Filter(statuses=("reported", "dispatched", "registered", "pending_register"),
                        reported_from=T0, reported_to=T0 + timedelta(minutes=5))
    assert casebook.plan(book, f, order="case_no_asc") == "period"
    plan = explain(book, *casebook.sql(f, order="case_no_asc", driver="period"))
    assert "idx_cases_reported" in plan and "autoindex_cases" not in plan


def test_a_page_over_a_wide_filter_walks_the_orders_index(book, monkeypatch):
    monkeypatch.setattr(casebook, "_CAP", 2)  # every driver holds "too many": stop after a page instead
    f = casebook.Filter(statuses=("reported", "dispatched"))
    assert casebook.plan(book, f, order="case_no_desc") == "order"
    assert casebook.plan(book, f, order=None) == "statuses"
    plan = explain(book, *casebook.sql(f, order="case_no_desc", driver="order"))
    assert "autoindex_cases" in plan and "TEMP B-TREE" not in plan
    assert [r["case_no"] for r in casebook.page(book, f, order="case_no_desc")] == sorted(
        expected(book, f, T0), reverse=True)


def explain(conn, query, params):
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + query, params))


@pytest.mark.parametrize("kwargs, code", [
    ({"statuses": ("open",)}, "casebook.bad_filter"),
    ({"statuses": "reported"}, "casebook.bad_filter"),
    ({"lights": ("blue",)}, "casebook.bad_filter"),
    ({"source": "twitter"}, "casebook.bad_filter"),
    ({"class_key": ("thing", "0102")}, "casebook.bad_filter"),
    ({"unit_code": 7}, "casebook.bad_filter"),
    ({"text": None}, "casebook.bad_filter"),
    ({"fids": ["1"]}, "casebook.bad_filter"),
    ({"reported_from": T0, "reported_to": T0}, "casebook.bad_period"),
    ({"reported_from": datetime(2026, 1, 1)}, "time.naive"),
])
def test_a_bad_filter_is_a_coded_problem(kwargs, code):
    with pytest.raises(Problem) as caught:
        casebook.Filter(**kwargs)
    assert caught.value.code == code


@pytest.mark.parametrize("kwargs, code", [
    ({"order": "status"}, "casebook.bad_order"),
    ({"limit": 0}, "casebook.bad_filter"),
    ({"limit": True}, "casebook.bad_filter"),
    ({"after": ("x",)}, "casebook.bad_filter"),  # the reported order's key has two parts
    ({"now": datetime(2026, 1, 1)}, "time.naive"),
])
def test_bad_paging_is_a_coded_problem(book, kwargs, code):
    with pytest.raises(Problem) as caught:
        casebook.page(book, casebook.Filter(), **kwargs)
    assert caught.value.code == code


def test_a_bad_revision_is_a_coded_problem(book):
    with pytest.raises(Problem) as caught:
        casebook.changed_since(book, "12")
    assert caught.value.code == "casebook.bad_filter"


def test_units_are_listed_by_code_with_their_names(book):
    assert casebook.units(book) == [("HW", "环卫处"), ("PJ", "平江街道办事处"), ("SW", "市水务局")]
