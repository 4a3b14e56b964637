# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid codes install`: replace the class, condition and time-limit tables from a directory.

A real replacement, not a merge: a class or condition the new tables no longer have is *retired*
(`retired_at` set), never deleted — old cases, components and evaluations still show its name, new
cases and registrations refuse it. A retired class or condition that a later table has again is
*restored*. The whole directory is validated first (loop.dictionaries' row checks); one bad row and
nothing is written. Devices learn of every change through sync (classes and conditions are synced
entities; a retired one arrives with `"retired": true` in its data).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .. import codes, times
from ..loop import dictionaries as dic
from ..problems import Problem
from ..store import db

CLASS_VALUES = ("major_code", "major_name", "minor_code", "minor_name")
CONDITION_VALUES = ("condition", "limit_value", "limit_unit", "urgent", "close_standard", "source")


@dataclass
class Changes:
    """What a replacement does to one table: keys added, changed, retired and restored."""

    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    retired: list = field(default_factory=list)
    restored: list = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict:
        return {"added": len(self.added), "changed": len(self.changed), "retired": len(self.retired),
                "restored": len(self.restored), "unchanged": self.unchanged}


@dataclass
class Report:
    classes: Changes
    conditions: Changes
    written: bool

    def to_wire(self) -> dict:
        return {"classes": self.classes.counts(), "conditions": self.conditions.counts(), "written": self.written,
                "retired_classes": [":".join(k) for k in self.classes.retired]}


def _plan(existing: dict, wanted: dict) -> Changes:
    """existing: key -> (values, retired_at); wanted: key -> values."""
    out = Changes()
    for key, values in wanted.items():
        if key not in existing:
            out.added.append(key)
        elif existing[key][1] is not None:
            out.restored.append(key)
        elif existing[key][0] != values:
            out.changed.append(key)
        else:
            out.unchanged += 1
    out.retired = [k for k, (_v, retired_at) in existing.items() if retired_at is None and k not in wanted]
    return out


def _existing(conn: sqlite3.Connection, table: str, key: tuple, values: tuple) -> dict:
    n = len(key)
    rows = conn.execute(f"SELECT {', '.join(key + values)}, retired_at FROM {table}")
    return {tuple(r[:n]): (tuple(r[n:-1]), r[-1]) for r in rows}


def _write(conn, table: str, key: tuple, values: tuple, plan: Changes, wanted: dict, now: str) -> None:
    cols = key + values
    conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     [k + wanted[k] for k in plan.added])
    match = " AND ".join(f"{k} = ?" for k in key)
    assign = ", ".join(f"{v} = ?" for v in values)
    conn.executemany(f"UPDATE {table} SET {assign}, retired_at = NULL WHERE {match}",
                     [wanted[k] + k for k in plan.changed + plan.restored])
    conn.executemany(f"UPDATE {table} SET retired_at = ? WHERE {match}", [(now, *k) for k in plan.retired])


def install(conn: sqlite3.Connection, directory: str | os.PathLike, *, dry_run: bool = False) -> Report:
    """Replace the code tables by those in `directory` (components.csv, events.csv, time_limits.csv).

    Every row of every file is checked before anything is written (`dictionary.*` problems name the
    file, line and reason); the writes are one transaction. `dry_run` reports without writing.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise Problem("dictionary.unreadable", file=str(folder), reason="not a directory")
    sch = codes.scheme(db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))
    entries = [e for kind, name in dic.CLASS_FILES.items() for e in dic.load_classes(folder / name, kind, sch)]
    conds = dic.load_conditions(folder / dic.CONDITIONS_FILE, entries, sch)  # only the new table's classes
    want_classes = {(e.kind, e.code): (e.major_code, e.major_name, e.minor_code, e.minor_name) for e in entries}
    want_conds = {(c.kind, c.class_code, c.condition_id):
                  (c.condition, c.limit, c.unit, int(c.urgent), c.close_standard, c.source) for c in conds}
    with db.transaction(conn):
        class_plan = _plan(_existing(conn, "classes", dic.CLASS_KEY, CLASS_VALUES), want_classes)
        cond_plan = _plan(_existing(conn, "conditions", dic.CONDITION_KEY, CONDITION_VALUES), want_conds)
        if not dry_run:
            now = times.to_db(times.now())
            _write(conn, "classes", dic.CLASS_KEY, CLASS_VALUES, class_plan, want_classes, now)
            _write(conn, "conditions", dic.CONDITION_KEY, CONDITION_VALUES, cond_plan, want_conds, now)
    return Report(class_plan, cond_plan, not dry_run)
