# SPDX-License-Identifier: GPL-2.0-or-later
"""Evaluation (综合评价): indicators, scores and grades per region, unit, collector and centre post.

Everything is counted from the append-only `case_events` log with set-based SQL (see
docs/evaluation.md for the exact definitions); `cases` only tells where a case is and which unit
holds it, and which steps are still open now.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from types import MappingProxyType

from .. import times
from ..problems import Problem
from ..store import db
from . import scoring

BY = ("unit", "region", "collector", "post")
LEVELS = ("street", "community", "grid")
POSTS = ("operator", "leader", "dispatcher")

RATES = {  # rate -> (numerator count, denominator count)
    "closure_rate": ("closure_done", "closure_due"),
    "on_time_closure_rate": ("closure_on_time", "closure_due"),
    "public_report_rate": ("public_registered", "registered"),
    "disposal_rate": ("disposal_done", "disposal_due"),
    "on_time_disposal_rate": ("disposal_on_time", "disposal_due"),
    "rework_rate": ("disposal_reworked", "disposal_done"),
    "valid_report_rate": ("reports_valid", "reports_decided"),
    "missed_report_rate": ("grid_public_registered", "grid_registered"),
    "on_time_verify_rate": ("verify_on_time", "verify_due"),
    "on_time_check_rate": ("check_on_time", "check_due"),
    "on_time_verify_dispatch_rate": ("verify_dispatch_on_time", "verify_dispatch_due"),
    "on_time_check_dispatch_rate": ("check_dispatch_on_time", "check_dispatch_due"),
    "on_time_register_rate": ("register_on_time", "register_due"),
    "accurate_register_rate": ("registered_accurate", "registered"),
    "on_time_close_rate": ("close_on_time", "close_due"),
    "on_time_dispatch_rate": ("dispatch_on_time", "dispatch_due"),
    "accurate_dispatch_rate": ("dispatched_accurate", "dispatched"),
}

_CLOSURE = ("closure_due", "closure_done", "closure_on_time")
_DISPOSAL = ("disposal_due", "disposal_done", "disposal_on_time", "disposal_reworked")
_AREA_RATES = ("closure_rate", "on_time_closure_rate", "disposal_rate", "on_time_disposal_rate", "rework_rate")
_REGION = (("registered", "public_registered", *_CLOSURE, *_DISPOSAL),
           ("closure_rate", "on_time_closure_rate", "public_report_rate", *_AREA_RATES[2:]))

KINDS = {  # object kind -> (counts, rates), in display order
    "unit": (("registered", *_CLOSURE, *_DISPOSAL), _AREA_RATES),
    "street": _REGION, "community": _REGION, "grid": _REGION,
    "collector": (("reports", "reports_decided", "reports_valid", "grid_registered", "grid_public_registered",
                   "verify_due", "verify_done", "verify_on_time", "check_due", "check_done", "check_on_time"),
                  ("valid_report_rate", "missed_report_rate", "on_time_verify_rate", "on_time_check_rate")),
    "operator": (("received", "verify_dispatch_due", "verify_dispatch_done", "verify_dispatch_on_time",
                  "check_dispatch_due", "check_dispatch_done", "check_dispatch_on_time"),
                 ("on_time_verify_dispatch_rate", "on_time_check_dispatch_rate")),
    "leader": (("register_due", "register_done", "register_on_time", "registered", "registered_accurate",
                "close_due", "close_done", "close_on_time"),
               ("on_time_register_rate", "accurate_register_rate", "on_time_close_rate")),
    "dispatcher": (("dispatched", "dispatched_accurate", "dispatch_due", "dispatch_done", "dispatch_on_time"),
                   ("on_time_dispatch_rate", "accurate_dispatch_rate")),
}


@dataclass(frozen=True)
class Result:
    """One evaluated object: its counts, rates (None when nothing was due), score and grade."""

    kind: str  # unit | street | community | grid | collector | operator | leader | dispatcher
    id: str
    name: str
    counts: Mapping[str, int]
    rates: Mapping[str, float | None]
    score: float | None
    grade: str | None
    colour: str | None

    def to_wire(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name, "counts": dict(self.counts),
                "rates": dict(self.rates), "score": self.score, "grade": self.grade, "colour": self.colour}

    @classmethod
    def from_wire(cls, data: dict) -> Result:
        return cls(data["kind"], data["id"], data["name"], MappingProxyType(dict(data["counts"])),
                   MappingProxyType(dict(data["rates"])), data["score"], data["grade"], data["colour"])


def evaluate(conn: sqlite3.Connection, start: date | datetime, end: date | datetime, by: str, *,
             level: str | None = None, config: scoring.Config | None = None) -> list[Result]:
    """Indicators, composite score and grade of every object of one kind over [start, end).

    Dates are midnights in the centre's zone, naive datetimes are centre time. `level` picks the
    region level for by="region" (default "street").
    """
    if by not in BY:
        raise Problem("evaluation.bad_by", by=str(by))
    if level is not None and (by != "region" or level not in LEVELS):
        raise Problem("evaluation.bad_level", level=str(level), by=by)
    config = config or scoring.load(conn)
    lo, hi = period(conn, start, end)
    params = {"lo": lo, "hi": hi, "public": json.dumps(list(config.public_sources))}
    measured = _MEASURES[by](conn, params, level or "street")
    return [result for kind, per_key in measured.items() for result in _results(conn, kind, per_key, config)]


def period(conn: sqlite3.Connection, start, end) -> tuple[str, str]:
    """[start, end) as database UTC texts; an empty or reversed period is a Problem."""
    zone = times.zone(db.meta(conn, "timezone") or times.DEFAULT_ZONE)
    lo, hi = _instant(start, zone), _instant(end, zone)
    if lo >= hi:
        raise Problem("evaluation.empty_period", start=lo.isoformat(), end=hi.isoformat())
    return times.to_db(lo), times.to_db(hi)


def log_range(conn: sqlite3.Connection, start, end) -> tuple[date | None, date | None] | None:
    """None when [start, end) holds case events; else the first and the last event's day of the whole
    log in the centre's zone (both None when the log is empty).

    A period without events evaluates to zeros and dashes; the command line says so with the log's
    range rather than letting the zeros speak. (The log has no index on `at` alone: the range is
    read only when the period turns out empty.)"""
    lo, hi = period(conn, start, end)
    if conn.execute("SELECT EXISTS (SELECT 1 FROM case_events WHERE at >= ? AND at < ?)", (lo, hi)).fetchone()[0]:
        return None
    first, last = conn.execute("SELECT min(at), max(at) FROM case_events").fetchone()
    zone = times.zone(db.meta(conn, "timezone") or times.DEFAULT_ZONE)
    return tuple(times.from_db(t).astimezone(zone).date() if t else None for t in (first, last))


def _instant(value, zone) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), zone)
    raise Problem("evaluation.bad_time", value=str(value))


def parse_when(text: str) -> date | datetime:
    """A period bound as written by a user: 'YYYY-MM-DD' or an ISO 8601 time (naive = centre time)."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        raise Problem("evaluation.bad_time", value=str(text)) from None


