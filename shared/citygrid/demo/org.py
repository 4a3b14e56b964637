# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo city's organisation: units and who owns which class, accounts, collectors' grids and
the work calendar with the Chinese public holidays (resources/calendar/cn-holidays.csv)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from ..admin import holidays as cn_holidays
from ..loop import accounts

PASSWORD = "citygrid-demo"
CREATED_AT = "2021-11-01T00:00:00.000Z"  # when the demo centre "went live"
CENTRE_STAFF = (("admin", "admin", "系统管理员"), ("operator", "operator", "受理员"), ("leader", "leader", "值班长"),
                ("dispatcher", "dispatcher", "派遣员"), ("supervisor", "supervisor", "督查员"),
                ("gis", "gis", "GIS管理员"))

# code, name, kind, competent department (主管部门; "" = itself), maintainer (养护单位; "" = itself)
UNITS = (
    ("GSZJ", "姑苏区住房和城乡建设局", "department", "", "GSSZ"),
    ("GSSZ", "姑苏区市政设施管理所", "maintainer", "GSZJ", ""),
    ("SZSW", "苏州市水务局", "department", "", "SZPS"),
    ("SZPS", "苏州市排水有限公司", "owner", "SZSW", ""),
    ("SZZLS", "苏州市自来水有限公司", "owner", "SZSW", ""),
    ("SZGD", "国网苏州供电公司", "owner", "", ""),
    ("SZLD", "苏州市路灯管理处", "department", "", ""),
    ("SZDX", "中国电信苏州分公司", "owner", "", ""),
    ("SZYZ", "中国邮政苏州分公司", "owner", "", ""),
    ("SZRQ", "苏州港华燃气有限公司", "owner", "GSZJ", ""),
    ("GSYL", "姑苏区园林绿化管理所", "department", "", "GSLH"),
    ("GSLH", "姑苏区绿化养护中心", "maintainer", "GSYL", ""),
    ("GSHW", "姑苏区环境卫生管理所", "department", "", "GSHZ"),
    ("GSHZ", "姑苏区环卫作业有限公司", "maintainer", "GSHW", ""),
    ("GSCG", "姑苏区城市管理局", "department", "", ""),
    ("SZJJ", "苏州市公安局交通警察支队", "department", "", ""),
    ("SZJT", "苏州市交通运输局", "department", "", ""),
    ("SZGJ", "苏州公交集团有限公司", "owner", "SZJT", ""),
    ("GSGA", "苏州市公安局姑苏分局", "department", "", ""),
    ("SZHB", "苏州市生态环境局姑苏分局", "department", "", ""),
    ("SZXF", "苏州市消防救援支队", "department", "", ""),
    ("SZQX", "苏州市气象局", "department", "", ""),
)
# owner unit -> component classes (权属单位); unlisted classes belong to GSZJ
COMPONENT_OWNERS = {
    "SZZLS": "0101 0132", "SZPS": "0102 0103 0104 0127", "SZGD": "0105 0116 0133 0134",
    "SZLD": "0106 0117 0118 0119 0120", "SZDX": "0107 0108 0109 0115 0122", "SZRQ": "0111 0135",
    "GSGA": "0112 0136 0138", "SZXF": "0113", "SZYZ": "0123", "SZGJ": "0128 0203",
    "GSCG": "0121 0124 0125 0137 0212 0306 0307 0501", "SZSW": "0131 0310 0603 0604 0605 0606",
    "SZJT": "0201 0202 0204 0215", "SZJJ": "0209 0210 0211 0213 0214 0217",
    "GSHW": "0301 0302 0303 0304 0305", "SZHB": "0308 0311", "SZQX": "0309",
    "GSYL": "0126 0401 0402 0403 0404 0405 0406 0407 0408 0409 0410",
}
# owner unit -> event classes (主管部门); unlisted classes belong to GSCG
EVENT_OWNERS = {
    "GSHW": "0102 0103 0104 0107 0108 0112 0113 0115 0117 0407", "SZSW": "0105 0111 0114 0406",
    "GSYL": "0106 0109", "GSZJ": "0110 0301 0302 0303 0399 0401 0405", "SZZLS": "0402", "SZRQ": "0403",
    "SZPS": "0404", "SZGD": "0408", "GSGA": "0409 0502 0509", "SZJJ": "0505", "SZHB": "0116",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈"
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 志强 晓东 海燕 文 斌 宇 颖 晨 浩".split()


@dataclass(frozen=True)
class Unit:
    """A unit row plus who is its competent department and maintainer."""

    code: str
    name: str
    kind: str
    region_code: str | None
    competent: str
    maintainer: str
    phone: str


def units(regions: list, rng: random.Random) -> list[Unit]:
    """The departments and companies, then one territorial unit (街道办事处) per street."""
    out = [Unit(code, name, kind, None, competent or code, maintainer or code, _phone(rng))
           for code, name, kind, competent, maintainer in UNITS]
    for code, name, level, _parent in regions:
        if level == "street":
            unit = f"JD{code[-3:]}"
            out.append(Unit(unit, f"{name}办事处", "territorial", code, unit, unit, _phone(rng)))
    return out


def _phone(rng: random.Random) -> str:
    return f"0512-6{rng.randrange(5000000, 9999999)}"


def _owner_table(table: dict) -> dict:
    return {code: unit for unit, codes in table.items() for code in codes.split()}


_COMPONENT_OWNER, _EVENT_OWNER = _owner_table(COMPONENT_OWNERS), _owner_table(EVENT_OWNERS)


def owner_unit(kind: str, class_code: str) -> str:
    """The unit owning a class: components' 权属单位, events' 主管部门."""
    if kind == "component":
        return _COMPONENT_OWNER.get(class_code, "GSZJ")
    return _EVENT_OWNER.get(class_code, "GSCG")


def departments(kind: str, class_code: str, by_code: dict) -> tuple[Unit, Unit, Unit]:
    """A component class's (主管部门, 权属单位, 养护单位)."""
    owner = by_code[owner_unit(kind, class_code)]
    return by_code[owner.competent], owner, by_code[owner.maintainer]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def collector_runs(communities: list[str], n_collectors: int) -> list[list[str]]:
    """Communities in order, dealt to collectors as contiguous runs (1-3 each when there are enough)."""
    n = max(1, min(n_collectors, len(communities)))
    size, extra = divmod(len(communities), n)
    runs, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        runs.append(communities[start:end])
        start = end
    return runs


def users(unit_rows: list[Unit], n_collectors: int, rng: random.Random) -> list[tuple]:
    """(username, display name, role, unit code) for every demo account."""
    out = [(name, title, role, None) for name, role, title in CENTRE_STAFF]
    out += [(f"collector{i + 1:02d}", person(rng), "collector", None) for i in range(n_collectors)]
    out += [(f"unit_{u.code.lower()}", u.name, "unit", u.code) for u in unit_rows]
    return out


def password_hash(seed: int) -> str:
    """`citygrid-demo` hashed once per database, with a salt from the seed so runs repeat exactly.

    A demo password is public anyway.
    """
    salt = hashlib.sha256(f"citygrid-demo/{seed}/salt".encode()).digest()[:accounts.SALT_BYTES]
    return accounts.hash_password(PASSWORD, salt=salt)


def holidays(first: date, last: date) -> list[tuple[date, int, str]]:
    """Day overrides between two dates: holidays (not working) and make-up working days (调休上班),
    from resources/calendar/cn-holidays.csv (the file `citygrid init` reads too)."""
    return cn_holidays.between(first, last)
