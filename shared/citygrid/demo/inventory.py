# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city's component inventory (部件): every class placed where it belongs — covers in the
carriageway, lamps and trees on the pavement, railings on the canal banks, bridges where roads cross
water — with 16-digit ObjIDs, departments, state and survey dates (DOMAIN.md §3)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .. import codes
from ..store import gpkg
from .city import City, Weighted
from .org import Unit, departments

PER_GRID = 49.0  # 417,000 components over ~8,500 grids (Yichang)
# placement -> "class:relative weight ..."; unlisted classes are placed inside blocks, weight 0.05
PLACEMENTS = {
    "road": "0101:3 0102:3 0103:3 0105:2 0106:1.5 0107:2 0108:.6 0109:.6 0110:.1 0111:1 0112:.3 0114:.2 "
            "0127:.1 0128:.1 0129:.05 0130:.05",
    "curb": "0104:4",
    "side": "0113:.5 0115:.6 0116:.5 0117:2 0118:8 0119:.5 0120:.8 0121:.03 0122:.05 0123:.03 0124:.02 "
            "0125:.05 0136:.4 0137:.02 0138:.01 0202:.1 0203:.1 0204:.02 0205:.01 0206:.005 0209:1 0211:.6 "
            "0212:.3 0215:.01 0216:.01 0303:.05 0305:3 0402:10 0403:1.5 0404:.5 0407:.3 0501:.2",
    "front": "0306:.3 0307:1.5",
    "corner": "0207:.003 0210:.2 0213:.4 0214:.1 0217:.01",
    "water": "0603:.02 0604:.2 0605:.005 0606:.1",
    "bridge": "0208:1",
    "inner": "0126:.2 0131:.01 0132:.02 0133:.01 0134:.1 0135:.03 0201:.03 0301:.05 0302:.3 0304:.05 "
             "0308:.003 0309:.002 0310:.003 0311:.005 0401:.02 0405:.4 0406:.02 0408:.4 0409:.1 0410:.005 "
             "0502:.01 0503:.02 0601:.002 0602:.01",
}
STATES = (("完好", 940), ("破损", 30), ("丢失", 6), ("废弃", 14), ("移除", 10))
DATA_SOURCES = (("实测", 80), ("地形图", 10), ("基础地理数据", 8), ("其他", 2))
SURVEY = (date(2019, 4, 1), date(2019, 10, 31))  # the initial census (部件普查)
# metres from the road's edge (its half width from the centre line): carriageway, kerb, pavement, frontage
OFFSETS = {"road": (-5.0, -1.0), "curb": (-0.5, -0.5), "side": (0.8, 4.0), "front": (5.0, 9.0)}
BANK = {0: "东岸", 1: "西岸", 2: "北岸", 3: "南岸"}
SIDE = {0: "东侧", 1: "西侧", 2: "北侧", 3: "南侧"}
CORNERS = ((0, 2), (1, 2), (1, 3), (0, 3))  # SW, SE, NE, NW as (west/east side, south/north side)
COLUMNS = ("fid", "geom", "ObjID", "ObjName", "DeptCode1", "DeptName1", "DeptCode2", "DeptName2",
           "DeptCode3", "DeptName3", "BGID", "ObjState", "ORDate", "CHDate", "DataSource", "Note")


@dataclass
class Inventory:
    """The component rows (in COLUMNS order) and, per class, the components a case may name."""

    rows: list = field(default_factory=list)
    points: list = field(default_factory=list)  # (x, y) of each row, for the R-tree
    by_class: dict = field(default_factory=dict)  # class code -> [(ObjID, x, y, cell index)]
    serials: list = field(default_factory=list)  # (scope, last) as geocode.allocate_objid keeps them


def _table() -> dict:
    return {code: (place, float(w)) for place, text in PLACEMENTS.items()
            for code, w in (item.split(":") for item in text.split())}


def _inset(line) -> float:
    return line.hw + 1.0 if line else 1.0


