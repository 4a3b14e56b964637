# SPDX-License-Identifier: GPL-2.0-or-later
"""Importing a city's regions, units, grids and components from any source GDAL/OGR reads.

    result = import_layer(conn, "components", "inventory.gpkg", layer="部件", dry_run=True,
                          progress=lambda stage, done, total: ...)

One call is one long job: read the source (reprojected to the centre's CRS), map its fields, validate
every row against the centre, then write — all rows in one transaction, and only when every row is
valid (`skip_bad` writes the good ones and lists the rest; `dry_run` writes nothing). Each bad row is
an `Issue`: the row's OGR FID, the field, a problem code and its details (translated by
`citygrid.messages`). `progress(stage, done, total)` is called now and then (stages "read", "check",
"write"); an exception raised from it cancels the job, and nothing is written.

Re-importing: a key (region or unit code, grid code, ObjID) the centre already holds is a bad row
(`import.exists`) unless `update` is true, in which case that row replaces the centre's (attributes
and geometry; CHDate stamped). A GIS technician re-running the same file by mistake thus gets an
error and no second copy; a deliberate refresh says `--update`.
"""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .. import codes, times
from ..loop import geocode
from ..messages import message
from ..problems import Problem
from ..store import db, gpkg, rtree, schema_v1

KINDS = ("regions", "units", "grids", "components")
KEY = {"regions": "code", "units": "code", "grids": "code", "components": "ObjID"}
GEOMETRY = {"grids": "polygon", "components": "point"}

# target field -> the source field names looked for, case-insensitive, first found wins
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "regions": {
        "code": ("code", "区划代码", "区划编码", "行政区划代码", "编码", "代码"),
        "name": ("name", "区划名称", "名称"),
        "level": ("level", "级别", "层级", "区划级别"),
        "parent_code": ("parent_code", "parent", "上级代码", "上级编码", "上级区划代码"),
    },
    "units": {
        "code": ("code", "单位代码", "单位编码", "部门代码", "部门编码", "编码", "代码"),
        "name": ("name", "单位名称", "部门名称", "名称"),
        "kind": ("kind", "单位类型", "单位类别", "类型"),
        "region_code": ("region_code", "所在区划", "区划代码", "所属街道"),
        "phone": ("phone", "电话", "联系电话"),
    },
    "grids": {
        "code": ("code", "BGID", "网格编码", "单元网格编码", "网格代码", "单元网格代码"),
        "name": ("name", "网格名称", "名称"),
        "street_code": ("street_code", "街道编码", "街道代码"),
        "community_code": ("community_code", "社区编码", "社区代码"),
    },
    "components": {
        "ObjID": ("ObjID", "OBJ_ID", "部件标识码", "部件编码", "标识码", "部件代码"),
        "class_code": ("class_code", "ClassCode", "部件类别代码", "小类代码", "类别代码", "部件小类代码"),
        "ObjName": ("ObjName", "OBJ_NAME", "部件名称", "名称"),
        "DeptCode1": ("DeptCode1", "主管部门代码", "主管部门编码"),
        "DeptName1": ("DeptName1", "主管部门名称", "主管部门"),
        "DeptCode2": ("DeptCode2", "权属单位代码", "权属单位编码"),
        "DeptName2": ("DeptName2", "权属单位名称", "权属单位"),
        "DeptCode3": ("DeptCode3", "养护单位代码", "养护单位编码"),
        "DeptName3": ("DeptName3", "养护单位名称", "养护单位"),
        "BGID": ("BGID", "所在单元网格", "所在网格", "单元网格编码", "网格编码", "单元网格"),
        "ObjState": ("ObjState", "部件状态", "状态"),
        "ORDate": ("ORDate", "初始时间", "初始日期"),
        "CHDate": ("CHDate", "变更时间", "变更日期"),
        "DataSource": ("DataSource", "数据来源"),
        "Note": ("Note", "备注"),
    },
}
LEVELS = {"district": "district", "street": "street", "community": "community", "区": "district",
          "县": "district", "区县": "district", "县区": "district", "街道": "street", "镇": "street",
          "乡": "street", "乡镇": "street", "社区": "community", "村": "community", "居委会": "community"}
