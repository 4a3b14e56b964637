# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city's case history: day by day a stream of reports, each case driven through the
workflow's pure decisions (`transitions.decide`) from report to close — or as far as "now" lets it.

A `CasePlan` holds both what happened (the actions, for the step-by-step path through `workflow`)
and the rows that resulted (for the bulk writer); the two paths must write identical databases.
Both plan with `decide` itself: the demo has no effects of its own, so a change to the transition
table or its effects reaches the demo by itself (docs/core-design.md, "The demo centre").
"""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from .. import times
from ..loop.transitions import Context, decide, report_changes, uuid7_int
from ..store import gpkg
from .city import Weighted

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=times.UTC)  # 17:30 in Suzhou: the demo's "today"
SUZHOU = times.zone("Asia/Shanghai")
TODAY = NOW.astimezone(SUZHOU).date()
LOCAL = 8 * 3600  # Asia/Shanghai has no daylight saving
CENTRE, PATROL, UNIT = (7 * 3600, 22 * 3600), (7 * 3600 + 1800, 18 * 3600 + 1800), (8 * 3600, 20 * 3600)
SOURCE_PICK = Weighted((("collector", 70), ("hotline", 12), ("public", 6), ("video", 5), ("app", 4),
                        ("leader", 2), ("media", 1)))
OPEN311 = "open311:citygrid-demo"  # the intake actor of the demo's Open311 key (public app, WeChat)
REPORTED_BY = {"hotline": "operator", "video": "operator", "media": "operator", "public": OPEN311,
               "app": OPEN311, "leader": "leader"}  # collectors report their own finds
VERIFIED = ("hotline", "public", "app", "media")  # reports from outside are verified (核实) first
# "kind:class" -> share of cases; other classes with registration conditions get 0.5
CASE_WEIGHTS = dict(item.split("=") for item in """
    event:0102=20 event:0504=14 event:0507=12 event:0201=12 event:0505=8 event:0104=8 event:0103=5
    event:0106=4 event:0110=3 event:0304=2 event:0510=2 event:0101=2 event:0401=.3 event:0404=1 event:0406=.8
    component:0305=6 component:0118=5 component:0101=2 component:0102=2 component:0103=2 component:0104=2
    component:0402=3 component:0209=1 component:0211=1 component:0203=.6 component:0117=.6""".split())
WORDS = ("{place}发现{name}", "{place}{name}，请尽快处理", "{place}有{name}，影响市容", "巡查发现{place}{name}")
# one case per status a demo must show; `mine` puts it in collector01's grids (CONTRACT.md §2)
SHOWCASE = (("reported", {}), ("verifying", {"source": "hotline", "mine": True}), ("pending_register", {}),
            ("rejected", {"intake": "reject"}), ("registered", {}), ("dispatched", {}),
            ("returned", {"wrong": True}), ("disposed", {}), ("checking", {"mine": True}),
            ("checking", {"mine": True}), ("checking", {"mine": True}), ("check_passed", {}),
            ("voided", {"register": "void"}), ("parked", {"park": "park"}), ("closed", {}))
SHOWCASE_DAY = date(2026, 11, 16)  # reported that Monday, each reaches its status well before NOW
FIRST_DAY = SHOWCASE_DAY - timedelta(days=1)  # every history starts by then


@dataclass
class World:
    """What the planner reads: the city, its reference data and the clock rules (built by demo.py)."""

    seed: int
    calendar: object
    step_limits: dict
    conditions: dict  # (kind, class) -> {condition_id: Condition}
    class_names: dict  # (kind, class) -> minor name
    units: frozenset
    owner: dict  # (kind, class) -> owner unit code
    territory: dict  # street code -> territorial unit code
    actors: dict  # username -> Actor
    collector_of: dict  # grid code -> collector username
    mine: list  # cell indexes of collector01's grids
    cells: list
    sites: object  # demo_inventory.Sites
    components: dict  # class -> [(ObjID, x, y, cell index)]
    names: dict  # region code -> name
    srs_id: int
    city_xy: object  # (u, v) -> (x, y)
    rate: float  # reports per day
    showcase_class: str  # an event class with a short time limit
    now: int = 0  # epoch seconds; nothing happens after it
    keep_actions: bool = True  # the step-by-step path replays them; the bulk path does not need them
    photos: object = None  # demo.Photos, or None for no photos
    photo_from: int = 0  # only cases reported from this instant get photos
    picker: Weighted = None
    sorted_ids: dict = None
    ids: TaskIds = None  # made from the seed; the contexts below hand out its ids
    contexts: dict = None  # (kind, class, collector) -> the Context its cases are decided in
    fates: tuple = ()  # when given, each case's Script is drawn from these instead (a test of every branch)

    def __post_init__(self):
        self.ids, self.contexts = TaskIds(self.seed), {}

    def context(self, kind: str, code: str, collector: str) -> Context:
        """What `decide` needs for a case of this class in this collector's grids: one per class and
        collector, shared by their cases (their task ids come from `ids`, pointed at the case running)."""
        ctx = self.contexts.get((kind, code, collector))
        if ctx is None:
            ctx = self.contexts[(kind, code, collector)] = Context(
                self.calendar, self.step_limits, conditions=self.conditions[(kind, code)],
                collectors=(collector,), units=self.units, new_id=self.ids.next_id)
        return ctx

    def condition_ids(self, kind: str, code: str) -> list:
        """The class's condition ids in order (kept: asked once per case)."""
        if self.sorted_ids is None:
            self.sorted_ids = {key: sorted(conds) for key, conds in self.conditions.items()}
        return self.sorted_ids[(kind, code)]

    def pick_class(self, rng: random.Random) -> tuple[str, str]:
        if self.picker is None:
            keys = [k for k in self.conditions if k[0] == "event" or self.components.get(k[1])]
            self.picker = Weighted((k, float(CASE_WEIGHTS.get(":".join(k), 0.5))) for k in keys)
        return self.picker.pick(rng)