# Step rows are (case_no, actor, unit_code, fid, done, on_time) for each step due in [lo, hi).

_ROW = "e.case_no AS case_no, e.actor AS actor, e.unit_code AS unit_code, e.fid AS fid"


def _in(values: tuple) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _step_sql(actions: tuple, froms: tuple, role: str | None, open_sql: str = "") -> str:
    """Steps completed in the period (unless already late before it) and steps due in it done later or never.

    The unary + keeps the planner on (action, at) for the first branch and (action, due_at) for the second.
    """
    where = f"e.action IN {_in(actions)} AND e.from_status IN {_in(froms)}"
    where += f" AND e.role = '{role}'" if role else ""
    sql = (f"SELECT {_ROW}, 1 AS done, (e.due_at IS NULL OR e.at <= e.due_at) AS on_time FROM case_events e "
           f"WHERE {where} AND e.at >= :lo AND e.at < :hi AND (e.due_at IS NULL OR +e.due_at >= :lo) "
           f"UNION ALL SELECT {_ROW}, 0, 0 FROM case_events e "
           f"WHERE {where} AND e.due_at >= :lo AND e.due_at < :hi AND +e.at >= :hi")
    return sql + (f" UNION ALL {open_sql}" if open_sql else "")


def _open_task_sql(status: str, kind: str) -> str:
    """Open 核实/核查 steps due in the period, charged to the collector holding the task."""
    return (f"SELECT c.case_no, t.assignee, NULL, NULL, 0, 0 FROM cases c JOIN tasks t "
            f"ON t.case_no = c.case_no AND t.kind = '{kind}' AND t.status = 'open' "
            f"WHERE c.status = '{status}' AND c.step_due_at >= :lo AND c.step_due_at < :hi")