UNIT_KINDS = {"department": "department", "territorial": "territorial", "maintainer": "maintainer",
              "owner": "owner", "部门": "department", "职能部门": "department", "专业部门": "department",
              "属地": "territorial", "属地单位": "territorial", "街道": "territorial",
              "养护": "maintainer", "养护单位": "maintainer", "权属": "owner", "权属单位": "owner"}
CODE_LENGTH = {"district": 6, "street": 9, "community": 12}
LEVEL_OF_LENGTH = {6: "district", 9: "street", 12: "community"}
WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class Issue:
    """One problem with one source row (fid = the OGR FID), an error unless severity says warning."""

    fid: int
    field: str
    code: str
    details: dict
    severity: str = ERROR

    @property
    def value(self):
        return self.details.get("value")

    def message(self, lang: str | None = None) -> str:
        return message(Problem(self.code, **self.details), lang)


@dataclass
class ImportResult:
    """What an import found and did."""

    kind: str
    source: str
    layer: str
    total: int = 0
    issues: list[Issue] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    allocated: int = 0  # ObjIDs allocated (or that would be, on a dry run)
    unchanged: int = 0  # rows the centre already held exactly so (regions, units, grids): not rewritten
    dry_run: bool = False
    written: bool = False
    mapping: dict = field(default_factory=dict)  # target field -> source field used
    source_crs: str | None = None

    @property
    def bad_rows(self) -> list[int]:
        return sorted({i.fid for i in self.issues if i.severity == ERROR})

    @property
    def good(self) -> int:
        return self.total - len(self.bad_rows)

    @property
    def skipped(self) -> int:
        return len(self.bad_rows) if self.written else 0

    def counts(self) -> Counter:
        return Counter(i.code for i in self.issues)


Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def targets(kind: str) -> list[str]:
    _check_kind(kind)
    return list(ALIASES[kind])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Problem("import.unknown_kind", kind=str(kind), known=", ".join(KINDS))


