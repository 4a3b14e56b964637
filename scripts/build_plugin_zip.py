# SPDX-License-Identifier: GPL-2.0-or-later
"""Build dist/citygrid_desk.zip: the desk plugin with the core vendored, as "Install from ZIP" takes it.

Layout: citygrid_desk/ (the plugin), citygrid_desk/_vendor/citygrid/ (shared/citygrid, whole: the
desk imports it as `citygrid_desk._vendor.citygrid`), citygrid_desk/i18n/*.qm when `lrelease` is
found (the .ts sources are shipped either way). Byte caches are left out.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin" / "citygrid_desk"
CORE = ROOT / "shared" / "citygrid"
NAME = "citygrid_desk"
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.qm")


def lrelease() -> str | None:
    return shutil.which("lrelease") or shutil.which("lrelease-qt5")


def compile_translations(i18n: Path) -> list[Path]:
    """`i18n/citygrid_desk_<lang>.qm` from all of `i18n/<lang>/*.ts` (one .ts per part of the desk);
    none when lrelease is missing: the desk then speaks English."""
    tool = lrelease()
    if tool is None:
        print("lrelease not found (Debian: qttools5-dev-tools): no .qm built", file=sys.stderr)
        return []
    out = []
    for lang in sorted(d for d in i18n.iterdir() if d.is_dir()):
        sources = sorted(lang.glob("*.ts"))
        if sources:
            qm = i18n / f"{NAME}_{lang.name}.qm"
            subprocess.run([tool, "-silent", *map(str, sources), "-qm", str(qm)], check=True)
            out.append(qm)
    return out


def stage(into: Path) -> Path:
    top = into / NAME
    shutil.copytree(PLUGIN, top, ignore=SKIP)
    (top / "_vendor").mkdir()
    (top / "_vendor" / "__init__.py").write_text("# SPDX-License-Identifier: GPL-2.0-or-later\n")
    shutil.copytree(CORE, top / "_vendor" / "citygrid", ignore=SKIP)
    compile_translations(top / "i18n")
    return top


def build(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        top = stage(Path(tmp))
        tmp_zip = out.with_suffix(".zip.part")
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(top.rglob("*")):
                zf.write(path, path.relative_to(top.parent).as_posix())
        tmp_zip.replace(out)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / f"{NAME}.zip")
    parser.add_argument("--qm-only", action="store_true",
                        help="only build the .qm files in the working tree (for running the desk from it)")
    args = parser.parse_args(argv)
    if args.qm_only:
        print("\n".join(map(str, compile_translations(PLUGIN / "i18n"))))
        return 0
    print(build(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
