# SPDX-License-Identifier: GPL-2.0-or-later
"""The case book: filtered, keyset-paged reads of the cases table for the centre's desk.

`count(conn, f)` and `page(conn, f, after=..., limit=...)` answer a `Filter` over a city's million cases
through the cases table's indexes (status, unit, grid, reported_at, case_no); a page is plain dicts with
what the desk's table shows. Paging is by key, never by OFFSET: the next page starts after the last
row's `key`, so page 5,000 costs what page 1 does.

The traffic light (deadlines.light) counts working time on the centre's calendar, which SQL cannot:
red and none are exact in SQL (past the due time; closed or untimed), green and yellow are the open
cases not yet due, which SQL selects and the core's own rule (deadlines.lights_for_cases) then sorts.

`changed_since(conn, rev)` reads the sync change log, so the desk sees cases that devices and
Open311 bring in while it is open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .. import times
from ..problems import Problem
from ..store import schema_v1
from . import deadlines, workflow

LIGHTS = ("green", "yellow", "red", "none")
STATUSES, SOURCES = schema_v1.STATUSES, schema_v1.SOURCES  # what a filter may name
ORDERS = {  # name -> (key columns, descending); each has an index that yields its order
    "reported_desc": (("reported_at", "fid"), True),
    "reported_asc": (("reported_at", "fid"), False),
    "case_no_desc": (("case_no",), True),
    "case_no_asc": (("case_no",), False),
}
PAGE = 200
NUMBER_DIGITS = 8  # free text of this many digits or more is a case number (prefix), not a phrase
_CLOSED = "(" + ", ".join(f"'{s}'" for s in deadlines.CLOSED_STATUSES) + ")"
_STEP = "(" + ", ".join(f"'{s}'" for s in deadlines.STEP_STATUSES) + ")"
# each light as SQL over the indexed (status, deadline_at) and (status, step_due_at); yellow and green
# share "open and not yet due", which the core's rule splits. {p} is "" where an index may be used, "+"
# where it must not (see _plan).
_LIGHT_SQL = {
    "red": "(({p}c.status = 'dispatched' AND {p}c.deadline_at < :now) OR ({p}c.status IN %s AND {p}c.step_due_at < :now))",
    "due": "(({p}c.status = 'dispatched' AND {p}c.deadline_at >= :now) OR ({p}c.status IN %s AND {p}c.step_due_at >= :now))",
    "none": "({p}c.status IN %s OR ({p}c.status = 'dispatched' AND {p}c.deadline_at IS NULL) "
            "OR ({p}c.status IN %s AND {p}c.step_due_at IS NULL))",
}
_LIGHT_SQL = {k: v % ((_STEP,) if k != "none" else (_CLOSED, _STEP)) for k, v in _LIGHT_SQL.items()}
# A page reads one index: the smallest of the filter's (unit, grid, period, lights, statuses), estimated by
# counting up to _CAP of its entries (the city file has no ANALYZE statistics, and SQLite alone would take
# a status's 860k closed cases over a month's 40k); when every one holds more, walking the order's own
# index and stopping after a page is cheaper than sorting them all.
_CAP = 20_000
_DRIVERS = ("fids", "number", "unit", "grid", "period", "lights", "statuses")
_SELECT = """SELECT c.fid, c.case_no, c.status, c.kind, c.class_code, k.minor_name, c.grid_code, c.unit_code,
  u.name, c.source, c.reported_at, c.deadline_at, c.flags
