# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command, given hostile arguments, says what is wrong in one coded line and touches nothing.

Each case runs the real `python -m citygrid` in a subprocess and asserts: exit code 1 or 2, no
traceback, exactly one `citygrid: error:` line, and the folder it worked in (the centre and
anything beside it) byte for byte as it was. No server holds these files, so hashing them with
open() is safe here.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from citygrid.store import db, gpkg

ROOT = Path(__file__).resolve().parents[1]
GRID = "320508001001001"
RING = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]
NOBODY = 65534
BAD_BYTES = os.fsdecode(b"caf\xe9-\xff.gpkg")  # Latin-1 bytes in an argument: not UTF-8
PASSWORD = b"a long password\n"


def _centre(path: Path) -> None:
    conn = db.create_centre(path)
    conn.execute("INSERT INTO grids (geom, code, street_code, community_code) VALUES (?, ?, ?, ?)",
                 (gpkg.polygon(RING, 4549), GRID, GRID[:9], GRID[:12]))
    conn.execute("INSERT INTO units (code, name, kind) VALUES ('water', 'Water Co', 'department')")
    conn.close()


def _newer(path: Path) -> None:
    _centre(path)
    c = sqlite3.connect(path)
    c.execute("INSERT INTO citygrid_migrations VALUES (99, 'future', '2030-01-01T00:00:00.000Z')")
    c.commit()
    c.close()


def _snapshot(folder: Path) -> dict:
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and os.access(p, os.R_OK) else "-"
        out[str(p.relative_to(folder))] = (digest, st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def _run(argv, *, stdin=PASSWORD, as_nobody=False, fsize=None, cwd=None,
         stdout=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT / "server")]),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

    def limits():
        if fsize is not None:  # a full disk: writes past `fsize` bytes fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    extra = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if as_nobody else {}
    return subprocess.run([sys.executable, "-m", "citygrid", *argv], input=stdin, stderr=subprocess.PIPE,
                          stdout=stdout or subprocess.PIPE, env=env, timeout=120, preexec_fn=limits, cwd=cwd,
                          **extra)