@dataclass
class Script:
    """The fate of one case, drawn up front; `hold` stops it in a status (showcase cases)."""

    source: str = "collector"
    intake: str = "accept"  # accept | reject
    found: bool = True  # the 核实 finds the problem
    register: str = "register"  # register | reject | void
    wrong: bool = False  # first dispatched to the wrong unit, returned, dispatched again
    park: str = ""  # "" | park | restore
    extend: bool = False
    late: bool = False
    fails: int = 0  # failed 核查 before the pass
    sent_back: bool = False  # the leader refuses to close the passed case once (返工 from the desk)
    hold: str | None = None
    mine: bool = False


class Spot(NamedTuple):
    """Where and what a report is about."""

    kind: str
    code: str
    x: float
    y: float
    cell: int  # index into World.cells
    objid: str | None
    place: str  # the road, for the address and description
    words: str  # the description's template


@dataclass
class CasePlan:
    """One case: its report, its actions (sort key, action, actor, kwargs) and the rows they made."""

    case_no: str
    report: dict
    actions: list = field(default_factory=list)
    events: list = field(default_factory=list)  # (sort key, event row, photo digests, photos rows)
    tasks: list = field(default_factory=list)  # (sort key of the creating event, final task row)
    case: dict = field(default_factory=dict)  # the final cases row


def ts_of(moment: datetime) -> int:
    return int(moment.timestamp())


def from_ts(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, times.UTC)


def within(ts: int, shift: tuple[int, int]) -> int:
    """`ts`, or the next moment the shift is on duty (local time of day)."""
    tod = (ts + LOCAL) % 86400
    if tod < shift[0]:
        return ts + shift[0] - tod
    if tod >= shift[1]:
        return ts + 86400 - tod + shift[0]
    return ts


class TaskIds:
    """Repeatable task ids: version-7 UUIDs of the (simulated) time the task was made, then the case
    number, a counter and the seed, so they sort the way the rows are written.

    The planner runs one case at a time: `start(case_no)` points `next_id` at it and `clock[0]` holds
    the time (s) of the action being taken. `for_case` gives a case a factory of its own (the
    step-by-step replay interleaves cases)."""

    def __init__(self, seed: int):
        tag = int.from_bytes(uuid.uuid5(uuid.NAMESPACE_URL, f"citygrid-demo/{seed}").bytes[:2], "big")
        self.tag = tag & _TAG
        self.clock = [0]
        self._bits, self._counter = 0, itertools.count(1)

    def start(self, case_no: str) -> None:
        self._bits, self._counter = self._case_bits(case_no), itertools.count(1)

    def next_id(self) -> str:
        return _task_id(self.clock[0], self._bits, next(self._counter))

    def for_case(self, case_no: str, clock: list):
        """-> a factory of the case's task ids; `clock[0]` holds the time (s) of the action making them."""
        bits, counter = self._case_bits(case_no), itertools.count(1)
        return lambda: _task_id(clock[0], bits, next(counter))

    def _case_bits(self, case_no: str) -> int:
        """The 74 random bits of a version-7 id but the counter's: the case's top 12 bits (case numbers
        have 13 digits < 2**44), then 62 bits of its low 32, a zero counter (16) and the seed (14)."""
        case = int(case_no)
        return case >> 32 << 62 | (case & 0xFFFF_FFFF) << 30 | self.tag


