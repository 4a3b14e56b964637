# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid import regions|units|grids|components PATH SOURCE`: a city's own data through GDAL/OGR.

A thin shell over `citygrid.admin.importer` (the desk calls the same function): the report printed
in the user's language, the bad rows as a CSV, a progress bar on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import sys
import time

from ..admin import importer
from ..i18n import N_, _, ljust, table
from ..store import db

SHOWN = 30  # bad rows printed; the report CSV has them all
KIND_NAMES = {"regions": N_("the regions"), "units": N_("the units"), "grids": N_("the grids"),
              "components": N_("the components")}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help=_("import regions, units, grids or components from a Shapefile, GeoPackage, CSV..."),
        description=_("Validate every row of SOURCE (any vector format GDAL reads) and write it into the "
                      "centre PATH, all or nothing."))
    parser.add_argument("kind", choices=importer.KINDS, metavar="KIND",
                        help=_("what to import: regions, units, grids or components"))
    parser.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    parser.add_argument("source", metavar="SOURCE", help=_("Shapefile, GeoPackage, CSV, FileGDB..."))
    parser.add_argument("--layer", metavar="L", help=_("the source layer (needed when there are several)"))
    parser.add_argument("--map", metavar="FIELD=SOURCEFIELD", action="append", default=[],
                        help=_("take FIELD from SOURCEFIELD (repeatable; FIELD= leaves it unmapped)"))
    parser.add_argument("--source-crs", metavar="CRS",
                        help=_("the source's CRS when the file has none or a wrong one (e.g. EPSG:4490)"))
    parser.add_argument("--source-encoding", metavar="ENC",
                        help=_("a Shapefile's text encoding when it has no .cpg file (e.g. GBK)"))
    parser.add_argument("--dry-run", action="store_true", help=_("validate and report only; write nothing"))
    parser.add_argument("--skip-bad", action="store_true", help=_("write the good rows and list the bad ones"))
    parser.add_argument("--update", action="store_true",
                        help=_("rows whose code the centre already holds replace those (else they are refused)"))
    parser.add_argument("--report", metavar="FILE.csv", help=_("write every issue to this CSV (UTF-8 with BOM)"))
    parser.set_defaults(run=run)


class Bar:
    """A one-line progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.last, self.shown = stream, 0.0, False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        frac = done / total if total else 1.0
        filled = int(30 * frac)
        label = {"read": _("reading"), "check": _("checking"), "write": _("writing")}.get(stage, stage)
        self.stream.write(f"\r{ljust(label, 10)} [{'#' * filled}{'.' * (30 - filled)}] {done:>9,}/{total:,}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    mapping = importer.parse_mapping(args.map)
    bar = Bar() if sys.stderr.isatty() else None
    conn = db.open_centre(args.path)
    try:
        result = importer.import_layer(conn, args.kind, args.source, layer=args.layer, mapping=mapping,
                                       dry_run=args.dry_run, skip_bad=args.skip_bad, update=args.update,
                                       source_crs=args.source_crs, encoding=args.source_encoding,
                                       progress=bar)
    finally:
        if bar:
            bar.close()
        conn.close()
    if args.report:
        importer.write_report(result, args.report)
    print(report_text(result, args.report))
    return 1 if result.bad_rows and not result.written else 0


def report_text(result: importer.ImportResult, report: str | None = None) -> str:
    lines = [_("{kind} from {source} (layer {layer}): {total} rows, {good} good, {bad} bad").format(
        kind=_(KIND_NAMES[result.kind]), source=result.source, layer=result.layer, total=result.total, good=result.good,
        bad=len(result.bad_rows))]
    if result.mapping:
        lines.append(_("fields: {mapping}").format(
            mapping=", ".join(f"{t}←{s}" for t, s in result.mapping.items())))
    counts = result.counts()
    if counts:
        lines.append(table((_("problem"), _("rows")), sorted(counts.items())))
    if result.issues:
        issues = sorted(result.issues, key=lambda i: (i.fid, i.field))
        rows = [(i.fid, i.field, "" if i.value is None else i.value, i.message()) for i in issues[:SHOWN]]
        lines.append(table((_("row"), _("field name"), _("value"), _("reason")), rows))
        if len(issues) > SHOWN:
            lines.append(_("… and {more} more").format(more=len(issues) - SHOWN))
    if report:
        lines.append(_("report written to {file}").format(file=report))
    if result.dry_run:
        lines.append(_("dry run: nothing written ({good} rows would be written, {allocated} ObjIDs allocated)")
                     .format(good=result.good, allocated=result.allocated))
    elif result.written:
        line = _("{kind}: {inserted} new, {updated} updated, {skipped} bad rows skipped").format(
            inserted=result.inserted, updated=result.updated, kind=_(KIND_NAMES[result.kind]),
            skipped=result.skipped)
        if result.unchanged:
            line += _("; {unchanged} rows already in the centre as they are").format(unchanged=result.unchanged)
        if result.kind == "components":
            line += _("; {allocated} ObjIDs allocated").format(allocated=result.allocated)
        lines.append(line)
    else:
        lines.append(_("nothing written: {bad} bad rows (fix them, or use --skip-bad to write the good ones)")
                     .format(bad=len(result.bad_rows)))
    return "\n".join(lines)
