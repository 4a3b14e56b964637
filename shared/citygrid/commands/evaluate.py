# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid evaluate PATH --from DATE --to DATE --by ...`: indicators, score and grade per object."""

from __future__ import annotations

import argparse
import csv
import io
import json
import unicodedata

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


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="evaluation indicators, composite score and grade per object",
        description="Evaluate over [--from, --to): dates are midnights in the centre's timezone, so "
                    "--from 2016-12-01 --to 2017-01-01 is December 2016.")
    parser.add_argument("path", metavar="PATH", help="centre GeoPackage")
    parser.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", required=True, metavar="DATE", help="day after the last (exclusive)")
    parser.add_argument("--by", required=True, metavar="unit|region|collector|post")
    parser.add_argument("--level", metavar="street|community|grid", help="region level (default street)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start, end = evaluation.parse_when(args.start), evaluation.parse_when(args.end)
    conn = db.open_centre(args.path)
    try:
        results = evaluation.evaluate(conn, start, end, args.by, level=args.level)
    finally:
        conn.close()
    print(FORMATS[args.format](results), end="")
    return 0


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
    """One aligned table per object kind (CJK characters count as two columns)."""
    kinds = list(dict.fromkeys(r.kind for r in results))
    parts = []
    for kind in kinds:
        rows = [r for r in results if r.kind == kind]
        title = f"{kind}:\n" if len(kinds) > 1 else ""
        parts.append(title + _table(_header(kind, rows[0]), [_cells(kind, r) for r in rows]))
    return "\n".join(parts) if parts else "(no objects)\n"


def _header(kind: str, sample: evaluation.Result) -> list[str]:
    rates = [k.removesuffix("_rate") + "%" for k in sample.rates]
    return ["id", "name", *TABLE_COUNTS[kind], *rates, "score", "grade"]


def _cells(kind: str, r: evaluation.Result) -> list[str]:
    rates = [NONE if v is None else f"{v * 100:.2f}%" for v in r.rates.values()]
    score = NONE if r.score is None else f"{r.score:.2f}"
    grade = NONE if r.grade is None else f"{r.grade} {r.colour}"
    return [r.id, r.name, *(str(r.counts[c]) for c in TABLE_COUNTS[kind]), *rates, score, grade]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [_line(header, widths), "  ".join("-" * w for w in widths)]
    lines += [_line(row, widths) for row in rows]
    return "\n".join(lines) + "\n"


def _line(cells: list[str], widths: list[int]) -> str:
    """Text cells (id, name, grade) padded right, numbers padded left."""
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (w - width(cell))
        out.append(cell + pad if i in (0, 1) or i == len(cells) - 1 else pad + cell)
    return "  ".join(out).rstrip()


def width(text: str) -> int:
    """Terminal columns of `text`: East Asian Wide and Fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


FORMATS = {"table": as_table, "csv": as_csv, "json": as_json}