# case id -> (argv with {C} the centre, {D} the folder; what to set up; a fragment of the error line)
# setups: "centre" a centre at C; "newer" a newer-schema centre at C; "dir" C is a directory;
# "unreadable" C readable by root only (run as nobody); "readonly dir" D not writable (run as nobody);
# "locked" another process holds C in BEGIN EXCLUSIVE; "full" the file size limit is 64 KiB.
EVAL = ["evaluate", "{C}", "--by", "unit"]
ADD = ["user", "add", "{C}", "--password-stdin"]
CASES = {
    # demo
    "demo under a file": (["demo", "/etc/hostname/x.gpkg"], None,
                          "cannot create /etc/hostname/x.gpkg: /etc/hostname is not a folder"),
    "demo in a missing folder under a file": (["demo", "{D}/f/deep/x.gpkg"], "file f",
                                              "cannot create {D}/f/deep/x.gpkg: {D}/f is not a folder"),
    "demo onto a directory": (["demo", "{C}"], "dir", "already exists"),
    "demo --force onto a directory": (["demo", "{C}", "--force"], "dir", "replaces only a centre"),
    "demo --force onto a text file": (["demo", "{C}", "--force"], "text", "replaces only a centre"),
    "demo onto an existing centre": (["demo", "{C}"], "centre", "already exists"),
    "demo in a read-only folder": (["demo", "{D}/ro/x.gpkg"], "readonly dir", "Permission denied"),
    "demo on a full disk": (["demo", "{D}/x.gpkg"], "full", "could not be read or written"),  # EFBIG: an I/O error
    "demo with a bad scale": (["demo", "{D}/x.gpkg", "--scale", "galaxy"], None, "invalid choice"),
    "demo with a negative seed": (["demo", "{D}/x.gpkg", "--seed", "-1"], None, "bad seed -1"),
    "demo with a seed that is not a number": (["demo", "{D}/x.gpkg", "--seed", "1e400"], None, "invalid int"),
    "demo with a non-UTF-8 path": (["demo", "{D}/ro/" + BAD_BYTES], "readonly dir", "Permission denied"),
    # check
    "check a directory": (["check", "{C}"], "dir", "is a directory"),
    "check under a missing folder": (["check", "{D}/nope/x.gpkg"], None, "no such file"),
    "check under a file": (["check", "{C}/x.gpkg"], "centre", "no such file"),
    "check an unreadable file": (["check", "{C}"], "unreadable", "Permission denied"),
    "check a newer centre": (["check", "{C}"], "newer", "newer citygrid"),
    "check a non-UTF-8 path": (["check", "{D}/" + BAD_BYTES], None, "no such file"),
    "check with a bad format": (["check", "{C}", "--format", "xml"], "centre", "invalid choice"),
    # evaluate
    "evaluate a month 13": ([*EVAL, "--from", "2026-13-01", "--to", "2027-01-01"], "centre", "2026-13-01"),
    "evaluate an empty date": ([*EVAL, "--from", "", "--to", "2027-01-01"], "centre", "ISO 8601"),
    "evaluate a year 99999": ([*EVAL, "--from", "99999-01-01", "--to", "99999-02-01"], "centre", "99999"),
    "evaluate a huge time zone": ([*EVAL, "--from", "2026-01-01T00:00+99:00", "--to", "2027-01-01"], "centre",
                                  "+99:00"),
    "evaluate from year 1": ([*EVAL, "--from", "0001-01-01", "--to", "9999-12-31"],
                             "centre", "outside"),
    "evaluate backwards": ([*EVAL, "--from", "2027-01-01", "--to", "2026-01-01"], "centre", "2027-01-01"),
    "evaluate by nothing": (["evaluate", "{C}", "--by", "planet", "--from", "2026-01-01", "--to",
                             "2027-01-01"], "centre", "planet"),
    "evaluate at a bad level": ([*EVAL[:3], "region", "--level", "galaxy", "--from", "2026-01-01", "--to",
                                 "2027-01-01"], "centre", "galaxy"),
    "evaluate a non-UTF-8 date": ([*EVAL, "--from", "2026-01-0" + os.fsdecode(b"\xff"), "--to", "2027-01-01"],
                                  "centre", "2026-01-0"),
    "evaluate a newer centre": ([*EVAL, "--from", "2026-01-01", "--to", "2027-01-01"], "newer", "newer"),
    "evaluate a directory": ([*EVAL, "--from", "2026-01-01", "--to", "2027-01-01"], "dir", "is a directory"),
    # user
    "user add a bad role": ([*ADD, "--username", "bob", "--role", "king"], "centre", "king"),
    "user add a huge grid list": ([*ADD, "--username", "bob", "--role", "collector", "--grids",
                                   ",".join(["9" * 400] * 50)], "centre", "grid"),
    "user add an unknown unit": ([*ADD, "--username", "bob", "--role", "unit", "--unit", "nowhere"], "centre",
                                 "nowhere"),
    "user add a non-UTF-8 name": ([*ADD, "--username", BAD_BYTES, "--role", "admin"], "centre", ""),
    "user add to a locked centre": ([*ADD, "--username", "bob", "--role", "admin"], "locked", "locked"),
    "user add to a newer centre": ([*ADD, "--username", "bob", "--role", "admin"], "newer", "newer"),
    "user add to an unreadable centre": ([*ADD, "--username", "bob", "--role", "admin"], "unreadable",
                                         "Permission denied"),
    "user list a directory": (["user", "list", "{C}"], "dir", "is a directory"),
    "user list a newer centre": (["user", "list", "{C}"], "newer", "newer"),
    # serve
    "serve a newer centre": (["serve", "{C}", "--port", "1"], "newer", "newer"),
    "serve a directory": (["serve", "{C}"], "dir", "is a directory"),
    "serve with no workers": (["serve", "{C}", "--workers", "0"], "centre", "--workers"),
    "serve with a huge port": (["serve", "{C}", "--port", "99999999999999999999"], "centre", "--port"),
    "serve with photos of NaN MB": (["serve", "{C}", "--max-photo-mb", "nan"], "centre", "--max-photo-mb"),
    "serve with an endless token": (["serve", "{C}", "--token-hours", "inf"], "centre", "--token-hours"),
    "serve a host that is not one": (["serve", "{C}", "--host", "no such host", "--port", "8765"], "centre",
                                     "cannot listen"),
    "user add a password that is not UTF-8": ([*ADD, "--username", "bob", "--role", "admin"], "centre",
                                               "not UTF-8"),
    # the command line itself
    "an unknown command": (["frobnicate"], None, "invalid choice"),
    "an unknown option": (["check", "{C}", "--fast"], "centre", "unrecognized arguments"),
    "a missing argument": (["evaluate", "{C}", "--by", "unit"], "centre", "required"),
}
STDIN = {"user add a password that is not UTF-8": b"caf\xe9 au lait\n"}


