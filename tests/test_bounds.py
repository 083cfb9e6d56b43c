"""The hub objective: proven bounds never above the optimum found by brute force, never beside wdist; the
searches minimise it when asked (incremental costs equal to the kernel, brute-force optima found)."""

from __future__ import annotations

import itertools
import warnings

import networkx as nx
import numpy as np
import pytest
from tests.synthetic import grid_inputs

from partition.model.scoring import hub_distance_km
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.planner import make_plan
from partition.solvers.bounds import hub_bound, hub_objective, lp_bound, relaxation
from partition.solvers.heuristic import _State, solve_heuristic
from partition.solvers.problem import build_problem
from partition.solvers.recombination import cut_costs, merged_area

FAST = {"restarts": 1, "iterations": 20}


def _brute_hub(xy, w, labels, ok):
    total = 0.0
    for g in np.unique(labels):
        members = np.flatnonzero(labels == g)
        hubs = [h for h in members if ok[h]] or list(members)
        total += min(sum(w[s] * np.linalg.norm(xy[s] - xy[h]) for s in members) for h in hubs)
    return total / w.sum()


def test_hub_kernel_matches_a_loop_over_partnerships():
    rng = np.random.default_rng(0)
    for _ in range(100):
        n = int(rng.integers(1, 25))
        xy, w = rng.random((n, 2)) * 10, rng.integers(0, 100, n).astype(float) + 1
        labels, ok = rng.integers(0, 4, n), rng.random(n) < 0.3
        assert hub_distance_km(xy, w, labels, ok) == pytest.approx(_brute_hub(xy, w, labels, ok), abs=1e-12)


def test_hub_kernel_by_hand():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    w = np.array([1.0, 1.0, 2.0])
    # hub 1 (the only candidate): 1 + 0 + 2×2 = 5; among all schools the best is school 2: 3 + 2 + 0 = 5 — tie
    assert hub_distance_km(xy, w, np.zeros(3), np.array([False, True, False])) == pytest.approx(5 / 4)
    # partnership {0} has no candidate: its own school is its hub (0 km); {1, 2}: hub 2, 1 pupil × 2 km
    assert hub_distance_km(xy, w, np.array([0, 1, 1]), np.array([False, False, True])) == pytest.approx(2 / 4)


def _contiguous_partitions(graph: nx.Graph, k: int):
    """Every partition of the graph's nodes into k connected parts (labels, canonical)."""
    n = graph.number_of_nodes()
    for labels in itertools.product(range(k), repeat=n):
        if labels[0] != 0 or len(set(labels)) != k:
            continue
        if any(labels.index(g) > labels.index(g + 1) for g in range(k - 1)):
            continue  # canonical numbering: first appearances in order
        lab = np.array(labels)
        if all(nx.is_connected(graph.subgraph(np.flatnonzero(lab == g).tolist())) for g in range(k)):
            yield lab


def _optimum(inputs, spec, k):
    """Least hub objective over every contiguous partition meeting the size and anchor rules (brute force)."""
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, k)
    low, high = problem.limits["pupils"]
    pupils = problem.attrs["pupils"]
    best = np.inf
    for lab in _contiguous_partitions(inputs.graph, k):
        sums = np.bincount(lab, weights=pupils, minlength=k)
        if (sums < low - 1e-9).any() or (sums > high + 1e-9).any():
            continue
        if spec.anchors and (np.bincount(lab, weights=problem.anchors, minlength=k) == 0).any():
            continue
        best = min(best, hub_objective(problem, lab))
    return problem, best


CASES = [
    (3, 3, 2, [100, 120, 90, 80, 200, 110, 95, 130, 70], [True, False, False, False, True, False, False, False, True]),
    (3, 3, 3, [100, 120, 90, 80, 200, 110, 95, 130, 70], [True, False, True, False, True, False, True, False, True]),
    (3, 4, 2, [100, 50, 90, 80, 60, 110, 95, 130, 70, 85, 140, 75], [i % 2 == 0 for i in range(12)]),
    (3, 4, 3, [100, 50, 90, 80, 60, 110, 95, 130, 70, 85, 140, 75], [i in (0, 3, 5, 6, 8, 11) for i in range(12)]),
]


@pytest.mark.parametrize(("rows", "cols", "k", "pupils", "anchors"), CASES)
@pytest.mark.parametrize("tolerance", [0.1, 0.3])
def test_bound_never_exceeds_the_brute_force_optimum(rows, cols, k, pupils, anchors, tolerance):
    inputs = grid_inputs(rows, cols, pupils, anchors)
    spec = PlanSpec(k=(k,), size=(SizeBound(tolerance=tolerance),), objective="hub")
    problem, optimum = _optimum(inputs, spec, k)
    if not np.isfinite(optimum):
        pytest.skip("no plan meets the rules")
    lp = lp_bound(relaxation(problem))
    assert lp is not None and lp <= optimum + 1e-9
    assert hub_bound(problem, node_limit=1).bound <= lp + 1e-9  # the root's Lagrangian never passes the LP ...
    for nodes in (1, 50):
        for incumbent in (None, optimum):  # ... and no bound, searched or not, passes the optimum
            assert hub_bound(problem, incumbent=incumbent, node_limit=nodes).bound <= optimum + 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(inputs, spec, k, solver="auto", heuristic_options=FAST)
    assert plan.status == "feasible"
    assert plan.bound is not None and plan.bound <= optimum + 1e-9 <= plan.objective + 2e-9
    assert plan.objective == pytest.approx(plan.scores["hub_km"])
    assert plan.gap == pytest.approx((plan.objective - plan.bound) / plan.objective)