FROM cases c LEFT JOIN classes k ON k.kind = c.kind AND k.code = c.class_code
  LEFT JOIN units u ON u.code = c.unit_code"""
_NAMES = ("fid", "case_no", "status", "kind", "class_code", "class_name", "grid_code", "unit_code", "unit_name",
          "source", "reported_at", "deadline_at", "flags")


@dataclass(frozen=True)
class Filter:
    """What the desk's filter row selects; empty fields select everything.

    `reported_from` is inclusive, `reported_to` exclusive (aware datetimes); `text` is looked for in
    case_no, description and address; `fids` keeps only those features (the map's selection)."""

    statuses: tuple = ()
    lights: tuple = ()
    class_key: tuple | None = None  # (kind, code)
    unit_code: str | None = None
    grid_code: str | None = None
    source: str | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    text: str = ""
    fids: tuple = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "statuses", _members("statuses", self.statuses, schema_v1.STATUSES))
        object.__setattr__(self, "lights", _members("lights", self.lights, LIGHTS))
        object.__setattr__(self, "fids", _fids(self.fids))
        object.__setattr__(self, "text", _text(self.text))
        if self.source is not None and self.source not in schema_v1.SOURCES:
            raise Problem("casebook.bad_filter", field="source", value=str(self.source))
        if self.class_key is not None:
            ok = isinstance(self.class_key, tuple | list) and len(self.class_key) == 2 \
                and self.class_key[0] in ("component", "event") and isinstance(self.class_key[1], str)
            if not ok:
                raise Problem("casebook.bad_filter", field="class_key", value=str(self.class_key))
            object.__setattr__(self, "class_key", tuple(self.class_key))
        for name in ("unit_code", "grid_code"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise Problem("casebook.bad_filter", field=name, value=str(value))
        _check_period(self.reported_from, self.reported_to)


def _members(name: str, values, allowed) -> tuple:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise Problem("casebook.bad_filter", field=name, value=str(values))
    values = tuple(values)
    for v in values:
        if v not in allowed:
            raise Problem("casebook.bad_filter", field=name, value=str(v))
    return tuple(sorted(set(values), key=allowed.index))


def _fids(values) -> tuple:
    values = tuple(values)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise Problem("casebook.bad_filter", field="fids", value=str(values[:5]))
    return tuple(sorted(set(values)))


def _text(value) -> str:
    if not isinstance(value, str):
        raise Problem("casebook.bad_filter", field="text", value=str(value))
    return value.strip()


def _check_period(start, end) -> None:
    for value in (start, end):
        if value is not None:
            deadlines._check_aware(value)
    if start is not None and end is not None and end <= start:
        raise Problem("casebook.bad_period", start=start.isoformat(), end=end.isoformat())


# -- SQL ------------------------------------------------------------------------------------------

def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: Filter, now_text: str, driver: str | None = None) -> tuple[list, dict]:
    """The WHERE terms and parameters of `f` (lights: the SQL part; yellow and green need `_exact`);
    only the `driver`'s columns may use an index (None: any)."""
    terms, params = [], {"now": now_text}

    def p(*names):
        return "" if driver is None or driver in names else "+"

    if f.statuses:
        terms.append(f"{p('statuses', 'unit')}c.status IN (" + ", ".join(f"'{s}'" for s in f.statuses) + ")")
    if f.lights:
        parts = {"due" if light in ("green", "yellow") else light for light in f.lights}
        terms.append("(" + " OR ".join(_LIGHT_SQL[x].format(p=p("lights")) for x in sorted(parts)) + ")")
    for name, column, value in (("unit", "unit_code", f.unit_code), ("grid", "grid_code", f.grid_code),
                                (None, "source", f.source)):
        if value is not None:
            terms.append(f"{p(name)}c.{column} = :{column}")
            params[column] = value
    if f.class_key is not None:
        terms.append("c.kind = :kind AND c.class_code = :class_code")
        params["kind"], params["class_code"] = f.class_key
    for bound, op, value in (("reported_from", ">=", f.reported_from), ("reported_to", "<", f.reported_to)):
        if value is not None:
            terms.append(f"{p('period', 'order')}c.reported_at {op} :{bound}")
            params[bound] = times.to_db(value)
    if _is_number(f.text):  # a case number or its first digits: the case_no index's range
        terms.append(f"{p('number', 'order')}c.case_no >= :number_lo AND {p('number', 'order')}c.case_no < :number_hi")
        params["number_lo"], params["number_hi"] = f.text, f.text + ":"  # ':' follows '9'
    elif f.text:
        terms.append("(c.case_no LIKE :text ESCAPE '\\' OR c.description LIKE :text ESCAPE '\\' "
                     "OR c.address LIKE :text ESCAPE '\\')")
        params["text"] = _like(f.text)
    if f.fids:
        terms.append("c.fid IN (SELECT value FROM json_each(:fids))")
        params["fids"] = json.dumps(f.fids)
    return terms, params