def _task_id(seconds: int, bits: int, n: int) -> str:
    h = f"{uuid7_int(seconds * 1000, bits | (n & 0xFFFF) << 14):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_TAG = 0x3FFF  # 14 bits of the seed in each id


def draw_script(rng: random.Random, source: str, fates: tuple = ()) -> Script:
    """The random fate; every draw is made whatever the outcome so the stream stays aligned. With
    `fates`, one of them (part of the world, so planner processes started fresh draw alike)."""
    if fates:
        return fates[rng.randrange(len(fates))]
    r = [rng.random() for _ in range(9)]
    return Script(source, intake="reject" if r[0] < 0.03 else "accept", found=r[1] >= 0.15,
                  register="reject" if r[2] < 0.025 else "void" if r[2] < 0.04 else "register",
                  wrong=r[3] < 0.04, park="restore" if r[4] < 0.005 else "park" if r[4] < 0.008 else "",
                  extend=r[5] < 0.03, late=r[6] < 0.18, fails=2 if r[7] < 0.01 else 1 if r[7] < 0.09 else 0,
                  sent_back=r[8] < 0.02)


def plan_day(world: World, day: date) -> list[CasePlan]:
    """Every case reported on one local day, in report order, each simulated to its end or to NOW."""
    rng = random.Random(f"citygrid-demo/{world.seed}/day/{day.isoformat()}")
    start = ts_of(datetime(day.year, day.month, day.day, tzinfo=times.UTC)) - LOCAL
    mean = world.rate * (1.08 if world.calendar.is_working_day(day) else 0.7)
    drafts = []
    for _ in range(max(0, round(rng.gauss(mean, mean ** 0.5)))):
        script = draw_script(rng, SOURCE_PICK.pick(rng), world.fates)
        shift = PATROL if script.source == "collector" else CENTRE
        drafts.append(_draft(world, rng, start + rng.randrange(*shift), script))
    if day == SHOWCASE_DAY:
        for i, (hold, flags) in enumerate(SHOWCASE):
            drafts.append(_draft(world, rng, start + 9 * 3600 + i * 600, Script(hold=hold, **flags), True))
    drafts = sorted((d for d in drafts if d[0] <= world.now), key=lambda d: d[0])
    prefix = f"{day:%Y%m%d}"
    return [_Case(world, rng, f"{prefix}{serial:05d}", script, spot).run(at)
            for serial, (at, script, spot) in enumerate(drafts, 1)]


def _draft(world: World, rng, at: int, script: Script, showcase: bool = False) -> tuple[int, Script, Spot]:
    """(report time, script, where and what) of one report of the day."""
    kind, code = ("event", world.showcase_class) if showcase else world.pick_class(rng)
    if kind == "component":
        objid, x, y, ci = rng.choice(world.components[code])
        place = world.cells[ci].road_name
    else:
        u, v, cell, place = world.sites.place("side", rng) if not script.mine else _mine(world, rng)
        (x, y), objid, ci = world.city_xy(u, v), None, cell.index
    return at, script, Spot(kind, code, x, y, ci, objid, place, rng.choice(WORDS))


def _mine(world: World, rng: random.Random):
    return world.sites.inner(world.cells[rng.choice(world.mine)], rng)


