# SPDX-License-Identifier: GPL-2.0-or-later
"""Code schemes: unit grid codes (15 digits, legacy 14), component ObjIDs and class codes.

The ObjID layout is configuration (`Scheme`), not code: `gb16` is the layout deployed systems use
(6 county + 2 major + 2 minor + 6 serial), `gb17` the GB/T 47678.5 (2026) one (3-digit minor class).
Pure functions, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .problems import Problem

DEFAULT_SCHEME = "gb16"
COUNTY_DIGITS = 6
_DIGITS = re.compile(r"[0-9]+")
# GB/T 2260 province-level prefixes (including Taiwan, Hong Kong and Macao).
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
                       "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
                       "63", "64", "65", "71", "81", "82"})


@dataclass(frozen=True)
class Scheme:
    """The digit layout of class codes and ObjIDs."""

    name: str
    major_digits: int
    minor_digits: int
    serial_digits: int
    title: str = ""

    @property
    def class_digits(self) -> int:
        return self.major_digits + self.minor_digits

    @property
    def objid_digits(self) -> int:
        return COUNTY_DIGITS + self.class_digits + self.serial_digits

    @property
    def max_serial(self) -> int:
        return 10 ** self.serial_digits - 1


SCHEMES: dict[str, Scheme] = {
    "gb16": Scheme("gb16", 2, 2, 6, "16-digit ObjID, 4-digit class code (as deployed)"),
    "gb17": Scheme("gb17", 2, 3, 6, "17-digit ObjID, 5-digit class code (GB/T 47678.5-2026)"),
}


def scheme(name: str | Scheme | None = None) -> Scheme:
    """The named scheme (a Scheme passes through; None is the default)."""
    if isinstance(name, Scheme):
        return name
    found = SCHEMES.get(DEFAULT_SCHEME if name is None else name)
    if found is None:
        raise Problem("code.unknown_scheme", name=str(name), known=", ".join(SCHEMES))
    return found


_resolve = scheme  # functions below take a parameter named `scheme`


def _digits(value) -> bool:
    return isinstance(value, str) and _DIGITS.fullmatch(value) is not None


def county_problem(code) -> str | None:
    """Why `code` is not a GB/T 2260 county-level code, or None when it is one."""
    if not _digits(code) or len(code) != COUNTY_DIGITS:
        return "expected 6 digits"
    if code[:2] not in PROVINCES:
        return "unknown province prefix"
    if code[2:] == "0000":
        return "province, not a county-level division"
    return None


def check_county(code) -> str:
    """A valid 6-digit county-level division code (GB/T 2260), returned unchanged."""
    reason = county_problem(code)
    if reason:
        raise Problem("code.malformed_county", value=str(code), reason=reason)
    return code


# --- unit grids ------------------------------------------------------------------------------

@dataclass(frozen=True)
class GridCode:
    """A parsed unit grid code; `legacy` marks the CJ/T 213-2005 14-digit form."""

    county: str
    street: str
    community: str
    serial: str
    legacy: bool = False

    @property
    def street_code(self) -> str:
        return self.county + self.street

    @property
    def community_code(self) -> str:
        return self.county + self.street + self.community

    @property
    def code(self) -> str:
        """The 15-digit form (a legacy 2-digit serial is zero-padded)."""
        return self.community_code + self.serial.zfill(3)


def grid_problem(code) -> str | None:
    """Why `code` is not a unit grid code (15 digits or legacy 14), or None when it is one."""
    if not _digits(code) or len(code) not in (14, 15):
        return "expected 15 digits, or 14 (legacy)"
    reason = county_problem(code[:COUNTY_DIGITS])
    return reason and f"county: {reason}"


def parse_grid_code(code) -> GridCode:
    """15 digits = county 6 + street 3 + community 3 + serial 3; 14 digits = legacy (serial 2)."""
    reason = grid_problem(code)
    if reason:
        raise Problem("code.malformed_grid", value=str(code), reason=reason)
    return GridCode(code[:6], code[6:9], code[9:12], code[12:], legacy=len(code) == 14)


def normalize_grid_code(code) -> str:
    """Any accepted grid code in its 15-digit form."""
    return parse_grid_code(code).code


# --- class codes and ObjIDs ------------------------------------------------------------------

def class_problem(code, scheme: Scheme) -> str | None:
    """Why `code` is not a class code of the scheme, or None when it is one."""
    if not _digits(code) or len(code) != scheme.class_digits:
        return f"expected {scheme.class_digits} digits"
    if int(code[:scheme.major_digits]) == 0:
        return "major class 0"
    if int(code[scheme.major_digits:]) == 0:
        return "minor class 0"
    return None


def check_class_code(code, scheme: str | Scheme | None = None) -> str:
    """A valid class code (major + minor) for the scheme, returned unchanged."""
    sch = _resolve(scheme)
    reason = class_problem(code, sch)
    if reason:
        raise Problem("code.malformed_class", value=str(code), scheme=sch.name, reason=reason)
    return code


def split_class_code(code, scheme: str | Scheme | None = None) -> tuple[str, str]:
    """A class code -> (major, minor)."""
    sch = _resolve(scheme)
    check_class_code(code, sch)
    return code[:sch.major_digits], code[sch.major_digits:]


@dataclass(frozen=True)
class ObjID:
    """A parsed component identifier."""

    county: str
    major: str
    minor: str
    serial: str

    @property
    def class_code(self) -> str:
        return self.major + self.minor

    @property
    def code(self) -> str:
        return self.county + self.major + self.minor + self.serial

    @property
    def serial_number(self) -> int:
        return int(self.serial)


def objid_problem(objid, scheme: Scheme) -> str | None:
    """Why `objid` is not an ObjID of the scheme, or None when it is one."""
    if not _digits(objid) or len(objid) != scheme.objid_digits:
        return f"expected {scheme.objid_digits} digits"
    reason = county_problem(objid[:COUNTY_DIGITS])
    if reason:
        return f"county: {reason}"
    reason = class_problem(objid[COUNTY_DIGITS:COUNTY_DIGITS + scheme.class_digits], scheme)
    return reason and f"class: {reason}"


def parse_objid(objid, scheme: str | Scheme | None = None) -> ObjID:
    """county 6 + major + minor + serial, with the widths of the scheme."""
    sch = _resolve(scheme)
    reason = objid_problem(objid, sch)
    if reason:
        raise Problem("code.malformed_objid", value=str(objid), scheme=sch.name, reason=reason)
    major_end = COUNTY_DIGITS + sch.major_digits
    class_end = COUNTY_DIGITS + sch.class_digits
    return ObjID(objid[:COUNTY_DIGITS], objid[COUNTY_DIGITS:major_end], objid[major_end:class_end],
                 objid[class_end:])


def format_objid(county: str, class_code: str, serial: int,
                 scheme: str | Scheme | None = None) -> str:
    """The ObjID for a county, class and serial (1 .. scheme.max_serial)."""
    sch = _resolve(scheme)
    check_county(county)
    check_class_code(class_code, sch)
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= sch.max_serial:
        raise Problem("code.serial_out_of_range", value=str(serial), max=sch.max_serial, scheme=sch.name)
    return f"{county}{class_code}{serial:0{sch.serial_digits}d}"
