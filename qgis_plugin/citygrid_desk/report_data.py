# SPDX-License-Identifier: GPL-2.0-or-later
"""What the monthly report says, read from the core (no layout here): the month's evaluation of
units, streets, collectors and grids, and the period's totals summed from those same results, so
the report's figures are `citygrid evaluate`'s for the month.

Totals (docs/desk.md, "Monthly report"): reported = Σ operators' `received` (受理), registered and
the closure counts = Σ streets' `registered`, `closure_due`, `closure_done`, `closure_on_time`; the
rates are the standard's: 结案率 = closed / due, 按期结案率 = closed on time / due (None when
nothing was due)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .core import Problem, evaluation, periods

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
RANKINGS = ("unit", "street", "collector")  # the ranking tables, in the report's order
SOURCES = {"unit": ("unit", None), "street": ("region", "street"), "collector": ("collector", None),
           "grid": ("region", "grid"), "post": ("post", None)}
TOTALS = ("reported", "registered", "closure_due", "closure_done", "closure_on_time")
TOTAL_RATES = {"closure_rate": ("closure_done", "closure_due"),
               "on_time_closure_rate": ("closure_on_time", "closure_due")}


@dataclass
class ReportData:
    centre: str
    month: str
    results: dict = field(default_factory=dict)  # object type -> list of evaluation.Result
    totals: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)


def parse_month(text) -> tuple:
    """(start, end) of a `YYYY-MM` month; anything else is `report.bad_month`."""
    value = str(text if text is not None else "").strip()
    if not MONTH.fullmatch(value):
        raise Problem("report.bad_month", value=value)
    return periods.parse_period(value)


def centre_name(path: str) -> str:
    return Path(path).stem


def gather(conn, path: str, month: str, progress=None) -> ReportData:
    """Every evaluation the report shows for `month`; `progress(percent)` after each object type."""
    start, end = parse_month(month)
    data = ReportData(centre_name(path), month.strip())
    for i, (name, (by, level)) in enumerate(SOURCES.items()):
        data.results[name] = evaluation.evaluate(conn, start, end, by, level=level)
        if progress is not None:
            progress(100 * (i + 1) / len(SOURCES))
    data.totals, data.rates = totals(data.results)
    return data


def totals(results: dict) -> tuple[dict, dict]:
    """(counts, rates) of the whole centre from the per-object results (see the module's docstring)."""
    streets = results["street"]
    counts = {"reported": sum(r.counts.get("received", 0) for r in results["post"] if r.kind == "operator")}
    for name in TOTALS[1:]:
        counts[name] = sum(r.counts.get(name, 0) for r in streets)
    rates = {rate: (counts[top] / counts[bottom] if counts[bottom] else None)
             for rate, (top, bottom) in TOTAL_RATES.items()}
    return counts, rates
