"""The heuristic's merge-split recombination keeps every rule in every state it reaches.

Random small grids with size bounds, anchors, a ``together`` lock and an ``apart`` pair: each
recombination (and each step the search accepts) is checked against the rules recomputed from the
labels alone (sizes, anchors, contiguity, locks); the search is never worse than the descent it starts
from, and the same seed gives the same result.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.synthetic import grid_inputs

import partition.solvers.heuristic as heuristic
from partition.errors import InfeasibleError
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.solvers.heuristic import SearchBudget, _construct, _iterated_local_search, _recombine, _State
from partition.solvers.problem import build_problem, quick_feasibility
from partition.solvers.recombination import Sizes, best_split, merged_area

SLACK = 1e-6


@st.composite
def locked_grids(draw):
    rows = draw(st.integers(3, 5))
    cols = draw(st.integers(4, 6))
    n = rows * cols
    pupils = draw(st.lists(st.integers(50, 600), min_size=n, max_size=n))
    anchors = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    k = draw(st.integers(2, 4))
    tol = draw(st.sampled_from([0.2, 0.3, 0.5]))
    seed = draw(st.integers(0, 5))
    first = draw(st.integers(0, n - cols - 1))  # together: a unit and the one below it
    others = [u for u in range(n) if u not in (first, first + cols)]
    a, b = draw(st.lists(st.sampled_from(others), min_size=2, max_size=2, unique=True))
    return rows, cols, pupils, anchors, k, tol, seed, (first, first + cols), (a, b)


def _problem(case):
    rows, cols, pupils, anchors, k, tol, _, together, apart = case
    inputs = grid_inputs(rows, cols, pupils, anchors)
    locks = Locks(together=((1000 + together[0], 1000 + together[1]),), apart=((1000 + apart[0], 1000 + apart[1]),))
    spec = PlanSpec(k=(k,), size=(SizeBound(tolerance=tol),), locks=locks)
    try:
        problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, k)
    except InfeasibleError:
        assume(False)
    assume(not quick_feasibility(problem))
    return inputs, problem


def rules_broken(problem, labels: np.ndarray) -> list[str]:
    """The rules a block labelling breaks, recomputed from the labels and the problem's arrays alone."""
    broken = []
    if sorted(np.unique(labels)) != list(range(problem.k)):
        broken.append("not k partnerships")
    for attr, (low, high) in problem.limits.items():
        sums = np.bincount(labels, weights=problem.attrs[attr], minlength=problem.k)
        if (sums < low - SLACK).any() or (sums > high + SLACK).any():
            broken.append(f"{attr} out of bounds: {sums}")
    if problem.needs_anchors and (np.bincount(labels, weights=problem.anchors, minlength=problem.k) < 1).any():
        broken.append("a partnership without an anchor")
    graph = nx.Graph(problem.edges.tolist())
    graph.add_nodes_from(range(problem.n))
    for p in range(problem.k):
        members = np.flatnonzero(labels == p).tolist()
        if members and not nx.is_connected(graph.subgraph(members)):
            broken.append(f"partnership {p} not contiguous")
    broken += [f"apart pair {a}, {b} together" for a, b in problem.apart if labels[a] == labels[b]]
    return broken


def _valid_start(problem, seed: int) -> _State:
    state = _construct(problem, np.random.default_rng(seed))
    assume(state.violation() < SLACK)
    assert rules_broken(problem, state.labels) == []
    return state


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(locked_grids())
def test_every_recombination_keeps_every_rule(case):
    inputs, problem = _problem(case)
    state = _valid_start(problem, case[6])
    assume(problem.k > 1)
    # the together lock is one block: its two units always share a partnership
    together = case[7]
    block = {int(u): b for b, units in enumerate(problem.blocks) for u in units}
    assert block[together[0]] == block[together[1]]
    sizes, rng = Sizes.of(problem), np.random.default_rng(case[6])
    for _ in range(15):
        changed = _recombine(state, sizes, rng, trees=3)
        assert rules_broken(problem, state.labels) == []
        assert state.violation() < SLACK  # the incremental bookkeeping agrees
        assert state.objective() == pytest.approx(_State(problem, state.labels).objective())
        assert changed <= set(range(problem.k))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(locked_grids())
def test_search_accepts_only_valid_states_and_is_no_worse_than_descent(case):
    inputs, problem = _problem(case)
    seed = case[6]
    state = _valid_start(problem, seed)  # construction, balance, descent: the descent-only heuristic
    descent_only = state.objective()
    accepted = []
    real_objective = _State.objective

    def watched(self):
        value = real_objective(self)
        accepted.append(rules_broken(problem, self.labels))
        return value

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_State, "objective", watched)
        best, labels, steps = _iterated_local_search(
            state, np.random.default_rng(seed), SearchBudget(iterations=40, recombine_share=0.7, trees=4)
        )
    assert 0 < steps <= 40
    assert all(b == [] for b in accepted)  # every state the search scored was valid
    assert rules_broken(problem, labels) == []
    assert best <= descent_only + SLACK
    assert _State(problem, labels).objective() == pytest.approx(best)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(locked_grids())
def test_same_seed_same_result(case):
    _, problem = _problem(case)
    seed = case[6]
    one = heuristic.solve_heuristic(problem, random_state=seed, iterations=30, restarts=2)
    two = heuristic.solve_heuristic(problem, random_state=seed, iterations=30, restarts=2)
    assert (one.labels == two.labels).all() and one.objective == two.objective
    if one.status == "feasible":
        assert rules_broken(problem, one.labels) == []


def test_best_split_respects_an_apart_pair_inside_the_merged_area():
    # a 1 × 4 strip, two partnerships; blocks 0 and 1 must be apart: the only valid cut is between them
    inputs = grid_inputs(1, 4, [100] * 4, [True] * 4)
    spec = PlanSpec(k=(2,), size=(SizeBound(tolerance=0.5),), locks=Locks(apart=((1000, 1001),)))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 2)
    labels = np.array([0, 0, 1, 1])
    area = merged_area(problem, labels, 0, 1)
    cost, half = best_split(area, Sizes.of(problem), np.random.default_rng(0), 5, 0.0, problem.total_pupils)
    assert sorted([half.tolist(), (~half).tolist()]) == [[False, True, True, True], [True, False, False, False]]
    # 1 km squares: one school alone (0 km) and three in a row (2 × 100 pupils at 1 km) over 400 pupils
    assert cost == pytest.approx(200 / 400)


def test_the_step_budget_not_the_clock_ends_the_search(monkeypatch):
    """The search counts its steps and never reads the clock: a clock that jumps an hour at every reading
    changes nothing, and the search ends after exactly its budget of steps."""
    inputs = grid_inputs(4, 5, [300] * 20, [True] * 20)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.3),))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 3)
    calm = heuristic.solve_heuristic(problem, iterations=7, patience=1_000)
    readings = iter(range(0, 10**9, 3_600))
    monkeypatch.setattr(heuristic.time, "perf_counter", lambda: float(next(readings)))
    rushed = heuristic.solve_heuristic(problem, iterations=7, patience=1_000)
    assert calm.details["steps"] == rushed.details["steps"] == 7
    assert (calm.labels == rushed.labels).all() and calm.objective == rushed.objective
    assert "time_capped" not in rushed.details
    assert rushed.status == "feasible" and rules_broken(problem, rushed.labels) == []
