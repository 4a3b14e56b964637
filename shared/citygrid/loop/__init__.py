# SPDX-License-Identifier: GPL-2.0-or-later
"""The case loop: who may do what to a case, when it is due, and how everyone scores.

- `transitions`: the loop as a table and the pure decision of what one action changes;
- `workflow`: the one writer of the case log — reports, actions, reassignments, kept field results;
- `tasks`: 核实 / 核查 / disposal task rows;
- `deadlines`: work calendars, time limits, the traffic light, overdue queries;
- `accounts`: users, roles, password hashes, the acting `Actor`; `dictionaries`: classes, registration
  conditions and time limits;
- `geocode`: point → grid, case numbers, nearby components;
- `casebook`: filtered, keyset-paged case reads for the centre's desk and the change log's new cases;
- `casefile`: one case as a desk reads it (names, photos, choices) and previews of what an action writes;
- `intake`: what a hotline report at a point starts from (grid, nearby components, address, channel);
- `assignments`: collectors' load and moving grids between them (who may, logged for sync);
- `evaluation`, `scoring`: indicators, composite scores and grades from the log; `periods`: a period
  written in one field (year, month, day, FROM/TO);
- `coverage`: the centre's CRS and the extent of a collector's grids (offline basemaps).

The loop reads and writes through `citygrid.store` and the base modules; it never imports sync or the
demo. Importing this package imports none of its modules: `from citygrid.loop import workflow` loads
what the workflow needs, no more.
"""

__all__ = ["accounts", "assignments", "casebook", "casefile", "coverage", "deadlines", "dictionaries", "evaluation",
           "geocode", "intake", "periods", "scoring", "tasks", "transitions", "workflow"]
