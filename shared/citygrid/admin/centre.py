# SPDX-License-Identifier: GPL-2.0-or-later
"""Creating an empty, valid centre for one's own district (`citygrid init`, the desk's "new centre").

`create(path, division=..., name=..., admin_password=...)` writes, in one go, a centre GeoPackage with
the schema in the district's CRS (any projected CRS in metres, see `crs.resolve`), the district's
region row, the class, condition and time-limit tables from `resources/codes/`, the work calendar of
this year and the next (weekends from the weekly pattern; the public holidays and make-up working days
of `resources/calendar/cn-holidays.csv` for the years it covers) and an `admin` account.

Nothing is written unless everything succeeds: the centre is built in a temporary directory beside
`path` and linked into place at the end; an existing file is never overwritten nor touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from .. import codes, crs, times
from ..loop import accounts, deadlines, dictionaries
from ..problems import Problem
from ..store import db
from . import holidays

ADMIN = "admin"
ADMIN_DISPLAY_NAME = "系统管理员"
# GB/T 2260 province prefix -> longitude of its capital: picks the 3-degree Gauss-Krüger zone when
# no --crs is given (a province spanning several zones may need --crs; init says which zone it chose)
PROVINCE_LONGITUDE = {
    "11": 116.4, "12": 117.2, "13": 114.5, "14": 112.55, "15": 111.7, "21": 123.4, "22": 125.3,
    "23": 126.6, "31": 121.5, "32": 118.8, "33": 120.2, "34": 117.3, "35": 119.3, "36": 115.9,
    "37": 117.0, "41": 113.6, "42": 114.3, "43": 112.9, "44": 113.3, "45": 108.3, "46": 110.3,
    "50": 106.5, "51": 104.1, "52": 106.6, "53": 102.7, "54": 91.1, "61": 108.9, "62": 103.8,
    "63": 101.8, "64": 106.2, "65": 87.6, "71": 121.5, "81": 114.2, "82": 113.5,
}


@dataclass(frozen=True)
class Summary:
    """What `create` made."""

    path: str
    division: str
    name: str
    srs_id: int
    crs: str  # EPSG:N, or the name of a local definition
    crs_name: str
    crs_derived: bool  # chosen from the province, not given
    scheme: str
    classes: int
    conditions: int
    years: tuple[int, ...]  # the calendar's years
    holiday_years: tuple[int, ...]  # of those, the years the holiday file covers
    missing_years: tuple[int, ...]  # weekends only: run `citygrid calendar import`
    calendar_days: int  # holidays and make-up working days written
    admin: str

    def to_wire(self) -> dict:
        return asdict(self)


def default_crs(division: str) -> str:
    """The 3-degree Gauss-Krüger zone (EPSG:4534-4554) of the province's capital."""
    return f"EPSG:{crs.zone_for(PROVINCE_LONGITUDE[codes.check_county(division)[:2]])}"


def create(path: str | os.PathLike, *, division: str, name: str, admin_password: str,
           crs_spec: str | None = None, scheme: str = codes.DEFAULT_SCHEME, today: date | None = None,
           timezone: str = times.DEFAULT_ZONE, codes_dir: str | os.PathLike | None = None,
           holidays_file: str | os.PathLike | None = None) -> Summary:
    """Write a new, empty centre at `path` (see the module docstring); every input is checked first."""
    target = Path(path)
    codes.check_county(division)
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise Problem("init.bad_name", name=str(name))
    codes.scheme(scheme)
    accounts.check_password(admin_password)
    srs = crs.resolve(crs_spec or default_crs(division))
    first_year = (today or datetime.now(times.zone(timezone)).date()).year
    years = (first_year, first_year + 1)
    known = holidays.read(holidays_file)
    days = [d for d in known if d[0].year in years]
    covered = tuple(y for y in years if any(d[0].year == y for d in known))
    _check_target(target)

    work = _workdir(target)
    try:
        built = work / target.name
        conn = db.create_centre(built, srs=srs, timezone=timezone, county_code=division, name=name,
                                scheme=scheme)
        try:
            counts = dictionaries.install(conn, codes_dir)
            with db.transaction(conn):
                conn.execute("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, 'district', NULL)",
                             (division, name))
            deadlines.set_days(conn, days)
            accounts.add_user(conn, ADMIN, "admin", admin_password, display_name=ADMIN_DISPLAY_NAME)
        finally:
            conn.close()
        _place(built, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Summary(path=str(target), division=division, name=name, srs_id=srs.srs_id, crs=srs.label,
                   crs_name=srs.name, crs_derived=crs_spec is None, scheme=scheme,
                   classes=counts["classes"], conditions=counts["conditions"], years=years,
                   holiday_years=covered, missing_years=tuple(y for y in years if y not in covered),
                   calendar_days=len(days), admin=ADMIN)


def _check_target(target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise Problem("init.exists", path=str(target))
    if not target.parent.is_dir():
        raise Problem("init.no_directory", path=str(target.parent))


def _workdir(target: Path) -> Path:
    """A private directory beside `target` (same file system, so the final link is atomic)."""
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    except OSError as exc:
        raise Problem("init.cannot_write", path=str(target.parent), reason=exc.strerror or str(exc)) from None


def _place(built: Path, target: Path) -> None:
    """Move the finished centre to `target`, never replacing a file that appeared meanwhile."""
    try:
        os.link(built, target)  # fails if target exists: no window in which another file is replaced
    except FileExistsError:
        raise Problem("init.exists", path=str(target)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise Problem("init.cannot_write", path=str(target), reason=exc.strerror or str(exc)) from None
        if target.exists() or target.is_symlink():  # a file system without hard links
            raise Problem("init.exists", path=str(target)) from None
        try:
            os.rename(built, target)
        except OSError as exc2:
            raise Problem("init.cannot_write", path=str(target), reason=exc2.strerror or str(exc2)) from None
    with contextlib.suppress(FileNotFoundError):
        os.remove(built)
