# SPDX-License-Identifier: GPL-2.0-or-later
"""Start of the field app to a usable task list, with 500 tasks held and 1,500 outbox photos on disk:
seconds from process start to the first frame drawn after the task list has its rows, and the
process's RSS then (targets < 2 s, < 250 MB). Baseline in the same run: a bare Kivy app drawing an
empty window, measured the same way. Each start is its own child process under X (Xvfb when there is
no display: the bench re-runs itself under `xvfb-run`). The data directory is built through the app's
own Store (a pull page) and Outbox (500 checks with 3 small JPEGs each). Figures only; no assertions.

    .venv/bin/python bench/bench_field_start.py [runs]
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "field_app")]
TASKS, PHOTOS_PER_CHECK = 500, 3
T0 = time.time()  # as near the process's start as Python lets us (imports come after)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pull_page(now: datetime):
    """500 open tasks (check and verify, due times around now) and their cases, as one pull page."""
    from citygrid import times
    from citygrid.sync.protocol import PullItem, PullPage

    items = []
    for i in range(TASKS):
        case_no = f"3205082026{i:06d}"
        due = times.to_db(now + timedelta(minutes=37 * i - 3000))
        items.append(PullItem("case", case_no, False, {"case_no": case_no, "lat": 31.31 + i * 1e-4,
                                                        "lon": 120.63, "address": f"平江路 {i} 号 东园社区"}))
        items.append(PullItem("task", f"t{i}", False, {"id": f"t{i}", "kind": "check" if i % 3 else "verify",
                                                       "case_no": case_no, "due_at": due, "status": "open"}))
    return PullPage("c" * 8, False, tuple(items))


def jpeg_bytes(seed: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (96, 72), os.urandom(96 * 72 * 3)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def build_data(folder: Path) -> None:
    from citygrid.sync.protocol import CheckResult, Location, Outcome
    from citygrid_field.outbox import Outbox
    from citygrid_field.store import Store

    store, now = Store(folder), datetime.now(UTC)
    store.put(username="collector01", token="bench-token", server="http://127.0.0.1:9")
    store.apply_page(pull_page(now))
    photos, box = folder / "photos", Outbox(store)
    photos.mkdir()
    for i in range(TASKS):
        shots = [photos / f"p{i}-{k}.jpg" for k in range(PHOTOS_PER_CHECK)]
        for k, shot in enumerate(shots):
            shot.write_bytes(jpeg_bytes(i * 10 + k))
        box.add(CheckResult(f"t{i}", Outcome.PASS, now, location=Location(120.63, 31.31, 5.0)), shots)
    store.close()


def child_app(data: str, t0: float) -> None:
    from citygrid_field.main import configure_kivy

    configure_kivy((720, 1280))
    from kivy.clock import Clock

    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    store = Store(data)
    app = FieldApp(store, lang="zh_CN", platform=backend("fake", data=store.dir))

    def ready(_dt):
        rv = app.manager.get_screen("tasks").ids.list
        if app.manager.current == "tasks" and len(app.tasks_vm.rows) == TASKS and rv.layout_manager.children:
            Clock.schedule_once(lambda _dt: done(app, t0), 0)  # the next frame: the list is drawn
            return False
        return True
    Clock.schedule_interval(ready, 0)
    app.run()


def child_bare(t0: float) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    Config.set("graphics", "width", "720")
    Config.set("graphics", "height", "1280")
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.widget import Widget

    class Bare(App):
        def build(self):
            return Widget()

        def on_start(self):
            Clock.schedule_once(lambda _dt: done(self, t0), 0)
    Bare().run()


def done(app, t0: float) -> None:
    print("BENCH " + json.dumps({"s": time.time() - t0, "rss_mb": rss_mb()}), flush=True)
    app.stop()


def measure(which: str, data: Path) -> dict:
    env = {**os.environ, "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_ARGS": "1"}
    done_ = subprocess.run([sys.executable, __file__, "--child", which, str(data), repr(time.time())],
                           capture_output=True, text=True, env=env, timeout=120)
    lines = [ln for ln in done_.stdout.splitlines() if ln.startswith("BENCH ")]
    if not lines:
        raise SystemExit(f"{which} did not start: {done_.stderr[-2000:]}")
    return json.loads(lines[-1][6:])


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "device"
        started = time.perf_counter()
        build_data(data)
        photos = list((data / "photos").iterdir())
        print(f"data dir: {TASKS} tasks, {len(photos)} outbox photos "
              f"({sum(p.stat().st_size for p in photos) / 2**20:.1f} MB), built in {time.perf_counter() - started:.1f} s")
        bare = [measure("bare", data) for _ in range(runs)]
        ours = [measure("app", data) for _ in range(runs)]
        for name, figs in (("bare Kivy window", bare), ("citygrid-field task list", ours)):
            starts = " ".join(f"{f['s']:.2f}" for f in figs)
            print(f"{name:26s} start {starts} s (median {statistics.median(f['s'] for f in figs):.2f})   "
                  f"RSS {statistics.median(f['rss_mb'] for f in figs):.0f} MB")
        ratio = statistics.median(f["s"] for f in ours) / statistics.median(f["s"] for f in bare)
        print(f"app/bare: start {ratio:.2f}x (target: app < 2 s, RSS < 250 MB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_app(sys.argv[3], float(sys.argv[4])) if sys.argv[2] == "app" else child_bare(float(sys.argv[4]))
    elif not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, *sys.argv])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
