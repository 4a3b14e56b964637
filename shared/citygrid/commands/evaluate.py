# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid evaluate PATH --from DATE --to DATE --by ...`: indicators, score and grade per object."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from .. import i18n
from ..i18n import N_, _
from ..loop import evaluation
from ..store import db

# The counts a table shows beside the rates (CSV and JSON carry them all).
TABLE_COUNTS = {
    "unit": ("registered", "closure_due", "disposal_due"),
    "street": ("registered", "closure_due", "disposal_due"),
    "community": ("registered", "closure_due", "disposal_due"),
    "grid": ("registered", "closure_due", "disposal_due"),
    "collector": ("reports", "verify_due", "check_due"),
    "operator": ("received", "verify_dispatch_due", "check_dispatch_due"),
    "leader": ("registered", "register_due", "close_due"),
    "dispatcher": ("dispatched", "dispatch_due"),
}
NONE = "-"
# Table headings (CSV and JSON keep the identifiers: they are for programs)
HEADINGS = {
    "id": N_("id"), "name": N_("name"), "score": N_("score"), "grade": N_("grade"),
    "registered": N_("registered"), "closure_due": N_("closure_due"), "disposal_due": N_("disposal_due"),
    "reports": N_("reports"), "verify_due": N_("verify_due"), "check_due": N_("check_due"),
    "received": N_("received"), "verify_dispatch_due": N_("verify_dispatch_due"),
    "check_dispatch_due": N_("check_dispatch_due"), "register_due": N_("register_due"), "close_due": N_("close_due"),
    "dispatched": N_("dispatched"), "dispatch_due": N_("dispatch_due"),
    "closure_rate": N_("closure%"), "on_time_closure_rate": N_("on_time_closure%"),
    "public_report_rate": N_("public_report%"), "disposal_rate": N_("disposal%"),
    "on_time_disposal_rate": N_("on_time_disposal%"), "rework_rate": N_("rework%"),
    "valid_report_rate": N_("valid_report%"), "missed_report_rate": N_("missed_report%"),
    "on_time_verify_rate": N_("on_time_verify%"), "on_time_check_rate": N_("on_time_check%"),
    "on_time_verify_dispatch_rate": N_("on_time_verify_dispatch%"),
    "on_time_check_dispatch_rate": N_("on_time_check_dispatch%"), "on_time_register_rate": N_("on_time_register%"),
    "accurate_register_rate": N_("accurate_register%"), "on_time_close_rate": N_("on_time_close%"),
    "on_time_dispatch_rate": N_("on_time_dispatch%"), "accurate_dispatch_rate": N_("accurate_dispatch%"),
}
KIND_TITLES = {"unit": N_("units"), "street": N_("streets"), "community": N_("communities"), "grid": N_("grids"),
               "collector": N_("collectors"), "operator": N_("operators"), "leader": N_("shift leaders"),
               "dispatcher": N_("dispatchers")}
COLOURS = {"green": N_("green"), "blue": N_("blue"), "yellow": N_("yellow"), "red": N_("red")}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help=_("evaluation indicators, composite score and grade per object"),
        description=_("Evaluate over [--from, --to): dates are midnights in the centre's timezone, so "
                      "--from 2016-12-01 --to 2017-01-01 is December 2016. A period without any case "
                      "event is said so on stderr, with the dates the log covers (exit code 0)."))
    parser.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    parser.add_argument("--from", dest="start", required=True, metavar="DATE", help=_("first day (YYYY-MM-DD)"))
    parser.add_argument("--to", dest="end", required=True, metavar="DATE",
                        help=_("day after the last (exclusive)"))
    parser.add_argument("--by", required=True, metavar="unit|region|collector|post",
                        help=_("what to evaluate: units, regions, collectors or posts"))
    parser.add_argument("--level", metavar="street|community|grid", help=_("region level (default street)"))
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help=_("table for people; csv and json for programs"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start, end = evaluation.parse_when(args.start), evaluation.parse_when(args.end)
    conn = db.open_centre(args.path)
    try:
        results = evaluation.evaluate(conn, start, end, args.by, level=args.level)
        empty = evaluation.log_range(conn, start, end)
    finally:
        conn.close()
    if empty is not None:  # zeros for a period the log does not reach: say so, on stderr (the data stay clean)
        print(nothing_in(args.start, args.end, *empty), file=sys.stderr)
    print(FORMATS[args.format](results), end="")
    return 0


def nothing_in(start: str, end: str, first, last) -> str:
    """The one line for a period without case events, with the range the log covers."""
    if first is None:
        return _("no case events from {start} to {end}: the centre's case log is empty").format(
            start=start, end=end)
    return _("no case events from {start} to {end}: the case log runs from {first} to {last}").format(
        start=start, end=end, first=first.isoformat(), last=last.isoformat())


def as_json(results: list[evaluation.Result]) -> str:
    return json.dumps([r.to_wire() for r in results], ensure_ascii=False, indent=2) + "\n"


def as_csv(results: list[evaluation.Result]) -> str:
    """One header row, then one row per object; rates as fractions, empty when nothing was due."""
    counts = list(dict.fromkeys(c for r in results for c in r.counts))
    rates = list(dict.fromkeys(k for r in results for k in r.rates))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "id", "name", *counts, *rates, "score", "grade", "colour"])
    for r in results:
        writer.writerow([r.kind, r.id, r.name, *(r.counts.get(c, "") for c in counts),
                         *(_blank(r.rates.get(k)) for k in rates), _blank(r.score), r.grade or "", r.colour or ""])
    return out.getvalue()


def _blank(value) -> str:
    return "" if value is None else repr(round(value, 6))


def as_table(results: list[evaluation.Result]) -> str:
    """One aligned table per object kind (CJK characters count as two columns), in the current language."""
    kinds = list(dict.fromkeys(r.kind for r in results))
    parts = []
    for kind in kinds:
        rows = [r for r in results if r.kind == kind]
        title = _("{kind}:").format(kind=_(KIND_TITLES.get(kind, kind))) + "\n" if len(kinds) > 1 else ""
        head = _header(kind, rows[0])
        parts.append(title + i18n.table(head, [_cells(kind, r) for r in rows], rule=True,
                                        right=range(2, len(head) - 1)) + "\n")
    return "\n".join(parts) if parts else _("(no objects)") + "\n"


def _heading(key: str) -> str:
    if key in HEADINGS:
        return _(HEADINGS[key])
    return key.removesuffix("_rate") + "%" if key.endswith("_rate") else key


def _header(kind: str, sample: evaluation.Result) -> list[str]:
    return [_heading(k) for k in ("id", "name", *TABLE_COUNTS[kind], *sample.rates, "score", "grade")]


def _cells(kind: str, r: evaluation.Result) -> list[str]:
    rates = [NONE if v is None else f"{v * 100:.2f}%" for v in r.rates.values()]
    score = NONE if r.score is None else f"{r.score:.2f}"
    grade = NONE if r.grade is None else f"{r.grade} {_(COLOURS.get(r.colour, r.colour or ''))}"
    return [r.id, r.name, *(str(r.counts[c]) for c in TABLE_COUNTS[kind]), *rates, score, grade]


width = i18n.width  # terminal columns of a text (kept here for the tests that cut the table)


FORMATS = {"table": as_table, "csv": as_csv, "json": as_json}
