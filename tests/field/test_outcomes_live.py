# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 13's loop on a real device: a check and a report are synced, the centre decides, and the next
pull tells the device (the store's outcomes, the outbox VM's 已办 list and rows in zh_CN and en, and
a 720×1280 screenshot of the list in var/test-artifacts/outcome-sent-zh_CN.png)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import centre_fixture as cf
import pytest
from capture import shift
from test_sync_live import FAST, PASSWORD

from citygrid.loop import workflow
from citygrid.store import db
from citygrid.sync import review_decisions as rd
from citygrid_field.session import Api, sign_in, signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import SyncJob
from citygrid_field.ui.language import Language
from citygrid_field.ui.outbox_vm import OutboxVM
from citygrid_field.ui.sync_vm import SyncVM

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SHOTS = Path(__file__).with_name("outcome_shots.py")


def _sync(store):
    SyncJob(store, signed_in_api(store), FAST).run()


def _decide(path: Path, store: Store, sent: dict) -> dict:
    """The leader closes the passed check, registers the report's case and rejects the verified one."""
    conn = db.open_centre(path)
    try:
        report_case = store.cx.execute("SELECT case_no FROM outbox WHERE uuid = ?", (sent["report"],)).fetchone()[0]
        verify_case = store.cx.execute("SELECT case_no FROM outbox WHERE uuid = ?", (sent["verify"],)).fetchone()[0]
        check_case = rd.decide(conn, cf.actor(conn, "leader"), sent["check"], "close", note="照片清楚")["case_no"]
        workflow.act(conn, report_case, "accept", cf.actor(conn, "operator"))
        workflow.act(conn, report_case, "register", cf.actor(conn, "leader"), condition_id=1)
        workflow.act(conn, verify_case, "reject", cf.actor(conn, "leader"), note="不属于受理范围")
    finally:
        conn.close()
    return {"check": check_case, "report": report_case, "verify": verify_case}


@pytest.fixture
def decided(world, tmp_path):
    store = Store(world["data"])
    sign_in(store, Api(world["server"].url), "collector01", PASSWORD)
    _sync(store)
    sent = shift(store, tmp_path / "photos")
    _sync(store)
    assert store.outcomes() == []  # received, nothing decided yet
    cases = _decide(world["path"], store, sent)
    _sync(store)
    yield store, sent, cases
    store.close()


def test_the_next_pull_brings_what_the_centre_decided_on_each_sent_item(decided):
    store, sent, cases = decided
    got = {o["uuid"]: o for o in store.outcomes()}
    assert set(got) == set(sent.values())
    assert (got[sent["check"]]["decision"], got[sent["check"]]["case_status"]) == ("close", "closed")
    assert (got[sent["report"]]["case_no"], got[sent["report"]]["case_status"]) == (cases["report"], "registered")
    assert got[sent["verify"]]["case_status"] == "rejected"


@pytest.mark.parametrize("lang, check, report, verify", [
    ("zh_CN", "核查 {check}：已结案", "上报 → 案件 {report}，已立案", "核实 {verify}：不予受理"),
    ("en", "check {check}: closed", "report → case {report}, registered", "verification {verify}: not accepted")])
def test_the_outbox_says_each_outcome_in_the_users_language(decided, lang, check, report, verify):
    store, sent, cases = decided
    vm = OutboxVM(store, Language(lang=lang), SyncVM(store, Language(lang=lang)))
    vm.refresh()
    want = {sent["check"]: check.format(**cases), sent["report"]: report.format(**cases),
            sent["verify"]: verify.format(**cases)}
    assert {r["uuid"]: r["text"] for r in vm.sent} == want
    rows = {r["uuid"]: r["status_text"] for r in vm.rows}
    assert all(rows[uuid].endswith(" · " + text) for uuid, text in want.items()), rows


def test_a_second_device_of_the_same_collector_learns_the_outcomes_too(decided, world, tmp_path):
    _store, sent, _cases = decided
    other = Store(tmp_path / "device-2")
    sign_in(other, Api(world["server"].url), "collector01", PASSWORD)
    _sync(other)
    assert {o["uuid"] for o in other.outcomes()} == set(sent.values())
    other.close()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Debian's xvfb)")
def test_the_sent_list_in_the_real_app(decided, world, tmp_path):
    store, _sent, cases = decided
    store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "KIVY_HOME": str(tmp_path / "kivy")}
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, str(SHOTS),
                          str(world["data"]), str(ARTIFACTS / "outcome"), "720x1280"],
                         env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    state = dict(line[6:].split("=", 1) for line in run.stdout.splitlines() if line.startswith("state "))
    assert f"核查 {cases['check']}：已结案" in state["sent"] and f"上报 → 案件 {cases['report']}，已立案" in state["sent"]
    assert "已立案" in state["rows"]
    names = [line.split()[0] for line in run.stdout.splitlines() if line.endswith(".png")]
    assert names == ["sent", "outbox"]
