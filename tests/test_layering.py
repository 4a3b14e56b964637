# SPDX-License-Identifier: GPL-2.0-or-later
"""The core's layers hold (docs/core-design.md): base modules ← store ← loop ← sync ← demo and the CLI;
`sync.protocol` stands on the stdlib and the base modules alone (the field app carries it); only the
demo and the CLI's demo command import the demo; no module reaches itself through imports, counting
imports inside functions. Each rule is also shown to fail on a synthetic tree that breaks it."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "shared" / "citygrid"
BASE = ("problems", "messages", "i18n", "times", "crs", "codes")  # citygrid.<name>: shared by store and loop
CLI = ("cli", "__main__", "commands")
RANK = {"base": 0, "store": 1, "loop": 2, "sync": 3, "admin": 3, "demo": 4, "cli": 5}  # import only your rank or lower
PROTOCOL = "citygrid.sync.protocol"
PROTOCOL_PARTS = (PROTOCOL, "citygrid.sync.items")  # the protocol and the item types it re-exports
DEMO_COMMAND = "citygrid.commands.demo"  # the one importer of the demo outside it
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}
RULES = ("base", "store", "loop", "sync", "admin", "demo", "protocol", "demo_importers", "cycles", "placed")


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file for every module of the package at `root` (a package is its __init__)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def layer(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in BASE:
        return "base"
    if parts[1] in ("store", "loop", "sync", "admin", "demo"):
        return parts[1]
    return "cli" if parts[1] in CLI else None


def imports(name: str, path: Path, known: dict) -> tuple[list, list]:
    """([(line, internal module)], [(line, external top-level name)]) of every import statement in the
    file, those inside functions included; `from pkg import x` names the module pkg.x when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = [], []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                _sort(node.lineno, alias.name, None, known, inside, outside)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package, one level up per extra dot
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                _sort(node.lineno, base, alias.name, known, inside, outside)
    return inside, outside


def _sort(line: int, module: str, member: str | None, known: dict, inside: list, outside: list) -> None:
    top = module.split(".")[0]
    if top != "citygrid":
        outside.append((line, top))
    elif member and f"{module}.{member}" in known:
        inside.append((line, f"{module}.{member}"))
    else:  # the longest prefix that is a module: `import citygrid.loop.workflow` names workflow
        parts = module.split(".")
        while len(parts) > 1 and ".".join(parts) not in known:
            parts.pop()
        inside.append((line, ".".join(parts)))


def violations(root: Path) -> dict[str, list[str]]:
    """Every broken rule of the package at `root`, as readable lines keyed by rule."""
    known = modules(root)
    found = {rule: [] for rule in RULES}
    graph = {}
    for name, path in known.items():
        inside, outside = imports(name, path, known)
        graph[name] = {target for _, target in inside if target != name}
        where = f"{name} ({path.relative_to(root.parent)})"
        if layer(name) is None:
            found["placed"].append(f"{where} is in no layer: place it in a subpackage or in BASE")
            continue
        for line, target in inside:
            _check_edge(found, where, line, name, target)
        if name in PROTOCOL_PARTS:
            found["protocol"] += [f"{where}:{line} imports {top} (not the stdlib)" for line, top in outside
                                  if top not in STDLIB]
    found["cycles"] = ["modules importing one another: " + ", ".join(c) for c in cycles(graph)]
    return found


def _check_edge(found: dict, where: str, line: int, name: str, target: str) -> None:
    mine, theirs = layer(name), layer(target)
    if theirs is None:
        return  # reported once, as unplaced
    if name in PROTOCOL_PARTS and theirs != "base" and target not in PROTOCOL_PARTS:
        found["protocol"].append(f"{where}:{line} imports {target}: the protocol stands on base modules only")
    elif RANK[theirs] > RANK[mine] and mine in found:
        found[mine].append(f"{where}:{line} imports {target} ({mine} must not import {theirs})")
    if theirs == "demo" and mine != "demo" and name != DEMO_COMMAND:
        found["demo_importers"].append(f"{where}:{line} imports {target} (only the demo command may)")


def cycles(graph: dict[str, set]) -> list[list[str]]:
    """The groups of modules that reach one another through imports (the core is small: a walk from
    each module is simpler than Tarjan and as good)."""
    reach = {name: _reachable(graph, name) for name in graph}
    groups = {frozenset(m for m in reach[n] if n in reach[m]) for n in graph if n in reach[n]}
    return sorted(sorted(g) for g in groups)


def _reachable(graph: dict[str, set], start: str) -> set:
    """The modules `start` imports, directly or not (itself only through a cycle)."""
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen and name in graph:
            seen.add(name)
            todo.extend(graph[name])
    return seen


# -- the real core ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def core() -> dict[str, list[str]]:
    return violations(CORE)


def test_the_walk_sees_the_cores_imports_including_those_inside_functions():
    known = modules(CORE)
    edges = {n: {t for _, t in imports(n, p, known)[0]} for n, p in known.items()}
    assert sum(map(len, edges.values())) > 100
    assert "citygrid.store.db" in edges["citygrid.loop.workflow"]
    assert "citygrid.messages" in edges["citygrid.cli"]  # imported inside `describe`
    assert "citygrid.demo" in edges[DEMO_COMMAND]


def test_every_core_module_has_a_layer(core):
    assert core["placed"] == []