def _setup(kind: str | None, folder: Path, centre: Path):
    """Make what `kind` needs; returns (run as nobody, file size limit, a process to stop after)."""
    if kind in ("centre", "locked", "unreadable"):
        _centre(centre)
    elif kind == "newer":
        _newer(centre)
    elif kind == "dir":
        centre.mkdir()
    elif kind == "text":
        centre.write_text("my notes\n")
    elif kind == "file f":
        (folder / "f").write_text("a file where a folder should be\n")
    elif kind == "readonly dir":
        (folder / "ro").mkdir(mode=0o555)
    if kind == "unreadable":
        centre.chmod(0o600)
    holder = None
    if kind == "locked":
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time\n"
             f"c = sqlite3.connect({str(centre)!r}, isolation_level=None)\n"
             "c.execute('BEGIN EXCLUSIVE'); c.execute('DELETE FROM units')\n"
             "print('held', flush=True); time.sleep(120)\n"],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "held"
    return kind in ("unreadable", "readonly dir"), (64 * 1024 if kind == "full" else None), holder


@pytest.fixture
def folder():
    """A folder every user can reach (pytest's tmp_path is root's alone), so nobody meets only the
    permission the case is about."""
    path = Path(tempfile.mkdtemp(prefix="citygrid-hostile-", dir=os.environ.get("TMPDIR", "/tmp")))
    path.chmod(0o755)
    yield path
    for p in [path, *path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(path)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="runs a case as nobody (needs root)")


@pytest.mark.parametrize("case", [pytest.param(c, marks=needs_root) if CASES[c][1] in ("unreadable",
                                                                                      "readonly dir")
                                  else c for c in CASES])
def test_a_hostile_argument_is_one_coded_line_and_touches_nothing(folder, case):
    argv, kind, fragment = CASES[case]
    centre = folder / "centre.gpkg"
    as_nobody, fsize, holder = _setup(kind, folder, centre)
    before = _snapshot(folder)
    expand = {"{C}": str(centre), "{D}": str(folder)}
    args = []
    for a in argv:
        for key, value in expand.items():
            a = a.replace(key, value)
        args.append(a)
    try:
        started = time.monotonic()
        res = _run(args, stdin=STDIN.get(case, PASSWORD), as_nobody=as_nobody, fsize=fsize)
        took = time.monotonic() - started
    finally:
        if holder:
            holder.kill()
            holder.wait()
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode in (1, 2), (res.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("citygrid: error: ")]
    assert len(lines) == 1, err
    assert fragment.replace("{D}", str(folder)) in lines[0], err
    assert all(line.startswith(("citygrid: error: ", "usage: ", "  ", " ")) or not line.strip()
               for line in err.splitlines()), err  # nothing but the line (and argparse's usage)
    assert _snapshot(folder) == before
    assert took < 100


def test_a_reader_that_leaves_early_is_no_traceback(folder):
    """`citygrid ... | head -1`: the pipe closes under the printing; the command stops quietly."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        res = _run(["demo", str(folder / "x.gpkg")], stdout=write)
    finally:
        os.close(write)
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 1 and "Traceback" not in err and "Exception ignored" not in err, err
    assert db.identify(folder / "x.gpkg").is_centre  # the demo itself was written
