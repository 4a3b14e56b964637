# SPDX-License-Identifier: GPL-2.0-or-later
"""A device store with pulled classes and components for the new report's tests (no server), and a small
MBTiles basemap made with Pillow."""

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from citygrid.sync.protocol import PullItem, PullPage
from citygrid_field.platform.location import Fix
from citygrid_field.store import Store

HERE = (31.2622, 120.0001)  # lat, lon


def cls(code: str, kind: str, major: str, minor: str, retired: bool = False) -> PullItem:
    return PullItem("class", f"{kind}:{code}", False, {"kind": kind, "code": code, "major_code": code[:2], "major_name": major,
                                           "minor_code": code[2:], "minor_name": minor, "retired": retired})


def component(obj_id: str, name: str, dlat: float) -> PullItem:
    return PullItem("component", obj_id, False, {"ObjID": obj_id, "ObjName": name, "BGID": "320508001001001",
                                                 "lat": HERE[0] + dlat, "lon": HERE[1]})


def pulled_store(data: Path) -> Store:
    store = Store(data)
    items = (cls("0101", "component", "公用设施", "上水井盖"), cls("0102", "component", "公用设施", "污水井盖"),
             cls("0103", "component", "公用设施", "旧式井盖", retired=True),
             cls("0201", "event", "市容环境", "私搭乱建"), cls("0102", "event", "市容环境", "暴露垃圾"), cls("0102x", "weird", "?", "?"),
             component("3205080101000001", "上水井盖", 0.0001), component("3205080102000007", "污水井盖", 0.0002),
             component("3205080101000009", "上水井盖", 0.01))  # ~1.1 km away
    store.apply_page(PullPage("c1", False, items))
    store.put(username="collector01")
    return store


def fix(lat: float = HERE[0], lon: float = HERE[1], accuracy: float = 6.0) -> Fix:
    return Fix(lat, lon, accuracy, datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


def png(colour) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buf, "PNG")
    return buf.getvalue()


def mbtiles(path: Path, zoom: int = 16, center=HERE) -> Path:
    """A 3×3 MBTiles of coloured PNG tiles around `center` (TMS rows, as the MBTiles spec and QGIS write)."""
    import math

    n = 2 ** zoom
    x = int((center[1] + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(center[0]))) / math.pi) / 2 * n)
    cx = sqlite3.connect(path)
    cx.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    cx.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": "test", "format": "png", "minzoom": str(zoom), "maxzoom": str(zoom),
            "center": f"{center[1]},{center[0]},{zoom}"}
    cx.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            cx.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                       (zoom, x + dx, n - 1 - (y + dy), png((200, 60 + 60 * (dx + 1), 60 + 60 * (dy + 1)))))
    cx.commit()
    cx.close()
    return path
