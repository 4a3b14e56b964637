# SPDX-License-Identifier: GPL-2.0-or-later
"""The packed R-tree load holds what row-by-row inserts would, passes SQLite's own check, and stays
a working R-tree for later edits; bad input changes nothing."""

import concurrent.futures
import math
import random
import sqlite3

import pytest

from citygrid.problems import Problem
from citygrid.store import rtree

QUERY = "SELECT id FROM r WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY id"


def _tree() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    return conn


def _boxes(n: int, seed: int = 1, points: bool = False):
    """Coordinates that 4-byte floats cannot hold exactly, both signs, some boxes degenerate."""
    rng = random.Random(seed)
    ids = rng.sample(range(1, 10 * n + 2), n)
    x0 = [rng.uniform(-1000, 1000) * 3.7 + 500000.123456789 * rng.choice((1, -1)) for _ in ids]
    y0 = [rng.uniform(-1000, 1000) / 3 + 3300000.987654321 for _ in ids]
    if points:
        return ids, x0, x0, y0, y0
    x1 = [x + (rng.random() * 50 if rng.random() < 0.8 else 0.0) for x in x0]
    y1 = [y + rng.random() * 50 for y in y0]
    return ids, x0, x1, y0, y1


def _check(conn) -> str:
    return conn.execute("SELECT rtreecheck('r')").fetchone()[0]


@pytest.mark.parametrize("n", [0, 1, 51, 52, 400, 51 * 51 + 1, 6000])
def test_packed_tree_holds_what_row_by_row_inserts_hold(n):
    boxes = _boxes(n)
    reference, packed = _tree(), _tree()
    reference.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", zip(*boxes, strict=True))
    packed.execute("BEGIN")
    rtree.load(packed, "r", *boxes)
    packed.execute("COMMIT")
    assert _check(packed) == "ok"
    rows = "SELECT * FROM r ORDER BY id"
    assert packed.execute(rows).fetchall() == reference.execute(rows).fetchall()
    rng = random.Random(n)
    for _ in range(50):
        x, y = rng.uniform(-510000, 510000), rng.uniform(3299000, 3302000)
        box = (x, x + rng.uniform(0, 3000), y, y + rng.uniform(0, 800))
        assert packed.execute(QUERY, box).fetchall() == reference.execute(QUERY, box).fetchall()


def test_the_tree_is_packed_and_as_deep_as_it_needs():
    conn = _tree()
    n = 51 * 51 + 1  # one more than two full levels hold
    rtree.load_points(conn, "r", *_boxes(n, points=True)[::2])
    (root,) = conn.execute("SELECT data FROM r_node WHERE nodeno = 1").fetchone()
    assert int.from_bytes(root[:2], "big") == 2  # root -> inner nodes -> leaves
    (nodes,) = conn.execute("SELECT count(*) FROM r_node").fetchone()
    assert nodes == 1 + 2 + 52  # 52 leaves, as few as 51 cells each allow; 2 inner nodes
    (leaves,) = conn.execute("SELECT count(DISTINCT nodeno) FROM r_rowid").fetchone()
    assert leaves == 52


def test_later_inserts_updates_and_deletes_go_through_sqlite():
    conn = _tree()
    ids, *coords = _boxes(3000, points=True)
    rtree.load(conn, "r", ids, *coords)
    conn.execute("DELETE FROM r WHERE id % 3 = 0")
    conn.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)",
                     [(10 ** 6 + i, i, i + 1.5, -i, -i + 0.5) for i in range(700)])
    conn.execute("UPDATE r SET minx = minx - 10, maxx = maxx + 10 WHERE id % 7 = 1")
    assert _check(conn) == "ok"
    expected = len([i for i in ids if i % 3]) + 700
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == expected


def test_bounds_round_outward_like_sqlite():
    value = 0.1 + 2 ** -30  # between two 4-byte floats
    conn = _tree()
    rtree.load_points(conn, "r", [1, 2], [value, -value], [value, -value])
    (x0, x1, _y0, _y1), (nx0, nx1, _, _) = conn.execute("SELECT minx, maxx, miny, maxy FROM r ORDER BY id")
    assert x0 < value < x1 and nx0 < -value < nx1


