# SPDX-License-Identifier: GPL-2.0-or-later
"""Work calendar, deadlines, step limits, the traffic light and overdue queries (DOMAIN.md §4)."""

from __future__ import annotations

import contextlib
import json
import math
import re
import sqlite3
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from .. import times
from ..problems import Problem
from ..store import db, schema_v1

UNITS = ("working_hours", "working_days", "calendar_hours", "calendar_days")
DEFAULT_PERIODS = (("08:00", "12:00"), ("14:00", "18:00"))
DEFAULT_STEP_LIMITS = {
    "reported": (0.5, "working_hours"), "verifying": (1, "working_hours"),
    "pending_register": (0.5, "working_hours"), "registered": (0.5, "working_hours"),
    "returned": (0.5, "working_hours"), "disposed": (0.5, "working_hours"),
    "checking": (2, "working_hours"), "check_passed": (0.5, "working_hours"),
}
CLOSED_STATUSES = ("closed", "voided", "rejected", "parked")
STEP_STATUSES = tuple(s for s in schema_v1.STATUSES if s not in CLOSED_STATUSES + ("dispatched",))

_EPOCH = times.EPOCH
_US = timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_HHMM = re.compile(r"([0-2][0-9]):([0-5][0-9])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEARS = (1900, 9998)
_MAX_SECONDS = 100 * 366 * 86400  # no time limit runs for a century; bounds every loop below
_YEARS_KEPT = 24  # built local years, ~0.15 MB each (a limit reads its start's year and a few after)
_HOURS_KEPT = 8_760  # a year of UTC hours for the fast path, ~1.5 MB (the demo walks its years in order)
_AMOUNTS_KEPT = 1_024  # checked (amount, unit) pairs: the step limits and the conditions' time limits
_PLAIN = (int, float)  # amounts remembered by value (a bool is an int but no amount)


class _Year(NamedTuple):
    """One local year: per-day working spans (UTC µs) and prefix sums (prefix[-1] = the year's total)."""

    first: int  # ordinal of 1 January
    days: list
    prefix: list


@dataclass(frozen=True)
class WorkCalendar:
    """The centre's working time: daily periods in local time, working weekdays and day overrides."""

    timezone: str = times.DEFAULT_ZONE
    periods: tuple = DEFAULT_PERIODS
    weekdays: frozenset = frozenset({1, 2, 3, 4, 5})
    days: Mapping = field(default_factory=dict)  # {date: working}; kept as sorted (date, working) pairs
    working_day_hours: float | None = None  # None = the sum of the periods
    _zone: object = field(init=False, repr=False, compare=False)
    _minutes: tuple = field(init=False, repr=False, compare=False)
    _overrides: dict = field(init=False, repr=False, compare=False)
    _years: dict = field(init=False, repr=False, compare=False, default_factory=dict)
    _per_unit: dict = field(init=False, repr=False, compare=False)  # unit -> seconds per unit
    _hours: dict = field(init=False, repr=False, compare=False, default_factory=dict)  # hour -> its spans, see add_us
    _amounts: dict = field(init=False, repr=False, compare=False, default_factory=dict)  # see _amount_us

    def __post_init__(self):
        minutes = _parse_periods(self.periods)
        overrides = {_parse_day(d): _parse_working(w, d) for d, w in dict(self.days).items()}
        weekdays = _check_weekdays(self.weekdays)
        if not weekdays and not any(overrides.values()):
            raise Problem("calendar.no_working_time")
        hours = self.working_day_hours
        if hours is not None and not (isinstance(hours, int | float) and 0 < hours <= 24):
            raise Problem("calendar.bad_day_hours", value=str(hours))
        day = hours * 3600.0 if hours is not None else sum(e - s for s, e in minutes) * 60.0
        for name, value in (("_zone", times.zone(self.timezone)), ("_minutes", minutes),
                            ("_overrides", overrides), ("weekdays", weekdays),
                            ("periods", tuple(tuple(p) for p in self.periods)),
                            ("days", tuple(sorted(overrides.items()))),
                            ("_per_unit", {"working_hours": 3600.0, "working_days": day,
                                           "calendar_hours": 3600.0, "calendar_days": 86400.0})):
            object.__setattr__(self, name, value)

    @classmethod
    def from_db(cls, conn: sqlite3.Connection) -> WorkCalendar:
        """The calendar configured in a centre database."""
        periods = tuple(tuple(r) for r in conn.execute(
            'SELECT start, "end" FROM calendar_periods ORDER BY start'))
        days = {r[0]: r[1] for r in conn.execute("SELECT day, working FROM calendar_days")}
        hours = (db.meta(conn, "working_day_hours", "") or "").strip()
        try:
            day_hours = float(hours) if hours else None
        except ValueError:
            raise Problem("calendar.bad_day_hours", value=hours) from None
        return cls(timezone=db.meta(conn, "timezone", times.DEFAULT_ZONE), periods=periods,
                   weekdays=_parse_weekdays(db.meta(conn, "work_weekdays", "1,2,3,4,5")),
                   days=days, working_day_hours=day_hours)

    @property
    def day_seconds(self) -> float:
        """Length of one working day in working seconds."""
        return self._per_unit["working_days"]

    def is_working_day(self, d: date) -> bool:
        working = self._overrides.get(d)
        return d.isoweekday() in self.weekdays if working is None else working

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """The instant `amount` `unit`s after `start`; working units count only working periods."""
        if start.__class__ is not datetime or start.tzinfo is None:  # the hot path skips the full check
            _check_aware(start)
        return times.from_us(self.add_us(times.to_us(start), amount, unit), self._zone)

    def add_us(self, start_us: int, amount: float, unit: str) -> int:
        """`add` on µs since the epoch (UTC): the same arithmetic without building datetimes."""
        known = self._amounts.get((amount, unit)) if amount.__class__ in _PLAIN and unit.__class__ is str else None
        amount_us, working = known or self._amount_us(start_us, amount, unit)
        if not working:  # nothing to count, or elapsed (calendar) time
            return start_us + amount_us
        # the fast path: the end falls in the working spans of the days around the start's hour (every
        # step limit and most disposal limits); else it lies `left` after the last of them
        hour = start_us // _HOUR_US
        around = self._hours.get(hour)
        if around is None:
            around = _remember(self._hours, hour, self._spans_around(hour), _HOURS_KEPT)
        spans, year, end_at = around
        left = amount_us
        for s, e in spans:  # ordered; from the span holding or following the start, spend the amount
            if e > start_us:
                begin = start_us if start_us > s else s
                if left <= e - begin:  # `<=`: a limit used up at a period's end is due then
                    return begin + left
                left -= e - begin
        if spans:
            end = self._at(year, end_at + left, year + 100)
            if end is not None:
                return end
        return self._advance(times.from_us(start_us), amount_us)  # no spans near, or a century away

    def _amount_us(self, start_us: int, amount: float, unit: str) -> tuple[int, bool]:
        """(µs, counted in working time) of `amount` `unit`s, else a Problem; a plain int or float
        amount is remembered (step limits and time limits repeat: the checks run once for each)."""
        per_unit = self._per_unit.get(unit) if unit.__class__ is str else None
        if per_unit is None:
            raise Problem("deadline.unknown_unit", unit=str(unit))
        number = amount.__class__ is float or amount.__class__ is int or (
            isinstance(amount, int | float) and not isinstance(amount, bool))
        if not (number and 0 <= amount < math.inf):
            raise Problem("deadline.bad_amount", amount=str(amount))
        if amount * per_unit > _MAX_SECONDS:
            raise Problem("deadline.out_of_range", start=times.from_us(start_us).isoformat(), amount=amount,
                          unit=unit)
        amount_us = round(amount * per_unit * 1e6)
        known = (amount_us, amount_us != 0 and unit[0] != "c")
        if amount.__class__ in _PLAIN:  # not a subclass: its == and hash might not be a number's
            _remember(self._amounts, (amount, unit), known, _AMOUNTS_KEPT)
        return known

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time elapsed from `start` to `end` in seconds (0 when end <= start)."""
        return self._working_us(start, end) / 1e6

    # -- internals: positions are working µs since 1 January of a local year ----------------------

    def _working_us(self, start: datetime, end: datetime) -> int:
        _check_aware(start)
        _check_aware(end)
        if end <= start:
            return 0
        (y1, p1), (y2, p2) = self._offset(start), self._offset(end)
        return p2 - p1 + sum(self._year(y).prefix[-1] for y in range(y1, y2))

    def _spans_around(self, hour: int) -> tuple:
        """(spans, year, end): the working spans (UTC µs, ordered) of the local days from the day before
        the hour's to two days after (or on to the first working day, up to a month: holidays) that end
        after the hour starts, which include every span that holds or first follows an instant in the
        hour, the first of them mostly; the local year of the first and the position (working µs since
        that year began) where the last ends."""
        d = (_EPOCH + timedelta(hours=hour)).astimezone(self._zone).date()
        spans, first, at = [], None, 0
        for k in range(-1, 32):
            if k > 2 and spans:
                break
            day = d + timedelta(days=k)
            if not _YEARS[0] <= day.year <= _YEARS[1]:
                return (), None, 0
            data = self._year(day.year)
            i = day.toordinal() - data.first
            for s, e in data.days[i]:
                if e > hour * _HOUR_US:
                    if first is None:
                        first = day.year
                        at = data.prefix[i] + sum(e2 - s2 for s2, e2 in data.days[i] if e2 <= s)
                    spans.append((s, e))
                    at += e - s
        return tuple(spans), first, at

    def _advance(self, start: datetime, amount_us: int) -> int:
        """UTC µs at which `amount_us` of working time after `start` is used up."""
        first, target = self._offset(start)
        end = self._at(first, target + amount_us, first + 101)
        if end is None:  # working time runs out (e.g. only a few working overrides)
            raise Problem("deadline.out_of_range", start=start.isoformat())
        return end

    def _at(self, year: int, target: int, last_year: int) -> int | None:
        """UTC µs at the position `target` (working µs since local `year` began; it may run into the
        years after), or None when that lies beyond `last_year`."""
        data = self._year(year)
        while target > data.prefix[-1]:  # `>`: a limit used up at a period's end is due then
            target -= data.prefix[-1]
            year += 1
            if year > last_year:
                return None
            data = self._year(year)
        i = bisect_left(data.prefix, target, 1) - 1
        need = target - data.prefix[i]
        for s, e in data.days[i]:
            if need <= e - s:
                return s + need
            need -= e - s
        raise AssertionError("prefix sums disagree with spans")  # unreachable by construction

    def _offset(self, moment: datetime) -> tuple[int, int]:
        """(local year, working µs from that year's start to `moment`)."""
        local = moment.astimezone(self._zone)
        year = local.year
        data = self._years.get(year) or self._year(year)
        i = local.toordinal() - data.first
        ts, at = (moment - _EPOCH) // _US, data.prefix[i]
        for s, e in data.days[i]:  # spans are ordered: count each up to `ts`
            if ts <= s:
                break
            at += (e if ts > e else ts) - s
        return year, at

    def _year(self, year: int) -> _Year:
        data = self._years.get(year)
        if data is None:
            data = _remember(self._years, year, self._build_year(year), _YEARS_KEPT)
        return data

    def _build_year(self, year: int) -> _Year:
        if not _YEARS[0] <= year <= _YEARS[1]:
            raise Problem("deadline.out_of_range", year=year)
        first = date(year, 1, 1)
        days, prefix = [], [0]
        for k in range((date(year + 1, 1, 1) - first).days):
            spans = self._day_spans(first + timedelta(days=k))
            days.append(spans)
            prefix.append(prefix[-1] + sum(e - s for s, e in spans))
        return _Year(first.toordinal(), days, prefix)

    def _day_spans(self, d: date) -> tuple:
        """Working spans of a local day as UTC µs; DST gaps are clamped so spans stay ordered."""
        if not self.is_working_day(d):
            return ()
        midnight = datetime(d.year, d.month, d.day, tzinfo=self._zone)
        spans, prev = [], None
        for sm, em in self._minutes:
            s = (midnight + timedelta(minutes=sm) - _EPOCH) // _US
            e = (midnight + timedelta(minutes=em) - _EPOCH) // _US
            s = s if prev is None else max(s, prev)
            if e > s:
                spans.append((s, e))
                prev = e
        return tuple(spans)


def _remember(cache: dict, key, value, kept: int):
    """Store `value` under `key`, starting the cache over when it holds `kept` entries: a calendar
    lives as long as the process, and callers may ask about any instant (a bound costs no lookup)."""
    if len(cache) >= kept:
        cache.clear()
    cache[key] = value
    return value


# -- parsing and validation ---------------------------------------------------------------------

def _check_aware(value) -> None:
    if not isinstance(value, datetime):
        raise Problem("time.malformed", value=str(value))
    if value.tzinfo is None or value.utcoffset() is None:
        raise Problem("time.naive", value=value.isoformat())


def _hhmm(text, period, *, end: bool) -> int:
    m = _HHMM.fullmatch(text) if isinstance(text, str) else None
    minutes = int(m[1]) * 60 + int(m[2]) if m else -1
    if not 0 <= minutes <= (1440 if end else 1439):
        raise Problem("calendar.bad_period", period=str(period), reason="not HH:MM")
    return minutes


def _parse_periods(periods) -> tuple:
    """('HH:MM', 'HH:MM') pairs -> sorted (start, end) minutes; malformed or overlapping is a Problem."""
    parsed = []
    for p in periods:
        if not (isinstance(p, tuple | list) and len(p) == 2):
            raise Problem("calendar.bad_period", period=str(p), reason="not a (start, end) pair")
        s, e = _hhmm(p[0], p, end=False), _hhmm(p[1], p, end=True)
        if e <= s:
            raise Problem("calendar.bad_period", period=str(p), reason="end not after start")
        parsed.append((s, e))
    if not parsed:
        raise Problem("calendar.no_periods")
    parsed.sort()
    for (_, e1), (s2, _) in zip(parsed, parsed[1:], strict=False):
        if s2 < e1:
            raise Problem("calendar.bad_period", period=_fmt(s2), reason="overlaps the period before")
    return tuple(parsed)


def _parse_day(value) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    raise Problem("calendar.bad_day", value=str(value), reason="not a date YYYY-MM-DD")


def _parse_working(value, day) -> bool:
    if value in (0, 1) and not isinstance(value, float):  # True/False are 1/0
        return bool(value)
    raise Problem("calendar.bad_day", value=str(day), reason=f"working must be 0/1, not {value!r}")


def _check_weekdays(values) -> frozenset:
    if not isinstance(values, Iterable) or isinstance(values, str):
        raise Problem("calendar.bad_weekday", value=str(values))
    out = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 7:
            raise Problem("calendar.bad_weekday", value=str(v))
        out.add(v)
    return frozenset(out)


def _parse_weekdays(text: str | None) -> frozenset:
    tokens = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not all(t.isdigit() for t in tokens):
        raise Problem("calendar.bad_weekday", value=text)
    return _check_weekdays(int(t) for t in tokens)


# -- calendar administration (each call is one transaction; the whole result is re-validated) ----

def set_periods(conn: sqlite3.Connection, periods: Iterable) -> None:
    """Replace the daily working periods, e.g. [("08:00", "12:00"), ("14:00", "18:00")]."""
    parsed = _parse_periods(list(periods))
    with db.transaction(conn):
        conn.execute("DELETE FROM calendar_periods")
        conn.executemany('INSERT INTO calendar_periods (start, "end") VALUES (?, ?)',
                         [(_fmt(s), _fmt(e)) for s, e in parsed])
        WorkCalendar.from_db(conn)


def set_days(conn: sqlite3.Connection, days: Iterable) -> None:
    """Upsert day overrides (day, working, note); working=None removes the day's override."""
    rows = [(_parse_day(d), w if w is None else _parse_working(w, d), n[0] if n else None)
            for d, w, *n in days]
    with db.transaction(conn):
        for day, working, note in rows:
            if working is None:
                conn.execute("DELETE FROM calendar_days WHERE day = ?", (day.isoformat(),))
                continue
            conn.execute("INSERT INTO calendar_days (day, working, note) VALUES (?, ?, ?) ON CONFLICT(day) "
                         "DO UPDATE SET working = excluded.working, note = excluded.note",
                         (day.isoformat(), int(working), note))
        WorkCalendar.from_db(conn)


def set_weekdays(conn: sqlite3.Connection, weekdays: Iterable[int]) -> None:
    """Set the working ISO weekdays (1 = Monday … 7 = Sunday)."""
    text = ",".join(str(d) for d in sorted(_check_weekdays(weekdays)))
    with db.transaction(conn):
        db.set_meta(conn, "work_weekdays", text)
        WorkCalendar.from_db(conn)


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# -- step limits for the centre posts -----------------------------------------------------------

def step_limits(conn: sqlite3.Connection) -> dict:
    """{status: (value, unit)}: the defaults overridden by citygrid_meta.step_limits (null = untimed)."""
    text = db.meta(conn, "step_limits", "") or ""
    try:
        override = json.loads(text) if text.strip() else {}
    except ValueError:
        raise Problem("deadline.bad_step_limits", reason="not JSON") from None
    return _merge_limits(override)


def set_step_limits(conn: sqlite3.Connection, override: Mapping) -> None:
    """Store step-limit overrides {status: (value, unit) or None}, validated first."""
    _merge_limits(override)
    wire = {s: (None if v is None else [v[0], v[1]]) for s, v in override.items()}
    with db.transaction(conn):
        db.set_meta(conn, "step_limits", json.dumps(wire, sort_keys=True))


def _merge_limits(override) -> dict:
    if not isinstance(override, Mapping):
        raise Problem("deadline.bad_step_limits", reason="not an object")
    limits = dict(DEFAULT_STEP_LIMITS)
    for status, value in override.items():
        if status not in schema_v1.STATUSES:
            raise Problem("deadline.bad_step_limits", status=str(status), reason="unknown status")
        if value is None:
            limits.pop(status, None)
            continue
        ok = isinstance(value, list | tuple) and len(value) == 2 and value[1] in UNITS \
            and type(value[0]) in (int, float) and 0 < value[0] < math.inf
        if not ok:
            raise Problem("deadline.bad_step_limits", status=status,
                          reason=f"expected [value > 0, unit], got {value!r}")
        limits[status] = (value[0], value[1])
    return limits


def step_due(cal: WorkCalendar, limits: Mapping, status: str, start: datetime) -> datetime | None:
    """When the step opened at `start` in `status` is due, or None when the status is untimed."""
    limit = limits.get(status)
    return None if limit is None else cal.add(start, limit[0], limit[1])


def step_due_us(cal: WorkCalendar, limits: Mapping, status: str, start_us: int) -> int | None:
    """`step_due` on µs since the epoch."""
    limit = limits.get(status)
    return None if limit is None else cal.add_us(start_us, limit[0], limit[1])


# -- traffic light ------------------------------------------------------------------------------

def _used_and_limit_us(cal: WorkCalendar, start, due, now, working: bool) -> tuple[int, int]:
    if working:
        return cal._working_us(start, now), cal._working_us(start, due)
    for value in (start, due, now):
        _check_aware(value)
    return max((now - start) // _US, 0), (due - start) // _US


def fraction_used(cal: WorkCalendar, start: datetime, due: datetime, now: datetime, *,
                  working: bool) -> float:
    """Share of the step's limit used at `now` (working time for working limits, else calendar time)."""
    used, limit = _used_and_limit_us(cal, start, due, now, working)
    if limit <= 0:
        return 0.0 if now <= due else math.inf
    return used / limit


def light(cal: WorkCalendar, start: datetime, due: datetime, now: datetime, *, working: bool) -> str:
    """'green' below 80 % of the limit, 'yellow' from 80 % up to the due time, 'red' once past it."""
    used, limit = _used_and_limit_us(cal, start, due, now, working)
    if now > due:  # also red in non-working time after the due time, when the working share stays 100 %
        return "red"
    return "yellow" if used * 5 >= limit * 4 else "green"  # integers: exactly 80 % is yellow


# -- overdue cases and lights from the database -------------------------------------------------

_COLUMNS = "fid, case_no, status, unit_code, grid_code"
_DUE = "CASE status WHEN 'dispatched' THEN deadline_at ELSE step_due_at END"
_OPEN = ", ".join(f"'{s}'" for s in ("dispatched",) + STEP_STATUSES)


def overdue(conn: sqlite3.Connection, now: datetime, *, unit_code: str | None = None,
            grid_codes: Iterable[str] | None = None, limit: int | None = None) -> list[dict]:
    """Open cases past their due time, most overdue first (dispatched: deadline_at; else step_due_at)."""
    sql, params = overdue_sql(now, unit_code=unit_code, grid_codes=grid_codes, limit=limit)
    return [_overdue_row(r, now) for r in conn.execute(sql, params)]


def overdue_sql(now: datetime, *, unit_code=None, grid_codes=None, limit=None) -> tuple[str, dict]:
    """The SQL and parameters `overdue` runs (tests check its EXPLAIN QUERY PLAN)."""
    params: dict = {"now": times.to_db(now), "limit": -1 if limit is None else int(limit)}
    in_grids = ""
    if grid_codes is not None:
        grids = list(grid_codes)
        params.update({f"g{i}": g for i, g in enumerate(grids)})
        marks = [f":g{i}" for i in range(len(grids))] or ["NULL"]  # `IN ()` would scan the table
        in_grids = f" AND grid_code IN ({', '.join(marks)})"
    if unit_code is None:
        # one arm per status: each an index range already in due order, merged by SQLite without
        # sorting; grids filter the arms (a collector's grids hold years of closed cases: their own
        # index would read all of those, the arms read only what is overdue in the whole city)
        arms = [f"SELECT {_COLUMNS}, deadline_at AS due_at FROM cases "
                f"WHERE status = 'dispatched' AND deadline_at < :now{in_grids}"]
        arms += [f"SELECT {_COLUMNS}, step_due_at AS due_at FROM cases "
                 f"WHERE status = '{s}' AND step_due_at < :now{in_grids}" for s in STEP_STATUSES]
        return " UNION ALL ".join(arms) + " ORDER BY due_at, fid LIMIT :limit", params
    # a unit's open cases are few: idx_cases_unit (unit_code, status) finds exactly them, then sort
    params["unit"] = unit_code
    return (f"SELECT {_COLUMNS}, {_DUE} AS due_at FROM cases WHERE status IN ({_OPEN}) AND {_DUE} < :now "
            f"AND unit_code = :unit{in_grids} ORDER BY due_at, fid LIMIT :limit"), params


def _overdue_row(row, now: datetime) -> dict:
    due = times.from_db(row[5])
    return {"case_no": row[1], "status": row[2], "unit_code": row[3], "grid_code": row[4],
            "due_at": due, "overdue_seconds": (now - due).total_seconds()}


_LIGHT_SQL = """
SELECT c.case_no, c.status, c.deadline_at, c.step_due_at, c.dispatched_at, c.reported_at, k.limit_unit,
  (SELECT e.at FROM case_events e WHERE e.case_no = c.case_no AND e.to_status = c.status
     AND (e.from_status IS NULL OR e.from_status <> e.to_status) ORDER BY e.fid DESC LIMIT 1)
FROM cases c LEFT JOIN conditions k
  ON k.kind = c.kind AND k.class_code = c.class_code AND k.condition_id = c.condition_id
WHERE c.case_no IN ({marks})"""


def lights_for_cases(conn: sqlite3.Connection, now: datetime, cal: WorkCalendar,
                     case_nos: Iterable[str], limits: Mapping | None = None) -> dict:
    """{case_no: light or None (untimed or closed)} for the current step of each case."""
    limits = step_limits(conn) if limits is None else limits
    wanted, out = list(case_nos), {}
    for i in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        chunk = wanted[i:i + 500]
        for row in conn.execute(_LIGHT_SQL.format(marks=", ".join("?" * len(chunk))), chunk):
            out[row[0]] = _case_light(row, now, cal, limits)
    return out


def _case_light(row, now: datetime, cal: WorkCalendar, limits: Mapping) -> str | None:
    case_no, status, deadline, step_due, dispatched, reported, cond_unit, entered = row
    if status == "dispatched":
        due, unit, fallback = deadline, cond_unit or "working_hours", dispatched
    else:
        due, unit, fallback = step_due, (limits.get(status) or (0, "working_hours"))[1], reported
    if status in CLOSED_STATUSES or due is None:
        return None
    # the step opened when the case entered its status (an extension keeps the start, moves the due)
    start = times.from_db(entered or fallback or reported)
    return light(cal, start, times.from_db(due), now, working=unit.startswith("working"))