class _Case:
    """One case run through `decide`, recording every action and row."""

    def __init__(self, world: World, rng: random.Random, case_no: str, script: Script, spot: Spot):
        self.w, self.rng, self.s = world, rng, script
        kind, code, cell = spot.kind, spot.code, world.cells[spot.cell]
        self.kind, self.code, self.cell = kind, code, cell
        self.conds = world.conditions[(kind, code)]
        self.cid = rng.choice(world.condition_ids(kind, code))
        self.collector = world.collector_of[cell.code]
        self.ctx = world.context(kind, code, self.collector)
        self.clock = world.ids.clock  # the time of the action being taken, for the task ids it makes
        world.ids.start(case_no)
        name = world.class_names[(kind, code)]
        address = f"{world.names[cell.street]}{world.names[cell.community]}{spot.place}"
        self.plan = CasePlan(case_no, {
            "kind": kind, "class_code": code, "x": spot.x, "y": spot.y, "ObjID": spot.objid,
            "source": script.source, "description": spot.words.format(place=spot.place, name=name),
            "address": address})
        self.xy, self.photo_ok, self.step, self.task_keys, self.last = (spot.x, spot.y), False, 0, [], 0

    # -- recording ---------------------------------------------------------------------------------
    def _photos(self, ts: int, who: str, n: int) -> list[dict]:
        if not (self.photo_ok and self.w.photos and n):
            return []
        return [self.w.photos.make(self.plan.case_no, self.step, k, ts, who, self.xy) for k in range(n)]

    def _record(self, ts: int, action: str, event: dict, photos: tuple, new_tasks: int, kwargs, actor,
                photo_rows) -> None:
        key = (ts, self.plan.case_no, self.step)
        self.plan.events.append((key, event, photos, photo_rows))
        if new_tasks:
            self.task_keys += [key] * new_tasks
        self.last = ts  # when the latest action was taken
        if kwargs is not None:
            self.plan.actions.append((key, action, actor, kwargs))
        self.step += 1

    def report(self, ts: int) -> None:
        who = self.collector if self.s.source == "collector" else REPORTED_BY[self.s.source]
        actor, cell = self.w.actors[who], self.cell
        self.photo_ok = ts >= self.w.photo_from
        shots = 2 if self.s.source == "collector" else int(self.s.source in ("public", "app"))
        rows = self._photos(ts, who, shots)
        shas = tuple(r["sha256"] for r in rows)
        grid = {"code": cell.code, "name": cell.name, "street_code": cell.street,
                "community_code": cell.community}  # as geocode.grid_for gives it
        p = self.plan.report
        self.clock[0] = ts
        changes = report_changes(self.plan.case_no, actor, ts * 1_000_000, self.ctx, kind=p["kind"],
                                 class_code=p["class_code"], grid=grid,
                                 geom=gpkg.point(p["x"], p["y"], self.w.srs_id), source=p["source"],
                                 ObjID=p["ObjID"], description=p["description"], address=p["address"],
                                 photos=shas)
        self.case, self.tasks = changes.case, []  # the new row as `evolve` gives it; ours to change
        kwargs = {**p, "photos": shas} if self.w.keep_actions else None
        self._record(ts, "report", changes.event, changes.photos, 0, kwargs, actor, rows)

    def do(self, ts: int, action: str, who: str, *, note: str | None = None, shots: int = 0,
           task: str | None = None, **params) -> bool:
        """Take the action unless it would happen after NOW; False once the case stops here."""
        if ts > self.w.now:
            return False
        actor = self.w.actors[who]
        task_id = None
        if task is not None:  # the case's open task of that kind, which the actor takes up
            for row in self.tasks:
                if row["kind"] == task and row["status"] == "open":
                    task_id = row["id"]
                    break
        rows = self._photos(ts, who, shots) if shots and self.photo_ok else ()
        shas = tuple(r["sha256"] for r in rows) if rows else ()
        self.clock[0] = ts
        _no, fields, event, inserts, updates, photos, _new = decide(
            self.case, action, actor, ts * 1_000_000, self.ctx, tasks=self.tasks, params=params, note=note,
            photos=shas, task_id=task_id)
        # the case's rows after the changes, as `evolve` makes them but changed in place (the planner
        # holds the only references to them, and a million cases' copies cost seconds)
        case = self.case
        case.update(fields)
        if updates:
            updates = dict(updates)
            for row in self.tasks:
                if row["id"] in updates:
                    row.update(updates[row["id"]])
        # recorded as `_record` does, written out: this runs for every event
        key = (ts, self.plan.case_no, self.step)
        self.plan.events.append((key, event, photos, rows))
        if inserts:
            self.tasks += inserts
            self.task_keys += [key] * len(inserts)
        if self.w.keep_actions:
            self.plan.actions.append((key, action, actor, {"note": note, "photos": shas, "task_id": task_id,
                                                           **params}))
        self.last, self.step = ts, self.step + 1
        return case["status"] != self.s.hold

    def after(self, ts: int, low: float, high: float, shift=CENTRE) -> int:
        """`low`..`high` minutes later, or some minutes into the next shift when off duty by then.

        (`random.uniform(a, b)` is `a + (b - a) * random()`: written out, the same draws, two calls less.)"""
        random = self.rng.random
        due = ts + int((low + (high - low) * random()) * 60)
        if shift[0] <= (due + LOCAL) % 86400 < shift[1]:
            return due
        return within(due, shift) + int(min(high, 90) * random() * 60)

    # -- the loop ----------------------------------------------------------------------------------
    def run(self, ts: int) -> CasePlan:
        self.report(ts)
        if self.s.hold != "reported" and self._intake(ts):
            self._rest()
        self.plan.case = self.case
        self.plan.tasks = list(zip(self.task_keys, self.tasks, strict=True))
        return self.plan

    def _intake(self, ts: int) -> bool:
        t = self.after(ts, 2, 20)
        if self.s.source in VERIFIED:
            if not self.do(t, "send_verify", "operator"):
                return False
            t = self.after(t, 20, 180, PATROL)
            outcome = "verify_confirmed" if self.s.found else "verify_not_found"
            return self.do(t, outcome, self.collector, task="verify", shots=1,
                           note=None if self.s.found else "现场未发现该问题") and self.s.found
        if self.s.intake == "reject":
            self.do(t, "reject", "operator", note="重复上报")
            return False
        return self.do(t, "accept", "operator")

    def _rest(self) -> None:
        t = self.after(self.last, 5, 40)
        if self.s.register != "register":
            note = {"reject": "不符合立案条件", "void": "与已立案件重复，作废"}[self.s.register]
            self.do(t, self.s.register, "leader", note=note)
            return
        if not self.do(t, "register", "leader", condition_id=self.cid) or not self._dispatch():
            return
        for rework in range(self.s.fails + 1):
            if not self._dispose(rework) or not self._check(rework < self.s.fails):
                return
        if self.s.sent_back and not self._sent_back():
            return
        self.do(self.after(self.last, 5, 30), "close", "leader")

    def _sent_back(self) -> bool:
        """The leader finds the passed case not done and sends it back (返工); the unit disposes again."""
        if not self.do(self.after(self.last, 5, 30), "rework", "leader", note="复核照片显示仍未整改到位，返工"):
            return False
        return self._dispose(self.s.fails + 1) and self._check(False)

    def _unit(self) -> str:
        if self.kind == "event":
            return self.w.territory.get(self.cell.street) or self.w.owner[(self.kind, self.code)]
        return self.w.owner[(self.kind, self.code)]

    def _dispatch(self) -> bool:
        right, t = self._unit(), self.after(self.last, 5, 40)
        if self.s.wrong:
            if not self._misdispatch(t, right):
                return False
            t = self.after(self.last, 5, 30)
        if not self.do(t, "dispatch", "dispatcher", unit_code=right):
            return False
        if self.s.park:
            if not self.do(self.after(t, 24 * 60, 72 * 60), "park", "dispatcher", note="需协调专项资金，暂缓处置"):
                return False
            if self.s.park != "restore":
                return False
            return self.do(self.after(self.last, 7 * 1440, 60 * 1440), "restore", "dispatcher")
        return True

    def _misdispatch(self, t: int, right: str) -> bool:
        """Dispatched to the wrong unit, which asks to return it; the dispatcher agrees (回退)."""
        wrong = self.rng.choice(sorted(self.w.units - {right}))
        if not self.do(t, "dispatch", "dispatcher", unit_code=wrong):
            return False
        t = self.after(t, 30, 240, UNIT)
        if not self.do(t, "request_return", self._unit_user(wrong), note="非本单位职责，申请回退"):
            return False
        return self.do(self.after(t, 10, 60), "return", "dispatcher", note="同意回退")

    def _unit_user(self, code: str) -> str:
        return f"unit_{code.lower()}"

    def _dispose(self, rework: int) -> bool:
        """The unit fixes the problem: on time mostly, late sometimes, after an extension rarely."""
        unit = self._unit_user(self.case["unit_code"])
        start, cond = self.last, self.conds[self.case["condition_id"]]
        if self.s.extend and not rework:
            t = self.after(start, 30, 120, UNIT)
            hours = self.rng.choice((4, 8, 16))
            if not (self.do(t, "request_extension", unit, note="需采购材料", hours=hours)
                    and self.do(self.after(t, 10, 60), "extend", "dispatcher", hours=hours)):
                return False
        share = self.rng.uniform(1.05, 2.5) if self.s.late and not rework else self.rng.uniform(0.1, 0.6)
        t = self.w.calendar.add_us(start * 1_000_000, cond.limit * share, cond.unit) // 1_000_000
        t = max(t, self.last + 60)
        return self.do(t, "report_disposal", unit, note="已处置完毕", shots=1)

    def _check(self, fail: bool) -> bool:
        t = self.after(self.last, 3, 20)
        if not self.do(t, "send_check", "operator"):
            return False
        late = self.rng.random() < 0.1  # the 核查 step allows 2 working hours
        t = self.after(t, 150, 300, PATROL) if late else self.after(t, 15, 90, PATROL)
        if fail:
            return self.do(t, "check_fail", self.collector, task="check", shots=1, note="现场问题仍未解决")
        return self.do(t, "check_pass", self.collector, task="check", shots=1)
