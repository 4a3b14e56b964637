# SPDX-License-Identifier: GPL-2.0-or-later
"""Time and peak memory to prepare one 12 MP phone photo (4000x3000 JPEG, rotated by EXIF) with the
field app's pipeline (photos.prepare: reduced-scale decode, upright, 1600 px, EXIF time+GPS, sha256
once, fsync + rename), against the naive pipeline in the same run (full decode, transpose, thumbnail,
save, re-read to hash). Each pipeline runs in its own child process so its peak RSS is its own.
Figures only; no assertions.

    .venv/bin/python bench/bench_field_photos.py [runs]
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "field_app")]

from PIL import Image, ImageOps  # noqa: E402


def phone_photo(path: Path) -> Path:
    """A 12 MP JPEG with texture (noise over gradients, ~4 MB like a phone's) and Orientation 6."""
    size = (4000, 3000)
    noise = Image.effect_noise(size, 40)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def naive(source: Path, out: Path) -> None:
    with Image.open(source) as image:
        image.load()
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((1600, 1600), Image.LANCZOS)
    target = out / "naive.jpg"
    upright.save(target, "JPEG", quality=85)
    hashlib.sha256(target.read_bytes()).hexdigest()


def ours(source: Path, out: Path) -> None:
    from citygrid_field import photos
    from citygrid_field.platform.location import Fix

    photos.prepare(source, out, fix=Fix(30.27, 120.16, 8.0, datetime.now(UTC)))


def child(which: str, source: str, out: str, runs: int) -> None:
    run = {"naive": naive, "ours": ours}[which]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run(Path(source), Path(out))
        times.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"median_s": statistics.median(times), "peak_mb": peak_mb}))


def measure(which: str, source: Path, out: Path, runs: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", which, str(source), str(out), str(runs)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = phone_photo(Path(folder) / "phone.jpg")
        print(f"source: 4000x3000 JPEG, {source.stat().st_size / 2**20:.1f} MB, Orientation 6; {runs} runs each")
        baseline = measure("naive", source, Path(folder), runs)
        result = measure("ours", source, Path(folder), runs)
        for name, figures in (("naive (full decode)", baseline), ("photos.prepare", result)):
            print(f"{name:22s} {figures['median_s'] * 1000:7.0f} ms   peak RSS {figures['peak_mb']:6.0f} MB")
        print(f"ratio naive/prepare: time {baseline['median_s'] / result['median_s']:.2f}x, "
              f"peak RSS {baseline['peak_mb'] / result['peak_mb']:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
