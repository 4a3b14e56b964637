#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a year's holidays and make-up working days for `citygrid calendar import`, from the
`chinese-calendar` package on PyPI (pip install chinese-calendar; not a citygrid dependency).

    python3 scripts/holidays-from-chinese-calendar.py 2027 > holidays-2027.csv
    citygrid calendar import centre.gpkg holidays-2027.csv

Holidays (0) are the official days off that fall on a weekday; make-up working days (1) are the
official working days that fall on a weekend (调休). chinese-calendar knows a year only once the
State Council has published it (usually in November of the year before).
"""

import csv
import sys
from datetime import date, timedelta

import chinese_calendar  # pip install chinese-calendar

year = int(sys.argv[1])
chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}  # "Spring Festival" -> 春节
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["date", "working", "note"])
day = date(year, 1, 1)
while day.year == year:
    weekend = day.isoweekday() >= 6
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if on_holiday and not weekend:
        out.writerow([day.isoformat(), 0, chinese.get(name, name or "")])
    elif not on_holiday and weekend:
        out.writerow([day.isoformat(), 1, f"{chinese.get(name, name or '')}调休上班"])
    day += timedelta(days=1)