def _offered(f: Filter) -> list[str]:
    """The drivers `f` offers: its conditions an index can find."""
    has = {"fids": bool(f.fids), "number": _is_number(f.text), "unit": f.unit_code is not None, "grid": f.grid_code is not None,
           "period": f.reported_from is not None or f.reported_to is not None,
           "lights": bool(f.lights) and "none" not in f.lights, "statuses": bool(f.statuses)}
    return [d for d in _DRIVERS if has[d]]


def _plan(conn: sqlite3.Connection, f: Filter, now_text: str, order: str | None) -> str | None:
    """The index a query over `f` reads: a driver of `_offered`, or "order" (the order's index, for a page)."""
    offered = _offered(f)
    if "fids" in offered:
        return "fids"
    sizes = {}
    for driver in offered:
        alone = Filter(**_ALONE[driver](f))
        terms, params = _where(alone, now_text)
        sizes[driver] = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM cases c WHERE {' AND '.join(terms)} "
                                     f"LIMIT {_CAP})", params).fetchone()[0]
    best = min(sizes, key=sizes.get) if sizes else None
    if order is None:  # a count reads every row anyway: the smallest driver, else SQLite's choice
        return best
    if best is not None and sizes[best] < _CAP:
        return best
    return "period" if "period" in sizes and order.startswith("reported") else "order"


_EMPTY = {"statuses": (), "lights": (), "unit_code": None, "grid_code": None, "source": None, "class_key": None,
          "reported_from": None, "reported_to": None, "text": "", "fids": ()}
_ALONE = {  # a driver's own condition: the filter with every other field emptied
    "number": lambda f: {**_EMPTY, "text": f.text},
    "unit": lambda f: {**_EMPTY, "unit_code": f.unit_code, "statuses": f.statuses},
    "grid": lambda f: {**_EMPTY, "grid_code": f.grid_code},
    "period": lambda f: {**_EMPTY, "reported_from": f.reported_from, "reported_to": f.reported_to},
    "lights": lambda f: {**_EMPTY, "lights": f.lights},
    "statuses": lambda f: {**_EMPTY, "statuses": f.statuses},
}


def _is_number(text: str) -> bool:
    """Whether free text is read as a case number's first digits (8 or more digits: a date at least)."""
    return len(text) >= NUMBER_DIGITS and text.isascii() and text.isdigit()


def _exact(f: Filter) -> bool:
    """Whether rows SQL selects still need the core's light rule (green or yellow asked for)."""
    return bool({"green", "yellow"} & set(f.lights))


def _now(now: datetime | None) -> datetime:
    """`now` cut to the store's millisecond, so SQL's `due < now` and the core's `now > due` agree."""
    now = times.now() if now is None else now
    deadlines._check_aware(now)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _order(order: str) -> tuple[tuple, bool]:
    if order not in ORDERS:
        raise Problem("casebook.bad_order", order=str(order), known=", ".join(ORDERS))
    return ORDERS[order]


def _keyset(columns: tuple, desc: bool, after, indexed: bool) -> tuple[str, dict]:
    if after is None:
        return "", {}
    after = tuple(after) if isinstance(after, tuple | list) else (after,)
    if len(after) != len(columns):
        raise Problem("casebook.bad_filter", field="after", value=str(after))
    names = [f":k{i}" for i in range(len(columns))]
    lhs = ", ".join(f"{'' if indexed else '+'}c.{c}" for c in columns)
    return f"({lhs}) {'<' if desc else '>'} ({', '.join(names)})", {f"k{i}": v for i, v in enumerate(after)}