def resolve_mapping(kind: str, fields: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """target -> source field: the defaults by name (case-insensitive), then the overrides
    (`{"ObjName": "NAME_CN"}`; an empty source name leaves the target unmapped)."""
    _check_kind(kind)
    lower = {}
    for name in fields:
        lower.setdefault(name.casefold(), name)
    used: dict[str, str] = {}
    for target, names in ALIASES[kind].items():
        for name in names:
            if name.casefold() in lower:
                used[target] = lower[name.casefold()]
                break
    for target, src in (overrides or {}).items():
        match = next((t for t in ALIASES[kind] if t.casefold() == target.casefold()), None)
        if match is None:
            raise Problem("import.unknown_target_field", field=target, kind=kind, known=", ".join(ALIASES[kind]))
        if not src:
            used.pop(match, None)
        elif src.casefold() in lower:
            used[match] = lower[src.casefold()]
        else:
            raise Problem("import.unknown_source_field", field=match, source_field=src,
                          known=", ".join(fields) or "-")
    return used


def parse_mapping(items) -> dict[str, str]:
    """["FIELD=SOURCEFIELD", ...] -> {FIELD: SOURCEFIELD} (the CLI's --map)."""
    out = {}
    for item in items or ():
        target, sep, src = item.partition("=")
        if not sep or not target.strip():
            raise Problem("import.bad_mapping", value=item)
        out[target.strip()] = src.strip()
    return out


def import_layer(conn: sqlite3.Connection, kind: str, source, *, layer: str | None = None,
                 mapping: dict[str, str] | None = None, dry_run: bool = False, skip_bad: bool = False,
                 update: bool = False, source_crs: str | None = None, encoding: str | None = None,
                 today: date | None = None, progress: Progress | None = None) -> ImportResult:
    """Import one layer of `source` into the centre open on `conn` (see the module's docstring)."""
    from .source import Reader, centre_srs, gdal_exceptions

    _check_kind(kind)
    progress = progress or _quiet
    today = today or datetime.now(times.zone(db.meta(conn, "timezone", times.DEFAULT_ZONE))).date()
    with gdal_exceptions():
        reader = Reader(source, kind, layer=layer, target_srs=centre_srs(conn) if kind in GEOMETRY else None,
                        source_crs=source_crs, needs_geometry=kind in GEOMETRY, encoding=encoding)
        columns = resolve_mapping(kind, reader.fields, mapping)
        _require(kind, columns, reader)
        result = ImportResult(kind, str(source), reader.source.layer_name, dry_run=dry_run, mapping=columns,
                              source_crs=reader.source.crs_name)
        total = reader.source.count
        fields = targets(kind)
        rows = []
        for chunk in reader.features(fields, columns, GEOMETRY.get(kind), unique=("ObjID", "code", "Note"),
                                     progress=lambda done: progress("read", done, max(total, done))):
            rows.extend(chunk)
    result.total = len(rows)
    if len({r.fid for r in rows}) != len(rows):  # a driver without feature ids: number the rows from 1
        for i, r in enumerate(rows, 1):
            r.fid = i
    checker = _CHECKERS[kind](conn, result, fields, update=update, today=today)
    progress("check", 0, len(rows))
    if dry_run:
        checker.check(rows, progress)
        result.unchanged = len(checker.unchanged - set(result.bad_rows))
        return result
    (cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    try:
        _check_and_write(conn, checker, rows, result, skip_bad, progress)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return result


IMPORT_CACHE_KIB = -65536  # 64 MiB of page cache while writing: 417k components inserted ~1.5x faster
# than with SQLite's default 2 MiB, which spills and rewrites the indexes' pages over and over


def _check_and_write(conn, checker, rows, result: ImportResult, skip_bad: bool, progress: Progress) -> None:
    with db.transaction(conn):
        checker.check(rows, progress)
        if result.bad_rows and not skip_bad:
            return
        bad = set(result.bad_rows)
        good = [r.fid for r in rows if r.fid not in bad and r.fid not in checker.unchanged]
        result.unchanged = len(checker.unchanged - bad)
        rows.clear()  # the checker kept what it writes: the source's rows go before the R-tree is packed
        progress("write", 0, len(good))
        checker.write(good, progress)
        result.written = True


# target fields a source must map: all of REQUIRED[kind], and at least one of ONE_OF[kind]
REQUIRED = {"regions": ("code",), "units": ("code",), "grids": ("code",), "components": ()}
ONE_OF = {"components": ("ObjID", "class_code", "ObjName")}


def required(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the target fields a mapping must have, the ones of which it must have one) for `kind`."""
    _check_kind(kind)
    return REQUIRED[kind], ONE_OF.get(kind, ())


def _require(kind: str, columns: dict, reader) -> None:
    all_of, one_of = required(kind)
    for target in all_of:
        if target not in columns:
            raise Problem("import.missing_field", field=target, aliases=", ".join(ALIASES[kind][target]),
                          known=", ".join(reader.fields) or "-")
    if one_of and not set(one_of) & set(columns):
        raise Problem("import.missing_field", field=one_of[0], aliases=", ".join(ALIASES[kind][one_of[0]]),
                      known=", ".join(reader.fields) or "-")


# --- dates ---------------------------------------------------------------------------------------

def parse_day(text: str) -> str | None:
    """'2020-01-02', '2020/1/2', '20200102', '2020年1月2日' (a time after it ignored) -> '2020-01-02'."""
    t = text.strip().replace("年", "-").replace("月", "-").replace("日", " ").replace("/", "-").replace(".", "-")
    t = t.split("T")[0].split(" ")[0]
    try:
        if "-" in t:
            y, m, d = (int(p) for p in t.split("-"))
            return date(y, m, d).isoformat()
        if len(t) == 8 and t.isdigit():
            return date(int(t[:4]), int(t[4:6]), int(t[6:])).isoformat()
    except ValueError:
        return None
    return None


# --- the checkers and writers, one per kind --------------------------------------------------------

class _Kind:
    """Validates the rows of one kind against the centre (inside the write transaction unless a dry
    run) and writes the good ones."""

    def __init__(self, conn, result: ImportResult, fields: list[str], *, update: bool, today: date):
        self.conn, self.result, self.update, self.today = conn, result, update, today.isoformat()
        self.at = {name: i for i, name in enumerate(fields)}
        self.county = db.meta(conn, "county_code")
        self.scheme = codes.scheme(db.meta(conn, "code_scheme", codes.DEFAULT_SCHEME))
        self.existing: dict = {}
        self.unchanged: set[int] = set()  # fids of rows the centre already holds exactly so
        self.new_rows: dict[int, tuple] = {}  # fid -> the row to write
        self.is_update: set[int] = set()

    def bad(self, fid: int, fld: str, code: str, severity: str = ERROR, /, **details) -> None:
        self.result.issues.append(Issue(fid, fld, code, details, severity))

    def get(self, row, name):
        return row.values[self.at[name]]  # (the components' hot path unpacks instead)

    COLUMNS: tuple[str, ...] = ()
    SAME = True  # a row equal to the centre's is left alone (not refused, not rewritten)

    def check(self, rows, progress: Progress) -> None:
        key = KEY[self.result.kind]
        if self.SAME:
            names = ", ".join(f'"{c}"' for c in self.COLUMNS)
            k = self.COLUMNS.index(key)
            self.existing = {r[k]: tuple(r) for r in self.conn.execute(f"SELECT {names} FROM {self.result.kind}")}
        else:
            self.existing = dict.fromkeys(r[0] for r in self.conn.execute(f'SELECT "{key}" FROM {self.result.kind}'))
        seen: dict[str, int] = {}
        n = len(rows)
        for i, row in enumerate(rows, 1):
            if row.geometry_issue:
                code, details = row.geometry_issue
                self.bad(row.fid, "geometry", code, **details)
            keyval = self.check_row(row)
            row.values = row.rings = None  # checked: what is written is in new_rows now
            if keyval is not None:
                if keyval in seen:
                    self.bad(row.fid, key, "import.duplicate", value=keyval, first=seen[keyval])
                else:
                    seen[keyval] = row.fid
                    if keyval in self.existing:
                        if self.SAME and self.new_rows.get(row.fid) == self.existing[keyval]:
                            self.unchanged.add(row.fid)
                        elif self.update:
                            self.is_update.add(row.fid)
                        else:
                            self.bad(row.fid, key, "import.exists", value=keyval)
            if i % 20_000 == 0 or i == n:
                progress("check", i, n)
        self.finish_check(rows)

    def check_row(self, row):  # -> the row's key, or None when it has none
        raise NotImplementedError

    def finish_check(self, rows) -> None:
        pass

    def required(self, row, name: str) -> str | None:
        value = self.get(row, name)
        if value is None:
            self.bad(row.fid, name, "import.required", field=name)
        return value

    def regions(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT code FROM regions")}

    def write(self, fids: list[int], progress: Progress) -> None:
        """Write the rows of `fids` (all valid) as checked."""
        raise NotImplementedError

    def upsert(self, table: str, key: str, columns: tuple[str, ...], fids, progress: Progress) -> None:
        """Inserts and updates of plain rows (regions, units), through the table's triggers."""
        names = ", ".join(f'"{c}"' for c in columns)
        insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        sets = ", ".join(f'"{c}" = ?' for c in columns if c != key)
        update = f'UPDATE {table} SET {sets} WHERE "{key}" = ?'
        k = columns.index(key)
        ins = [self.new_rows[f] for f in fids if f not in self.is_update]
        upd = [(*(v for j, v in enumerate(self.new_rows[f]) if j != k), self.new_rows[f][k])
               for f in fids if f in self.is_update]
        self.conn.executemany(insert, ins)
        self.conn.executemany(update, upd)
        self.result.inserted, self.result.updated = len(ins), len(upd)
        progress("write", len(fids), len(fids))


class _Regions(_Kind):
    COLUMNS = ("code", "name", "level", "parent_code")

    def check_row(self, row):
        code, name = self.required(row, "code"), self.required(row, "name")
        level_text, parent = self.get(row, "level"), self.get(row, "parent_code")
        if code is None:
            return None
        if not code.isascii() or not code.isdigit() or len(code) not in LEVEL_OF_LENGTH:
            self.bad(row.fid, "code", "import.bad_region_code", value=code)
            return code
        level = LEVEL_OF_LENGTH[len(code)]
        if level_text is not None:
            given = LEVELS.get(level_text.casefold(), LEVELS.get(level_text))
            if given is None:
                self.bad(row.fid, "level", "import.bad_level", value=level_text)
            elif given != level:
                self.bad(row.fid, "level", "import.level_mismatch", value=level_text, of=code, expected=level)
        if code[:6] != self.county:
            self.bad(row.fid, "code", "import.wrong_county", value=code, county=code[:6], centre=self.county)
        expected_parent = None if level == "district" else code[:CODE_LENGTH["street" if level == "community"
                                                                               else "district"]]
        if parent is not None and parent != expected_parent:
            self.bad(row.fid, "parent_code", "import.hierarchy_mismatch", field="parent_code", value=parent,
                     of=code, expected=expected_parent or "-")
        if name is not None:
            self.new_rows[row.fid] = (code, name, level, expected_parent)
        return code

    def finish_check(self, rows) -> None:
        known = self.regions() | {v[0] for v in self.new_rows.values()}
        for fid, (code, _n, _l, parent) in self.new_rows.items():
            if parent is not None and parent not in known:
                self.bad(fid, "parent_code", "import.unknown_parent", value=parent, of=code)

    def write(self, fids, progress):
        self.upsert("regions", "code", self.COLUMNS, fids, progress)


class _Units(_Kind):
    COLUMNS = ("code", "name", "kind", "region_code", "phone")

    def check_row(self, row):
        code, name = self.required(row, "code"), self.required(row, "name")
        kind_text, region, phone = self.get(row, "kind"), self.get(row, "region_code"), self.get(row, "phone")
        kind = "department"
        if kind_text is not None:
            kind = UNIT_KINDS.get(kind_text.casefold(), UNIT_KINDS.get(kind_text))
            if kind is None:
                self.bad(row.fid, "kind", "import.bad_unit_kind", value=kind_text)
        if code is not None and (len(code) > 32 or any(c.isspace() for c in code)):
            self.bad(row.fid, "code", "import.bad_unit_code", value=code)
        if region is not None and region not in self._regions:
            self.bad(row.fid, "region_code", "import.unknown_region", value=region)
        if code is not None and name is not None and kind is not None:
            self.new_rows[row.fid] = (code, name, kind, region, phone)
        return code

    def check(self, rows, progress):
        self._regions = self.regions()
        super().check(rows, progress)

    def write(self, fids, progress):
        self.upsert("units", "code", self.COLUMNS, fids, progress)


class _Grids(_Kind):
    COLUMNS = ("geom", "code", "name", "street_code", "community_code", "area_m2")

    def check(self, rows, progress):
        self._regions = self.regions()
        self.srs_id = int(db.meta(self.conn, "srs_id", "4549"))
        super().check(rows, progress)

    def check_row(self, row):
        raw = self.required(row, "code")
        if raw is None:
            return None
        reason = codes.grid_problem(raw)
        if reason:
            self.bad(row.fid, "code", "import.bad_grid_code", value=raw, reason=reason)
            return raw
        grid = codes.parse_grid_code(raw)
        code = grid.code  # a legacy 14-digit code is stored in its 15-digit form
        if grid.county != self.county:
            self.bad(row.fid, "code", "import.wrong_county", value=raw, county=grid.county, centre=self.county)
            return code
        ok = True
        for name, expected in (("street_code", grid.street_code), ("community_code", grid.community_code)):
            given = self.get(row, name)
            if given is not None and given != expected:
                ok = False
                self.bad(row.fid, name, "import.hierarchy_mismatch", field=name, value=given, of=code,
                         expected=expected)
            elif expected not in self._regions:
                ok = False
                self.bad(row.fid, name, "import.unknown_region", value=expected)
        if ok and row.rings is not None:
            self.new_rows[row.fid] = (gpkg.polygon(row.rings, self.srs_id), code, self.get(row, "name"),
                                      grid.street_code, grid.community_code, round(row.area, 2))
        return code

    def write(self, fids, progress):
        self.upsert("grids", "code", self.COLUMNS, fids, progress)
        gpkg.update_extent(self.conn, "grids")


class _Components(_Kind):
    SAME = False  # ORDate defaults to the import day: a re-run is never "the same"
    COLUMNS = ("fid", "geom", "ObjID", "ObjName", "DeptCode1", "DeptName1", "DeptCode2", "DeptName2",
               "DeptCode3", "DeptName3", "BGID", "ObjState", "ORDate", "CHDate", "DataSource", "Note")
    STATES = frozenset(schema_v1.OBJ_STATES)

    def check(self, rows, progress):
        conn = self.conn
        self.srs_id = int(db.meta(conn, "srs_id", "4549"))
        # a class retired by a newer code table (schema 5's classes.retired_at) is kept for history
        # but takes no new components
        retired = "retired_at IS NOT NULL" if any(
            r[1] == "retired_at" for r in conn.execute("PRAGMA table_info(classes)")) else "0"
        self.retired = set()
        self.classes = {}
        for code, name, gone in conn.execute(
                f"SELECT code, minor_name, {retired} FROM classes WHERE kind = 'component'"):
            if gone:
                self.retired.add(code)
            else:
                self.classes[code] = name
        self.by_name = defaultdict(list)
        for code, name in sorted(self.classes.items()):
            self.by_name[name].append(code)
        self.units = dict(conn.execute("SELECT code, name FROM units"))
        self.todo: dict[int, str] = {}  # fid -> class code, rows waiting for an ObjID
        self.points: dict[int, tuple[float, float]] = {}
        self.cd = codes.COUNTY_DIGITS
        self.class_end, self.objid_digits = self.cd + self.scheme.class_digits, self.scheme.objid_digits
        self.prefixes: set[str] = set()  # county + class prefixes of ObjIDs already found well-formed
        self.days: dict[str, str | None] = {}
        placed = [r for r in rows if r.xy is not None]
        self.bgids = dict(zip((r.fid for r in placed), geocode.grids_at(conn, [r.xy for r in placed]),
                              strict=True))
        super().check(rows, progress)

    def check_row(self, row):  # noqa: C901 — one rule after the other, in the report's order
        fid = row.fid
        ok = row.geometry_issue is None
        (objid, klass, name, dc1, dn1, dc2, dn2, dc3, dn3, given_bgid, state, ordate, chdate, source,
         note) = row.values  # in the order of ALIASES["components"]
        cls = None
        if objid is not None:
            head = objid[:self.class_end]
            fast = len(objid) == self.objid_digits and objid.isdigit() and objid.isascii()
            reason = None if fast and head in self.prefixes else codes.objid_problem(objid, self.scheme)
            if reason is None:
                self.prefixes.add(head)
            if reason:
                self.bad(fid, "ObjID", "import.bad_objid", value=objid, scheme=self.scheme.name, reason=reason)
                return objid
            if objid[:self.cd] != self.county:
                self.bad(fid, "ObjID", "import.wrong_county", value=objid, county=objid[:self.cd],
                         centre=self.county)
                ok = False
            cls = objid[self.cd:self.class_end]
            if klass is not None and klass != cls:
                self.bad(fid, "class_code", "import.class_mismatch", value=klass, ObjID=objid, class_code=cls)
                ok = False
        elif klass is not None:
            cls = klass
        elif name is not None:
            found = self.by_name.get(name, [])
            if len(found) == 1:
                cls = found[0]
            elif found:
                self.bad(fid, "ObjName", "import.ambiguous_name", value=name, classes=", ".join(found))
                return None
            else:
                self.bad(fid, "ObjName", "import.unknown_name", value=name)
                return None
        else:
            self.bad(fid, "ObjID", "import.no_class")
            return None
        if cls not in self.classes:
            reason = codes.class_problem(cls, self.scheme)
            if cls in self.retired:
                self.bad(fid, "class_code", "import.retired_class", value=cls)
            elif reason:
                self.bad(fid, "class_code", "import.bad_class_code", value=cls, scheme=self.scheme.name,
                         reason=reason)
            else:
                self.bad(fid, "class_code", "import.unknown_class", value=cls)
            return objid
        minor = self.classes[cls]
        if name is None:
            name = minor
        elif name != minor:
            self.bad(fid, "ObjName", "import.name_mismatch", value=name, class_code=cls, expected=minor)
            ok = False
        state = state or "完好"
        if state not in self.STATES:
            self.bad(fid, "ObjState", "import.bad_state", value=state, allowed=", ".join(schema_v1.OBJ_STATES))
            ok = False
        days = {}
        for d, text in (("ORDate", ordate), ("CHDate", chdate)):
            if text is None:
                days[d] = None
            else:
                days[d] = self.days.get(text) or self.days.setdefault(text, parse_day(text))
            if text is not None and days[d] is None:
                self.bad(fid, d, "import.bad_date", value=text)
                ok = False
        depts = []
        for k, dcode, dname in ((1, dc1, dn1), (2, dc2, dn2), (3, dc3, dn3)):
            if dcode is not None and dcode not in self.units:
                self.bad(fid, f"DeptCode{k}", "import.unknown_unit", value=dcode)
                ok = False
            depts += [dcode, dname if dname is not None or dcode is None else self.units.get(dcode)]
        bgid = None
        if row.xy is not None:
            bgid = self.bgids.get(fid)
            if bgid is None:
                self.bad(fid, "geometry", "import.outside_grids", x=round(row.xy[0], 3), y=round(row.xy[1], 3))
                ok = False
            else:
                given = given_bgid
                if given is not None and given != bgid and not (
                        codes.grid_problem(given) is None and codes.normalize_grid_code(given) == bgid):
                    self.bad(fid, "BGID", "import.bgid_mismatch", WARNING, value=given, computed=bgid)
        if ok:
            if objid is None:
                self.todo[fid] = cls
            self.points[fid] = row.xy
            self.new_rows[fid] = (objid, name, *depts, bgid, state, days["ORDate"] or self.today,
                                  days["CHDate"], source, note)
        return objid

    def finish_check(self, rows) -> None:
        self.result.allocated = len(self.todo)
        self.bgids = {}

    def _allocate(self, fids: list[int]) -> None:
        """ObjIDs for the good rows that came without one, class by class, above the source's own."""
        by_class = defaultdict(list)
        for fid in fids:
            if fid in self.todo:
                by_class[self.todo[fid]].append(fid)
        given = defaultdict(int)  # class -> highest serial the source brings for it
        digits = self.scheme.class_digits
        for row in self.new_rows.values():
            if row[0] is not None and row[0][:self.cd] == self.county:
                cls = row[0][self.cd:self.cd + digits]
                given[cls] = max(given[cls], int(row[0][self.cd + digits:]))
        for cls, wanting in by_class.items():
            ids = geocode.allocate_objids(self.conn, cls, len(wanting), floor=given[cls])
            for fid, objid in zip(wanting, ids, strict=True):
                self.new_rows[fid] = (objid, *self.new_rows[fid][1:])
        self.result.allocated = sum(len(v) for v in by_class.values())

    def write(self, fids, progress):
        conn = self.conn
        self._allocate(fids)
        srs, point = self.srs_id, gpkg.point
        # new rows in ObjID order: the ObjID index and the sync log then grow at their ends
        inserts = sorted((f for f in fids if f not in self.is_update), key=lambda f: self.new_rows[f][0])
        updates = [f for f in fids if f in self.is_update]
        empty = (conn.execute("SELECT 1 FROM components LIMIT 1").fetchone() is None
                 and conn.execute("SELECT 1 FROM rtree_components_geom LIMIT 1").fetchone() is None)
        seq = conn.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'components'), 0), "
                           "coalesce((SELECT max(fid) FROM components), 0))").fetchone()[0]
        first = seq + 1
        names = ", ".join(f'"{c}"' for c in self.COLUMNS)
        sql = f"INSERT INTO components ({names}) VALUES ({', '.join('?' * len(self.COLUMNS))})"
        total = len(fids)

        def rows_of(batch, start):
            pop = self.new_rows.pop  # written rows leave memory before the R-tree is packed
            return [(start + i, point(*self.points[f], srs), *pop(f)) for i, f in enumerate(batch)]

        step = 20_000
        if empty and inserts:
            with _without_triggers(conn, "components"):
                for k in range(0, len(inserts), step):
                    conn.executemany(sql, rows_of(inserts[k:k + step], first + k))
                    progress("write", min(k + step, len(inserts)), total)
                new = range(first, first + len(inserts))
                rtree.load_points(conn, "rtree_components_geom", list(new),
                                  [self.points[f][0] for f in inserts], [self.points[f][1] for f in inserts])
                # what the sync triggers would have logged: one change per new component (a tombstone
                # of a component deleted earlier under the same ObjID gives way, as the triggers do)
                if conn.execute("SELECT 1 FROM sync_changes WHERE entity = 'component' LIMIT 1").fetchone():
                    conn.execute("DELETE FROM sync_changes WHERE entity = 'component' AND entity_id IN "
                                 "(SELECT ObjID FROM components WHERE fid >= ?)", (first,))
                conn.execute("INSERT INTO sync_changes (entity, entity_id, deleted) "
                             "SELECT 'component', ObjID, 0 FROM components WHERE fid >= ? ORDER BY fid",
                             (first,))
        else:
            for k in range(0, len(inserts), step):
                conn.executemany(sql, rows_of(inserts[k:k + step], first + k))
                progress("write", min(k + step, len(inserts)), total)
        cols = [c for c in self.COLUMNS if c not in ("fid", "ObjID")]
        usql = f"UPDATE components SET {', '.join(f'{c} = ?' for c in cols)} WHERE ObjID = ?"
        urows = []
        for f in updates:
            objid, name, *rest = self.new_rows[f]
            row = [point(*self.points[f], srs), name, *rest]
            row[cols.index("CHDate")] = row[cols.index("CHDate")] or self.today
            urows.append((*row, objid))
        conn.executemany(usql, urows)
        progress("write", total, total)
        gpkg.update_extent(conn, "components")
        self.result.inserted, self.result.updated = len(inserts), len(updates)


