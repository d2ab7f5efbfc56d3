"""The house rules of the layout (README "Layout"): who may import whom, no cycles, flows that
only orchestrate, no grab-bag modules, and doc-type work that does not swallow the code base."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "access",
    "app",
    "billing",
    "cli",
    "flows",
    "landing",
    "readers",
    "review",
    "samples",
    "schemas",
    "store",
    "tasks",
    "web",
    "worktime",
)
#: What each room may import of ours (besides itself).
ALLOWED = {
    "schemas": set(),
    "access": {"schemas", "store"},
    "worktime": set(),
    "samples": {"schemas"},
    "readers": {"schemas"},
    "tasks": {"readers", "schemas", "worktime"},
    "store": {"schemas"},
    "landing": {"schemas", "store"},
    "billing": {"schemas", "store", "worktime"},
    "review": {
        "access",
        "tasks",
        "readers",
        "billing",
        "landing",
        "store",
        "schemas",
        "worktime",
    },
    "flows": {
        "access",
        "app",
        "tasks",
        "readers",
        "review",
        "billing",
        "landing",
        "store",
        "schemas",
    },
    "app": {
        "access",
        "flows",
        "tasks",
        "readers",
        "review",
        "billing",
        "landing",
        "store",
        "schemas",
        "worktime",
    },
    "cli": set(PACKAGES),
    "web": {
        "access",
        "app",
        "tasks",
        "readers",
        "review",
        "billing",
        "landing",
        "store",
        "schemas",
        "worktime",
    },
}
#: The one module of ``tasks/`` that wraps steps of every room in Prefect tasks.
TASK_WRAPPERS = "tasks.steps"


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Our modules ``path`` imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        out.update(n for n in names if n.split(".")[0] in PACKAGES)
    return out


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


GRAPH = {
    module: {t for n in _imports(path) if (t := _resolve(n)) and t != module}
    for module, path in MODULES.items()
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_room_imports_only_what_it_may(module: str) -> None:
    room = module.split(".")[0]
    if module == TASK_WRAPPERS:
        return
    allowed = ALLOWED[room] | {room}
    wrong = sorted(t for t in GRAPH[module] if t.split(".")[0] not in allowed)
    assert not wrong, f"{module} imports {wrong}"


def test_there_is_no_import_cycle() -> None:
    # Only module-level imports make a cycle a problem, but none at all is simplest to keep.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    # A package's __init__ re-exporting its own modules is not a cycle between rooms.
    cycles = [c for c in cycles if len({m.split(".")[0] for m in c}) > 1 or len(c) > 2]
    assert cycles == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("flows.")))
def test_flows_only_orchestrate(module: str) -> None:
    """No SQL and no file I/O in flows: they call tasks, review, billing and landing (the
    store's model classes may name the rows they pass along)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots = {m.split(".")[0] for m in imported}
    assert not roots & {"sqlalchemy", "os", "shutil", "io"}, roots
    assert not {m for m in imported if m.startswith("store.") and m != "store.models"}
    io_calls = {"open", "read_bytes", "read_text", "write_bytes", "write_text", "unlink", "mkdir"}
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not called & io_calls, called & io_calls


def test_flow_files_shadow_no_package() -> None:
    """Prefect runs a file entrypoint with its folder first on ``sys.path``: a flow file named
    like one of our packages or a standard module would be imported in its place."""
    names = {p.stem for p in (ROOT / "flows").glob("*.py")} - {"__init__"}
    assert not names & (set(PACKAGES) | set(sys.stdlib_module_names))


def test_no_grab_bag_modules() -> None:
    bad = {"utils", "helpers", "common", "misc"}
    assert not [m for m in MODULES if m.rpartition(".")[2] in bad]


def test_billing_never_imports_tasks() -> None:
    assert not [
        m
        for m in MODULES
        if m.startswith("billing.") and any(t.startswith("tasks") for t in GRAPH[m])
    ]


def test_doc_type_work_is_at_most_forty_percent_of_the_source() -> None:
    lines: dict[str, int] = defaultdict(int)
    for module, path in MODULES.items():
        lines[module.split(".")[0]] += len(path.read_text(encoding="utf-8").splitlines())
    for path in (ROOT / "bench").glob("*.py"):
        lines["bench"] += len(path.read_text(encoding="utf-8").splitlines())
    share = lines["tasks"] / sum(lines.values())
    assert share <= 0.40, f"tasks/ holds {share:.0%} of {sum(lines.values())} lines"
