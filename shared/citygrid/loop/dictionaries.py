# SPDX-License-Identifier: GPL-2.0-or-later
"""Class tables and registration conditions (立案条件, 处置时限): validated CSV -> the database.

A city replaces `resources/codes/*.csv`; a broken table names the file, line and reason and
leaves the database as it was.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import codes
from ..problems import Problem
from ..store import db

KINDS = ("component", "event")
UNITS = ("working_hours", "working_days", "calendar_hours", "calendar_days")
CLASS_FILES = {"component": "components.csv", "event": "events.csv"}
CONDITIONS_FILE = "time_limits.csv"
CLASS_HEADER = ("code", "major_code", "major_name", "minor_code", "minor_name")
CONDITION_HEADER = ("kind", "class_code", "condition_id", "condition", "limit", "unit", "urgent",
                    "close_standard", "source")
_POSITIVE_INT = re.compile(r"[1-9][0-9]{0,8}")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ClassEntry:
    """One minor class of components or events."""

    kind: str
    code: str
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    owner_unit_code: str | None = None

    def to_wire(self) -> dict:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict) -> ClassEntry:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Condition:
    """One registration condition of a class, with its time limit and closing standard."""

    kind: str
    class_code: str
    condition_id: int
    condition: str
    limit: float
    unit: str
    urgent: bool = False
    close_standard: str = ""
    source: str = ""

    def to_wire(self) -> dict:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict) -> Condition:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def default_dir() -> Path:
    """Where the code tables are: $CITYGRID_RESOURCES[/codes], the repo's resources/codes, or vendored."""
    env = os.environ.get("CITYGRID_RESOURCES")
    if env:
        root = Path(env)
        return root / "codes" if (root / "codes").is_dir() else root
    package = Path(__file__).resolve().parents[1]  # citygrid/
    repo = package.parents[1] / "resources" / "codes"
    if repo.is_dir():
        return repo
    return package / "_resources" / "codes"


# --- reading CSV ---------------------------------------------------------------------------

def _bad(where: tuple[str, int], reason: str, value="") -> Problem:
    return Problem("dictionary.bad_row", file=where[0], line=where[1], reason=reason, value=str(value))


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Problem("dictionary.unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    try:
        return data.decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError as exc:
        raise Problem("dictionary.unreadable", file=str(path),
                      reason=f"not UTF-8 (byte {exc.start})") from None


def _rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[tuple[str, int], dict]]:
    """((file, line), row dict) for every non-blank data row, fields stripped."""
    reader = csv.reader(io.StringIO(_text(path)))
    try:
        found = next(reader, [])
        if tuple(f.strip() for f in found) != header:
            raise Problem("dictionary.bad_header", file=str(path), expected=",".join(header),
                          found=",".join(found))
        for row in reader:
            if not any(f.strip() for f in row):
                continue
            where = (str(path), reader.line_num)
            if len(row) != len(header):
                raise _bad(where, f"expected {len(header)} fields, found {len(row)}", ",".join(row))
            yield where, dict(zip(header, (f.strip() for f in row), strict=True))
    except csv.Error as exc:
        raise _bad((str(path), reader.line_num), f"CSV: {exc}") from None


# --- validation ----------------------------------------------------------------------------

def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Problem("dictionary.bad_kind", kind=str(kind))
    return kind


def _class_entry(row: dict, kind: str, scheme: codes.Scheme, where) -> ClassEntry:
    for name in ("major_name", "minor_name"):
        if not row[name]:
            raise _bad(where, f"empty {name}")
    reason = codes.class_problem(row["code"], scheme)
    if reason:
        raise _bad(where, f"code ({scheme.name}): {reason}", row["code"])
    for part, width in (("major_code", scheme.major_digits), ("minor_code", scheme.minor_digits)):
        if len(row[part]) != width or not _DIGITS.fullmatch(row[part]):
            raise _bad(where, f"{part} ({scheme.name}): expected {width} digits", row[part])
    if row["code"] != row["major_code"] + row["minor_code"]:
        raise _bad(where, "code is not major_code + minor_code", row["code"])
    return ClassEntry(kind, row["code"], row["major_code"], row["major_name"], row["minor_code"],
                      row["minor_name"])