def sql(f: Filter, *, order: str = "reported_desc", after=None, limit: int = PAGE, now: datetime | None = None,
        driver: str | None = None) -> tuple[str, dict]:
    """The SQL and parameters one page's rows are read with, through `driver`'s index (see `plan`;
    None: SQLite chooses); tests check its EXPLAIN QUERY PLAN."""
    columns, desc = _order(order)
    terms, params = _where(f, times.to_db(_now(now)), driver)
    ordered = driver in (None, "order") or (driver == "period" and columns[0] == "reported_at")
    key, key_params = _keyset(columns, desc, after, ordered)
    if key:
        terms.append(key)
    params.update(key_params, limit=int(limit))
    direction, plus = " DESC" if desc else "", "" if ordered else "+"  # `+`: sort the driver's rows
    where = (" WHERE " + " AND ".join(terms)) if terms else ""
    return (f"{_SELECT}{where} ORDER BY " + ", ".join(f"{plus}c.{c}{direction}" for c in columns)
            + " LIMIT :limit"), params


def count_sql(f: Filter, *, now: datetime | None = None, driver: str | None = None) -> tuple[str, dict]:
    """The SQL and parameters `count` runs (for the exact part when green or yellow is asked for)."""
    terms, params = _where(f, times.to_db(_now(now)), driver)
    return "SELECT count(*) FROM cases c" + ((" WHERE " + " AND ".join(terms)) if terms else ""), params


def plan(conn: sqlite3.Connection, f: Filter, *, order: str | None = "reported_desc",
         now: datetime | None = None) -> str | None:
    """The index a page in `order` (None: a count) over `f` reads: one of fids, unit, grid, period,
    lights, statuses, or "order" (the order's own index); None: SQLite's choice (a count without one)."""
    if order is not None:
        _order(order)
    return _plan(conn, f, times.to_db(_now(now)), order)


# -- reading --------------------------------------------------------------------------------------

def count(conn: sqlite3.Connection, f: Filter, *, now: datetime | None = None, cap: int | None = None) -> int:
    """How many cases `f` selects at `now` (default: the present); with `cap`, counting stops there
    (free text is read row by row: "more than 10,000" is found in a fraction of the city)."""
    now = _now(now)
    if not _exact(f):
        query, params = count_sql(f, now=now, driver=plan(conn, f, order=None, now=now))
        if cap is not None:
            query = query.replace("SELECT count(*) FROM", "SELECT count(*) FROM (SELECT 1 FROM", 1) \
                + f" LIMIT {int(cap)})"
        return conn.execute(query, params).fetchone()[0]
    exact = {"green", "yellow"} & set(f.lights)
    plain = tuple(light for light in f.lights if light not in exact)
    total = count(conn, _with(f, lights=plain), now=now, cap=cap) if plain else 0
    candidates = _with(f, lights=("green",))  # SQL's "open and not yet due": green or yellow
    query, params = sql(candidates, order="case_no_asc", limit=-1, now=now, driver="lights")
    case_nos = [r[1] for r in conn.execute(query, params)]
    lights = _lights(conn, case_nos, now)
    total += sum(1 for c in case_nos if lights.get(c) in exact)
    return total if cap is None else min(total, cap)


def page(conn: sqlite3.Connection, f: Filter, *, after=None, limit: int = PAGE, order: str = "reported_desc",
         now: datetime | None = None) -> list[dict]:
    """Up to `limit` rows `f` selects in `order`, after the row whose `key` is `after` (None: from the
    first). Each row: fid, case_no, status, kind, class_code, class_name, grid_code, unit_code,
    unit_name, source, reported_at, deadline_at (aware datetimes), light, flags, key."""
    if isinstance(limit, bool) or not (isinstance(limit, int) and 0 < limit <= 10_000):
        raise Problem("casebook.bad_filter", field="limit", value=str(limit))
    return _page(conn, f, after, limit, order, _now(now))