class Sites:
    """Where things can stand: road and canal edges of grids, road corners, bridges, block interiors."""

    def __init__(self, city: City):
        self.city, self.road, self.water, self.corners = city, [], [], []
        for cell in city.cells:
            for s, line in enumerate(cell.sides):
                if line:
                    (self.road if line.road else self.water).append((cell, s))
            self.corners += [(cell, k) for k, (a, b) in enumerate(CORNERS)
                             if cell.sides[a] and cell.sides[b] and cell.sides[a].road and cell.sides[b].road]

    def place(self, how: str, rng: random.Random):
        """-> (u, v, cell, note) for one component placed `how`."""
        if how == "water" and self.water:
            cell, s = rng.choice(self.water)
            line = cell.sides[s]
            u, v = self._edge(cell, s, rng.uniform(line.hw + 0.3, line.hw + 3.0), rng)
            return u, v, cell, line.name + BANK[s]
        if how in OFFSETS and self.road:
            cell, s = rng.choice(self.road)
            line = cell.sides[s]
            low, high = OFFSETS[how]
            u, v = self._edge(cell, s, line.hw + rng.uniform(low, high), rng)
            return u, v, cell, line.name + SIDE[s]
        if how == "corner" and self.corners:
            return self._corner(*rng.choice(self.corners), rng)
        return self.inner(rng.choice(self.city.cells), rng)

    @staticmethod
    def _edge(cell, side: int, d: float, rng: random.Random) -> tuple[float, float]:
        """A point `d` metres into the grid from one side, anywhere along it clear of cross roads."""
        if side < 2:
            v = rng.uniform(cell.v0 + _inset(cell.sides[2]), cell.v1 - _inset(cell.sides[3]))
            return (cell.u0 + d if side == 0 else cell.u1 - d), v
        u = rng.uniform(cell.u0 + _inset(cell.sides[0]), cell.u1 - _inset(cell.sides[1]))
        return u, (cell.v0 + d if side == 2 else cell.v1 - d)

    @staticmethod
    def _corner(cell, k: int, rng: random.Random):
        a, b = (cell.sides[i] for i in CORNERS[k])
        du, dv = a.hw + rng.uniform(1.0, 3.0), b.hw + rng.uniform(1.0, 3.0)
        u = cell.u0 + du if CORNERS[k][0] == 0 else cell.u1 - du
        v = cell.v0 + dv if CORNERS[k][1] == 2 else cell.v1 - dv
        return u, v, cell, f"{a.name}与{b.name}交叉口"

    @staticmethod
    def inner(cell, rng: random.Random):
        """Inside the block part of the grid, clear of roads and water."""
        west, east, south, north = (line.hw + 3.0 if line else 3.0 for line in cell.sides)
        return (rng.uniform(cell.u0 + west, cell.u1 - east), rng.uniform(cell.v0 + south, cell.v1 - north),
                cell, f"{cell.road_name}附近")


def _counts(classes: list, cells: int, per_grid: float, crossings: int) -> dict:
    """class code -> (placement, how many): proportional to the weights, every class at least once."""
    table = _table()
    weights = {c.code: table.get(c.code, ("inner", 0.05)) for c in classes}
    total = sum(w for how, w in weights.values() if how != "bridge")  # bridges: one per crossing
    out = {}
    for code, (how, w) in weights.items():
        if how == "bridge":
            out[code] = ("bridge", crossings) if crossings else ("inner", 1)
        else:
            out[code] = (how, max(1, round(per_grid * cells * w / total)))
    return out


class _Dates:
    """ORDate: the census for most, later additions for some; CHDate when changed or re-surveyed."""

    def __init__(self, last: date):
        census = (SURVEY[1] - SURVEY[0]).days + 1
        self.census = [(SURVEY[0] + timedelta(days=k)).isoformat() for k in range(census)]
        self.later = [(SURVEY[1] + timedelta(days=k)).isoformat() for k in range(1, (last - SURVEY[1]).days)]
        self.last = last

    def pick(self, rng: random.Random, changed: bool) -> tuple[str, str | None]:
        first = rng.choice(self.census if rng.random() < 0.92 else self.later)
        if not changed and rng.random() >= 0.05:
            return first, None
        change = date.fromisoformat(first) + timedelta(days=rng.randrange(30, 900))
        return first, min(change, self.last).isoformat()


def build(city: City, classes: list, unit_by_code: dict[str, Unit], *, scheme: str, last: date,
          seed: int, per_grid: float = PER_GRID, case_classes: frozenset = frozenset()) -> Inventory:
    """Every component row, ObjIDs numbered per class from 1 (serials never reused)."""
    rng = random.Random(f"citygrid-demo/{seed}/inventory")
    sites, inv = Sites(city), Inventory()
    states, sources, dates = Weighted(STATES), Weighted(DATA_SOURCES), _Dates(last)
    sch = codes.scheme(scheme)
    counts = _counts(classes, len(city.cells), per_grid, len(city.crossings))
    for entry in classes:
        how, n = counts[entry.code]
        d1, d2, d3 = departments("component", entry.code, unit_by_code)
        prefix = codes.format_objid(city.county, entry.code, 1, sch)[:-sch.serial_digits]
        bridges = rng.sample(city.crossings, n) if how == "bridge" else ()
        keep = inv.by_class.setdefault(entry.code, []) if entry.code in case_classes else None
        for serial in range(1, n + 1):
            if bridges:
                ci, u, v, note = bridges[serial - 1]
                cell = city.cells[ci]
            else:
                u, v, cell, note = sites.place(how, rng)
            x, y = city.xy(u, v)
            objid = f"{prefix}{serial:0{sch.serial_digits}d}"
            state = states.pick(rng)
            ordate, chdate = dates.pick(rng, state != "完好")
            inv.rows.append((len(inv.rows) + 1, gpkg.point(x, y, city.srs_id), objid, entry.minor_name,
                             d1.code, d1.name, d2.code, d2.name, d3.code, d3.name, cell.code, state, ordate,
                             chdate, sources.pick(rng), note))
            inv.points.append((x, y))
            if keep is not None and state in ("完好", "破损"):
                keep.append((objid, x, y, cell.index))
        inv.serials.append((f"objid:{city.county}{entry.code}", n))
    return inv
