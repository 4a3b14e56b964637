# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk loading of an empty 2-D SQLite R-tree (a GeoPackage `rtree_<table>_<column>` index).

Inserting a million rows one by one into SQLite's R-tree costs ~13 µs each (choose a leaf, split,
re-insert), more than writing the feature row itself (GDAL's GeoPackage driver and SpatiaLite ship an
R*Tree bulk loader for that reason). citygrid builds the tree itself when a layer is filled in bulk, by
sort-tile-recursive packing (STR: entries sorted into vertical slices by x, each slice by y, cut into
full nodes, and the same again one level up), and writes the R-tree's three shadow tables (`_node`,
`_rowid`, `_parent`) directly, in the format rtree.c documents:

    node blob   2 bytes depth (root only; 0 elsewhere), 2 bytes cell count, then per cell an 8-byte
                id (rowid in a leaf, child node number above) and minx, maxx, miny, maxy as 4-byte
                floats, all big-endian, zero-padded to the node size (read from the root node);
    _rowid      rowid -> leaf node number;   _parent   node number -> parent node number.

Coordinates are rounded to 4-byte floats outward as rtree.c rounds them (minimum down, maximum up),
so the index holds exactly the values row-by-row inserts would; SQLite's `rtreecheck()` accepts the
result and later inserts and deletes go through SQLite's own code as usual. Where the shadow tables
cannot be written (a connection in SQLite's defensive mode), the rows go in one by one instead.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import struct
from array import array
from operator import itemgetter
from typing import NamedTuple

from ..problems import Problem

_TOWARDS, _AWAY = 1.0 - 1.0 / 8388608.0, 1.0 + 1.0 / 8388608.0  # rtree.c's RNDTOWARDS, RNDAWAY
_CELL_FORMAT = struct.Struct(">q4f")  # one 2-D cell: id, minx, maxx, miny, maxy
_CELL = _CELL_FORMAT.size
_ID_RANGE = range(-2 ** 63, 2 ** 63)
NODE_SIZE = 4 + _CELL * 51  # rtree.c's node for 2-D trees: at most 51 cells (RTREE_MAXCELLS)


class Packed(NamedTuple):
    """A tree built by `pack`, for `load` to write: the root node's blob and depth, the other nodes'
    (number, blob) and (number, parent number), and (rowid, leaf number) of every entry in rowid order."""

    size: int
    depth: int
    root: bytes
    nodes: list
    parents: list
    rowids: list


def load_points(conn: sqlite3.Connection, name: str, ids, xs, ys, packed: Packed | None = None) -> None:
    """Fill the empty R-tree `name` with one point per id (min = max)."""
    load(conn, name, ids, xs, xs, ys, ys, packed)


def load(conn: sqlite3.Connection, name: str, ids, minx, maxx, miny, maxy, packed: Packed | None = None) -> None:
    """Fill the empty 2-D R-tree `name` with the boxes (ids[i], minx[i], maxx[i], miny[i], maxy[i]).

    Runs inside the caller's transaction; raises a coded problem, having written nothing, when the
    R-tree is not empty or not 2-D, or a box is not finite or has min > max. `packed` is `pack` of the
    same boxes done beforehand (say in a thread while SQLite was busy); without it, packs them here.
    """
    quoted = name.replace('"', '""')
    cur = conn.execute(f'SELECT * FROM "{quoted}" LIMIT 1')
    if len(cur.description) != 5:
        raise Problem("rtree.not_2d", rtree=name)
    if cur.fetchone() is not None:
        raise Problem("rtree.not_empty", rtree=name)
    (size,) = conn.execute(f'SELECT length(data) FROM "{quoted}_node" WHERE nodeno = 1').fetchone()
    if packed is None or packed.size != size:
        packed = pack(ids, minx, maxx, miny, maxy, size=size, name=name)
    if not packed.rowids:
        return
    conn.execute("SAVEPOINT rtree_load")
    try:
        try:
            _write(conn, quoted, packed)
        except sqlite3.DatabaseError:  # defensive mode: the shadow tables are read-only to SQL
            conn.execute("ROLLBACK TO rtree_load")
            conn.executemany(f'INSERT INTO "{quoted}" VALUES (?, ?, ?, ?, ?)',
                             zip(ids, _down(minx), _up(maxx), _down(miny), _up(maxy), strict=True))
    except BaseException:
        conn.execute("ROLLBACK TO rtree_load")
        raise
    finally:
        conn.execute("RELEASE rtree_load")


def pack(ids, minx, maxx, miny, maxy, *, size: int = NODE_SIZE, name: str = "") -> Packed:
    """The packed tree of the boxes, for nodes of `size` bytes (no database needed); a box that is not
    finite or has min > max, a repeated id or columns of different lengths are a coded problem."""
    n = len(ids)
    if not len(minx) == len(maxx) == len(miny) == len(maxy) == n:
        raise Problem("rtree.bad_box", rtree=name, detail="columns of different lengths")
    lx, hx, ly, hy = _down(minx), _up(maxx), _down(miny), _up(maxy)
    _check(name, ids, lx, hx, ly, hy)
    return _pack(size, list(ids), lx, hx, ly, hy)


def pack_points(ids, xs, ys, *, size: int = NODE_SIZE, name: str = "") -> Packed:
    return pack(ids, xs, xs, ys, ys, size=size, name=name)


def _down(values) -> list[float]:
    """rtree.c's rtreeValueDown: the nearest 4-byte float, or the one below when that is above."""
    near = array("f", values)
    alt = array("f", [v * (_AWAY if v < 0 else _TOWARDS) for v in values])
    return [f if f <= v else a for f, a, v in zip(near, alt, values, strict=True)]


def _up(values) -> list[float]:
    """rtree.c's rtreeValueUp: the nearest 4-byte float, or the one above when that is below."""
    near = array("f", values)
    alt = array("f", [v * (_TOWARDS if v < 0 else _AWAY) for v in values])
    return [f if f >= v else a for f, a, v in zip(near, alt, values, strict=True)]


def _check(name: str, ids, lx, hx, ly, hy) -> None:
    finite, ok_ids = math.isfinite, _ID_RANGE
    for i, x0, x1, y0, y1 in zip(ids, lx, hx, ly, hy, strict=True):
        if not (x0 <= x1 and y0 <= y1 and finite(x0) and finite(x1) and finite(y0) and finite(y1)):
            raise Problem("rtree.bad_box", rtree=name, detail=f"id {i}: x {x0} .. {x1}, y {y0} .. {y1}")
        if i.__class__ is not int or i not in ok_ids:
            raise Problem("rtree.bad_box", rtree=name, detail=f"id {i!r} is not a 64-bit integer")
    if len(set(ids)) != len(ids):
        raise Problem("rtree.bad_box", rtree=name, detail="an id appears twice")


def _pack(size: int, ids: list, lx, hx, ly, hy) -> Packed:
    per = (size - 4) // _CELL
    nodes, parents = [], []  # (nodeno, blob), (nodeno, parent)
    entry_ids = ids
    depth, next_no = 0, 2
    leaf_of = None  # entry index -> leaf node number
    while len(ids) > per:  # one level of full nodes, numbered from 2 (1 is the root)
        groups = _tiles(lx, hx, ly, hy, per)
        numbers = range(next_no, next_no + len(groups))
        next_no += len(groups)
        level = [], [], [], [], []
        cells = list(map(_CELL_FORMAT.pack, ids, lx, hx, ly, hy))
        if depth == 0:
            leaf_of = array("q", bytes(8 * len(ids)))
        for no, group in zip(numbers, groups, strict=True):
            pick = itemgetter(*group) if len(group) > 1 else lambda seq, i=group[0]: (seq[i],)
            nodes.append((no, _node(size, 0, pick(cells))))
            if depth:
                parents.extend((i, no) for i in pick(ids))
            else:
                for i in group:
                    leaf_of[i] = no
            for column, value in zip(level, (no, min(pick(lx)), max(pick(hx)), min(pick(ly)), max(pick(hy))),
                                     strict=True):
                column.append(value)
        ids, lx, hx, ly, hy = level
        depth += 1
    if depth:
        parents.extend((i, 1) for i in ids)
        rowids = list(zip(entry_ids, leaf_of, strict=True))
        if any(a > b for a, b in zip(entry_ids, itertools.islice(entry_ids, 1, None), strict=False)):
            rowids.sort(key=itemgetter(0))  # the rowid table's key in order
    else:
        rowids = sorted((i, 1) for i in ids)
    root = _node(size, depth, list(map(_CELL_FORMAT.pack, ids, lx, hx, ly, hy)))
    return Packed(size, depth, root, nodes, parents, rowids)


def _write(conn, quoted: str, packed: Packed) -> None:
    conn.execute(f'UPDATE "{quoted}_node" SET data = ? WHERE nodeno = 1', (packed.root,))
    conn.executemany(f'INSERT INTO "{quoted}_node" (nodeno, data) VALUES (?, ?)', packed.nodes)
    conn.executemany(f'INSERT INTO "{quoted}_parent" (nodeno, parentnode) VALUES (?, ?)', packed.parents)
    conn.executemany(f'INSERT INTO "{quoted}_rowid" (rowid, nodeno) VALUES (?, ?)', packed.rowids)


def _tiles(lx, hx, ly, hy, per: int) -> list[list[int]]:
    """Sort-tile-recursive: the entries' indexes in groups of at most `per`, near-square tiles."""
    n = len(lx)
    leaves = -(-n // per)
    slices = math.ceil(math.sqrt(leaves))
    cx = [a + b for a, b in zip(lx, hx, strict=True)]  # twice the centre: same order
    cy = [a + b for a, b in zip(ly, hy, strict=True)]
    order = sorted(range(n), key=cx.__getitem__)
    step = -(-leaves // slices) * per  # whole nodes per slice
    groups = []
    for start in range(0, n, step):
        part = sorted(order[start:start + step], key=cy.__getitem__)
        cuts = -(-len(part) // per)  # as many nodes as needed, filled evenly
        for k in range(cuts):
            groups.append(part[k * len(part) // cuts:(k + 1) * len(part) // cuts])
    return groups


def _node(size: int, depth: int, cells) -> bytes:
    """The blob of one node holding the packed cells."""
    return (struct.pack(">HH", depth, len(cells)) + b"".join(cells)).ljust(size, b"\0")
