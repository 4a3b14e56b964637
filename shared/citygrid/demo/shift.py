# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo's last shift: what collectors' devices brought back on the afternoon of `history.NOW`, pushed
through the real push path (`sync.push.push`) with photos recorded as the upload path records them, so
the supervisor's shift review and the collectors' 已办 have something to show.

In the morning the shift's cases are driven through `workflow` to 核查 (one per planned check, in the
grids of its collector) or 核实; in the afternoon each collector's device pushes one or two batches:
checks mostly passed with a photo near the case, one failed, one late, one photo without GPS, one taken
far away, one on a task reassigned meanwhile (a conflict), verify results, a new report and one that
repeats an open case. Nothing is decided: the supervisor has the work. Every time is simulated and
every id is seeded, so the same seed writes the same rows whatever the clock.
"""

from __future__ import annotations

import random

from .. import crs, times
from ..loop import accounts, workflow
from ..store import gpkg
from ..sync import batch_file
from ..sync import push as sync_push
from . import history as demo_history

CLASS = ("event", "0102")  # 暴露垃圾: short limits, the duplicate rule's everyday case
# check fates, dealt to the shift's collectors in turn
CHECKS = ("pass", "fail", "pass", "late", "pass", "no_gps", "pass", "far", "pass", "reassigned", "pass", "pass")
MAX_COLLECTORS = 4
FAR_DEG = 0.01  # about 1 km east: far beyond review.PHOTO_FAR_M


def shift_start() -> int:
    """08:00 local on the demo's last day (the centre's default day shift), epoch seconds."""
    now = demo_history.ts_of(demo_history.NOW)
    return now - (now + demo_history.LOCAL) % 86400 + 8 * 3600


def build(conn, world, store) -> dict:
    """Make the shift's cases and push its batches; -> {"items": n, "collectors": [...]}."""
    rng = random.Random(f"citygrid-demo/{world.seed}/shift")
    people = _collectors(conn)
    start = shift_start()
    cases = _prepare(conn, world, rng, people, start)
    items = _push_all(conn, world, rng, store, cases, start)
    return {"items": items, "collectors": people}


def window() -> tuple:
    """(since, until) of the shift: the day shift (08:00–20:00 local) of the demo's last day."""
    start = shift_start()
    return demo_history.from_ts(start), demo_history.from_ts(start + 12 * 3600)


def _collectors(conn) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT DISTINCT username FROM collector_grids ORDER BY username")]
    return names[:MAX_COLLECTORS]