def load_classes(path: str | os.PathLike, kind: str, scheme: str | codes.Scheme | None = None
                 ) -> list[ClassEntry]:
    """Validated class table (header `code,major_code,major_name,minor_code,minor_name`)."""
    _check_kind(kind)
    sch = codes.scheme(scheme)
    entries: list[ClassEntry] = []
    first_line: dict[str, int] = {}
    major_names: dict[str, str] = {}
    for where, row in _rows(Path(path), CLASS_HEADER):
        entry = _class_entry(row, kind, sch, where)
        if entry.code in first_line:
            raise _bad(where, f"duplicate code (first on line {first_line[entry.code]})", entry.code)
        if major_names.setdefault(entry.major_code, entry.major_name) != entry.major_name:
            raise _bad(where, f"major class {entry.major_code} is named "
                              f"{major_names[entry.major_code]!r} on an earlier line", entry.major_name)
        first_line[entry.code] = where[1]
        entries.append(entry)
    return entries


def _number(text: str, where) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise _bad(where, "limit must be a positive number", text)
    return value


def _condition(row: dict, scheme: codes.Scheme, where) -> Condition:
    if row["kind"] not in KINDS:
        raise _bad(where, "kind must be component or event", row["kind"])
    reason = codes.class_problem(row["class_code"], scheme)
    if reason:
        raise _bad(where, f"class_code ({scheme.name}): {reason}", row["class_code"])
    if not _POSITIVE_INT.fullmatch(row["condition_id"]):
        raise _bad(where, "condition_id must be a positive whole number", row["condition_id"])
    if not row["condition"]:
        raise _bad(where, "empty condition")
    limit = _number(row["limit"], where)
    if row["unit"] not in UNITS:
        raise _bad(where, f"unit must be one of {', '.join(UNITS)}", row["unit"])
    if row["urgent"] not in ("0", "1"):
        raise _bad(where, "urgent must be 0 or 1", row["urgent"])
    return Condition(row["kind"], row["class_code"], int(row["condition_id"]), row["condition"], limit,
                     row["unit"], row["urgent"] == "1", row["close_standard"], row["source"])


def load_conditions(path: str | os.PathLike, class_table: Iterable[ClassEntry] | None = None,
                    scheme: str | codes.Scheme | None = None) -> list[Condition]:
    """Validated registration conditions; with `class_table`, each must name a class in it."""
    sch = codes.scheme(scheme)
    known = None if class_table is None else {(c.kind, c.code) for c in class_table}
    found: list[Condition] = []
    first_line: dict[tuple, int] = {}
    for where, row in _rows(Path(path), CONDITION_HEADER):
        cond = _condition(row, sch, where)
        key = (cond.kind, cond.class_code, cond.condition_id)
        if key in first_line:
            raise _bad(where, f"duplicate condition (first on line {first_line[key]})", cond.condition_id)
        if known is not None and key[:2] not in known:
            raise _bad(where, f"no {cond.kind} class {cond.class_code} in the class table", cond.class_code)
        first_line[key] = where[1]
        found.append(cond)
    return found


# --- the database --------------------------------------------------------------------------

CLASS_KEY, CLASS_VALUES = ("kind", "code"), ("major_code", "major_name", "minor_code", "minor_name")
CONDITION_KEY = ("kind", "class_code", "condition_id")
CONDITION_VALUES = ("condition", "limit_value", "limit_unit", "urgent", "close_standard", "source")


def _merge(conn: sqlite3.Connection, table: str, key: tuple, values: tuple, rows: list[tuple]) -> int:
    """Insert new rows and update changed ones by key; equal rows are left alone.

    Plain INSERT/UPDATE on purpose: an UPSERT's conflict clause would override the sync triggers'
    INSERT OR REPLACE and fail. Leaving equal rows alone keeps their sync revision.
    """
    n = len(key)
    rows_now = conn.execute(f"SELECT {', '.join(key + values)} FROM {table}")
    existing = {tuple(r[:n]): tuple(r[n:]) for r in rows_now}
    new = [r for r in rows if r[:n] not in existing]
    changed = [r for r in rows if r[:n] in existing and existing[r[:n]] != r[n:]]
    marks = ", ".join("?" * len(key + values))
    conn.executemany(f"INSERT INTO {table} ({', '.join(key + values)}) VALUES ({marks})", new)
    assign = ", ".join(f"{v} = ?" for v in values)
    match = " AND ".join(f"{k} = ?" for k in key)
    conn.executemany(f"UPDATE {table} SET {assign} WHERE {match}", [r[n:] + r[:n] for r in changed])
    return len(new) + len(changed)