_OPEN_DISPOSAL = ("SELECT c.case_no, NULL, c.unit_code, NULL, 0, 0 FROM cases c "
                  "WHERE c.status = 'dispatched' AND c.deadline_at >= :lo AND c.deadline_at < :hi")

STEPS = {  # step -> (completing actions, status the step is spent in, role, open steps)
    "disposal": (("report_disposal",), ("dispatched",), None, _OPEN_DISPOSAL),
    "verify": (("verify_confirmed", "verify_not_found"), ("verifying",), "collector",
               _open_task_sql("verifying", "verify")),
    "check": (("check_pass", "check_fail"), ("checking",), "collector", _open_task_sql("checking", "check")),
    "verify_dispatch": (("send_verify",), ("reported",), "operator", ""),
    "check_dispatch": (("send_check",), ("disposed",), "operator", ""),
    "register": (("register", "reject"), ("pending_register",), "leader", ""),
    "close": (("close", "rework"), ("check_passed",), "leader", ""),  # a refused closure is a decision too
    "dispatch": (("dispatch",), ("registered", "returned"), "dispatcher", ""),
}

# The actions that send a disposal back to its unit (返工): a failed check, a leader's refused closure.
REWORKS = ("check_fail", "rework")
# The disposal sent back before hi: its round ends at the first 返工 after it (a round's other ends —
# close, void, auto-close — end the case, so a later 返工 is always this round's).
_REWORKED = ("CASE WHEN s.done THEN coalesce((SELECT +x.at < :hi FROM case_events x "
             f"WHERE x.case_no = s.case_no AND x.fid > s.fid AND +x.action IN {_in(REWORKS)} "
             "ORDER BY x.fid LIMIT 1), 0) ELSE 0 END")

_CLOSING = "(+x.action = 'close' OR (+x.action = 'check_pass' AND x.to_status = 'closed'))"
# Closure is due in the period holding min(close, deadline of the case's last disposal round). Rows:
# (a) cases closed in the period; (b) disposal reports due in it whose round ended later or never (a
# 返工 starts another round, a void withdraws the case); (c) disposals still open, due in it.
_CLOSURE_SQL = f"""
WITH rounds AS (
  SELECT e.case_no, e.due_at AS deadline, (SELECT x.fid FROM case_events x WHERE x.case_no = e.case_no
      AND x.fid > e.fid AND (+x.action IN {_in(REWORKS + ("void",))} OR {_CLOSING}) ORDER BY x.fid LIMIT 1) AS next_fid
    FROM case_events e WHERE e.action = 'report_disposal' AND e.due_at >= :lo AND e.due_at < :hi),
f(case_no, closed_at, deadline) AS MATERIALIZED (
  SELECT e.case_no, e.at, (SELECT x.due_at FROM case_events x WHERE x.case_no = e.case_no AND x.fid < e.fid
      AND +x.action = 'report_disposal' ORDER BY x.fid DESC LIMIT 1)
    FROM case_events e WHERE e.action IN ('close', 'check_pass') AND e.to_status = 'closed'
     AND e.at >= :lo AND e.at < :hi
  UNION ALL
  SELECT r.case_no, n.at, r.deadline FROM rounds r LEFT JOIN case_events n ON n.fid = r.next_fid
   WHERE n.fid IS NULL OR (n.action NOT IN {_in(REWORKS + ("void",))} AND n.at >= :hi)
  UNION ALL
  SELECT c.case_no, NULL, c.deadline_at FROM cases c
   WHERE c.status = 'dispatched' AND c.deadline_at >= :lo AND c.deadline_at < :hi)
SELECT case_no, NULL AS unit_code, closed_at IS NOT NULL AND closed_at < :hi AS done,
       closed_at IS NOT NULL AND closed_at < :hi AND (deadline IS NULL OR closed_at <= deadline) AS on_time
  FROM f WHERE coalesce(min(closed_at, deadline), closed_at, deadline) >= :lo
   AND coalesce(min(closed_at, deadline), closed_at, deadline) < :hi"""

