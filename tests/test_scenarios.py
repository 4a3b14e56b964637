# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the case-loop scenario tables in tests/scenarios/*.json, one test per file.

A scenario: optional `settings` (citygrid_meta), a `report` (who and what), then `steps`, each with
`actor`, `action`, optional `params`, `note`, `photos`, `at` ("+10m", "+2h", "+1d" after the previous
step, or an ISO time; default "+10m"), `task` for collectors ("mine" default, "any", "none",
"last_done"), and either `expect` (case columns, plus `deadline_local` "Tue 09:30", `event_data`
subset, `open_tasks` [[kind, assignee or unit]]) or `problem` (the code; nothing may change).
"""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_workflow import LOCAL, fresh_centre, local, snapshot, who

from citygrid.loop import tasks, workflow
from citygrid.problems import Problem
from citygrid.store import db

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
STEP_KEYS = {"actor", "action", "params", "note", "photos", "at", "task", "expect", "problem"}
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _when(text: str | None, previous: datetime) -> datetime:
    text = text or "+10m"
    if text.startswith("+"):
        return previous + timedelta(**{UNITS[text[-1]]: float(text[1:-1])})
    return datetime.fromisoformat(text).astimezone(LOCAL)


def _task_id(conn, case_no: str, username: str, how: str) -> str | None:
    rows = tasks.for_case(conn, case_no)
    pick = {"mine": lambda t: t["status"] == "open" and t["assignee"] == username,
            "any": lambda t: t["status"] == "open" and t["kind"] != "dispose",
            "last_done": lambda t: t["status"] == "done" and t["kind"] != "dispose",
            "none": lambda t: False}[how]
    found = [t["id"] for t in rows if pick(t)]
    return found[-1] if found else None


def _check(conn, case_no: str, event: dict, expect: dict, where: str) -> None:
    row = workflow.case_row(conn, case_no)
    for key, want in expect.items():
        if key == "deadline_local":
            got = local(row["deadline_at"])
        elif key == "event_data":
            data = json.loads(event["data"])
            got, want = {k: data.get(k) for k in want}, want
        elif key == "open_tasks":
            got = [[t["kind"], t["assignee"] or t["unit_code"]] for t in tasks.open_ones(tasks.for_case(conn, case_no))]
        else:
            got = row[key]
        assert got == want, f"{where}: {key} is {got!r}, expected {want!r}"


def _step(conn, case_no: str, step: dict, at: datetime, where: str) -> None:
    assert set(step) <= STEP_KEYS, f"{where}: unknown keys {sorted(set(step) - STEP_KEYS)}"
    actor = who(conn, step["actor"])
    kw = {"at": at, "note": step.get("note"), "photos": step.get("photos", ()), **step.get("params", {})}
    if actor.role == "collector":
        kw["task_id"] = _task_id(conn, case_no, actor.username, step.get("task", "mine"))
    if "problem" in step:
        before = snapshot(conn)
        with pytest.raises(Problem) as exc:
            workflow.act(conn, case_no, step["action"], actor, **kw)
        assert exc.value.code == step["problem"], f"{where}: {exc.value}"
        assert snapshot(conn) == before, f"{where}: a refused action changed the database"
        return
    event = workflow.act(conn, case_no, step["action"], actor, **kw)
    _check(conn, case_no, event, step.get("expect", {}), where)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(tmp_path, path):
    spec = json.loads(path.read_text(encoding="utf-8"))
    conn = fresh_centre(tmp_path)
    try:
        for key, value in spec.get("settings", {}).items():
            db.set_meta(conn, key, str(value))
        report = dict(spec["report"])
        at = datetime.fromisoformat(report.pop("at")).astimezone(LOCAL)
        case_no = workflow.report(conn, who(conn, report.pop("by")), at=at, **report)
        for i, step in enumerate(spec["steps"], 1):
            at = _when(step.get("at"), at)
            _step(conn, case_no, step, at, f"{path.stem} step {i} ({step['action']})")
        expected_events = 1 + sum("problem" not in s for s in spec["steps"])
        assert len(workflow.events(conn, case_no)) == expected_events
    finally:
        conn.close()


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 6
