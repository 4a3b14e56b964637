# SPDX-License-Identifier: GPL-2.0-or-later
"""Task list scrolling with 500 tasks under X (Xvfb when there is no display: the bench re-runs itself
under `xvfb-run`): frame times (median, p95, max) of the field app's RecycleView while it is scrolled
programmatically top to bottom and back, one step a frame, against the same app showing an empty screen
in the same process (the baseline: what a frame costs with nothing to lay out). The frame rate is
unlocked (maxfps 0) so a frame's time is its work, not the 60 Hz cap. Each run is its own child process.
Figures only; no assertions.

    .venv/bin/python bench/bench_field_scroll.py [runs]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "field_app"), str(ROOT / "bench")]
FRAMES = 120  # per phase: the list goes top to bottom in 60 frames and back in 60


def build_data(folder: Path) -> None:
    from bench_field_start import pull_page

    from citygrid_field.store import Store

    store = Store(folder)
    store.put(username="collector01", token="bench-token", server="http://127.0.0.1:9")
    store.apply_page(pull_page(datetime.now(UTC)))
    store.close()


def figures(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    return {"median": statistics.median(ms), "p95": ms[int(len(ms) * 0.95) - 1], "max": ms[-1]}


class Recorder:
    """Frame times of one phase, then the next phase; the app stops after the last."""

    def __init__(self, app, phases):
        self.app, self.phases, self.out, self.times, self.last = app, list(phases), {}, [], None

    def frame(self, _dt) -> None:
        from kivy.clock import Clock

        now = Clock.get_boottime()
        if self.last is not None and len(self.times) < FRAMES:
            self.times.append(now - self.last)
        self.last = now
        name, step = self.phases[0]
        if len(self.times) >= FRAMES:
            self.out[name] = figures(self.times)
            self.phases.pop(0)
            self.times, self.last = [], None
            if not self.phases:
                print("BENCH " + json.dumps(self.out), flush=True)
                self.app.stop()
                return
            name, step = self.phases[0]
        step(len(self.times))


def child(data: str) -> None:
    from citygrid_field.main import configure_kivy

    configure_kivy((720, 1280))
    from kivy.clock import Clock
    from kivy.config import Config
    from kivy.uix.screenmanager import Screen

    Config.set("graphics", "maxfps", "0")
    from citygrid_field.app import FieldApp
    from citygrid_field.platform import backend
    from citygrid_field.store import Store

    store = Store(data)
    app = FieldApp(store, lang="zh_CN", platform=backend("fake", data=store.dir))

    def empty(_n):
        app.manager.current = "empty"

    def scroll(n):
        app.manager.current = "tasks"
        half = FRAMES // 2
        app.manager.get_screen("tasks").ids.list.scroll_y = 1 - n / half if n < half else (n - half) / half

    recorder = Recorder(app, [("warm", scroll), ("empty", empty), ("scroll", scroll)])

    def start(_dt):
        if getattr(app, "manager", None) is None or app.manager.current != "tasks":
            return True  # not built yet
        app.manager.add_widget(Screen(name="empty"))
        Clock.schedule_interval(recorder.frame, 0)
        return False
    Clock.schedule_interval(start, 0)
    app.run()


def measure(data: Path) -> dict:
    env = {**os.environ, "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_ARGS": "1"}
    done = subprocess.run([sys.executable, __file__, "--child", str(data)], capture_output=True, text=True,
                          env=env, timeout=300)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")]
    if not lines:
        raise SystemExit(f"the app did not finish: {done.stderr[-2000:]}")
    return json.loads(lines[-1][6:])


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        build_data(Path(folder) / "device")
        print(f"500 tasks, 720x1280 window, {FRAMES} frames per phase, frame rate unlocked")
        for run in range(runs):
            f = measure(Path(folder) / "device")
            e, s = f["empty"], f["scroll"]
            print(f"run {run + 1}: empty screen median {e['median']:.1f} ms p95 {e['p95']:.1f} ms | "
                  f"scrolling median {s['median']:.1f} ms p95 {s['p95']:.1f} ms max {s['max']:.1f} ms | "
                  f"ratio median {s['median'] / e['median']:.2f}x p95 {s['p95'] / e['p95']:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    elif not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x1280x24", sys.executable, *sys.argv])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
