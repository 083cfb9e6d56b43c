"""One conformance suite for every registered solver (as scikit-learn's estimator checks).

Each solver of :data:`partition.solvers.registry.REGISTRY` is run on the same small instances and must give a
label to every block, keep the rules it declares, call a plan feasible only when the rules hold, and give the
same labels for the same seed. A new solver is added to the registry and passes these checks unchanged.
"""

from __future__ import annotations

import importlib.util

import networkx as nx
import numpy as np
import pytest
from tests.synthetic import grid_inputs

from partition.model.result import MEETS_RULES, Status
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.solvers.problem import Problem, build_problem
from partition.solvers.registry import REGISTRY, RULES, SolveOptions, SolverInfo

PUPILS = [
    120,
    340,
    90,
    260,
    180,
    75,
    410,
    150,
    220,
    95,
    300,
    130,
    60,
    240,
    170,
    380,
    110,
    200,
    140,
    280,
    85,
    310,
    160,
    230,
]
ANCHORS = [i in (1, 6, 10, 15, 21) for i in range(24)]

INSTANCES = {
    "centroid": dict(k=4, size=(SizeBound(tolerance=0.35),)),
    "hub, locks": dict(
        k=3,
        size=(SizeBound(tolerance=0.3),),
        objective="hub",
        locks=Locks(together=((1000, 1001, 1007),), apart=((1006, 1010),)),
    ),
}
"""Feasible instances on a 4 × 6 grid of units, one school each (URNs 1000-1023)."""

FAST = {"iterations": 300}
"""A short search: the checks are of behaviour, not of quality."""


def _problem(name: str) -> Problem:
    inputs = grid_inputs(4, 6, PUPILS, ANCHORS)
    options = INSTANCES[name]
    spec = PlanSpec(k=(options["k"],), balance_penalty_km=0, **{k: v for k, v in options.items() if k != "k"})
    return build_problem(inputs.units, inputs.graph, inputs.schools, spec, options["k"])


def _solve(info: SolverInfo, problem: Problem, seed: int = 0):
    if info.extra and importlib.util.find_spec(info.extra) is None:
        pytest.skip(f"{info.name} needs partition[{info.extra}]")
    return info.solve(problem, SolveOptions(random_state=seed, heuristic=FAST))


def _connected(problem: Problem, labels: np.ndarray, label: int) -> bool:
    graph = nx.Graph((i, int(j)) for i, nb in enumerate(problem.neighbours) for j in nb)
    return nx.is_connected(graph.subgraph(np.flatnonzero(labels == label).tolist()))


def _broken(problem: Problem, labels: np.ndarray) -> set[str]:
    """The rules ``labels`` breaks, from the problem's arrays alone."""
    broken = set()
    if not all(_connected(problem, labels, g) for g in range(problem.k)):
        broken.add("contiguity")
    if any(labels[a] == labels[b] for a, b in problem.apart):
        broken.add("apart")
    for attribute, (low, high) in problem.limits.items():
        sums = np.bincount(labels, weights=problem.attrs[attribute], minlength=problem.k)
        if (sums < low - 1e-6).any() or (sums > high + 1e-6).any():
            broken.add("size")
    if problem.needs_anchors and (np.bincount(labels, weights=problem.anchors, minlength=problem.k) < 1).any():
        broken.add("anchors")
    return broken


SOLVER_NAMES = sorted(REGISTRY)
CASES = [(s, i) for s in SOLVER_NAMES for i in INSTANCES]


def test_the_registry_describes_each_solver():
    for name, info in REGISTRY.items():
        assert info.name == name and info.about and callable(info.solve)
        assert info.honours <= set(RULES) and {"contiguity", "together"} <= info.honours, name
    assert next(iter(REGISTRY)) == "auto"


@pytest.mark.parametrize(("solver", "instance"), CASES)
def test_a_label_for_every_block(solver, instance):
    problem = _problem(instance)
    result = _solve(REGISTRY[solver], problem)
    labels = np.asarray(result.labels)
    assert labels.shape == (problem.n,) and np.issubdtype(labels.dtype, np.integer)
    assert sorted(set(labels.tolist())) == list(range(problem.k)), "every partnership 0..k-1 used, no other"
    assert result.status in set(Status) and result.runtime >= 0


@pytest.mark.parametrize(("solver", "instance"), CASES)
def test_declared_rules_kept_and_status_honest(solver, instance):
    info = REGISTRY[solver]
    problem = _problem(instance)
    result = _solve(info, problem)
    broken = _broken(problem, np.asarray(result.labels))
    assert not (broken & info.honours), f"{solver} declares {sorted(info.honours)} but breaks {sorted(broken)}"
    if result.status in MEETS_RULES:
        assert not broken, f"{solver} calls a plan {result.status} that breaks {sorted(broken)}"
    if info.honours >= set(RULES):
        assert result.status in MEETS_RULES, f"{solver} keeps every rule, so this feasible instance is solved"


@pytest.mark.parametrize(("solver", "instance"), CASES)
def test_same_seed_same_labels(solver, instance):
    problem = _problem(instance)
    first = _solve(REGISTRY[solver], problem, seed=3)
    again = _solve(REGISTRY[solver], problem, seed=3)
    assert np.array_equal(first.labels, again.labels) and first.status == again.status