def test_base_modules_import_no_subpackage(core):
    assert core["base"] == []


def test_store_imports_no_loop_sync_or_demo(core):
    assert core["store"] == []


def test_loop_imports_no_sync_or_demo(core):
    assert core["loop"] == []


def test_sync_imports_no_demo(core):
    assert core["sync"] == []


def test_the_demo_imports_no_cli(core):
    assert core["demo"] == []


def test_sync_protocol_imports_only_the_stdlib_and_base_modules(core):
    if PROTOCOL not in modules(CORE):
        pytest.skip("citygrid.sync.protocol is not on this branch yet")
    assert core["protocol"] == []


def test_only_the_demo_and_the_cli_demo_command_import_the_demo(core):
    assert core["demo_importers"] == []


def test_no_import_cycles_between_modules_even_through_function_imports(core):
    assert core["cycles"] == []


# -- the faces: each subpackage names its parts and imports none it does not need --------------------

FACES = ("citygrid", "citygrid.store", "citygrid.loop", "citygrid.sync", "citygrid.demo")


@pytest.mark.parametrize("face", ["citygrid.store", "citygrid.loop", "citygrid.sync"])
def test_a_face_names_every_module_of_its_subpackage(face):
    package = importlib.import_module(face)
    assert {m.name for m in pkgutil.iter_modules(package.__path__)} - set(package.__all__) == set()


@pytest.mark.parametrize("face", FACES)
def test_every_name_a_face_exports_is_there(face):
    package = importlib.import_module(face)
    missing = [n for n in package.__all__ if not hasattr(package, n)
               and importlib.util.find_spec(f"{face}.{n}") is None]
    assert package.__doc__ and missing == []


def test_importing_the_loop_and_sync_faces_imports_none_of_their_modules():
    code = "import json, sys, citygrid.loop, citygrid.sync; print(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(CORE.parent))
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                       check=True).stdout)
    citygrid = [m for m in loaded if m.startswith("citygrid")]
    assert citygrid == ["citygrid", "citygrid.loop", "citygrid.problems", "citygrid.sync"]


# -- each rule fails when broken ----------------------------------------------------------------

GOOD = {
    "__init__.py": "from .problems import Problem\n",
    "problems.py": "import json\n",
    "times.py": "from .problems import Problem\n",
    "store/__init__.py": "from .db import connect\n",
    "store/db.py": "import sqlite3\nfrom .. import times\n",
    "loop/__init__.py": "",
    "loop/workflow.py": "from ..store import db\nfrom ..problems import Problem\n",
    "sync/__init__.py": "",
    "sync/protocol.py": "import json\nfrom dataclasses import dataclass\nfrom .. import times\n",
    "sync/push.py": "from ..loop import workflow\nfrom . import protocol\nimport citygrid.store.db\n",
    "demo/__init__.py": "from ..sync import push\n",
    "commands/__init__.py": "",
    "commands/demo.py": "from .. import demo\nfrom ..demo import build\n",
    "cli.py": "def parser():\n    from .commands import demo\n",
}

BROKEN = [  # (what breaks it, file, new source, the rules it breaks)
    ("a base module imports the store", "times.py", "from .store import db\n", {"base", "cycles"}),
    ("the store imports the loop inside a function", "store/db.py",
     "def f():\n    from ..loop import workflow\n", {"store", "cycles"}),
    ("the loop imports sync", "loop/workflow.py", "import citygrid.sync.push\n", {"loop", "cycles"}),
    ("sync imports the demo", "sync/push.py", "from ..demo import build\n",
     {"sync", "demo_importers", "cycles"}),
    ("the protocol imports the loop", "sync/protocol.py", "from ..loop import workflow\n", {"protocol"}),
    ("the protocol imports a sibling", "sync/protocol.py", "from . import push\n", {"protocol", "cycles"}),
    ("the protocol imports pydantic", "sync/protocol.py", "import pydantic\n", {"protocol"}),
    ("the CLI imports the demo outside the demo command", "cli.py", "from . import demo\n",
     {"demo_importers"}),
    ("two base modules import each other inside functions", "problems.py",
     "def f():\n    from . import times\n", {"cycles"}),
    ("the demo imports the CLI", "demo/__init__.py", "import citygrid.commands\n", {"demo"}),
    ("a module outside every layer", "extra.py", "", {"placed"}),
]


def _tree(tmp_path: Path, changes: dict) -> Path:
    root = tmp_path / "citygrid"
    for rel, source in {**GOOD, **changes}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(source, encoding="utf-8")
    return root


def test_the_synthetic_tree_keeps_every_rule(tmp_path):
    assert violations(_tree(tmp_path, {})) == {rule: [] for rule in RULES}


@pytest.mark.parametrize("what, rel, source, broken", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_fails_when_broken(tmp_path, what, rel, source, broken):
    found = violations(_tree(tmp_path, {rel: source}))
    assert {rule for rule, lines in found.items() if lines} == broken


def test_a_cycle_through_a_package_face_is_found(tmp_path):
    root = _tree(tmp_path, {"loop/__init__.py": "from .workflow import apply\n",
                            "loop/workflow.py": "from ..store import db\nfrom . import tasks\n",
                            "loop/tasks.py": "def f():\n    from ..loop import apply\n"})
    assert violations(root)["cycles"] == [
        "modules importing one another: citygrid.loop, citygrid.loop.tasks, citygrid.loop.workflow"]
