# SPDX-License-Identifier: GPL-2.0-or-later
"""`citygrid batch export|import`: a device batch moved as a file, for sites without a network."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ..i18n import _
from ..store import blobs, db
from ..sync import batch_file, batch_sources


def add_parser(subparsers) -> None:
    text = _("move a device batch as a file (no network)")
    parser = subparsers.add_parser("batch", help=text, description=text)
    sub = parser.add_subparsers(dest="batch_command", metavar=_("COMMAND"), required=True)
    out = sub.add_parser("export", help=_("write a batch file from a field app data dir or a folder"))
    out.add_argument("source", metavar="SOURCE",
                     help=_("field app data dir (with field.db) or a folder with batch.json and photos"))
    out.add_argument("output", metavar="FILE", help=_("the batch file to write (.zip)"))
    out.set_defaults(run=run_export)
    into = sub.add_parser("import", help=_("push a batch file into a centre, as the device would"))
    into.add_argument("path", metavar="PATH", help=_("centre GeoPackage"))
    into.add_argument("file", metavar="FILE", help=_("the batch file"))
    into.add_argument("--receipts", metavar="FILE", help=_("write the receipts here for the device"))
    into.add_argument("--format", choices=("text", "json"), default="text",
                      help=_("text: counts by status; json: the receipts"))
    into.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if (source / batch_sources.FIELD_DB).is_file():
        manifest = batch_sources.export_outbox(source, args.output)
    else:
        manifest = batch_sources.export_folder(source, args.output)
    print(_("{file}: {items} items, {photos} photos").format(
        file=args.output, items=len(manifest["items"]), photos=len(manifest["photos"])))
    return 0


def run_import(args: argparse.Namespace) -> int:
    conn = db.open_centre(args.path)
    try:
        reply = batch_file.import_batch(conn, args.file, store=blobs.store_for(args.path),
                                        receipts_to=args.receipts)
    finally:
        conn.close()
    if args.format == "json":
        print(json.dumps(reply, ensure_ascii=False, indent=2))
    else:
        counts = Counter(r["status"] for r in reply["receipts"])
        print(_("batch {batch_id}: {counts}").format(
            batch_id=reply["batch_id"], counts=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
    return 0