def install(conn: sqlite3.Connection, directory: str | os.PathLike | None = None) -> dict:
    """Write the directory's class tables and conditions (by key) in one transaction; returns counts.

    Unchanged rows are not rewritten, so their sync revision does not move.
    """
    folder = Path(directory) if directory is not None else default_dir()
    sch = codes.scheme(db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))
    entries = [e for kind, name in CLASS_FILES.items() for e in load_classes(folder / name, kind, sch)]
    conds = load_conditions(folder / CONDITIONS_FILE, entries + classes(conn), sch)
    with db.transaction(conn):
        changed = _merge(conn, "classes", CLASS_KEY, CLASS_VALUES, [
            (e.kind, e.code, e.major_code, e.major_name, e.minor_code, e.minor_name) for e in entries])
        changed += _merge(conn, "conditions", CONDITION_KEY, CONDITION_VALUES, [
            (c.kind, c.class_code, c.condition_id, c.condition, c.limit, c.unit, int(c.urgent),
             c.close_standard, c.source) for c in conds])
    return {"classes": len(entries), "conditions": len(conds), "changed": changed}


_CLASS_COLUMNS = "kind, code, major_code, major_name, minor_code, minor_name, owner_unit_code"
_CONDITION_COLUMNS = ("kind, class_code, condition_id, condition, limit_value, limit_unit, urgent, "
                      "coalesce(close_standard, ''), coalesce(source, '')")


def _condition_of(row) -> Condition:
    return Condition(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8])


def classes(conn: sqlite3.Connection, kind: str | None = None, *, active_only: bool = False
            ) -> list[ClassEntry]:
    """The class table (of one kind, or both), ordered by kind and code.

    With `active_only`, without the retired classes (those a newer code table no longer has): what
    new cases may use. Without it, every class, as history (old cases, components) needs them.
    """
    active = " AND retired_at IS NULL" if active_only else ""
    if kind is None:
        rows = conn.execute(f"SELECT {_CLASS_COLUMNS} FROM classes WHERE 1{active} ORDER BY kind, code")
    else:
        rows = conn.execute(f"SELECT {_CLASS_COLUMNS} FROM classes WHERE kind = ?{active} ORDER BY code",
                            (_check_kind(kind),))
    return [ClassEntry(*r) for r in rows]


def class_entry(conn: sqlite3.Connection, kind: str, code: str) -> ClassEntry:
    """One class; an unknown one is `dictionary.unknown_class`."""
    row = conn.execute(f"SELECT {_CLASS_COLUMNS} FROM classes WHERE kind = ? AND code = ?",
                       (_check_kind(kind), code)).fetchone()
    if row is None:
        raise Problem("dictionary.unknown_class", kind=kind, class_code=str(code))
    return ClassEntry(*row)


def active_class(conn: sqlite3.Connection, kind: str, code: str) -> ClassEntry:
    """A class a new case may use: `dictionary.unknown_class`, or `dictionary.retired_class` when a
    newer code table no longer has it (it stays readable through `class_entry` for history)."""
    entry = class_entry(conn, kind, code)
    if conn.execute("SELECT retired_at FROM classes WHERE kind = ? AND code = ?", (kind, code)).fetchone()[0]:
        raise Problem("dictionary.retired_class", kind=kind, class_code=str(code))
    return entry


def conditions_for(conn: sqlite3.Connection, kind: str, class_code: str, *, active_only: bool = False
                   ) -> list[Condition]:
    """The registration conditions of one class, by condition id (`active_only`: not retired ones)."""
    active = " AND retired_at IS NULL" if active_only else ""
    rows = conn.execute(f"SELECT {_CONDITION_COLUMNS} FROM conditions WHERE kind = ? AND class_code = ?{active} "
                        "ORDER BY condition_id", (_check_kind(kind), class_code))
    return [_condition_of(r) for r in rows]


def condition(conn: sqlite3.Connection, kind: str, class_code: str, condition_id: int) -> Condition:
    """One registration condition; an unknown one is `dictionary.unknown_condition`."""
    row = conn.execute(f"SELECT {_CONDITION_COLUMNS} FROM conditions WHERE kind = ? AND class_code = ? "
                       "AND condition_id = ?", (_check_kind(kind), class_code, condition_id)).fetchone()
    if row is None:
        raise Problem("dictionary.unknown_condition", kind=kind, class_code=str(class_code),
                      condition_id=condition_id)
    return _condition_of(row)


def unit_names(conn: sqlite3.Connection) -> dict[str, str]:
    """{unit code: name} of every unit, retired ones too (old cases name them), ordered by code."""
    return dict(conn.execute("SELECT code, name FROM units ORDER BY code").fetchall())