def _page(conn: sqlite3.Connection, f: Filter, after, limit: int, order: str, now: datetime) -> list[dict]:
    columns, _ = _order(order)
    driver = plan(conn, f, order=order, now=now)
    rows: list[dict] = []
    while len(rows) < limit:
        want = limit - len(rows) if not _exact(f) else max(2 * (limit - len(rows)), PAGE)
        query, params = sql(f, order=order, after=after, limit=want, now=now, driver=driver)
        chunk = [_row(r) for r in conn.execute(query, params)]
        _add_lights(conn, chunk, now)
        rows += [r for r in chunk if not _exact(f) or r["light"] in f.lights]
        if len(chunk) < want:
            break
        after = tuple(chunk[-1][c] for c in columns)
    for r in rows:
        r["key"] = tuple(r[c] for c in columns)
        r["reported_at"], r["deadline_at"] = times.from_db(r["reported_at"]), times.from_db(r["deadline_at"])
    return rows[:limit]


def rows(conn: sqlite3.Connection, f: Filter, case_nos: Iterable[str], *, order: str = "reported_desc",
         now: datetime | None = None) -> list[dict]:
    """The rows among `case_nos` that `f` selects, in `order` (the desk's live updates)."""
    wanted = tuple(dict.fromkeys(c for c in case_nos if isinstance(c, str)))
    if not wanted:
        return []
    numbers = {r[0] for r in conn.execute(
        "SELECT fid FROM cases WHERE case_no IN (SELECT value FROM json_each(?))", (json.dumps(wanted),))}
    if f.fids:
        numbers &= set(f.fids)
    if not numbers:
        return []
    return _page(conn, _with(f, fids=tuple(numbers)), None, len(numbers), order, _now(now))


def changed_since(conn: sqlite3.Connection, rev: int | None) -> tuple[int, list[str]]:
    """(the log's newest revision, the case numbers changed after `rev`, oldest change first);
    `rev` None starts from now: (newest revision, [])."""
    if rev is None:
        return conn.execute("SELECT coalesce(max(rev), 0) FROM sync_changes").fetchone()[0], []
    if isinstance(rev, bool) or not isinstance(rev, int):
        raise Problem("casebook.bad_filter", field="rev", value=str(rev))
    newest, changed = rev, []
    for r, entity, entity_id in conn.execute(
            "SELECT rev, entity, entity_id FROM sync_changes WHERE rev > ? ORDER BY rev", (rev,)):
        newest = r
        if entity == "case":
            changed.append(entity_id)
    return newest, list(dict.fromkeys(changed))


def last_fid(conn: sqlite3.Connection) -> int:
    """The newest case's feature id (0 without cases): cases above it arrived later."""
    return conn.execute("SELECT coalesce(max(fid), 0) FROM cases").fetchone()[0]


def units(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(code, name) of every unit, by code: the desk's unit filter."""
    return [tuple(r) for r in conn.execute("SELECT code, name FROM units ORDER BY code")]


def _with(f: Filter, **changes) -> Filter:
    values = {name: getattr(f, name) for name in Filter.__dataclass_fields__}
    values.update(changes)
    return Filter(**values)


def _row(r) -> dict:
    return dict(zip(_NAMES, r, strict=True))


def _lights(conn: sqlite3.Connection, case_nos: list, now: datetime) -> dict:
    if not case_nos:
        return {}
    return deadlines.lights_for_cases(conn, now, workflow.calendar(conn), case_nos)


def _add_lights(conn: sqlite3.Connection, chunk: list, now: datetime) -> None:
    lights = _lights(conn, [r["case_no"] for r in chunk], now)
    for r in chunk:
        r["light"] = lights.get(r["case_no"]) or "none"