@pytest.mark.parametrize("bad, code", [
    (([1, 2], [0.0, 5.0], [1.0, 4.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),  # min > max
    (([1, 2], [0.0, math.nan], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),
    (([1, 2], [0.0, 0.0], [1.0, math.inf], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),
    (([1, 1], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),  # id twice
    (([1, 2], [0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),  # ragged columns
    (([1, 2.5], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),  # not a rowid
    (([1, 2 ** 63], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]), "rtree.bad_box"),
])
def test_bad_boxes_are_refused_and_nothing_is_written(bad, code):
    conn = _tree()
    with pytest.raises(Problem) as exc:
        rtree.load(conn, "r", *bad)
    assert exc.value.code == code and exc.value.details["rtree"] == "r"
    assert conn.execute("SELECT count(*) FROM r_node").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM r_rowid").fetchone()[0] == 0
    assert _check(conn) == "ok"


def test_a_tree_with_entries_or_other_dimensions_is_refused():
    conn = _tree()
    conn.execute("INSERT INTO r VALUES (1, 0, 1, 0, 1)")
    with pytest.raises(Problem) as exc:
        rtree.load_points(conn, "r", [2], [5.0], [5.0])
    assert exc.value.code == "rtree.not_empty"
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == 1
    conn.execute("CREATE VIRTUAL TABLE r3 USING rtree(id, minx, maxx, miny, maxy, minz, maxz)")
    with pytest.raises(Problem) as exc:
        rtree.load_points(conn, "r3", [2], [5.0], [5.0])
    assert exc.value.code == "rtree.not_2d"


def test_where_the_shadow_tables_are_read_only_rows_go_in_one_by_one(monkeypatch):
    """SQLite's defensive mode refuses SQL writes to shadow tables ("table r_node may not be
    modified"): whatever the packed write had done is undone and the rows go in one by one."""
    write = rtree._write

    def refused_half_way(conn, *args):
        write(conn, *args)  # everything written, then refused: nothing of it may stay
        raise sqlite3.OperationalError("table r_rowid may not be modified")

    monkeypatch.setattr(rtree, "_write", refused_half_way)
    conn = _tree()
    boxes = _boxes(300)
    conn.execute("BEGIN")
    rtree.load(conn, "r", *boxes)
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == 300
    assert _check(conn) == "ok"
    reference = _tree()
    reference.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", zip(*boxes, strict=True))
    rows = "SELECT * FROM r ORDER BY id"
    assert conn.execute(rows).fetchall() == reference.execute(rows).fetchall()
    assert conn.execute("SELECT count(*) FROM r_rowid").fetchone()[0] == 300  # each once


def test_a_rolled_back_transaction_leaves_the_tree_empty():
    conn = _tree()
    conn.execute("BEGIN")
    rtree.load(conn, "r", *_boxes(500))
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == 0
    assert _check(conn) == "ok"


def test_a_tree_packed_beforehand_in_a_thread_is_what_load_would_write():
    boxes = _boxes(4000)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        packed = pool.submit(rtree.pack, *boxes).result()
    ahead, here = _tree(), _tree()
    rtree.load(ahead, "r", *boxes, packed=packed)
    rtree.load(here, "r", *boxes)
    for table in ("r_node", "r_parent", "r_rowid"):
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert ahead.execute(sql).fetchall() == here.execute(sql).fetchall()
    assert _check(ahead) == "ok"


def test_small_pages_have_smaller_nodes_and_a_tree_packed_for_others_is_packed_again(tmp_path):
    conn = sqlite3.connect(tmp_path / "small-pages.db", isolation_level=None)
    conn.execute("PRAGMA page_size = 1024")
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    assert conn.execute("SELECT length(data) FROM r_node").fetchone()[0] < rtree.NODE_SIZE
    boxes = _boxes(3000)
    rtree.load(conn, "r", *boxes, packed=rtree.pack(*boxes))
    assert _check(conn) == "ok"
    sizes = {n for (n,) in conn.execute("SELECT length(data) FROM r_node")}
    assert len(sizes) == 1 and sizes.pop() < rtree.NODE_SIZE
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == 3000