_REGISTERED_SQL = ("SELECT e.case_no, (c.source IN (SELECT value FROM json_each(:public))) AS public "
                   "FROM case_events e JOIN cases c ON c.case_no = e.case_no "
                   "WHERE e.action = 'register' AND e.at >= :lo AND e.at < :hi")

_REPORTS_SQL = """SELECT e.case_no, e.actor,
  EXISTS (SELECT 1 FROM case_events x WHERE x.case_no = e.case_no AND +x.action = 'register' AND +x.at < :hi) AS valid,
  EXISTS (SELECT 1 FROM case_events x WHERE x.case_no = e.case_no AND +x.at < :hi
          AND +x.action IN ('register', 'reject', 'verify_not_found', 'void')) AS decided
  FROM case_events e WHERE e.action = 'report' AND e.role = 'collector' AND e.at >= :lo AND e.at < :hi"""

# A dispatch is erroneous when the next thing that ends it is a return flagged erroneous_dispatch.
_DISPATCH_SQL = """SELECT e.case_no, e.actor, e.role, e.unit_code, coalesce((
    SELECT x.action = 'return' AND +x.at < :hi
           AND CASE WHEN json_valid(x.data) THEN coalesce(json_extract(x.data, '$.erroneous_dispatch'), 0) END
      FROM case_events x WHERE x.case_no = e.case_no AND x.fid > e.fid
       AND +x.action IN ('return', 'dispatch', 'report_disposal', 'park', 'void') ORDER BY x.fid LIMIT 1), 0) AS erroneous
  FROM case_events e WHERE e.action = 'dispatch' AND e.at >= :lo AND e.at < :hi"""

_REGISTER_SQL = """SELECT e.case_no, e.actor, NOT EXISTS (SELECT 1 FROM case_events x WHERE x.case_no = e.case_no
    AND x.fid > e.fid AND +x.action = 'void' AND +x.at < :hi) AS accurate
  FROM case_events e WHERE e.action = 'register' AND e.role = 'leader' AND e.at >= :lo AND e.at < :hi"""

_RECEIVED_SQL = ("SELECT e.case_no, e.actor FROM case_events e WHERE e.action IN ('accept', 'send_verify', 'reject') "
                 "AND e.from_status = 'reported' AND e.role = 'operator' AND e.at >= :lo AND e.at < :hi")

_CASE_JOIN = " LEFT JOIN cases c ON c.case_no = s.case_no LEFT JOIN grids g ON g.code = c.grid_code"
_REGION_KEY = {"street": "coalesce(c.street_code, g.street_code)",
               "community": "coalesce(c.community_code, g.community_code)", "grid": "c.grid_code"}
_UNIT_KEY = "coalesce(s.unit_code, c.unit_code)"


def _grouped(conn, params, rows_sql: str, joins: str, key: str, aggregates: dict[str, str]) -> dict:
    """{key: {count: n}} from one GROUP BY over the rows `s` (joined as asked)."""
    cols = ", ".join(f"coalesce({expr}, 0)" for expr in aggregates.values())
    sql = f"SELECT {key} AS k, {cols} FROM ({rows_sql}) s{joins} GROUP BY k"
    return {row[0]: dict(zip(aggregates, map(int, row[1:]), strict=True)) for row in conn.execute(sql, params)
            if row[0] is not None}


def _steps(conn, params, step: str, key: str, joins: str = _CASE_JOIN) -> dict:
    actions, froms, role, open_sql = STEPS[step]
    rows = _step_sql(actions, froms, role, open_sql)
    aggs = {f"{step}_due": "count(*)", f"{step}_done": "sum(s.done)", f"{step}_on_time": "sum(s.on_time)"}
    if step == "disposal":
        rows = f"SELECT s.*, {_REWORKED} AS reworked FROM ({rows}) s"
        aggs["disposal_reworked"] = "sum(s.reworked)"
    return _grouped(conn, params, rows, joins, key, aggs)


def _closure(conn, params, key: str) -> dict:
    aggs = {"closure_due": "count(*)", "closure_done": "sum(s.done)", "closure_on_time": "sum(s.on_time)"}
    return _grouped(conn, params, _CLOSURE_SQL, _CASE_JOIN, key, aggs)