class _without_triggers:
    """Drop a table's triggers and secondary indexes (not the UNIQUE ones) for a bulk load into an
    empty table, and put them back after, inside the caller's transaction. The caller fills what
    the triggers would have (the R-tree, the sync log)."""

    def __init__(self, conn, table: str):
        self.conn, self.table = conn, table

    def __enter__(self):
        self.saved = self.conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL "
            "AND tbl_name = ? ORDER BY type, name", (self.table,)).fetchall()
        for kind, name, _sql in self.saved:
            self.conn.execute(f'DROP {kind.upper()} "{name}"')
        return self

    def __exit__(self, *exc):
        if exc[0] is None:  # on an error the transaction's rollback restores them
            for _kind, _name, sql in self.saved:
                self.conn.execute(sql)
        return False


_CHECKERS = {"regions": _Regions, "units": _Units, "grids": _Grids, "components": _Components}


# --- the report ----------------------------------------------------------------------------------

REPORT_HEAD = ("row", "field", "value", "code", "severity", "message")


def write_report(result: ImportResult, path) -> Path:
    """The issues as CSV (UTF-8 with a BOM, so Excel shows Chinese): one line per issue, in the
    current language; the header names stay English (a file for tools as much as for people)."""
    p = Path(path)
    with open(p, "w", encoding="utf-8-sig", newline="") as out:  # a CSV, never a centre file
        w = csv.writer(out)
        w.writerow(REPORT_HEAD)
        for issue in sorted(result.issues, key=lambda i: (i.fid, i.field)):
            value = issue.value
            w.writerow((issue.fid, issue.field, "" if value is None else value, issue.code, issue.severity,
                        issue.message()))
    return p
