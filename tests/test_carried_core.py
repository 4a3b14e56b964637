# SPDX-License-Identifier: GPL-2.0-or-later
"""The core the plugin and the field app carry stays small: importing it builds no large table, loads
neither the demo nor OpenSSL, and its caches are bounded (issue 9; figures in docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citygrid import times
from citygrid.loop import deadlines

SHARED = Path(__file__).resolve().parents[1] / "shared"
LOOP = sorted(p.stem for p in (SHARED / "citygrid" / "loop").glob("*.py") if p.stem != "__init__")
CARRIED = ["citygrid.loop"] + [f"citygrid.loop.{m}" for m in LOOP] + ["citygrid.sync.protocol"]

# runs in a fresh interpreter: imports the carried core and describes what that left in memory
PROBE = """
import json, sys, tracemalloc
tracemalloc.start()
for name in sys.argv[1:]:
    try:
        __import__(name)
    except ModuleNotFoundError as exc:  # citygrid.sync.protocol before it lands
        if exc.name != name:
            raise
sizes = {f"{m}.{k}": len(v) for m, mod in list(sys.modules.items()) if m.startswith("citygrid")
         for k, v in vars(mod).items() if isinstance(v, (tuple, list, dict, set, frozenset))}
traced = tracemalloc.get_traced_memory()[0]
print(json.dumps({"traced": traced, "sizes": sizes, "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def imported() -> dict:
    env = dict(os.environ, PYTHONPATH=str(SHARED))
    out = subprocess.run([sys.executable, "-c", PROBE, *CARRIED], env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def test_importing_the_carried_core_builds_no_large_table(imported):
    large = {name: n for name, n in imported["sizes"].items() if n > 2_000}
    assert large == {}  # times._CLOCK held all 86,400 clock seconds: 70 ms and 7 MB at every import


def test_importing_the_carried_core_allocates_under_5_mb(imported):
    assert imported["traced"] < 5_000_000  # 9.1 MB before issue 9 (tracemalloc, a fresh interpreter)


def test_importing_the_carried_core_loads_neither_the_demo_nor_openssl(imported):
    assert [m for m in imported["modules"] if m.startswith("citygrid.demo")] == []
    assert "_hashlib" not in imported["modules"]  # 3.6 MB resident; hashed passwords load it when used


# -- times.text_us: the stored text, exact -----------------------------------------------------

def _reference(us: int) -> str:
    t = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}."
            f"{t.microsecond // 1000:03d}Z")


EARLIEST_US, LATEST_US = times.to_us(times.EARLIEST), times.to_us(times.LATEST)


@given(st.integers(EARLIEST_US, LATEST_US))
def test_text_us_writes_every_instant_exactly(us):
    assert times.text_us(us) == _reference(us)


EDGES = [EARLIEST_US, LATEST_US, -1, 0, 999, 1000, 59_999_999, 60_000_000, 86_399_999_999, 86_400_000_000,
         951_782_400_000_000, 4_102_444_799_999_999]  # …, 2000-02-29T00:00, 2099-12-31T23:59:59.999999


@pytest.mark.parametrize("us", EDGES)
def test_text_us_at_the_edges_of_milliseconds_minutes_days_and_time(us):
    assert times.text_us(us) == _reference(us)
    assert times.to_db(times.from_us(us)) == _reference(us)


def test_text_us_keeps_a_bounded_cache_of_days():
    times._DATES.clear()
    step = 86_400_000_000
    texts = [times.text_us(day * step + 3_723_004_000) for day in range(-15_000, 15_000)]
    assert len(times._DATES) <= times._DATES_KEPT <= 20_000
    assert texts[15_000] == "1970-01-01T01:02:03.004Z"
    assert texts[0] == _reference(-15_000 * step + 3_723_004_000) == "1928-12-07T01:02:03.004Z"


# -- WorkCalendar: its caches stay bounded, its answers do not change -----------------------------

START_2024 = times.to_us(datetime(2024, 1, 1, tzinfo=UTC))


def test_work_calendar_keeps_a_bounded_cache_of_hours():
    cal, fresh = deadlines.WorkCalendar(), deadlines.WorkCalendar()
    hours = range(2 * 8_784)  # two years of hours: twice what the cache keeps
    ends = [cal.add_us(START_2024 + h * 3_600_000_000, 0.5, "working_hours") for h in hours]
    assert 0 < len(cal._hours) <= deadlines._HOURS_KEPT <= 10_000
    sample = list(hours)[::97]
    assert [fresh.add_us(START_2024 + h * 3_600_000_000, 0.5, "working_hours") for h in sample] == ends[::97]


def test_work_calendar_keeps_a_bounded_cache_of_years():
    cal = deadlines.WorkCalendar()
    starts = [datetime(year, 3, 1, 9, tzinfo=UTC) for year in range(1960, 2060)]
    ends = [cal.add(s, 30, "working_days") for s in starts]
    assert 0 < len(cal._years) <= deadlines._YEARS_KEPT <= 32
    fresh = deadlines.WorkCalendar()
    assert [fresh.add(s, 30, "working_days") for s in starts[::9]] == ends[::9]