def test_search_raises_the_bound_on_a_tiny_grid():
    inputs = grid_inputs(3, 4, CASES[3][3], CASES[3][4])
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.3),), objective="hub")
    problem, optimum = _optimum(inputs, spec, 3)
    root = hub_bound(problem, incumbent=optimum, node_limit=1).bound
    searched = hub_bound(problem, incumbent=optimum, node_limit=500)
    assert root < searched.bound <= optimum + 1e-9
    assert searched.stop == "hubs decided"  # what is left is contiguity's, which the relaxation drops


def test_no_bound_beside_wdist():
    inputs = grid_inputs(3, 4, CASES[2][3], CASES[2][4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        centroid = make_plan(inputs, PlanSpec(k=(2,), size=(SizeBound(tolerance=0.3),)), 2, heuristic_options=FAST)
        hub = make_plan(
            inputs, PlanSpec(k=(2,), size=(SizeBound(tolerance=0.3),), objective="hub"), 2, heuristic_options=FAST
        )
    assert centroid.bound is None and centroid.gap is None
    assert centroid.objective == pytest.approx(centroid.scores["wdist_km"])
    assert centroid.summary()["bound"] is None
    assert hub.bound is not None and hub.summary()["objective"] == pytest.approx(hub.scores["hub_km"])


def test_objective_option_and_spec(tmp_path):
    from partition.errors import SpecError

    assert PlanSpec().objective == "centroid"
    path = tmp_path / "spec.toml"
    path.write_text('k = [3]\nobjective = "hub"\n')
    assert PlanSpec.from_toml(path).objective == "hub"
    path.write_text('k = [3]\nobjective = "median"\n')
    with pytest.raises(SpecError, match="objective"):
        PlanSpec.from_toml(path)


def _random_moves(state, rng, n):
    for _ in range(n):
        u = int(rng.choice(state.boundary()))
        p = int(state.labels[u])
        targets = state.targets(u)
        if targets and state.movable(u, p):
            state.apply(u, p, int(rng.choice(targets)))


@pytest.mark.parametrize("anchors_needed", [True, False])
def test_hub_search_bookkeeping_matches_the_hub_kernel(anchors_needed):
    """Under objective "hub" the heuristic's incremental costs and the recombination's cut costs are the hub
    kernel's (scoring.hub_distance_km), with anchors as the only hubs when anchors are needed."""
    inputs = grid_inputs(4, 5, [60 + 17 * (i % 7) for i in range(20)], [i % 4 == 0 for i in range(20)])
    spec = PlanSpec(
        k=(3,), size=(SizeBound(tolerance=0.6),), anchors=anchors_needed, objective="hub", balance_penalty_km=0
    )  # the hub kernel alone (the balance term is tested in test_balance.py)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 3)
    assert problem.objective == "hub"
    state = _State(problem, solve_heuristic(problem, iterations=5, random_state=1).labels)
    rng = np.random.default_rng(3)
    for _ in range(5):
        _random_moves(state, rng, 4)
        assert state.objective() == pytest.approx(hub_objective(problem, state.labels), rel=1e-12)
        p, q = (
            int(x)
            for x in state.labels[
                problem.edges[state.labels[problem.edges[:, 0]] != state.labels[problem.edges[:, 1]]][0]
            ]
        )
        area = merged_area(problem, state.labels, p, q)
        members = (state.labels[area.nodes] == p)[None, :]
        halves = cut_costs(area, members, 0.0, problem.total_pupils)[0]
        assert halves == pytest.approx((state.cost[p] + state.cost[q]) / problem.total_pupils, rel=1e-12)


@pytest.mark.parametrize(("rows", "cols", "k", "pupils", "anchors"), CASES)
def test_hub_search_finds_the_brute_force_optimum_on_small_grids(rows, cols, k, pupils, anchors):
    inputs = grid_inputs(rows, cols, pupils, anchors)
    spec = PlanSpec(k=(k,), size=(SizeBound(tolerance=0.3),), objective="hub", balance_penalty_km=0)  # hub alone
    problem, optimum = _optimum(inputs, spec, k)
    if not np.isfinite(optimum):
        pytest.skip("no plan meets the rules")
    found = solve_heuristic(problem, random_state=0)
    assert found.status == "feasible"
    assert found.objective == pytest.approx(optimum, rel=1e-9)


def test_hub_objective_is_what_the_search_minimises_on_hampshire(hampshire):
    """Same data, seed and budget: searching on the hub objective gives a lower hub distance than searching on
    wdist, and the other way round (each objective is what its search optimises)."""
    found = {}
    for objective in ("centroid", "hub"):
        spec = PlanSpec(k=(23,), objective=objective, feeders="ignore")  # the free search: no derived locks
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found[objective] = make_plan(hampshire, spec, 23, solver="heuristic").scores
    assert found["hub"]["hub_km"] < found["centroid"]["hub_km"]
    assert found["centroid"]["wdist_km"] < found["hub"]["wdist_km"]
