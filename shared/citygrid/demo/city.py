# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city's geometry: a gently warped lattice of roads and canals around Suzhou Gusu district,
cut into streets (街道), communities (社区) and ~100 m unit grids (EPSG:4549 metres; pure data).

Everything is laid out in a parameter plane (u west→east, v south→north, metres) and mapped through
one smooth warp, so shared edges stay identical, roads curve a little and areas stay within ~2 %.
"""

from __future__ import annotations

import itertools
import math
import random
from bisect import bisect
from dataclasses import dataclass, field

from .. import crs

CELL = 100.0  # target unit-grid side: 10,000 m² (万米单元网格)
CENTRE = (120.62, 31.31)  # lon/lat of Suzhou Gusu district
DISTRICT = ("320508", "姑苏区")
HALF_WIDTH = {"arterial": 20.0, "secondary": 12.0, "local": 6.0, "canal": 12.0}
ROAD_CLASS = {"arterial": "主干道", "secondary": "次干道", "local": "支路"}
STEP = 50.0  # vertex spacing along long lines, so the warp shows as curves
TAU = 2 * math.pi

STREETS = "平江 沧浪 金阊 双塔 虎丘 吴门桥 苏锦 白洋湾 娄门 观前 石路 留园 葑门 胥江 南门 彩香".split()
STEMS = """钮家 大儒 桃坞 西美 南园 北园 定慧 滚绣 锦帆 府前 吉庆 醋库 迎春 察院 书院 文庙 三元 桐泾
    新庄 友联 盘门 菱塘 杨家 桂花 梅巷 怡桂 虹桥 朱家 万年 西园 彩虹 新市 三香 竹辉 平四 嘉余 大郎 悬桥
    丁香 混堂 中张家 狮林 潘儒 皮市 旧学前 菉葭 胡厢使 颜家 萧家 仓米 卫前 乔司空 庆元 史家 王洗马 装驾
    宫巷 太监 碧凤 马医科 申衙前 承天寺 因果 曹胡徐 通和坊 瓣莲 柳枝 东麒麟 塔倪 高师 马大箓 百花洲 东大
    西大 刘家浜 石塔 吴殿直 黄鹂坊 鲍家 十梓 大石头 草桥 乘马坊 饮马桥 侍其 带城 官太尉 葑溪 南石皮 庙堂
    金狮 中街 宝林 清洲 北码头 枫桥 渡僧 横塘 彩云 白莲 双林 斜塘 青旸 星桥 凤凰 养蚕里 平门 娄江 东汇
    相王 桥湾 长船 天官坊 叶家 观音 井亭 泗井 调丰 闾邱 尚义桥 专诸 学前 藕花 学士 孙家 金门 吉利""".split()
ROADS = """人民路 干将路 十全街 凤凰街 临顿路 平江路 观前街 景德路 道前街 竹辉路 南门路 东环路 西环路 北环路
    南环路 金门路 广济路 阊胥路 养育巷 齐门路 白塔路 东北街 西北街 相门路 葑门路 友新路 劳动路 三香路 桐泾路
    苏站路 娄门路 盘胥路 吴门路 新市路 东中市 西中市 石路 山塘街 阊门路 学士街 书院巷 沧浪亭街""".split()
CANALS = "平江河 干将河 中市河 胥江 山塘河 十全河 临顿河 学士河".split()
LANDUSE = (("居住用地", 60), ("商业用地", 15), ("公园绿地", 8), ("教育用地", 6), ("行政办公用地", 5),
           ("文物古迹用地", 4), ("医疗卫生用地", 2))


class Weighted:
    """A weighted choice that is cheap to draw from many times (random.choices re-sums every call)."""

    def __init__(self, pairs):
        self.items, weights = zip(*pairs, strict=True)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass(frozen=True)
class Layout:
    """How big the city is: blocks across/down, streets across/down, communities per street."""

    blocks: tuple[int, int]
    streets: tuple[int, int]
    communities: tuple[int, int]
    canals: tuple[int, int] = (1, 1)  # canal lines running north-south, west-east


@dataclass(frozen=True)
class Line:
    """A road centre line or a canal axis between blocks."""

    kind: str  # arterial, secondary, local or canal
    hw: float  # half width, metres
    name: str

    @property
    def road(self) -> bool:
        return self.kind != "canal"


@dataclass(frozen=True)
class Cell:
    """One unit grid: codes and its rectangle in the parameter plane."""

    index: int
    code: str
    name: str
    street: str  # 9-digit street code
    community: str  # 12-digit community code
    u0: float
    u1: float
    v0: float
    v1: float
    sides: tuple  # Line or None on the west, east, south and north sides
    road_name: str  # the nearest road, for addresses


@dataclass
class City:
    """The whole geometry; `xy(u, v)` maps the parameter plane to EPSG coordinates."""

    srs_id: int
    county: str
    origin: tuple
    warp: tuple  # (a1, l1, p1, a2, l2, p2)
    cells: list
    regions: list  # (code, name, level, parent_code)
    roads: list  # (coords, name, road class, width)
    blocks: list  # (ring, name, landuse)
    water: list  # (ring, name)
    crossings: list  # (cell index, u, v, bridge name) where a road crosses a canal
    _names: dict = field(default_factory=dict, repr=False)

    def xy(self, u: float, v: float) -> tuple[float, float]:
        a1, l1, p1, a2, l2, p2 = self.warp
        return (round(self.origin[0] + u + a1 * math.sin(TAU * v / l1 + p1), 3),
                round(self.origin[1] + v + a2 * math.sin(TAU * u / l2 + p2), 3))

    def ring(self, u0: float, u1: float, v0: float, v1: float, dense: bool = False) -> list:
        """A closed, counter-clockwise ring around a parameter rectangle."""
        us, vs = (_densify(u0, u1), _densify(v0, v1)) if dense else ([u0, u1], [v0, v1])
        pts = [(u, v0) for u in us] + [(u1, v) for v in vs[1:]]
        pts += [(u, v1) for u in reversed(us[:-1])] + [(u0, v) for v in reversed(vs[:-1])]
        return [self.xy(u, v) for u, v in pts]

    def name_of(self, code: str) -> str:
        if len(self._names) != len(self.regions):
            self._names = {r[0]: r[1] for r in self.regions}
        return self._names[code]


@dataclass
class _Axis:
    """One direction of the lattice: cell cuts, the lines at block boundaries, the region groups."""

    cuts: list  # cell boundary positions from the west (or north) edge
    kinds: dict  # cut index -> line kind, at block boundaries only
    street: list  # per cell: street group
    community: list  # per cell: community group inside the street group
    blocks: list  # per block: (first cut, last cut)

    @property
    def size(self) -> int:
        return len(self.cuts) - 1


def _split(n: int, k: int, rng: random.Random) -> list[int]:
    """n items into k contiguous, non-empty groups of nearly equal size."""
    sizes = [n // k] * k
    for i in rng.sample(range(k), n % k):
        sizes[i] += 1
    return sizes


def _axis(n_blocks: int, n_streets: int, n_comms: int, n_canals: int, rng: random.Random) -> _Axis:
    """One direction: ring roads at the edges, arterials between streets, secondary roads between
    communities, local roads between blocks, and canals in place of some local roads."""
    kinds = {0: "arterial", n_blocks: "arterial"}
    block_street, block_comm, b = [], [], 0
    for s, size in enumerate(_split(n_blocks, n_streets, rng)):
        kinds.setdefault(b, "arterial")
        for c, csize in enumerate(_split(size, n_comms, rng)):
            kinds.setdefault(b, "secondary")
            block_street += [s] * csize
            block_comm += [c] * csize
            b += csize
    for i in range(1, n_blocks):
        kinds.setdefault(i, "local")
    for target in range(1, n_canals + 1):  # canals replace the local lines nearest to even spacing
        spare = [i for i, k in kinds.items() if k in ("local", "secondary") and 0 < i < n_blocks]
        spot = n_blocks * target / (n_canals + 1)
        if spare:
            kinds[min(spare, key=lambda i: (kinds[i] != "local", abs(i - spot)))] = "canal"
    return _lattice(kinds, block_street, block_comm, rng)


def _lattice(kinds: dict, block_street: list, block_comm: list, rng: random.Random) -> _Axis:
    """Cut each block into 2 or 3 cells of ~100 m; block widths vary by up to ±12 m."""
    cuts, cut_kinds, street, comm, blocks = [0.0], {0: kinds[0]}, [], [], []
    for b, (s, c) in enumerate(zip(block_street, block_comm, strict=True)):
        k, start = rng.choice((2, 3)), cuts[-1]
        width = k * CELL + rng.uniform(-12.0, 12.0)
        first = len(cuts) - 1
        cuts += [start + width * i / k for i in range(1, k + 1)]
        cut_kinds[len(cuts) - 1] = kinds[b + 1]
        street += [s] * k
        comm += [c] * k
        blocks.append((first, len(cuts) - 1))
    return _Axis(cuts, cut_kinds, street, comm, blocks)


def _densify(a: float, b: float) -> list[float]:
    n = max(1, math.ceil(abs(b - a) / STEP))
    return [a + (b - a) * k / n for k in range(n + 1)]


class _Names:
    """Unique Chinese names drawn in order from pools."""

    def __init__(self, rng: random.Random):
        stems = list(STEMS)
        rng.shuffle(stems)
        self.stems, self.used = stems, set()

    def take(self, pool, suffix: str = "") -> str:
        for candidate in [p + suffix for p in pool] + [s + suffix for s in self.stems]:
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        for n in range(2, 10_000):  # pools exhausted: number the stems
            candidate = f"{self.stems[n % len(self.stems)]}{n}{suffix}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        raise AssertionError("name pools exhausted")


def _lines(axis: _Axis, names: _Names) -> dict:
    """cut index -> Line, named west→east (or north→south)."""
    out = {}
    for cut, kind in sorted(axis.kinds.items()):
        if kind == "canal":
            name = names.take(CANALS)
        elif kind == "local":
            name = names.take([], "巷")
        else:
            name = names.take(ROADS)
        out[cut] = Line(kind, HALF_WIDTH[kind], name)
    return out


def build(layout: Layout, seed: int, *, county: str = DISTRICT[0], srs_id: int = 4549) -> City:
    """The city for a layout and seed (the same seed always gives the same city)."""
    rng = random.Random(f"citygrid-demo/{seed}/city")
    cols = _axis(layout.blocks[0], layout.streets[0], layout.communities[0], layout.canals[0], rng)
    rows = _axis(layout.blocks[1], layout.streets[1], layout.communities[1], layout.canals[1], rng)
    names = _Names(rng)
    ulines, slines = _lines(cols, names), _lines(rows, names)
    cx, cy = crs.to_projected(*CENTRE, srs_id)
    width, height = cols.cuts[-1], rows.cuts[-1]
    warp = (rng.uniform(40, 80), rng.uniform(3000, 6000), rng.uniform(0, TAU),
            rng.uniform(40, 80), rng.uniform(3000, 6000), rng.uniform(0, TAU))
    city = City(srs_id, county, (round(cx - width / 2), round(cy - height / 2)), warp, [], [], [], [], [], [])
    city.regions = _regions(layout, county, names)
    _cells(city, layout, cols, rows, ulines, slines)
    _roads_and_water(city, cols, rows, ulines, slines)
    _blocks(city, cols, rows, ulines, slines, rng)
    return city


def _regions(layout: Layout, county: str, names: _Names) -> list:
    out = [(county, DISTRICT[1], "district", None)]
    n_streets = layout.streets[0] * layout.streets[1]
    n_comms = layout.communities[0] * layout.communities[1]
    for s in range(n_streets):
        street = f"{county}{s + 1:03d}"
        out.append((street, names.take(STREETS[s:s + 1], "街道"), "street", county))
        for c in range(n_comms):
            out.append((f"{street}{c + 1:03d}", names.take([], "社区"), "community", street))
    return out


def _cells(city: City, layout: Layout, cols: _Axis, rows: _Axis, ulines: dict, slines: dict) -> None:
    """Unit grids row by row from the north; serials run west→east, north→south per community."""
    height, serials = rows.cuts[-1], {}
    for j in range(rows.size):
        for i in range(cols.size):
            street = f"{city.county}{rows.street[j] * layout.streets[0] + cols.street[i] + 1:03d}"
            community = f"{street}{rows.community[j] * layout.communities[0] + cols.community[i] + 1:03d}"
            serials[community] = serial = serials.get(community, 0) + 1
            sides = (ulines.get(i), ulines.get(i + 1), slines.get(j + 1), slines.get(j))
            u0, u1, v0, v1 = cols.cuts[i], cols.cuts[i + 1], height - rows.cuts[j + 1], height - rows.cuts[j]
            code = f"{community}{serial:03d}"
            road = _nearest_road(cols, rows, ulines, slines, i, j)
            city.cells.append(Cell(len(city.cells), code, f"{city.name_of(community)}{serial:03d}网格",
                                   street, community, u0, u1, v0, v1, sides, road))


def _nearest_road(cols: _Axis, rows: _Axis, ulines: dict, slines: dict, i: int, j: int) -> str:
    """The name of the closest road line bounding the block that holds cell (i, j)."""
    um, sm = (cols.cuts[i] + cols.cuts[i + 1]) / 2, (rows.cuts[j] + rows.cuts[j + 1]) / 2
    found = []
    for axis, lines, k, mid in ((cols, ulines, i, um), (rows, slines, j, sm)):
        first, last = next(b for b in axis.blocks if b[0] <= k < b[1])
        found += [(abs(mid - axis.cuts[c]), lines[c]) for c in (first, last) if lines[c].road]
    return min(found, key=lambda f: f[0])[1].name if found else ""


def _roads_and_water(city: City, cols: _Axis, rows: _Axis, ulines: dict, slines: dict) -> None:
    width, height = cols.cuts[-1], rows.cuts[-1]
    for cut, line in ulines.items():
        u = cols.cuts[cut]
        if line.road:
            city.roads.append(([city.xy(u, v) for v in _densify(0.0, height)], line.name,
                               ROAD_CLASS[line.kind], 2 * line.hw))
        else:
            city.water.append((city.ring(u - line.hw, u + line.hw, 0.0, height, dense=True), line.name))
            city.crossings += [_crossing(city, cols, rows, cut, c, f"{ln.name}{line.name}桥")
                               for c, ln in slines.items() if ln.road]
    for cut, line in slines.items():
        v = height - rows.cuts[cut]
        if line.road:
            city.roads.append(([city.xy(u, v) for u in _densify(0.0, width)], line.name,
                               ROAD_CLASS[line.kind], 2 * line.hw))
        else:
            city.water.append((city.ring(0.0, width, v - line.hw, v + line.hw, dense=True), line.name))
            city.crossings += [_crossing(city, cols, rows, c, cut, f"{ln.name}{line.name}桥")
                               for c, ln in ulines.items() if ln.road]


def _crossing(city: City, cols: _Axis, rows: _Axis, ucut: int, scut: int, label: str) -> tuple:
    """A bridge point 3 m into the grid beside a road/canal crossing (on the road, over the water)."""
    i, j = min(ucut, cols.size - 1), min(scut, rows.size - 1)
    du, ds = (3.0 if i == ucut else -3.0), (3.0 if j == scut else -3.0)
    cell = city.cells[j * cols.size + i]
    return cell.index, cols.cuts[ucut] + du, rows.cuts[-1] - rows.cuts[scut] - ds, label


def _blocks(city: City, cols: _Axis, rows: _Axis, ulines: dict, slines: dict, rng: random.Random) -> None:
    """City blocks between the roads, inset by half the road (or canal) width."""
    height, counts, uses = rows.cuts[-1], {}, Weighted(LANDUSE)
    for top, bottom in rows.blocks:
        for west, east in cols.blocks:
            u0, u1 = cols.cuts[west] + ulines[west].hw, cols.cuts[east] - ulines[east].hw
            v0, v1 = height - rows.cuts[bottom] + slines[bottom].hw, height - rows.cuts[top] - slines[top].hw
            community = city.cells[top * cols.size + west].community
            counts[community] = n = counts.get(community, 0) + 1
            name = f"{city.name_of(community)}{n}号地块"
            city.blocks.append((city.ring(u0, u1, v0, v1, dense=True), name, uses.pick(rng)))