def _merge(*parts: dict) -> dict:
    merged: dict = {}
    for part in parts:
        for key, counts in part.items():
            merged.setdefault(key, {}).update(counts)
    return merged


def _by_unit(conn, params, _level) -> dict:
    registered = _grouped(conn, params, _DISPATCH_SQL, "", "s.unit_code",
                          {"registered": "count(DISTINCT CASE WHEN NOT s.erroneous THEN s.case_no END)"})
    return {"unit": _merge(registered, _closure(conn, params, _UNIT_KEY),
                           _steps(conn, params, "disposal", _UNIT_KEY))}


def _by_region(conn, params, level: str) -> dict:
    key = _REGION_KEY[level]
    registered = _grouped(conn, params, _REGISTERED_SQL, _CASE_JOIN, key,
                          {"registered": "count(*)", "public_registered": "sum(s.public)"})
    return {level: _merge(registered, _closure(conn, params, key), _steps(conn, params, "disposal", key))}


def _by_collector(conn, params, _level) -> dict:
    reports = _grouped(conn, params, _REPORTS_SQL, "", "s.actor", {
        "reports": "count(*)", "reports_decided": "sum(s.decided)", "reports_valid": "sum(s.valid)"})
    missed = _grouped(conn, params, _REGISTERED_SQL,
                      " JOIN cases c ON c.case_no = s.case_no JOIN collector_grids cg ON cg.grid_code = c.grid_code",
                      "cg.username", {"grid_registered": "count(*)", "grid_public_registered": "sum(s.public)"})
    return {"collector": _merge(reports, missed, _steps(conn, params, "verify", "s.actor", ""),
                                _steps(conn, params, "check", "s.actor", ""))}


def _by_post(conn, params, _level) -> dict:
    received = _grouped(conn, params, _RECEIVED_SQL, "", "s.actor", {"received": "count(*)"})
    registered = _grouped(conn, params, _REGISTER_SQL, "", "s.actor",
                          {"registered": "count(*)", "registered_accurate": "sum(s.accurate)"})
    dispatched = _grouped(conn, params, _DISPATCH_SQL + " AND e.role = 'dispatcher'", "", "s.actor",
                          {"dispatched": "count(*)", "dispatched_accurate": "sum(NOT s.erroneous)"})
    steps = {step: _steps(conn, params, step, "s.actor", "")
             for step in ("verify_dispatch", "check_dispatch", "register", "close", "dispatch")}
    return {"operator": _merge(received, steps["verify_dispatch"], steps["check_dispatch"]),
            "leader": _merge(steps["register"], registered, steps["close"]),
            "dispatcher": _merge(dispatched, steps["dispatch"])}


_MEASURES = {"unit": _by_unit, "region": _by_region, "collector": _by_collector, "post": _by_post}

_OBJECTS = {  # kind -> SQL of (id, name, active) for every known object of that kind
    "unit": "SELECT code, name, active FROM units",
    "street": "SELECT code, name, 1 FROM regions WHERE level = 'street'",
    "community": "SELECT code, name, 1 FROM regions WHERE level = 'community'",
    "grid": "SELECT code, coalesce(name, code), 1 FROM grids",
    **{role: f"SELECT username, display_name, active FROM users WHERE role = '{role}'"
       for role in ("collector", *POSTS)},
}


def _results(conn, kind: str, per_key: dict, config: scoring.Config) -> list[Result]:
    """A Result for every active object of the kind and every object the log names, ordered by id."""
    known = {row[0]: (row[1], row[2]) for row in conn.execute(_OBJECTS[kind])}
    ids = {oid for oid, (_, active) in known.items() if active} | set(per_key)
    return [_result(kind, oid, known.get(oid, (oid, 1))[0], per_key.get(oid, {}), config)
            for oid in sorted(ids)]


def _result(kind: str, oid: str, name: str, measured: dict, config: scoring.Config) -> Result:
    count_names, rate_names = KINDS[kind]
    counts = {name_: measured.get(name_, 0) for name_ in count_names}
    rates = {rate: _ratio(counts[RATES[rate][0]], counts[RATES[rate][1]]) for rate in rate_names}
    score = scoring.composite(kind, counts, rates, config)
    grade, colour = scoring.grade(score, config.grades)
    return Result(kind, str(oid), name, MappingProxyType(counts), MappingProxyType(rates), score, grade, colour)


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator
