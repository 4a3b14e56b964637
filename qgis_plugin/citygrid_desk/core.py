# SPDX-License-Identifier: GPL-2.0-or-later
"""The citygrid core as the desk sees it: vendored in the plugin zip, or from the working tree.

The zip carries the core as the subpackage `citygrid_desk._vendor.citygrid` and imports it
relatively: nothing is put on sys.path, so another `citygrid` installed in QGIS's Python (an older
or newer release) can neither shadow the vendored copy nor be shadowed by it. The core's own
imports are relative, so it works under that name. Run from the working tree (no `_vendor/`),
the desk uses `citygrid` from `shared/`, which the developer's PYTHONPATH provides.
"""

try:
    from ._vendor import citygrid as _core
    VENDORED = True
except ModuleNotFoundError as exc:
    if exc.name != f"{__package__}._vendor":
        raise
    import citygrid as _core
    VENDORED = False

import importlib

# Every core module a part of the desk uses, by its name in the core (add here, import from here).
MODULES = ("messages", "problems", "times", "crs", "codes", "store.db", "store.blobs", "store.gpkg",
           "loop.accounts", "loop.transitions", "loop.workflow", "loop.tasks", "loop.deadlines",
           "loop.geocode", "loop.dictionaries", "loop.evaluation", "admin.importer", "admin.source",
           "admin.components", "admin.export", "loop.casefile", "loop.intake", "loop.assignments", "loop.casebook",
           "loop.coverage", "loop.periods", "sync.sessions", "sync.batches", "sync.review",
           "sync.review_decisions", "sync.batch_file", "sync.batch_sources")
_loaded = {name: importlib.import_module(f"{_core.__name__}.{name}") for name in MODULES}
messages, problems, times, crs, codes = (_loaded[n] for n in ("messages", "problems", "times", "crs", "codes"))
db, blobs, gpkg = (_loaded[f"store.{n}"] for n in ("db", "blobs", "gpkg"))
accounts, transitions, workflow, tasks, deadlines, geocode, dictionaries, evaluation, casebook = (
    _loaded[f"loop.{n}"] for n in ("accounts", "transitions", "workflow", "tasks", "deadlines", "geocode",
                                   "dictionaries", "evaluation", "casebook"))
importer, source, components, export = (_loaded[f"admin.{n}"] for n in ("importer", "source", "components",
                                                                          "export"))
coverage, periods = (_loaded[f"loop.{n}"] for n in ("coverage", "periods"))  # the Processing provider
casefile = _loaded["loop.casefile"]
intake, assignments = (_loaded[f"loop.{n}"] for n in ("intake", "assignments"))
sessions = _loaded["sync.sessions"]
batches, review, review_decisions, batch_file, batch_sources = (  # the shift review and batch files
    _loaded[f"sync.{n}"] for n in ("batches", "review", "review_decisions", "batch_file", "batch_sources"))
Problem = problems.Problem

__all__ = ["VENDORED", "MODULES", "Problem", *(n.split(".")[-1] for n in MODULES)]