def _point(conn, rng, username: str) -> tuple[float, float]:
    """A point near the middle of one of the collector's grids."""
    codes = [r[0] for r in conn.execute("SELECT grid_code FROM collector_grids WHERE username = ? "
                                        "ORDER BY grid_code", (username,))]
    ring = gpkg.decode(conn.execute("SELECT geom FROM grids WHERE code = ?",
                                    (rng.choice(codes),)).fetchone()[0])[1][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return ((min(xs) + max(xs)) / 2 + rng.uniform(-15, 15), (min(ys) + max(ys)) / 2 + rng.uniform(-15, 15))


# -- the morning: cases reach 核查 / 核实 --------------------------------------------------------------

def _act(conn, world, case_no: str, ts: int, action: str, who: str, **params) -> None:
    clock = [ts]
    workflow.act(conn, case_no, action, world.actors[who], at=demo_history.from_ts(ts),
                 new_id=world.ids.for_case(case_no, clock), **params)


def _report(conn, world, ts: int, xy) -> str:
    return workflow.report(conn, world.actors["operator"], kind=CLASS[0], class_code=CLASS[1], x=xy[0], y=xy[1],
                           description="市民来电：路边暴露垃圾", source="hotline", at=demo_history.from_ts(ts))


def _to_check(conn, world, xy, ts: int, collector: str) -> str:
    """A hotline case driven to 核查 by `collector`, the check sent at `ts` (the case begins 2 h before)."""
    t = ts - 7200
    case_no = _report(conn, world, t, xy)
    condition = min(world.conditions[CLASS])
    _act(conn, world, case_no, t + 120, "accept", "operator")
    _act(conn, world, case_no, t + 300, "register", "leader", condition_id=condition)
    _act(conn, world, case_no, t + 600, "dispatch", "dispatcher")
    unit = workflow.case_row(conn, case_no)["unit_code"]
    who = conn.execute("SELECT username FROM users WHERE role = 'unit' AND unit_code = ? AND active = 1 "
                       "ORDER BY username", (unit,)).fetchone()[0]
    _act(conn, world, case_no, ts - 1800, "report_disposal", who, note="已清理")
    _act(conn, world, case_no, ts, "send_check", "operator", collector=collector)
    return case_no


def _to_verify(conn, world, xy, ts: int, collector: str) -> str:
    case_no = _report(conn, world, ts - 300, xy)
    _act(conn, world, case_no, ts, "send_verify", "operator", collector=collector)
    return case_no


def _prepare(conn, world, rng, people: list[str], start: int) -> list[dict]:
    """The shift's cases: per planned item its collector, fate, case, open task and (x, y)."""
    out = []
    for i, fate in enumerate(CHECKS):
        who = people[i % len(people)]
        sent = start + (1800 if fate == "late" else 5 * 3600 + 1800 + 240 * i)  # the late one's: due by noon
        xy = _point(conn, rng, who)
        out.append({"who": who, "fate": fate, "type": "check", "xy": xy,
                    "case_no": _to_check(conn, world, xy, sent, who)})
    for i, who in enumerate(people):
        xy = _point(conn, rng, who)
        out.append({"who": who, "fate": "not_found" if i == 1 else "confirmed", "type": "verify", "xy": xy,
                    "case_no": _to_verify(conn, world, xy, start + 7 * 3600 + 1800 + 300 * i, who)})
    for c in out:
        c["task"] = conn.execute("SELECT id, due_at FROM tasks WHERE case_no = ? AND kind = ? AND status = 'open'",
                                 (c["case_no"], c["type"])).fetchone()
    reassigned = next(c for c in out if c["fate"] == "reassigned")
    other = people[(people.index(reassigned["who"]) + 1) % len(people)]
    if other != reassigned["who"]:  # before the first push: the device still holds the task
        workflow.reassign(conn, reassigned["task"]["id"], other, world.actors["supervisor"],
                          at=demo_history.from_ts(start + 6 * 3600 + 3240), note="换人核查")
    return out


# -- the afternoon: the devices push ------------------------------------------------------------------

def _uuid(rng) -> str:
    h = f"{rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62) | 4 << 76 | 2 << 62:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _observed(c: dict, start: int) -> int:
    """When the collector made the result: 30 min after the check was sent (20 for 核实); the late one
    half an hour after its task was due."""
    due = demo_history.ts_of(times.parse(c["task"]["due_at"]))
    if c["fate"] == "late":
        return due + 1800
    made = demo_history.ts_of(times.parse(c["created_at"]))
    return made + (1200 if c["type"] == "verify" else 1800)


def _photo(conn, world, c: dict, ts: int, lonlat) -> list[str]:
    """The item's photo, recorded as the upload path records it (`lonlat` None: no GPS)."""
    if world.photos is None:
        return []
    row = world.photos.make(c["case_no"], 100, 0, ts, c["who"], c["xy"])
    meta = {"taken_at": row["taken_at"], "accuracy_m": row["accuracy_m"]}
    if lonlat is not None:
        meta.update(lon=lonlat[0], lat=lonlat[1])
    batch_file._record_photo(conn, row["sha256"], row["size"], meta, c["who"],
                             at=times.to_db(demo_history.from_ts(ts + 60)))
    return [row["sha256"]]


def _result(conn, world, rng, c: dict, ts: int) -> dict:
    lon, lat = crs.to_lonlat(*c["xy"], world.srs_id)
    where = {"no_gps": None, "far": (lon + FAR_DEG, lat)}.get(c["fate"], (round(lon, 7), round(lat, 7)))
    outcome = {"check": "fail" if c["fate"] == "fail" else "pass"}.get(c["type"], c["fate"])
    payload = {"task_id": c["task"]["id"], "outcome": outcome, "observed_at": times.to_db(demo_history.from_ts(ts))}
    if outcome in ("fail", "not_found"):
        payload["reason"] = "垃圾仍在" if outcome == "fail" else "现场未发现该问题"
    return {"uuid": _uuid(rng), "type": c["type"], "photos": _photo(conn, world, c, ts, where), "payload": payload}


def _new_report(conn, world, rng, who: str, xy, ts: int) -> dict:
    lon, lat = crs.to_lonlat(*xy, world.srs_id)
    c = {"case_no": f"report-{ts}", "who": who, "xy": xy}
    return {"uuid": _uuid(rng), "type": "report", "photos": _photo(conn, world, c, ts, (lon, lat)), "payload": {
        "kind": CLASS[0], "class_code": CLASS[1], "description": "巡查发现暴露垃圾",
        "observed_at": times.to_db(demo_history.from_ts(ts)),
        "location": {"lon": round(lon, 7), "lat": round(lat, 7), "accuracy_m": 4}}}


def _push_all(conn, world, rng, store, cases: list[dict], start: int) -> int:
    """Each collector's items in one batch at 15:00 and, when it has later ones, another at 16:15."""
    first, second = start + 7 * 3600, start + 8 * 3600 + 900
    for c in cases:
        c["created_at"] = conn.execute("SELECT created_at FROM tasks WHERE id = ?",
                                       (c["task"]["id"],)).fetchone()[0]
    people = list(dict.fromkeys(c["who"] for c in cases))
    batches = {(who, at): [] for who in people for at in (first, second)}
    for c in cases:
        ts = _observed(c, start)
        batches[(c["who"], first if ts < first else second)].append(_result(conn, world, rng, c, ts))
    reassigned = next(c for c in cases if c["fate"] == "reassigned")
    batches[(people[0], first)].append(_new_report(conn, world, rng, people[0], _point(conn, rng, people[0]),
                                                   start + 6 * 3600 + 1800))
    near = (reassigned["xy"][0] + 6, reassigned["xy"][1] + 4)  # within the duplicate radius of an open case
    batches[(people[-1], second)].append(_new_report(conn, world, rng, people[-1], near, start + 8 * 3600))
    for (who, at), items in batches.items():
        if items:
            _push(conn, world, rng, store, who, at, items)
    return sum(len(items) for items in batches.values())


def _push(conn, world, rng, store, who: str, at: int, items: list) -> None:
    batch = {"batch_id": _uuid(rng), "device_id": f"demo-{who}", "items": items}
    ids = world.ids.for_case(f"{demo_history.TODAY:%Y%m%d}9{at % 10000:04d}", [at])
    sync_push.push(conn, accounts.actor(conn, who), batch["device_id"], batch, store=store,
                   now=demo_history.from_ts(at), new_id=ids)
