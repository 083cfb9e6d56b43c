"""The package's shape, checked from its source: imports point one way, no cycles, modules stay small.

Run alone with ``python -m pytest tests/test_architecture.py``; it reads the code and imports nothing of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "partition"

LAYERS = (
    "errors",
    "warnings",
    "core",
    "io",
    "model",
    "data",
    "units",
    "solvers",
    "analysis",
    "planning",
    "report",
    "runs",
    "cli",
    "__main__",
)
"""The packages (and root modules) from the bottom up: each imports only from those before it and itself."""

LAZY_UPWARD = {("partition.model.plan", "partition.report.maps")}
"""Imports that run upward inside a function, on purpose: ``Plan.explore`` draws the map on demand, as
``GeoDataFrame.explore`` imports ``geopandas.explore`` only when called."""

MAX_LINES = 600
"""A module's length limit, outside the solver kernels."""

KERNELS = {"partition.solvers.heuristic", "partition.solvers.exact", "partition.solvers.recombination"}
"""The solver kernels: long because their inner loops are kept in one place to be read together."""

STILL_LONG = {
    "partition.report.pack": 688,
    "partition.cli": 871,
    "partition.solvers.problem": 918,
    "partition.io.boundaries": 900,
    "partition.planning.planner": 769,
    "partition.analysis.ensemble": 827,
    "partition.io.schools": 757,
    "partition.io.establishments": 721,
    "partition.data.districts": 701,
    "partition.units.build": 693,
    "partition.core.schema": 680,
    "partition.report.maps.views": 666,
    "partition.report.maps.layers": 646,
}
"""Modules still over the limit, each at most as long as this, until it is split (the list only shrinks)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py")) if "vendor" not in p.parts}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, top_level_only: bool) -> set[str]:
    """Modules of the package imported in ``tree`` (not those under ``if TYPE_CHECKING:``)."""
    found: set[str] = set()

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("partition"):
                if top or not top_level_only:
                    submodules = {f"{child.module}.{a.name}" for a in child.names} & MODULES.keys()
                    found.update(submodules)
                    if len(submodules) < len(child.names):  # names defined by the module itself
                        found.add(child.module)
            elif isinstance(child, ast.Import) and (top or not top_level_only):
                found.update(a.name for a in child.names if a.name.startswith("partition."))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, top and not inner)

    visit(tree, True)
    return {m for m in found if m in MODULES}


def _graph(*, top_level_only: bool) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target in _imports(ast.parse(path.read_text(encoding="utf-8")), top_level_only=top_level_only):
            if target != name and target != "partition":
                graph.add_edge(name, target)
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "partition"


def test_every_package_is_in_a_layer():
    layers = {_layer(m) for m in MODULES} - {"partition"}
    assert layers <= set(LAYERS), f"add {sorted(layers - set(LAYERS))} to LAYERS in its place"


def _lazy_upward(a: str, b: str) -> bool:
    return any(a == x and (b == y or b.startswith(y + ".")) for x, y in LAZY_UPWARD)


def test_no_import_cycles():
    """No module needs itself back, at import time or later (imports inside functions count, but for
    ``LAZY_UPWARD``)."""
    graph = _graph(top_level_only=False)
    graph.remove_edges_from([e for e in list(graph.edges) if _lazy_upward(*e)])
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles[:5])


def test_imports_point_down_the_layers():
    """Every import, also those inside functions, goes to the same package or one below it."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = [
        f"{a} -> {b}"
        for a, b in _graph(top_level_only=False).edges
        if "partition" not in (_layer(a), _layer(b)) and rank[_layer(b)] > rank[_layer(a)] and not _lazy_upward(a, b)
    ]
    assert not upward, "imports that run up the layers: " + ", ".join(sorted(upward))


def test_the_root_module_imports_nothing_of_the_package():
    """``import partition`` loads no submodule: the face is lazy (PEP 562)."""
    assert not _imports(ast.parse(MODULES["partition"].read_text()), top_level_only=True)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    if name in KERNELS:
        return
    limit = STILL_LONG.get(name, MAX_LINES)
    assert lines <= limit, f"{name} has {lines} lines, over {limit}: split it by job"


def test_the_list_of_long_modules_only_shrinks():
    """A module split below the limit leaves ``STILL_LONG``, so the limit holds for it from then on."""
    short = [m for m in STILL_LONG if len(MODULES[m].read_text(encoding="utf-8").splitlines()) <= MAX_LINES]
    assert not short, f"now under {MAX_LINES} lines: remove {short} from STILL_LONG"
